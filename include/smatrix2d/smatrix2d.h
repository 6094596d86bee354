/* smatrix2d — deterministic proton transport in a 2D slab.
 *
 * The one header a user includes. Library functions return smx_status and
 * write a human-readable message into a caller-supplied buffer; they never
 * exit or abort. Units are in the names (mm, MeV, deg, Gy).
 */
#ifndef SMATRIX2D_H
#define SMATRIX2D_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes (X-macro: name, message) --------------------------- */
#define SMX_STATUS_MAP(X)                                                   \
    X(OK, "success")                                                        \
    X(EINVAL, "invalid argument")                                           \
    X(ECONFIG, "invalid configuration")                                     \
    X(EIO, "input/output error")                                            \
    X(ENOMEM, "out of memory")                                              \
    X(ENODEV, "backend or device not available")                            \
    X(ENOTSUP, "operation not supported by the backend")                    \
    X(EDATA, "physics data error")                                          \
    X(EBACKEND, "backend failure")

typedef enum {
#define SMX__STATUS_ENUM(name, msg) SMX_##name,
    SMX_STATUS_MAP(SMX__STATUS_ENUM)
#undef SMX__STATUS_ENUM
    SMX_STATUS_COUNT
} smx_status;

const char *smx_version(void);                /* "0.1.0" */
const char *smx_status_name(smx_status s);   /* "SMX_ECONFIG" */
const char *smx_status_message(smx_status s); /* "invalid configuration" */

/* ---- configuration ------------------------------------------------------
 * smx_config_init() fills the documented defaults; smx_config_load() reads
 * a YAML file (docs/config.md) on top of them and rejects unknown keys,
 * wrong types and out-of-range values with "file:line:column: key: ...";
 * smx_config_free() frees what a load kept (init does not). */

#define SMX_MAX_BEAMS 64
#define SMX_MAX_THREADS 4096 /* run.threads and --threads */
#define SMX_NAME_LEN 64
#define SMX_PATH_LEN 1024

typedef enum {
    SMX_SPACING_UNIFORM = 0,
    SMX_SPACING_LOG,
    SMX_SPACING_RANGE /* edges uniform in water CSDA range */
} smx_energy_spacing;

typedef enum {
    SMX_SCATTER_DIFFERENTIAL_MOLIERE = 0, /* Gottschalk 2010 (default) */
    SMX_SCATTER_FERMI_ROSSI,
    SMX_SCATTER_HIGHLAND_STEP,
    SMX_SCATTER_NONE
} smx_scatter_model;

typedef enum { SMX_SPLIT_LIE = 0, SMX_SPLIT_STRANG } smx_splitting;
typedef enum { SMX_STRAGGLING_BOHR = 0, SMX_STRAGGLING_NONE } smx_straggling;
typedef enum { SMX_NUCLEAR_ICRU63 = 0, SMX_NUCLEAR_NONE } smx_nuclear;
/* What becomes of a removed proton's energy: transport puts its secondary
 * protons back into psi (Fippel & Soukup cascade); local deposits 0.6 of
 * it where it is removed (Bortfeld 1997), the rest escapes. */
typedef enum { SMX_SECONDARIES_TRANSPORT = 0, SMX_SECONDARIES_LOCAL } smx_secondaries;
/* centroid: each cell also carries the first and second moments of its
 * weight, so a parcel moves as a box of its own width (a low-diffusion
 * scheme; docs/physics.md, "Spatial streaming"); shift_deposit: the plain area-weighted
 * shift */
typedef enum { SMX_STREAM_CENTROID = 0, SMX_STREAM_SHIFT_DEPOSIT } smx_streaming;

#define SMX_MAX_SLABS 64
#define SMX_MAX_MATERIALS 32

/* A layer of the slab geometry: cells whose centre depth lies in
 * [z_min_mm, z_max_mm) get this medium. */
typedef struct smx_slab {
    double z_min_mm, z_max_mm;
    char material[SMX_NAME_LEN];
    double density_g_cm3; /* 0 = the material's own density */
} smx_slab;
typedef enum { SMX_PRECISION_FLOAT32 = 0, SMX_PRECISION_FLOAT64 } smx_precision;
/* Device backends: `deterministic` gives bit-identical dose on repeated
 * runs on one device (gathers, fixed-order sums); `fast` may use atomics. */
typedef enum { SMX_ACCUM_DETERMINISTIC = 0, SMX_ACCUM_FAST } smx_accumulation;
/* A_theta on the opencl backend: a banded stencil kernel, a batched matrix
 * product (clBLAST), or the faster of the two measured on the device. */
typedef enum { SMX_SCATTER_AUTO = 0, SMX_SCATTER_STENCIL, SMX_SCATTER_GEMM } smx_scatter_impl;

