/* The smatrix2d executable (usage, exit codes, no output on errors) and
 * the output writers (npy layout, all-or-nothing outputs, JSON emitter).
 * Small and fast: no transport run here. */
#define _XOPEN_SOURCE 700

#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smatrix2d/smatrix2d.h"
#include "io/json.h"
#include "harness.h"

#ifndef SMX_CLI
#error "SMX_CLI (path of the smatrix2d executable) must be defined"
#endif

/* ---- helpers ------------------------------------------------------------ */

typedef struct cli_result {
    int status; /* exit code, -1 when it did not exit normally */
    char *out, *err;
} cli_result;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    cr_assert_not_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/smx_test_cli_XXXXXX";
    char *d = mkdtemp(tmpl);
    cr_assert_not_null(d, "mkdtemp: %s", strerror(errno));
    return strdup(d);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_tree(char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Number of entries in a folder other than . and .. (-1 if unreadable). */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
}

/* Runs the CLI with args (NULL-terminated, without argv[0]) in cwd, with
 * stdout and stderr captured through files in cwd. */
static cli_result run_cli(const char *cwd, const char *const args[])
{
    char *out_path = path_in(cwd, ".stdout"), *err_path = path_in(cwd, ".stderr");
    const char *argv[32] = {SMX_CLI};
    int argc = 1;
    for (int k = 0; args[k] && argc < 31; k++)
        argv[argc++] = args[k];
    argv[argc] = NULL;

    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int fo = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0 || chdir(cwd) != 0)
            _exit(127);
        dup2(fo, STDOUT_FILENO);
        dup2(fe, STDERR_FILENO);
        execv(SMX_CLI, (char *const *)argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    cli_result r;
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    r.out = read_all(out_path, NULL);
    r.err = read_all(err_path, NULL);
    cr_assert_not_null(r.out);
    cr_assert_not_null(r.err);
    remove(out_path);
    remove(err_path);
    free(out_path);
    free(err_path);
    return r;
}

static void cli_result_free(cli_result *r)
{
    free(r->out);
    free(r->err);
}

static int matches(const char *text, const char *pattern)
{
    regex_t re;
    cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    int ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* ---- the executable ----------------------------------------------------- */

Test(cli, help_lists_subcommands)
{
    char *dir = make_tmpdir();
    cli_result r = run_cli(dir, (const char *[]){"--help", NULL});
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_not_null(strstr(r.out, "run"));
    cr_expect_not_null(strstr(r.out, "devices"));
    cr_expect_not_null(strstr(r.out, "bench"));
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){"-h", NULL});
    cr_expect_eq(r.status, 0);
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){"--version", NULL});
    cr_expect_eq(r.status, 0);
    cr_expect_not_null(strstr(r.out, "smatrix2d"));
    cli_result_free(&r);
    remove_tree(dir);
}

Test(cli, subcommand_help_lists_options)
{
    char *dir = make_tmpdir();
    cli_result r = run_cli(dir, (const char *[]){"run", "--help", NULL});
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    const char *run_opts[] = {"--backend", "--out", "--quiet", "--threads"};
    for (size_t k = 0; k < sizeof run_opts / sizeof *run_opts; k++)
        cr_expect_not_null(strstr(r.out, run_opts[k]), "run --help lacks %s", run_opts[k]);
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){"bench", "--help", NULL});
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    const char *bench_opts[] = {"--backend", "--grid", "--steps", "--threads", "--json",
                                "seed-baseline"};
    for (size_t k = 0; k < sizeof bench_opts / sizeof *bench_opts; k++)
        cr_expect_not_null(strstr(r.out, bench_opts[k]), "bench --help lacks %s",
                           bench_opts[k]);
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){"devices", "--help", NULL});
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_not_null(strstr(r.out, "--help"));
    cli_result_free(&r);
    remove_tree(dir);
}

