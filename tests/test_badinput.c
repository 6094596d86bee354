/* The bad-input table (issue 12): every configuration that once crashed,
 * ran out of memory without a word, or exited 0 with wrong or empty
 * results, run through `smatrix2d run`. Each entry checks the exit code,
 * the message (the key, and file:line where the loader knows it) and that
 * nothing was written; refusals of grids that do not fit must come in
 * under a second on every backend. The result checks themselves are also
 * tested on made-up results (a step imbalance of 1 cannot be produced on
 * purpose). */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smatrix2d/smatrix2d.h"
#include "core/checks.h"

#ifndef SMX_CLI
#error "SMX_CLI (path of the smatrix2d executable) must be defined"
#endif

/* A 40 MeV beam in water on a small grid: runs in well under a second.
 * Fields: extra grid lines, medium lines, the beam's keys, extra lines. */
#define BASE "grid:\n" \
             "  x_mm: %s\n" \
             "  nx: %s\n" \
             "  z_mm: %s\n" \
             "  nz: %s\n" \
             "%s" \
             "  theta: {bins: 21, min_deg: %s, max_deg: %s}\n" \
             "  energy: {bins: auto, min_MeV: 1.0, max_MeV: 50, spacing: range}\n" \
             "material: water\n" \
             "%s" \
             "beams:\n" \
             "  - {energy_MeV: %s, energy_spread_MeV: %s, x_mm: %s, sigma_x_mm: 0, angle_deg: %s, " \
             "sigma_angle_deg: %s, protons: %s}\n" \
             "%s"

typedef struct entry {
    const char *name;
    /* BASE's fields; NULL: the default */
    const char *x, *nx, *z, *nz, *grid, *tmin, *tmax, *medium, *energy, *spread, *bx, *angle,
        *sangle, *protons, *extra;
    int code;          /* expected exit status */
    const char *msg;   /* expected in stderr */
    const char *where; /* ":line:" expected in stderr, or NULL */
} entry;

static const char *or(const char *v, const char *d) { return v ? v : d; }

static void write_config(const char *path, const entry *e)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, BASE, or(e->x, "[-10, 10]"), or(e->nx, "20"), or(e->z, "[0, 30]"), or(e->nz, "30"),
            or(e->grid, ""), or(e->tmin, "-20"), or(e->tmax, "20"), or(e->medium, ""),
            or(e->energy, "40"), or(e->spread, "0"), or(e->bx, "0"), or(e->angle, "0"),
            or(e->sangle, "0"), or(e->protons, "1.0e9"), or(e->extra, "run: {backend: openmp}\n"));
    fclose(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = calloc((size_t)n + 1, 1);
    if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = '\0';
    fclose(f);
    return s;
}

typedef struct ran {
    int code;
    double seconds;
    char *err;
} ran;

/* Runs `smatrix2d run dir/cfg.yaml --out dir/out -q [more]` in dir; more:
 * arguments separated by single spaces. */
static ran run(const char *dir, const char *more)
{
    char words[256] = "", *argv[16] = {SMX_CLI, "run", "cfg.yaml", "--out", NULL, "-q"};
    int argc = 6;
    snprintf(words, sizeof words, "%s", more ? more : "");
    for (char *w = strtok(words, " "); w && argc < 15; w = strtok(NULL, " ")) argv[argc++] = w;
    argv[argc] = NULL;
    char cfg[256], out[256], errp[256];
    snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644), fo = open("/dev/null", O_WRONLY);
        if (fe < 0 || fo < 0 || chdir(dir) != 0) _exit(127);
        dup2(fe, 2);
        dup2(fo, 1);
        argv[4] = out;
        execv(SMX_CLI, argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ran r = {WIFEXITED(ws) ? WEXITSTATUS(ws) : -1,
             (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec), slurp(errp)};
    return r;
}

static char *tmpdir(void)
{
    char t[] = "/tmp/smx_test_badinput_XXXXXX";
    cr_assert_not_null(mkdtemp(t));
    return strdup(t);
}