typedef struct smx_beam {
    double energy_MeV;        /* required, kinetic energy at the surface */
    double energy_spread_MeV; /* default 0: Gaussian sigma of the spectrum */
    double x_mm;              /* default 0: lateral position at z = 0 */
    double sigma_x_mm;        /* default 0 */
    double angle_deg;         /* default 0: from +z towards +x */
    double sigma_angle_deg;   /* default 0 */
    double protons;           /* default 1e9 */
} smx_beam;

typedef struct smx_config {
    /* grid */
    double x_min_mm, x_max_mm; /* default [-20, 20] */
    int nx;                    /* default 80 */
    double z_max_mm;           /* grid spans [0, z_max_mm]; default 100 */
    int nz;                    /* default 200 */
    double y_thickness_mm;     /* default 1.0 */
    int ntheta;                /* default 120 */
    int theta_full_circle;     /* default 0: forward window */
    double theta_min_deg, theta_max_deg; /* window, default [-30, 30] */
    int ne;                    /* default 0 = auto (range spacing with lockstep) */
    double e_min_MeV, e_max_MeV; /* default [1, 110] */
    smx_energy_spacing spacing; /* default range */
    /* medium: a background material, optionally overridden by slabs or by a
     * material map (not both) */
    char material[SMX_NAME_LEN]; /* default "water" */
    double density_g_cm3;        /* default 0 = the material's own density */
    int nslabs;
    smx_slab slabs[SMX_MAX_SLABS];
    char material_map[SMX_PATH_LEN]; /* .npy of integer indices [nz][nx] into
                                        materials[]; "" = none; resolved
                                        relative to the config file */
    char density_map[SMX_PATH_LEN];  /* optional .npy of float densities
                                        (g/cm3) [nz][nx]; "" = none */
    int nmaterials;
    char materials[SMX_MAX_MATERIALS][SMX_NAME_LEN];
    /* beams */
    int nbeams;
    smx_beam beams[SMX_MAX_BEAMS];
    /* transport */
    double step_mm;            /* default 0 = auto (lockstep: step = dz) */
    smx_splitting splitting;   /* default lie */
    smx_scatter_model scattering; /* default differential_moliere */
    int max_steps;             /* default 100000 */
    double max_angle_deg;      /* default 90: weight scattered beyond is rejected */
    smx_straggling straggling; /* default bohr */
    smx_nuclear nuclear;       /* default icru63 */
    smx_secondaries secondaries; /* default transport */
    smx_streaming streaming;   /* default centroid */
    /* run */
    char backend[SMX_NAME_LEN]; /* default "openmp" */
    smx_precision precision;   /* default float32 */
    int device;                /* default -1 = unset: SMX_OPENCL_DEVICE or 0 */
    int threads;               /* default 0 = OpenMP default; at most SMX_MAX_THREADS */
    double memory_limit_GB;    /* default 0 = what the machine has (MemAvailable,
                                  the cgroup's limit, the device's memory) */
    /* output */
    double idd_resolution_mm;  /* default 0 = none; else a fine depth tally
                                  (idd_fine.csv) in bins of this width */
    smx_accumulation accumulation; /* default deterministic */
    smx_scatter_impl scatter;  /* default auto */
    /* where it came from (for messages and metadata) */
    char source_path[SMX_PATH_LEN];
    /* What smx_config_load kept of the file besides the values: the maps'
     * cells, read and checked once (smx_run_create takes them from here
     * and reads the files itself only when they are not of this
     * configuration's files, grid and materials list), and where each key
     * stood, so that smx_run_create's refusals of the configuration as
     * loaded name the line. NULL: built in code. Freed by smx_config_free;
     * a copy of the struct shares it, so free one copy only. */
    struct smx_config_loaded *loaded;
} smx_config;

void smx_config_init(smx_config *cfg);
/* On success what cfg->loaded held before is freed and replaced. */
smx_status smx_config_load(const char *path, smx_config *cfg, char *err, size_t errlen);
/* Frees what smx_config_load allocated (cfg->loaded) and sets it to NULL;
 * the rest of cfg stays as it is. NULL: nothing. */
void smx_config_free(smx_config *cfg);
/* Cross-checks that need no file positions (also run by smx_run_create,
 * unless cfg is byte for byte as smx_config_load left it: the load ran
 * them). */
smx_status smx_config_check(const smx_config *cfg, char *err, size_t errlen);

const char *smx_spacing_name(smx_energy_spacing s);
const char *smx_scatter_name(smx_scatter_model m);
const char *smx_splitting_name(smx_splitting s);
const char *smx_precision_name(smx_precision p);
const char *smx_straggling_name(smx_straggling s);
const char *smx_nuclear_name(smx_nuclear n);
const char *smx_secondaries_name(smx_secondaries s);
const char *smx_streaming_name(smx_streaming s);
const char *smx_accumulation_name(smx_accumulation a);
const char *smx_scatter_impl_name(smx_scatter_impl s);