Test(cli, usage_errors_exit_2)
{
    char *dir = make_tmpdir();
    cli_result r = run_cli(dir, (const char *[]){"frobnicate", NULL});
    cr_expect_eq(r.status, 2);
    cr_expect_not_null(strstr(r.err, "frobnicate"));
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){NULL});
    cr_expect_eq(r.status, 2);
    cli_result_free(&r);

    const char *const *cases[] = {
        (const char *[]){"run", "x.yaml", "--frob", NULL},
        (const char *[]){"bench", "--frob", NULL},
        (const char *[]){"devices", "--frob", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        r = run_cli(dir, cases[k]);
        cr_expect_eq(r.status, 2, "%s --frob: exit %d", cases[k][0], r.status);
        cr_expect_not_null(strstr(r.err, "--frob"), "%s: stderr: %s", cases[k][0], r.err);
        cli_result_free(&r);
    }

    r = run_cli(dir, (const char *[]){"run", "x.yaml", "--backend", "bogus", NULL});
    cr_expect_eq(r.status, 2);
    cr_expect_not_null(strstr(r.err, "bogus"));
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){"run", NULL});
    cr_expect_eq(r.status, 2);
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){"bench", "--grid", "3x3", NULL});
    cr_expect_eq(r.status, 2);
    cr_expect_not_null(strstr(r.err, "3x3"));
    cli_result_free(&r);

    r = run_cli(dir, (const char *[]){"bench", "--steps", "zero", NULL});
    cr_expect_eq(r.status, 2);
    cli_result_free(&r);

    cr_expect_eq(count_entries(dir), 0, "a usage error left files behind");
    remove_tree(dir);
}

Test(cli, config_error_exits_2_with_position_and_no_output)
{
    char *dir = make_tmpdir();
    char *cfg = path_in(dir, "bad.yaml");
    char *out = path_in(dir, "out");
    write_file(cfg, "# a config with a key nobody reads\nno_such_key: 1\n");

    cli_result r = run_cli(dir, (const char *[]){"run", cfg, "--out", out, "--quiet", NULL});
    cr_expect_eq(r.status, 2, "exit %d, stderr: %s", r.status, r.err);
    cr_expect(matches(r.err, "bad\\.yaml:[0-9]+:[0-9]+"), "no file:line:col in: %s", r.err);
    cr_expect_not_null(strstr(r.err, "no_such_key"), "stderr: %s", r.err);
    cr_expect_not_null(strstr(r.err, "smatrix2d: error: "), "stderr: %s", r.err);
    cr_expect(!exists(out), "a config error created the output folder");
    cli_result_free(&r);

    /* the default output folder (out/bad) is not created either */
    r = run_cli(dir, (const char *[]){"run", cfg, "--quiet", NULL});
    cr_expect_eq(r.status, 2);
    cr_expect(!exists(out), "a config error created out/");
    cli_result_free(&r);

    free(cfg);
    free(out);
    remove_tree(dir);
}

Test(cli, missing_config_fails_without_output)
{
    char *dir = make_tmpdir();
    char *cfg = path_in(dir, "missing.yaml");
    char *out = path_in(dir, "result");
    cli_result r = run_cli(dir, (const char *[]){"run", cfg, "--out", out, NULL});
    cr_expect_neq(r.status, 0);
    cr_expect_not_null(strstr(r.err, "missing.yaml"), "stderr: %s", r.err);
    cr_expect(!exists(out));
    cr_expect_eq(count_entries(dir), 0, "a failed run left files behind");
    cli_result_free(&r);
    free(cfg);
    free(out);
    remove_tree(dir);
}

Test(cli, devices_lists_cpu_backends)
{
    char *dir = make_tmpdir();
    cli_result r = run_cli(dir, (const char *[]){"devices", NULL});
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_not_null(strstr(r.out, "reference"), "stdout: %s", r.out);
    cr_expect_not_null(strstr(r.out, "openmp"), "stdout: %s", r.out);
    cli_result_free(&r);
    remove_tree(dir);
}

/* `auto` is resolved once, in the registry: run, bench, validate and
 * crosscheck all take the backend smx_backend_resolve names. */