static void cleanup(char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

static int exists(const char *dir, const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

/* Every entry: the finding it guards against in the comment. */
static const entry table[] = {
    /* segfault inside libgomp */
    {.name = "threads", .extra = "run: {backend: openmp, threads: 100000}\n", .code = 2,
     .msg = "run.threads: out of range: 100000", .where = ":11:"},
    /* use after free in the openmp backend, message with a negative count */
    {.name = "step", .extra = "transport: {step_mm: 1e6}\n", .code = 2,
     .msg = "transport.step_mm: out of range", .where = ":11:"},
    /* inf in idd.csv, R80 -nan */
    {.name = "spread", .spread = "1e308", .code = 2, .msg = "beams[0].energy_spread_MeV",
     .where = ":10:"},
    /* infinite dose */
    {.name = "protons", .protons = "1e308", .code = 2, .msg = "beams[0].protons", .where = ":10:"},
    /* NaN dose from denormal sizes and densities */
    {.name = "density", .medium = "density_g_cm3: 1e-310\n", .code = 2,
     .msg = "density_g_cm3: out of range", .where = ":9:"},
    {.name = "thickness", .grid = "  y_thickness_mm: 1e-310\n", .code = 2,
     .msg = "grid.y_thickness_mm: out of range", .where = ":6:"},
    {.name = "width", .x = "[0, 1e-310]", .code = 2, .msg = "cells of 5e-312 mm"},
    /* the spectrum's excess above max_MeV dumped into the first row */
    {.name = "above_max", .energy = "49", .spread = "3", .code = 2,
     .msg = "beams[0].energy_spread_MeV: 3 MeV puts the spectrum", .where = ":10:"},
    /* R80 reported while 91 % of the protons leave through z_max */
    {.name = "short_grid", .z = "[0, 10]", .nz = "10", .code = 3, .msg = "left through z_max"},
    /* 0 steps, R80 nan */
    {.name = "one_row", .nz = "1", .code = 3, .msg = "no transport step was taken"},
    {.name = "grazing", .angle = "89.9", .tmin = "60", .tmax = "90", .code = 3,
     .msg = "no transport step was taken"},
    /* float->int overflow in source.c (a sample at 90 deg); samples
     * outside the theta window used to be put in its edge bins */
    {.name = "wide_angles", .sangle = "22.5", .code = 3, .msg = "fell outside the grid at injection"},
    /* a theta window of denormal bins: inf -> int in the kernel tables */
    {.name = "theta_bins", .tmin = "-1e-300", .tmax = "1e-300", .code = 2,
     .msg = "grid.theta.bins: bins of", .where = ":6:"},
    /* a window narrower than the beam's scattering: its weight lost */
    {.name = "theta_narrow", .tmin = "-0.1", .tmax = "0.1", .code = 3,
     .msg = "scattered out of the theta window"},
    /* bounds of the new key */
    {.name = "memory_key", .extra = "run: {backend: openmp, memory_limit_GB: -1}\n", .code = 2,
     .msg = "run.memory_limit_GB: out of range", .where = ":11:"},
    /* a grid that does not fit the budget: refused before the tables */
    {.name = "memory_budget", .extra = "run: {backend: openmp, memory_limit_GB: 0.0001}\n",
     .code = 1, .msg = "GB is available (run.memory_limit_GB"},
    /* too many energy bins: the tables took minutes before a refusal;
     * the engine's refusal names the line, as the loader's do */
    {.name = "energy_bins", .z = "[0, 30]", .nz = "30000", .code = 2,
     .msg = "grid.energy: with spacing: range", .where = ":7:11:"},
    {.name = "precision", .extra = "run: {backend: openmp, precision: float64}\n", .code = 2,
     .msg = "run.precision: backend openmp has no float64", .where = ":11:35:"},
    /* a gemm A_theta asked of a CPU backend was silently run as the stencil */
    {.name = "gemm_openmp", .extra = "run: {backend: openmp, scatter: gemm}\n", .code = 2,
     .msg = "run.scatter: gemm on the openmp backend", .where = ":11:33:"},
    {.name = "gemm_reference", .extra = "run: {backend: reference, scatter: gemm}\n", .code = 2,
     .msg = "run.scatter: gemm on the reference backend", .where = ":11:36:"},
};

Test(badinput, table)
{
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        const entry *e = &table[k];
        char *dir = tmpdir(), cfg[256];
        snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
        write_config(cfg, e);
        ran r = run(dir, NULL);
        cr_expect_eq(r.code, e->code, "%s: exit %d (expected %d): %s", e->name, r.code, e->code, r.err);
        cr_expect(strstr(r.err, e->msg) != NULL, "%s: expected '%s' in: %s", e->name, e->msg, r.err);
        if (e->where) {
            char w[64];
            snprintf(w, sizeof w, "cfg.yaml%s", e->where);
            cr_expect(strstr(r.err, w) != NULL, "%s: expected '%s' in: %s", e->name, w, r.err);
        }
        cr_expect(!exists(dir, "out"), "%s: an output folder was written", e->name);
        free(r.err);
        cleanup(dir);
    }
}

/* A refusal of a configuration the command line changed names the file
 * and the key but no line: the value refused may not be the file's. */
Test(badinput, override_refusal_names_no_line)
{
    char *dir = tmpdir(), cfg[256];
    snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
    const entry e = {.extra = "run: {backend: openmp, precision: float64}\n"};
    write_config(cfg, &e);
    ran r = run(dir, "--threads 1");
    cr_expect_eq(r.code, 2, "exit %d: %s", r.code, r.err);
    cr_expect(strstr(r.err, "cfg.yaml: run.precision: backend openmp has no float64") != NULL, "%s", r.err);
    free(r.err);
    cleanup(dir);
}

/* A result the checks do not trust is kept with --allow-warnings, its
 * findings in metrics.json "warnings". */
Test(badinput, allow_warnings_keeps_results)
{
    char *dir = tmpdir(), cfg[256];
    snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
    write_config(cfg, &(entry){.z = "[0, 10]", .nz = "10"});
    ran r = run(dir, "--allow-warnings");
    cr_expect_eq(r.code, 0, "%s", r.err);
    cr_expect(strstr(r.err, "warning:") != NULL, "%s", r.err);
    char m[512];
    snprintf(m, sizeof m, "%s/out/metrics.json", dir);
    char *json = slurp(m);
    cr_expect(strstr(json, "left through z_max") != NULL, "%s", json);
    /* the manifest names each file of the set with its size and FNV-1a */
    const char *names[] = {"dose.npy", "idd.csv"};
    for (int k = 0; k < 2; k++) {
        char f[512], key[64];
        snprintf(f, sizeof f, "%s/out/%s", dir, names[k]);
        FILE *fp = fopen(f, "rb");
        cr_assert_not_null(fp, "%s", f);
        unsigned long long h = 0xcbf29ce484222325ULL;
        long long n = 0;
        int c;
        while ((c = fgetc(fp)) != EOF) h = (h ^ (unsigned char)c) * 0x100000001b3ULL, n++;
        fclose(fp);
        snprintf(key, sizeof key, "\"%s\": {", names[k]);
        char *e = strstr(json, key), want[96];
        cr_assert_not_null(e, "%s not in the manifest", names[k]);
        snprintf(want, sizeof want, "\"bytes\": %lld,", n);
        cr_expect(strstr(e, want) != NULL, "%s: expected %s", names[k], want);
        snprintf(want, sizeof want, "\"fnv1a64\": \"%016llx\"", h);
        cr_expect(strstr(e, want) != NULL, "%s: expected %s", names[k], want);
    }
    free(json);
    free(r.err);
    cleanup(dir);
}

/* A beam at x = x_max enters like one at x = x_min (it was lost whole). */
Test(badinput, beam_on_either_edge_enters)
{
    const char *edges[] = {"-10", "10"};
    for (int k = 0; k < 2; k++) {
        char *dir = tmpdir(), cfg[256], m[512];
        snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
        write_config(cfg, &(entry){.bx = edges[k]});
        ran r = run(dir, NULL);
        cr_expect_eq(r.code, 0, "x = %s: %s", edges[k], r.err);
        snprintf(m, sizeof m, "%s/out/metrics.json", dir);
        char *json = slurp(m), *p = strstr(json, "\"source_leaked\": ");
        cr_assert_not_null(p, "x = %s: %s", edges[k], json);
        cr_expect_eq(atof(p + strlen("\"source_leaked\": ")), 0.0, "x = %s", edges[k]);
        free(json);
        free(r.err);
        cleanup(dir);
    }
}

/* A grid that does not fit is refused in under a second, before tables,
 * with the figures, on every backend compiled in. */
Test(badinput, oversized_grid_refused_fast_on_every_backend)
{
    for (int k = 0; k < smx_backend_count(); k++) {
        const char *name = smx_backend_name(k);
        if (smx_backend_device_count(name, NULL, 0) == 0) continue; /* no device here */
        char *dir = tmpdir(), cfg[256], extra[128];
        snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
        snprintf(extra, sizeof extra, "run: {backend: %s, memory_limit_GB: 8}\n", name);
        write_config(cfg, &(entry){.nx = "20000", .z = "[0, 30000]", .nz = "30000", .extra = extra});
        ran r = run(dir, NULL);
        cr_expect_eq(r.code, 1, "%s: %s", name, r.err);
        /* the host budget, or first the device's memory on a device backend */
        cr_expect(strstr(r.err, "needs about") &&
                  (strstr(r.err, "8 GB is available") || strstr(r.err, "device memory")),
                  "%s: %s", name, r.err);
        cr_expect_lt(r.seconds, 1.0, "%s: refused after %.2f s", name, r.seconds);
        cr_expect(!exists(dir, "out"), "%s: an output folder was written", name);
        free(r.err);
        cleanup(dir);
    }
}

/* bench on a grid that does not fit: refused at once with the figure (it
 * once reported 7.2 GB for a 36 GB allocation and met the OOM killer). */
Test(badinput, bench_grid_that_does_not_fit)
{
    char *dir = tmpdir(), cmd[600], errp[300];
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' bench --grid 400x400x720x2000 --steps 1 2> '%s' "
             ">/dev/null", dir, SMX_CLI, errp);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ws = system(cmd);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    char *err = slurp(errp);
    cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 1, "status %d: %s", ws, err);
    cr_expect(strstr(err, "needs about 1.85e+04 GB") != NULL, "%s", err);
    cr_expect_lt((double)(t1.tv_sec - t0.tv_sec), 2.0);
    free(err);
    cleanup(dir);
}

