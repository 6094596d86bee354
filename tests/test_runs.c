#define _POSIX_C_SOURCE 200809L /* setenv */
/* Whole runs: accounting closure, the 100 MeV validation config on both
 * backends, openmp against reference over many steps, Strang, units. */
#include <criterion/criterion.h>

#include "core/material.h"
#include "core/source.h"
#include "harness.h"
#include "map_file.h"

static void load(const char *rel, smx_config *cfg)
{
    char path[2048], err[1024] = "";
    snprintf(path, sizeof path, "%s/%s", SMX_SOURCE_DIR, rel);
    smx_config_init(cfg);
    cr_assert_eq(smx_config_load(path, cfg, err, sizeof err), SMX_OK, "%s", err);
    smx_config_free(cfg); /* no maps to keep */
}

static void expect_closure(const smx_result *res, double bar, const char *what)
{
    const smx_accounting *a = &res->accounting;
    double w, e;
    smx_accounting_sinks(a, &w, &e);
    cr_expect_float_eq(w, a->weight_source, bar * a->weight_source, "%s: weight %.17g vs %.17g",
                       what, w, a->weight_source);
    cr_expect_float_eq(e, a->energy_source, bar * a->energy_source, "%s: energy %.17g vs %.17g",
                       what, e, a->energy_source);
    /* the dose grid holds exactly the deposited energy */
    double d = 0;
    for (int q = 0; q < res->nx * res->nz; q++) d += res->edep_MeV_per_proton[q];
    cr_expect_float_eq(d, a->energy_deposited + a->energy_nuclear_deposited, bar * a->energy_source,
                       "%s: dose grid", what);
}

Test(runs, accounting_closes_over_a_whole_run)
{
    for (int b = 0; b < N_TEST_BACKENDS; b++)
        for (int s = 0; s < 2; s++) {
            smx_config c;
            two_beams_config(&c, test_backends[b]);
            c.splitting = s ? SMX_SPLIT_STRANG : SMX_SPLIT_LIE;
            smx_run *r = run_config(&c);
            const smx_result *res = smx_run_result(r);
            char what[64];
            snprintf(what, sizeof what, "%s/%s", test_backends[b], smx_splitting_name(c.splitting));
            expect_closure(res, b == 0 ? 1e-12 : 1e-5, what);
            cr_expect_leq(res->accounting.worst_weight_imbalance, b == 0 ? 1e-12 : 1e-6, "%s", what);
            cr_expect_leq(res->accounting.worst_energy_imbalance, b == 0 ? 1e-12 : 1e-6, "%s", what);
            cr_expect_gt(res->accounting.weight_leaked[SMX_EDGE_XMAX], 0, "%s", what);
            cr_expect_eq(res->accounting.weight_remaining, 0, "%s: all weight stopped", what);
            smx_run_free(r);
        }
}

/* No global state: two runs in one process agree bit for bit. */
Test(runs, two_runs_in_one_process_agree)
{
    smx_config c;
    two_beams_config(&c, "openmp");
    smx_run *a = run_config(&c), *b = run_config(&c);
    const smx_result *ra = smx_run_result(a), *rb = smx_run_result(b);
    cr_expect_eq(memcmp(ra->dose_Gy, rb->dose_Gy, sizeof(double) * ra->nx * ra->nz), 0);
    smx_run_free(a);
    smx_run_free(b);
}

/* A run of c with the environment variables names[k] set to values[k]
 * for it (openmp's switches; unset after). */
static smx_run *run_switched(const smx_config *c, int n, const char *const *names, const char *const *values)
{
    for (int k = 0; k < n; k++) setenv(names[k], values[k], 1);
    smx_run *r = run_config(c);
    for (int k = 0; k < n; k++) unsetenv(names[k]);
    return r;
}

/* The dose and accounting of b are those of a, bit for bit. */
static void expect_same_bits(const smx_result *a, const smx_result *b, const char *what)
{
    cr_expect_eq(memcmp(a->dose_Gy, b->dose_Gy, sizeof(double) * a->nx * a->nz), 0, "%s: dose", what);
    cr_expect_eq(memcmp(&a->accounting, &b->accounting, sizeof a->accounting), 0, "%s: accounting", what);
    cr_expect_gt(a->accounting.energy_deposited, 0, "%s", what);
}