Test(cli, auto_resolves_the_same_in_every_command, .timeout = 120)
{
    char *dir = make_tmpdir(), *out = path_in(dir, "out"), want[32], err[256], pat[96];
    cr_assert_eq(smx_backend_resolve("auto", -1, want, sizeof want, err, sizeof err), SMX_OK, "%s",
                 err);
    cr_expect_neq(strcmp(want, "reference"), 0, "auto never takes the oracle");
    cli_result r = run_cli(dir, (const char *[]){"run", SMX_SOURCE_DIR "/configs/water_70MeV.yaml",
                                                 "--backend", "auto", "--out", out, "-q", NULL});
    snprintf(pat, sizeof pat, "backend  *%s \\(", want);
    cr_expect(r.status == 0 && matches(r.out, pat), "run: %s %s", r.out, r.err);
    cli_result_free(&r);
    r = run_cli(dir, (const char *[]){"bench", "--backend", "auto", "--grid", "6x6x8x8", "--steps",
                                      "1", "--json", NULL});
    snprintf(pat, sizeof pat, "\"backend\": \"%s\"", want);
    cr_expect(r.status == 0 && matches(r.out, pat), "bench: %s %s", r.out, r.err);
    cli_result_free(&r);
    r = run_cli(dir, (const char *[]){"validate", "--backend", "auto", "--only", "vacuum/45deg",
                                      "--out", out, NULL});
    snprintf(pat, sizeof pat, "# smatrix2d validate: backend %s \\(", want);
    cr_expect(r.status == 0 && matches(r.out, pat), "validate: %s %s", r.out, r.err);
    cli_result_free(&r);
    r = run_cli(dir, (const char *[]){"crosscheck", "--backend", "auto", "--quick", NULL});
    snprintf(pat, sizeof pat, "(^|\n)%s  *run/", want);
    cr_expect(r.status == 0 && matches(r.out, pat), "crosscheck: %s %s", r.out, r.err);
    cli_result_free(&r);
    r = run_cli(dir, (const char *[]){"bench", "--backend", "bogus", NULL});
    cr_expect(r.status == 2 && matches(r.err, "unknown backend 'bogus'"), "%s", r.err);
    cli_result_free(&r);
    free(out);
    remove_tree(dir);
}

/* The issue's check: deterministic accumulation gives the same dose.npy
 * bytes on two runs; metrics.json says how the run was made. */
Test(cli, opencl_deterministic_dose_npy_is_identical, .timeout = 300)
{
    NEED_BACKEND("opencl");
    char *dir = make_tmpdir(), *a = path_in(dir, "a"), *b = path_in(dir, "b");
    const char *cfg = SMX_SOURCE_DIR "/configs/seed_baseline.yaml";
    char *files[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        cli_result r = run_cli(dir, (const char *[]){"run", cfg, "--backend", "opencl", "--out",
                                                     files[k], "-q", NULL});
        cr_assert_eq(r.status, 0, "stderr: %s", r.err);
        cli_result_free(&r);
    }
    char *pa = path_in(a, "dose.npy"), *pb = path_in(b, "dose.npy"), *pm = path_in(a, "metrics.json");
    size_t la = 0, lb = 0;
    char *da = read_all(pa, &la), *db = read_all(pb, &lb), *m = read_all(pm, NULL);
    cr_assert(da && db && m);
    cr_expect(la == lb && memcmp(da, db, la) == 0, "dose.npy differs between two runs");
    cr_expect(matches(m, "\"accumulation\": \"deterministic\""), "%s", m);
    cr_expect(matches(m, "\"scatter\": \"stencil\""), "%s", m);
    cli_result r = run_cli(dir, (const char *[]){"run", cfg, "--accumulation", "quick", NULL});
    cr_expect_eq(r.status, 2);
    cr_expect(matches(r.err, "--accumulation: 'quick'"), "%s", r.err);
    cli_result_free(&r);
    free(da), free(db), free(m), free(pa), free(pb), free(pm), free(a), free(b);
    remove_tree(dir);
}

/* ---- smx_write_npy_f64 -------------------------------------------------- */