/* ---- backends ---------------------------------------------------------- */
/* Compiled-in backends, reference first. */
int smx_backend_count(void);
const char *smx_backend_name(int index);
/* Every backend name the engine knows, compiled in or not, and "auto":
 * "reference|openmp|opencl|vulkan|cuda|auto". */
const char *smx_backend_names(void);
/* The same names one by one (without "auto"); NULL past the last. */
const char *smx_backend_known_name(int index);
/* Resolves a backend name or "auto" with a device (< 0: the backend's
 * default) to the backend a run would take, written into `resolved`.
 * auto: the first of cuda, vulkan, opencl whose device is a GPU or another
 * accelerator, else openmp; never the reference. SMX_EINVAL for an unknown
 * name, SMX_ENODEV when not compiled in or without that device. */
smx_status smx_backend_resolve(const char *name, int device, char *resolved, size_t len,
                               char *err, size_t errlen);
/* Number of devices of a backend (0 when not compiled in or none found);
 * `why` (may be NULL) receives a one-line reason when it is 0. */
int smx_backend_device_count(const char *backend, char *why, size_t whylen);
smx_status smx_backend_device_name(const char *backend, int device, char *buf, size_t buflen);

/* ---- a run ------------------------------------------------------------- */
/* A_E stops an edge energy bin (lowest or highest occupied) holding less
 * weight than this, with the source normalised to 1: straggling tails
 * would otherwise spread weights down to the underflow limit over every
 * bin. The weight is reported as `trimmed`, its energy deposited. */
#define SMX_TRIM_WEIGHT 1e-12

enum { SMX_EDGE_XMIN = 0, SMX_EDGE_XMAX, SMX_EDGE_ZMIN, SMX_EDGE_ZMAX, SMX_EDGE_THETA, SMX_EDGE_COUNT };

typedef struct smx_accounting {
    /* weight (protons, normalised to 1 for the whole source) */
    double weight_source;          /* injected */
    double weight_source_leaked;   /* source tails outside the x range */
    double weight_leaked[SMX_EDGE_COUNT];
    double weight_rejected;        /* scattered beyond max_angle_deg */
    double weight_absorbed;        /* stopped at the energy cutoff */
    double weight_nuclear;         /* removed by nuclear interactions */
    double weight_secondary;       /* secondary protons put back into psi
                                      (created: a source, not a sink) */
    double weight_trimmed;         /* energy-bin tails below 1e-12 of the source,
                                      stopped in place (energy deposited) */
    double weight_remaining;       /* still in flight at the end */
    /* energy (MeV per source proton) */
    double energy_source;
    double energy_source_leaked;
    double energy_deposited;       /* all local deposits, incl. rejected/absorbed */
    double energy_leaked[SMX_EDGE_COUNT];
    double energy_nuclear_deposited;
    double energy_nuclear_escaped;
    double energy_secondary;       /* handed to secondary protons in psi
                                      (deposited later as they slow down) */
    double energy_remaining;
    /* worst relative imbalance of any single step */
    double worst_weight_imbalance;
    double worst_energy_imbalance;
    int worst_weight_step, worst_energy_step;
} smx_accounting;

/* Where the source went: the sums of every sink of weight (leaked at the
 * source and per edge, rejected, absorbed, nuclear, trimmed, remaining,
 * less the secondary protons created)
 * and of energy (leaked, deposited, nuclear deposited and escaped,
 * remaining). Both equal the source's when the run closes. */
void smx_accounting_sinks(const smx_accounting *a, double *weight, double *energy);

typedef struct smx_metrics {
    double r80_mm, r90_mm, r20_mm;
    double peak_depth_mm;
    double peak_to_entrance;
    double entrance_idd;           /* MeV/mm per proton, mean over 0–2 mm */
    double distal_80_20_mm;
    double lateral_sigma_at_r80_mm;
    /* numerical spread of the discretisation, for the first beam */
    double numerical_range_straggling_mm;
    double numerical_lateral_sigma_at_range_mm;
} smx_metrics;

enum { SMX_OP_SCATTER = 0, SMX_OP_STREAM, SMX_OP_ENERGY, SMX_OP_COUNT };
const char *smx_op_name(int op);

typedef struct smx_timing {
    double total_s;         /* whole run incl. set-up */
    double setup_s;         /* tables, backend creation, upload */
    double transport_s;     /* the step loop */
    double op_ms_per_step[SMX_OP_COUNT];
    double op_kernel_ms_per_step[SMX_OP_COUNT]; /* device time of the op's kernels
                               (timestamps/events); < 0 where the backend does not
                               measure it */
    double step_ms;
    double peak_rss_MB;     /* the process's peak resident memory so far
                               (the OS's figure, getrusage), after the run */
    double device_waits_per_step; /* times the host waited for the device per
                               step (a device backend enqueues a step and
                               waits once; window moves add some); < 0: a
                               host backend */
} smx_timing;