/* A state window that must grow past run.memory_limit_GB during the run
 * is refused with the figures (the full-circle seed grid fills 9 rows at
 * its first step; 8 fit the budget), on both host backends. */
Test(badinput, window_growth_beyond_the_budget)
{
    const char *be[] = {"openmp", "reference"}, *gb[] = {"0.25", "0.45"};
    for (int k = 0; k < 2; k++) {
        char *dir = tmpdir(), cfg[256], cmd[1024];
        snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
        snprintf(cmd, sizeof cmd, "sed 's/^  backend: openmp/  backend: %s\\n  memory_limit_GB: %s/' "
                 "'%s/configs/seed_baseline.yaml' > '%s'", be[k], gb[k], SMX_SOURCE_DIR, cfg);
        cr_assert_eq(system(cmd), 0);
        ran r = run(dir, NULL);
        cr_expect_eq(r.code, 1, "%s: %s", be[k], r.err);
        cr_expect(strstr(r.err, "state window") && strstr(r.err, "run.memory_limit_GB less what"),
                  "%s: %s", be[k], r.err);
        cr_expect(!exists(dir, "out"), "%s: an output folder was written", be[k]);
        free(r.err);
        cleanup(dir);
    }
}

/* SIGTERM during a run: it stops, nothing is written, exit 143. */
Test(badinput, sigterm_stops_and_writes_nothing)
{
    char *dir = tmpdir(), cfg[256];
    snprintf(cfg, sizeof cfg, "%s/cfg.yaml", dir);
    /* long enough to be caught running: a fine full-circle grid */
    write_config(cfg, &(entry){.x = "[-30, 30]", .nx = "240", .z = "[0, 30]", .nz = "120",
                               .extra = "run: {backend: reference}\n"});
    char errp[300], out[300];
    snprintf(errp, sizeof errp, "%s/stderr", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fe < 0 || chdir(dir) != 0) _exit(127);
        dup2(fe, 2);
        execl(SMX_CLI, SMX_CLI, "run", "cfg.yaml", "--out", out, (char *)NULL);
        _exit(127);
    }
    /* wait for the first progress line: the run is under way */
    char *err = NULL;
    for (int t = 0; t < 600; t++) {
        free(err);
        err = slurp(errp);
        if (strstr(err, "step ")) break;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    kill(pid, SIGTERM);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    free(err);
    err = slurp(errp);
    cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 143, "status %d: %s", ws, err);
    cr_expect(strstr(err, "interrupted by SIGTERM") != NULL, "%s", err);
    cr_expect(!exists(dir, "out"), "an output folder was written");
    free(err);
    cleanup(dir);
}

