/* The physics validation suite (docs/validation.md), behind `smatrix2d validate`.
 *
 * smx__validate() runs every test of the suite on one backend and
 * returns one row per test: the measured value, the bar, the reference
 * it is measured against and the verdict. It writes the IDD and the
 * lateral profile at R80 of every transport run it makes into the output
 * folder. It never prints or exits: rows are handed to the caller as
 * they are made (on_row) and collected in the report. */
#ifndef SMX_VALIDATE_VALIDATE_H
#define SMX_VALIDATE_VALIDATE_H

#include "smatrix2d/smatrix2d.h"

#define SMX_VROW_TEST_LEN 160

/* Verdict of a row: a bar was met or missed, or the value is only
 * reported (no bar, e.g. the L2 difference of the rotation test). */
enum { SMX_VROW_FAIL = 0, SMX_VROW_PASS = 1, SMX_VROW_INFO = 2 };

typedef struct smx_vrow {
    char test[SMX_VROW_TEST_LEN]; /* canonical name, e.g. r80/water/E=100MeV/dx=1mm/dz=1mm */
    double measured;
    char unit[16];                /* "mm", "%", "" (a ratio) ... */
    char bar[96];                 /* e.g. "77.18 +- 0.5 mm" */
    char source[128];             /* where the bar's reference value comes from */
    char note[320];               /* details: the grid, the parts of the value */
    int verdict;                  /* SMX_VROW_* */
} smx_vrow;

typedef void (*smx_vrow_fn)(void *user, const smx_vrow *row);

typedef struct smx_vopts {
    const char *backend; /* NULL = openmp; "auto" picks like run.backend */
    int quick;           /* coarser grids, fewer energies */
    const char *out_dir; /* NULL = out/validate; created with its parents */
    const char *only;    /* run only tests whose name contains this; NULL = all */
    smx_vrow_fn on_row;  /* called for each row as it is made; may be NULL */
    void *user;
} smx_vopts;

typedef struct smx_vreport {
    smx_vrow *rows;
    int nrows, cap;
    int passed, failed, info;
    int runs;              /* transport runs made */
    double seconds;        /* wall time of the whole suite */
    char backend[SMX_NAME_LEN];
    char device[256];
    smx_precision precision;
} smx_vreport;

/* Runs the suite. SMX_OK when every selected test ran (passed or not);
 * an error status for what stops the suite (unknown backend, output
 * folder not writable, out of memory outside a run). */
smx_status smx__validate(const smx_vopts *opts, smx_vreport *rep, char *err, size_t errlen);
void smx__vreport_free(smx_vreport *rep);

#endif