/* c run with one openmp switch off ("0") and on ("1"): the same bits. */
static void expect_switch_same_bits(const smx_config *c, const char *name, const char *what)
{
    const char *names[] = {name};
    smx_run *off = run_switched(c, 1, names, (const char *[]){"0"});
    smx_run *on = run_switched(c, 1, names, (const char *[]){"1"});
    expect_same_bits(smx_run_result(off), smx_run_result(on), what);
    smx_run_free(off);
    smx_run_free(on);
}

/* openmp writes an output beyond the cache with streaming stores and
 * counts it on the way (A_theta, A_stream; rows of whole blocks of 8,
 * AVX); forced here on a small grid, they give the dose and accounting of
 * plain stores bit for bit, with both streamings. */
Test(runs, openmp_streaming_stores_same_bits)
{
    for (int sd = 0; sd < 2; sd++) {
        smx_config c;
        two_beams_config(&c, "openmp");
        c.nx = 16, c.x_min_mm = -8, c.x_max_mm = 8; /* rows of two blocks of 8 */
        c.streaming = sd ? SMX_STREAM_SHIFT_DEPOSIT : SMX_STREAM_CENTROID;
        expect_switch_same_bits(&c, "SMX_OMP_STREAM_STORES", sd ? "shift_deposit" : "centroid");
    }
}

/* openmp runs A_theta and A_stream as one pass (one medium, shift and
 * deposit; omp_fused.c); SMX_OMP_FUSE=0 runs them one at a time. Both
 * give the same dose and accounting bit for bit, with Lie and Strang, a
 * theta window and a full circle whose backward bins are rejected
 * between the two, with and without streaming stores. */
Test(runs, openmp_fused_pair_same_bits)
{
    const char *names[] = {"SMX_OMP_FUSE", "SMX_OMP_STREAM_STORES"};
    for (int k = 0; k < 4; k++) {
        smx_config c;
        two_beams_config(&c, "openmp");
        c.nx = 16, c.x_min_mm = -8, c.x_max_mm = 8; /* rows of two blocks of 8 */
        c.streaming = SMX_STREAM_SHIFT_DEPOSIT;
        c.splitting = k % 2 ? SMX_SPLIT_STRANG : SMX_SPLIT_LIE;
        if (k >= 2) c.theta_full_circle = 1, c.ntheta = 36, c.max_angle_deg = 60;
        smx_run *r[4];
        for (int f = 0; f < 4; f++) /* fused or not, streaming stores or not */
            r[f] = run_switched(&c, 2, names, (const char *[]){f % 2 ? "1" : "0", f / 2 ? "1" : "0"});
        const smx_result *a = smx_run_result(r[0]);
        for (int f = 1; f < 4; f++) {
            char what[32];
            snprintf(what, sizeof what, "case %d/%d", k, f);
            expect_same_bits(a, smx_run_result(r[f]), what);
        }
        if (k >= 2) cr_expect_gt(a->accounting.weight_rejected, 0, "case %d: some weight rejected", k);
        for (int f = 0; f < 4; f++) smx_run_free(r[f]);
    }
}

/* openmp keeps per slab the columns holding weight and skips the others
 * (they would add zeros); SMX_OMP_BOXES=0 takes every column. Both give
 * the same dose and accounting bit for bit, with both streamings, Lie and
 * Strang, rows with a tail past the blocks of 8 (nx = 60), a full circle,
 * and rows of more blocks than a box tells apart (nx = 540, 67 blocks;
 * the beams near the far edge, in the blocks a box merges; shift and
 * deposit), and several media. */
Test(runs, openmp_boxes_same_bits)
{
    /* cases 5 and 6: several media, varying along x and z (A_theta and
     * A_E take the several-media paths, over runs cut by the boxes) */
    unsigned char m[30 * 60];
    for (int z = 0; z < 30; z++)
        for (int x = 0; x < 60; x++) m[z * 60 + x] = z >= 6 && z < 14 ? (x < 31 ? 1 : 2) : (z >= 18 && x > 27 ? 3 : 0);
    char map[32];
    for (int k = 0; k < 7; k++) {
        smx_config c;
        two_beams_config(&c, "openmp");
        c.nx = k != 4 ? 60 : 540, c.x_min_mm = -0.25 * c.nx, c.x_max_mm = 0.25 * c.nx;
        if (k == 4) c.beams[0].x_mm = 124, c.beams[1].x_mm = 118, c.beams[0].angle_deg = 0;
        c.streaming = k % 2 || k == 4 ? SMX_STREAM_SHIFT_DEPOSIT : SMX_STREAM_CENTROID;
        if (k >= 2 && k != 5) c.splitting = SMX_SPLIT_STRANG, c.theta_full_circle = 1, c.ntheta = 36, c.max_angle_deg = 120;
        if (k >= 5) use_map(&c, m, 30, 60, map, (const char *[]){"water", "bone_cortical_icrp", "lung", "adipose_icrp"}, 4);
        char what[16];
        snprintf(what, sizeof what, "case %d", k);
        expect_switch_same_bits(&c, "SMX_OMP_BOXES", what);
        if (k >= 5) remove(map);
    }
}