/* The checks on made-up results: each finding named. */
static smx_result good(double *edep, double *dose)
{
    smx_result r = {0};
    r.nx = 2, r.nz = 2, r.steps = 10;
    for (int k = 0; k < 4; k++) edep[k] = dose[k] = 1;
    r.edep_MeV_per_proton = edep, r.dose_Gy = dose;
    r.precision = SMX_PRECISION_FLOAT32;
    r.accounting.weight_source = 1, r.accounting.weight_absorbed = 1;
    r.accounting.energy_source = 4, r.accounting.energy_deposited = 4;
    r.metrics.r80_mm = 1;
    return r;
}

static int has(const smx_result *r, const char *what)
{
    for (int k = 0; k < r->nwarnings; k++)
        if (strstr(r->warnings[k], what)) return 1;
    return 0;
}

Test(badinput, result_checks)
{
    double e[4], d[4];
    smx_result r = good(e, d);
    smx__result_check(&r);
    cr_expect_eq(r.nwarnings, 0, "%s", r.warnings[0]);
    r = good(e, d), d[3] = NAN;
    smx__result_check(&r);
    cr_expect(has(&r, "not finite"));
    r = good(e, d);
    for (int k = 0; k < 4; k++) e[k] = 0;
    smx__result_check(&r);
    cr_expect(has(&r, "no dose"));
    r = good(e, d), r.accounting.worst_weight_imbalance = 1, r.accounting.worst_weight_step = 3;
    smx__result_check(&r);
    cr_expect(has(&r, "off by 1 (step 3"));
    r = good(e, d), r.accounting.weight_absorbed = 0.5;
    smx__result_check(&r);
    cr_expect(has(&r, "sinks differ from its source by 0.5"));
    r = good(e, d), r.accounting.weight_leaked[SMX_EDGE_ZMAX] = 0.01, r.accounting.weight_absorbed = 0.99;
    smx__result_check(&r);
    cr_expect(has(&r, "1% of the protons left through z_max"));
    r = good(e, d), r.accounting.energy_leaked[SMX_EDGE_THETA] = 2, r.accounting.energy_deposited = 2;
    smx__result_check(&r);
    cr_expect(has(&r, "50% of the beam's energy scattered out of the theta window"));
    r = good(e, d), r.accounting.weight_remaining = 0.5, r.accounting.weight_absorbed = 0.5;
    smx__result_check(&r);
    cr_expect(has(&r, "still in flight"));
    r = good(e, d), r.steps = 0;
    smx__result_check(&r);
    cr_expect(has(&r, "no transport step"));
}
