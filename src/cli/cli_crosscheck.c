/* smatrix2d crosscheck: every canonical case on a backend against the
 * float64 reference (NMSE of the state, the deposited energy and every
 * accounting figure, bar 1e-7). SMX_REQUIRE_BACKENDS=a,b makes a listed
 * backend that is absent a failure instead of a skip. */
#include "cli/cli.h"
#include "crosscheck/crosscheck.h"
#include "io/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 2048

typedef struct xc_args {
    const char *backend; /* NULL: all */
    char auto_name[32];  /* what auto resolved to */
    int quick, json;
} xc_args;

typedef struct xc_out {
    int json;
    smx__json *j;
} xc_out;

static void xc_usage(FILE *f)
{
    fputs("usage: smatrix2d crosscheck [options]\n"
          "\n"
          "Runs every canonical case (each operator alone, whole Lie and Strang steps,\n"
          "whole runs; small odd grids and the seed grids; full-circle and window theta,\n"
          "backward angles, beams at 0/30/45 deg and near an edge) on a backend and on\n"
          "the float64 reference, and compares the state, the deposited energy and every\n"
          "accounting figure by NMSE (bar 1e-7). One line per case, then\n"
          "'N passed, M failed'.\n"
          "\n"
          "options:\n"
          "  --backend NAME  a backend, auto (the one run --backend auto takes), or all\n"
          "                  (default): every known backend, reference excepted\n"
          "  --quick         the small grids only\n"
          "  --accumulation deterministic|fast, --scatter auto|stencil|gemm\n"
          "                  how a device backend runs (gemm: cases with one medium;\n"
          "                  the others run the stencil)\n"
          "  --json          a JSON array of {backend, case, nmse_state, nmse_dose,\n"
          "                  nmse_accounting, pass}\n"
          "  --help, -h      show this help and exit\n"
          "\n"
          "Environment: SMX_REQUIRE_BACKENDS=opencl,vulkan turns a listed backend that is\n"
          "not compiled in or has no device into a failure. SMX_OPENCL_DEVICE,\n"
          "SMX_VULKAN_DEVICE and SMX_CUDA_DEVICE pick the OpenCL, Vulkan and CUDA devices.\n"
          "Exit status: 0 all passed, 1 a case failed or a required backend is absent,\n"
          "2 usage error.\n",
          f);
}

static void on_row(void *user, const smx_xrow *r)
{
    xc_out *o = user;
    if (o->json) {
        smx__json_begin_object(o->j);
        smx__json_kv_string(o->j, "backend", r->backend);
        smx__json_kv_string(o->j, "case", r->name);
        smx__json_kv_double(o->j, "nmse_state", r->nmse_state);
        smx__json_kv_double(o->j, "nmse_dose", r->nmse_dose);
        smx__json_kv_double(o->j, "nmse_accounting", r->nmse_acct);
        smx__json_kv_bool(o->j, "pass", r->pass);
        if (r->why[0]) smx__json_kv_string(o->j, "error", r->why);
        smx__json_end_object(o->j);
        return;
    }
    printf("%-9s %-92s state %9.2e  dose %9.2e  acct %9.2e  %s%s%s\n", r->backend, r->name,
           r->nmse_state, r->nmse_dose, r->nmse_acct, r->pass ? "PASS" : "FAIL",
           r->why[0] ? ": " : "", r->why);
    fflush(stdout);
}

/* 1 when SMX_REQUIRE_BACKENDS lists name. */
static int required(const char *name)
{
    const char *env = getenv("SMX_REQUIRE_BACKENDS");
    size_t n = strlen(name);
    for (const char *p = env; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return 1;
        p = e ? e + 1 : p + len;
    }
    return 0;
}

int cli_crosscheck(int argc, char **argv)
{
    xc_args a = {0};
    cli_devopts dev = CLI_DEVOPTS_UNSET;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int r;
        if (cli_is_help(arg)) {
            xc_usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(arg, "--quick")) {
            a.quick = 1;
        } else if (!strcmp(arg, "--json")) {
            a.json = 1;
        } else if ((r = cli_devopts_parse(argc, argv, &i, &dev)) != 0) {
            if (r < 0 || dev.device >= 0) {
                if (r > 0) cli_error("crosscheck: no --device; set SMX_OPENCL_DEVICE, SMX_VULKAN_DEVICE or SMX_CUDA_DEVICE");
                return CLI_EXIT_USAGE;
            }
        } else if ((r = cli_option_value(argc, argv, &i, "--backend", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            a.backend = strcmp(v, "all") ? v : NULL;
            if (a.backend && !strcmp(a.backend, "auto")) {
                char err[ERRLEN];
                if (smx_backend_resolve("auto", -1, a.auto_name, sizeof a.auto_name, err,
                                        sizeof err) != SMX_OK) {
                    cli_error("crosscheck: %s", err);
                    return CLI_EXIT_FAILURE;
                }
                a.backend = a.auto_name;
            }
        } else {
            cli_error("crosscheck: unknown option '%s' (try 'smatrix2d crosscheck --help')", arg);
            return CLI_EXIT_USAGE;
        }
    }
    smx__json j;
    xc_out out = {a.json, &j};
    if (a.json) {
        smx__json_init(&j, 1);
        smx__json_begin_array(&j);
    }
    int passed = 0, failed = 0, ran = 0;
    const char *env = getenv("SMX_REQUIRE_BACKENDS");
    for (int b = 0; smx_backend_known_name(b); b++) {
        const char *name = smx_backend_known_name(b);
        if (!strcmp(name, "reference") || (a.backend && strcmp(a.backend, name))) continue;
        char why[256] = "";
        if (smx_backend_device_count(name, why, sizeof why) < 1) {
            int req = required(name) || a.backend;
            if (!a.json) printf("%-9s %s: %s\n", name, req ? "FAIL, required" : "skipped", why);
            if (req) failed++;
            continue;
        }
        char err[ERRLEN] = "";
        int p = 0, f = 0;
        smx_xvariant var = {dev.accumulation < 0 ? SMX_ACCUM_DETERMINISTIC : dev.accumulation,
                            dev.scatter < 0 ? SMX_SCATTER_AUTO : dev.scatter};
        smx_status st = smx__crosscheck(name, &var, a.quick, on_row, &out, &p, &f, err, sizeof err);
        passed += p, failed += f, ran++;
        if (st != SMX_OK) {
            cli_error("crosscheck: %s", err);
            failed++;
        }
    }
    if (a.backend && !ran && !failed) {
        cli_error("crosscheck: unknown backend '%s' (expected one of %s other than "
                  "reference, or all)",
                  a.backend, smx_backend_names());
        return CLI_EXIT_USAGE;
    }
    if (a.json) {
        smx__json_end_array(&j);
        printf("%s\n", smx__json_ok(&j) ? smx__json_text(&j) : "[]");
        smx__json_free(&j);
    } else {
        if (env && *env) printf("# SMX_REQUIRE_BACKENDS=%s\n", env);
        printf("%d passed, %d failed\n", passed, failed);
    }
    return failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