/* dose (Gy) = E_dep (MeV) * 1.602176634e-13 J/MeV / (rho * dx * dz * dy) */
Test(runs, dose_units)
{
    smx_config c;
    two_beams_config(&c, "reference");
    c.y_thickness_mm = 2.0;
    smx_run *r = run_config(&c);
    const smx_result *res = smx_run_result(r);
    double dx = (c.x_max_mm - c.x_min_mm) / c.nx * 1e-3, dz = c.z_max_mm / c.nz * 1e-3;
    double protons = c.beams[0].protons + c.beams[1].protons;
    for (int q = 0; q < res->nx * res->nz; q++)
        cr_expect_float_eq(res->dose_Gy[q],
                           res->edep_MeV_per_proton[q] * protons * 1.602176634e-13 /
                               (1000.0 * dx * dz * 2e-3),
                           1e-12 * (res->dose_Gy[q] + 1e-300));
    smx_run_free(r);
}

/* openmp against reference: psi after 20 full steps of a real beam. */
Test(runs, openmp_psi_matches_reference_after_20_steps)
{
    smx_config c;
    two_beams_config(&c, "reference");
    c.nbeams = 1; /* one beam down the middle: in flight for 20 steps */
    c.beams[0].angle_deg = 0;
    c.beams[0].x_mm = 0;
    char err[1024] = "";
    smx_plan plan;
    cr_assert_eq(smx__plan_build(&c, &plan, err, sizeof err), SMX_OK, "%s", err);
    size_t n = smx__psi_size(&plan);
    double *edep = calloc(smx__slab(&plan), sizeof(double));
    smx_host_state hs = smx__host_state_alloc(&plan);
    smx_accounting acct = {0};
    int lo, hi;
    cr_assert_eq(smx__source_inject(&c, &plan, &hs, edep, &acct, &lo, &hi, err, sizeof err), SMX_OK);
    smx_oprun ref, omp;
    cr_assert_eq(smx__oprun_open(&ref, "reference", &c, &hs, lo, hi, err, sizeof err), 0, "%s", err);
    cr_assert_eq(smx__oprun_open(&omp, "openmp", &c, &hs, lo, hi, err, sizeof err), 0, "%s", err);
    for (int s = 0; s < 20; s++) {
        smx_graph g = {0};
        smx__step_graph(SMX_SPLIT_LIE, &g);
        cr_assert_eq(smx__oprun_graph(&ref, &g, err, sizeof err), 0, "%s", err);
        cr_assert_eq(smx__oprun_graph(&omp, &g, err, sizeof err), 0, "%s", err);
    }
    double e = nmse(omp.psi, ref.psi, n), w = 0;
    for (size_t k = 0; k < n; k++) w += ref.psi[k];
    cr_expect_gt(w, 0.5, "the beam is still in flight after 20 steps: %g", w);
    cr_expect_leq(e, 1e-7, "psi NMSE after 20 steps %.3g", e);
    smx__oprun_close(&ref);
    smx__oprun_close(&omp);
    smx__plan_free(&plan);
    smx__host_state_free(&hs);
    free(edep);
}

/* configs/water_100MeV.yaml: R80 within 0.5 mm of NIST's CSDA range 77.18
 * mm; worst step imbalance 1e-12 (reference) and 1e-6 (float32 backends);
 * every float32 backend with a device (openmp; opencl where present or
 * required by SMX_REQUIRE_BACKENDS) within dose NMSE 1e-7 and R80 0.1 mm
 * of reference. The secondaries are left local here: transported, the
 * float64 reference takes minutes on this grid; test_secondaries runs
 * them on every backend on a smaller one. */