Test(npy, header_layout_and_data)
{
    char *dir = make_tmpdir();
    char *path = path_in(dir, "a.npy");
    double v[12];
    for (int k = 0; k < 12; k++)
        v[k] = 0.5 * k - 1.25;
    char err[256] = "";
    cr_assert_eq(smx_write_npy_f64(path, v, 3, 4, err, sizeof err), SMX_OK, "%s", err);

    size_t len = 0;
    unsigned char *b = (unsigned char *)read_all(path, &len);
    cr_assert_not_null(b);
    cr_assert_geq(len, 10u);
    cr_expect_eq(memcmp(b, "\x93NUMPY", 6), 0, "magic");
    cr_expect_eq(b[6], 1, "major version");
    cr_expect_eq(b[7], 0, "minor version");
    size_t hlen = (size_t)b[8] | ((size_t)b[9] << 8);
    size_t offset = 10 + hlen;
    cr_expect_eq(offset % 64, 0u, "data offset %zu not a multiple of 64", offset);
    cr_assert_eq(len, offset + 12 * sizeof(double), "file size %zu", len);

    char *dict = strndup((const char *)b + 10, hlen);
    cr_expect_not_null(strstr(dict, "'descr': '<f8'"), "%s", dict);
    cr_expect_not_null(strstr(dict, "'fortran_order': False"), "%s", dict);
    cr_expect_not_null(strstr(dict, "'shape': (3, 4)"), "%s", dict);
    cr_expect_eq(dict[hlen - 1], '\n', "header must end with a newline");
    free(dict);

    for (int k = 0; k < 12; k++) {
        unsigned char le[8];
        memcpy(le, b + offset + 8 * k, 8);
        uint64_t bits = 0;
        for (int i = 7; i >= 0; i--)
            bits = (bits << 8) | le[i];
        double x;
        memcpy(&x, &bits, sizeof x);
        cr_expect_eq(x, v[k], "element %d: %g != %g", k, x, v[k]);
    }
    free(b);
    cr_expect_eq(count_entries(dir), 1, "a temporary file was left behind");
    free(path);
    remove_tree(dir);
}

Test(npy, errors)
{
    char *dir = make_tmpdir();
    char err[512] = "";
    double v[2] = {1, 2};
    cr_expect_eq(smx_write_npy_f64(NULL, v, 1, 2, err, sizeof err), SMX_EINVAL);
    cr_expect_eq(smx_write_npy_f64("x.npy", v, -1, 2, err, sizeof err), SMX_EINVAL);
    cr_expect_eq(smx_write_npy_f64("x.npy", NULL, 1, 2, err, sizeof err), SMX_EINVAL);

    char *path = path_in(dir, "no/such/folder/a.npy");
    err[0] = '\0';
    cr_expect_eq(smx_write_npy_f64(path, v, 1, 2, err, sizeof err), SMX_EIO);
    cr_expect_not_null(strstr(err, path), "err: %s", err);
    cr_expect_eq(count_entries(dir), 0);
    free(path);

    /* a folder in the way: the rename fails and the temp is removed */
    path = path_in(dir, "d.npy");
    cr_assert_eq(mkdir(path, 0777), 0);
    cr_expect_eq(smx_write_npy_f64(path, v, 1, 2, err, sizeof err), SMX_EIO);
    cr_expect_eq(count_entries(dir), 1, "the temporary file was left behind");
    free(path);
    remove_tree(dir);
}

/* ---- smx_write_outputs -------------------------------------------------- */

enum { FX = 4, FZ = 3 };

typedef struct fake_run {
    smx_config cfg;
    smx_result res;
    double x[FX], z[FZ], dose[FZ * FX], edep[FZ * FX], idd[FZ];
} fake_run;

static void fake_run_init(fake_run *f)
{
    memset(f, 0, sizeof *f);
    smx_config_init(&f->cfg);
    f->cfg.nbeams = 1;
    f->cfg.beams[0].energy_MeV = 100.0;
    f->cfg.beams[0].protons = 1e9;
    snprintf(f->cfg.source_path, sizeof f->cfg.source_path, "configs/\"quoted\".yaml");
    for (int i = 0; i < FX; i++)
        f->x[i] = -1.5 + i;
    for (int k = 0; k < FZ; k++) {
        f->z[k] = 0.5 + k;
        f->idd[k] = 3.0 + k;
        for (int i = 0; i < FX; i++) {
            f->dose[k * FX + i] = 0.25 * (k * FX + i);
            f->edep[k * FX + i] = 1e-3 * (k * FX + i);
        }
    }
    smx_result *r = &f->res;
    r->nx = FX;
    r->nz = FZ;
    r->x_mm = f->x;
    r->depth_mm = f->z;
    r->dose_Gy = f->dose;
    r->edep_MeV_per_proton = f->edep;
    r->idd_MeV_per_mm = f->idd;
    r->total_protons = 1e9;
    r->step_mm = 1.0;
    r->steps = 3;
    r->ne_used = 10;
    r->e_max_used_MeV = 101.0;
    snprintf(r->backend, sizeof r->backend, "reference");
    snprintf(r->device, sizeof r->device, "host");
    r->precision = SMX_PRECISION_FLOAT64;
    r->metrics.r80_mm = 2.25;
    r->metrics.numerical_range_straggling_mm = NAN; /* must become null */
    r->accounting.weight_source = 1.0;
}