/* Findings that make a result untrustworthy (smx_run_execute fills them
 * after the run; the CLI exits 3 unless --allow-warnings). */
#define SMX_MAX_WARNINGS 8
#define SMX_WARNING_LEN 256

typedef struct smx_result {
    int nx, nz;
    const double *x_mm;     /* [nx] cell centres */
    const double *depth_mm; /* [nz] cell centres */
    const double *dose_Gy;  /* [nz][nx], for the configured protons */
    const double *edep_MeV_per_proton; /* [nz][nx] */
    const double *idd_MeV_per_mm;      /* [nz], per source proton */
    /* fine depth tally (output.idd_resolution_mm > 0; else nfine = 0):
     * bins of idd_fine_resolution_mm from z = 0; the depth metrics are
     * then taken from it */
    int nfine;
    const double *idd_fine_MeV_per_mm; /* [nfine], per source proton */
    double idd_fine_resolution_mm;
    double total_protons;
    double step_mm;
    int steps;
    int ne_used;            /* energy bins after lockstep snapping */
    double e_min_used_MeV;  /* lockstep anchors the grid on the first beam */
    double e_max_used_MeV;
    char backend[SMX_NAME_LEN];
    char device[256];
    smx_precision precision;
    char accumulation[16];  /* what the backend did: deterministic|fast */
    char scatter[16];       /* the A_theta it ran: stencil|gemm */
    smx_metrics metrics;
    smx_accounting accounting;
    smx_timing timing;
    int nwarnings;
    char warnings[SMX_MAX_WARNINGS][SMX_WARNING_LEN];
} smx_result;

typedef struct smx_run smx_run;

/* Called after each step; return non-zero to stop early. May be NULL. */
typedef int (*smx_progress_fn)(void *user, int step, double weight_in_flight);

smx_status smx_run_create(const smx_config *cfg, smx_run **out, char *err, size_t errlen);
smx_status smx_run_execute(smx_run *run, smx_progress_fn progress, void *user, char *err,
                           size_t errlen);
/* Valid after a successful execute, until smx_run_free. */
const smx_result *smx_run_result(const smx_run *run);
void smx_run_free(smx_run *run);

/* ---- benchmark ---------------------------------------------------------
 * Times steps of the chosen backend on a dense state (every bin filled,
 * seed 42) and one read+write pass over the same state (copy_ms). */
typedef struct smx_bench_spec {
    int nx, nz, ntheta, ne;  /* full-circle theta, uniform energy 0.1–200 MeV */
    int steps;               /* timed steps (default 10) */
    char backend[SMX_NAME_LEN];
    int device;              /* -1 = the backend's default */
    int threads;             /* 0 = default */
    smx_streaming streaming; /* default centroid */
    smx_secondaries secondaries; /* default transport */
    smx_accumulation accumulation; /* default deterministic */
    smx_scatter_impl scatter;      /* default auto */
} smx_bench_spec;

typedef struct smx_bench_result {
    char backend[SMX_NAME_LEN]; /* the backend that ran (auto resolved) */
    double step_ms;
    double copy_ms;
    double per_op_ms[SMX_OP_COUNT];
    double per_op_kernel_ms[SMX_OP_COUNT]; /* device time of the kernels; < 0: not measured */
    double state_bytes;
    double peak_rss_MB;      /* the process's peak resident memory (getrusage) */
    double device_waits_per_step; /* as in smx_timing; < 0: a host backend */
    int threads;             /* CPU threads (0 for a device backend) */
    char device[256];
    char accumulation[16];
    char scatter[16];
} smx_bench_result;

smx_status smx_bench_run(const smx_bench_spec *spec, smx_bench_result *res, char *err,
                         size_t errlen);

/* ---- output writers (all write to a temporary name and rename) -------- */
smx_status smx_write_npy_f64(const char *path, const double *data, int rows, int cols,
                             char *err, size_t errlen);
/* Writes dose.npy, idd.csv (idd_fine.csv with the fine tally) and
 * metrics.json into dir (created if needed): each to a temporary name,
 * renamed into place with metrics.json last, after an earlier run's
 * metrics.json is removed. metrics.json's "outputs" names the files of its
 * set with their sizes and FNV-1a hashes: a folder without metrics.json
 * holds no finished result. Nothing is left behind when it fails. */
smx_status smx_write_outputs(const char *dir, const smx_config *cfg, const smx_result *res,
                             char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* SMATRIX2D_H */