Test(runs, water_100MeV_reference_and_float32_backends, .timeout = 900)
{
    smx_config c;
    load("configs/water_100MeV.yaml", &c);
    c.secondaries = SMX_SECONDARIES_LOCAL;
    snprintf(c.backend, sizeof c.backend, "reference");
    smx_run *ref = run_config(&c);
    const smx_result *a = smx_run_result(ref);
    cr_expect_leq(fabs(a->metrics.r80_mm - 77.18), 0.5, "reference R80 %.3f mm", a->metrics.r80_mm);
    cr_expect_leq(a->accounting.worst_weight_imbalance, 1e-12);
    cr_expect_leq(a->accounting.worst_energy_imbalance, 1e-12);
    cr_expect_gt(a->metrics.peak_to_entrance, 3.0, "a Bragg peak: %.2f", a->metrics.peak_to_entrance);
    expect_closure(a, 1e-12, "reference water_100MeV");
    for (int k = 0; k < N_FLOAT32_BACKENDS; k++) {
        const char *name = float32_backends[k];
        char why[256] = "";
        if (!backend_present(name, why, sizeof why)) continue;
        snprintf(c.backend, sizeof c.backend, "%s", name);
        smx_run *run = run_config(&c);
        const smx_result *b = smx_run_result(run);
        cr_expect_leq(fabs(a->metrics.r80_mm - b->metrics.r80_mm), 0.1, "%s R80 %.3f vs %.3f mm",
                      name, b->metrics.r80_mm, a->metrics.r80_mm);
        cr_expect_leq(b->accounting.worst_weight_imbalance, 1e-6, "%s", name);
        cr_expect_leq(b->accounting.worst_energy_imbalance, 1e-6, "%s", name);
        double e = nmse(b->dose_Gy, a->dose_Gy, (size_t)a->nx * a->nz);
        cr_expect_leq(e, 1e-7, "%s dose NMSE %.3g", name, e);
        smx_run_free(run);
    }
    smx_run_free(ref);
}

/* output.idd_resolution_mm: the fine tally holds the energy of the cell
 * IDD, and gives a 2 mm cell run the range of its 0.5 mm one (with media,
 * test_media.c). */
Test(runs, fine_depth_tally)
{
    smx_config c = small_pencil(75, 10, 50, 25, "openmp");
    c.nuclear = SMX_NUCLEAR_NONE;
    c.idd_resolution_mm = 0.1;
    smx_run *r = run_config(&c);
    const smx_result *a = smx_run_result(r);
    cr_assert_eq(a->nfine, 500);
    double fine = 0, cells = 0;
    for (int k = 0; k < a->nfine; k++) fine += a->idd_fine_MeV_per_mm[k] * 0.1;
    for (int z = 0; z < a->nz; z++) cells += a->idd_MeV_per_mm[z] * 2;
    cr_expect_float_eq(fine, cells, 1e-6 * cells, "fine %g vs cells %g MeV", fine, cells);
    smx_material w;
    char err[1024] = "";
    cr_assert_eq(smx__material_load("water", &w, err, sizeof err), SMX_OK);
    double csda = 10 * smx__csda_range(&w, 75);
    cr_expect_leq(fabs(a->metrics.r80_mm - csda), 0.2, "R80 %.3f vs CSDA %.3f mm", a->metrics.r80_mm, csda);
    smx_run_free(r);
}

/* Memory follows the beam: a 42 MeV pencil in lockstep on 0.1 mm rows
 * occupies a few of its 200 rows at any step, while its transported
 * secondaries fill every energy bin below the primary's; a state held
 * whole would touch all of it (650 MB resident before the z window). */
Test(runs, memory_follows_the_beam, .timeout = 120)
{
    smx_config c = small_pencil(42, 24, 20, 200, "openmp");
    c.x_min_mm = -6, c.x_max_mm = 6;
    c.beams[0].sigma_x_mm = 1;
    smx_run *r = run_config(&c);
    const smx_result *a = smx_run_result(r);
    cr_expect_gt(a->timing.peak_rss_MB, 0, "getrusage gave no figure");
    cr_expect_lt(a->timing.peak_rss_MB, 200, "peak RSS %.0f MB", a->timing.peak_rss_MB);
    smx_run_free(r);
}