Test(outputs, writes_three_files_into_new_nested_folder)
{
    char *dir = make_tmpdir();
    char *out = path_in(dir, "a/b/c");
    fake_run *f = malloc(sizeof *f);
    cr_assert_not_null(f);
    fake_run_init(f);
    char err[512] = "";
    cr_assert_eq(smx_write_outputs(out, &f->cfg, &f->res, err, sizeof err), SMX_OK, "%s", err);
    cr_expect_eq(count_entries(out), 3, "expected exactly dose.npy, idd.csv, metrics.json");

    char *p = path_in(out, "idd.csv");
    char *csv = read_all(p, NULL);
    cr_assert_not_null(csv);
    cr_expect_str_eq(csv, "depth_mm,idd_MeV_per_mm_per_proton\n0.5,3\n1.5,4\n2.5,5\n");
    free(csv);
    free(p);

    p = path_in(out, "metrics.json");
    char *js = read_all(p, NULL);
    cr_assert_not_null(js);
    const char *keys[] = {"\"r80_mm\": 2.25", "\"numerical_range_straggling_mm\": null",
                          "\"dose_max_Gy\": 2.75", "\"dose_per_proton_max_Gy\"",
                          "\"config\": \"configs/\\\"quoted\\\".yaml\"", "\"grid\"",
                          "\"physics\"", "\"beams\"", "\"accounting\"", "\"theta_window\"",
                          "\"timing\"", "\"per_operator_ms_per_step\"",
                          "NIST PSTAR (ICRU 49), log-log interpolation"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
        cr_expect_not_null(strstr(js, keys[k]), "metrics.json lacks %s:\n%s", keys[k], js);
    free(js);
    free(p);

    /* writing again replaces the files and leaves no temporaries */
    cr_assert_eq(smx_write_outputs(out, &f->cfg, &f->res, err, sizeof err), SMX_OK, "%s", err);
    cr_expect_eq(count_entries(out), 3);

    /* a fine depth tally adds idd_fine.csv and says where the metrics
     * come from; a run without one removes a stale tally */
    const double fine[4] = {1, 2, 3, 4};
    f->res.nfine = 4, f->res.idd_fine_MeV_per_mm = fine, f->res.idd_fine_resolution_mm = 0.25;
    cr_assert_eq(smx_write_outputs(out, &f->cfg, &f->res, err, sizeof err), SMX_OK, "%s", err);
    cr_expect_eq(count_entries(out), 4);
    p = path_in(out, "idd_fine.csv");
    csv = read_all(p, NULL);
    cr_assert_not_null(csv);
    cr_expect_str_eq(csv, "depth_mm,idd_MeV_per_mm_per_proton\n0.125,1\n0.375,2\n0.625,3\n0.875,4\n");
    free(csv);
    char *mp = path_in(out, "metrics.json");
    js = read_all(mp, NULL);
    cr_expect_not_null(strstr(js, "\"depth_metrics_from\": \"idd_fine.csv (0.25 mm bins)\""), "%s", js);
    free(js);
    free(mp);
    f->res.nfine = 0;
    cr_assert_eq(smx_write_outputs(out, &f->cfg, &f->res, err, sizeof err), SMX_OK, "%s", err);
    cr_expect(!exists(p), "a stale idd_fine.csv was left");
    free(p);
    free(f);
    free(out);
    remove_tree(dir);
}

Test(outputs, folder_under_a_regular_file_fails_cleanly)
{
    char *dir = make_tmpdir();
    char *file = path_in(dir, "plain");
    write_file(file, "not a folder\n");
    char *out = path_in(dir, "plain/sub/dir");
    fake_run *f = malloc(sizeof *f);
    cr_assert_not_null(f);
    fake_run_init(f);
    char err[512] = "";
    smx_status st = smx_write_outputs(out, &f->cfg, &f->res, err, sizeof err);
    cr_expect_eq(st, SMX_EIO, "status %s", smx_status_name(st));
    cr_expect_neq(err[0], '\0');
    cr_expect_not_null(strstr(err, "plain"), "err: %s", err);
    cr_expect_eq(count_entries(dir), 1, "something was created next to the file");

    /* bad arguments */
    cr_expect_eq(smx_write_outputs(NULL, &f->cfg, &f->res, err, sizeof err), SMX_EINVAL);
    f->res.dose_Gy = NULL;
    cr_expect_eq(smx_write_outputs(dir, &f->cfg, &f->res, err, sizeof err), SMX_EINVAL);
    cr_expect_eq(count_entries(dir), 1);
    free(f);
    free(file);
    free(out);
    remove_tree(dir);
}

/* ---- the JSON emitter --------------------------------------------------- */

Test(json, compact_escaping_and_non_finite)
{
    smx__json j;
    smx__json_init(&j, 0);
    smx__json_begin_object(&j);
    smx__json_kv_string(&j, "s", "a\"b\\c\nd\x01");
    smx__json_kv_double(&j, "x", 0.1);
    smx__json_kv_double(&j, "nan", NAN);
    smx__json_kv_double(&j, "inf", -INFINITY);
    smx__json_kv_int(&j, "i", -42);
    smx__json_kv_bool(&j, "t", 1);
    smx__json_key(&j, "a");
    smx__json_begin_array(&j);
    smx__json_int(&j, 1);
    smx__json_begin_object(&j);
    smx__json_end_object(&j);
    smx__json_begin_array(&j);
    smx__json_end_array(&j);
    smx__json_null(&j);
    smx__json_end_array(&j);
    smx__json_end_object(&j);
    cr_assert(smx__json_ok(&j));
    cr_expect_str_eq(smx__json_text(&j),
                     "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\",\"x\":0.10000000000000001,"
                     "\"nan\":null,\"inf\":null,\"i\":-42,\"t\":true,\"a\":[1,{},[],null]}");
    smx__json_free(&j);
}

Test(json, misuse_is_reported)
{
    smx__json j;
    smx__json_init(&j, 1);
    smx__json_begin_object(&j);
    smx__json_int(&j, 1); /* a value without a key */
    smx__json_end_object(&j);
    cr_expect(!smx__json_ok(&j));
    cr_expect_str_eq(smx__json_text(&j), "");
    smx__json_free(&j);

    smx__json_init(&j, 1);
    smx__json_begin_array(&j);
    cr_expect(!smx__json_ok(&j), "an open array is not a finished document");
    smx__json_end_array(&j);
    cr_expect(smx__json_ok(&j));
    cr_expect_str_eq(smx__json_text(&j), "[]");
    smx__json_free(&j);
}

Test(json, pretty_layout)
{
    smx__json j;
    smx__json_init(&j, 1);
    smx__json_begin_object(&j);
    smx__json_key(&j, "a");
    smx__json_begin_array(&j);
    smx__json_double(&j, 1.0);
    smx__json_double(&j, -2.5);
    smx__json_end_array(&j);
    smx__json_key(&j, "b");
    smx__json_begin_array(&j);
    smx__json_begin_object(&j);
    smx__json_kv_bool(&j, "c", 1);
    smx__json_end_object(&j);
    smx__json_end_array(&j);
    smx__json_key(&j, "e");
    smx__json_begin_object(&j);
    smx__json_end_object(&j);
    smx__json_end_object(&j);
    cr_assert(smx__json_ok(&j));
    cr_expect_str_eq(smx__json_text(&j), "{\n"
                                         "  \"a\": [1, -2.5],\n"
                                         "  \"b\": [\n"
                                         "    {\n"
                                         "      \"c\": true\n"
                                         "    }\n"
                                         "  ],\n"
                                         "  \"e\": {}\n"
                                         "}");
    smx__json_free(&j);
}
