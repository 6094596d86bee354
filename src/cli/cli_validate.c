/* smatrix2d validate: the physics validation suite (docs/validation.md) on one
 * backend. One line per test (name, measured value, bar, verdict) as the
 * tests finish, or a JSON array with --json; exit 1 when a bar is missed. */
#include "cli/cli.h"
#include "io/json.h"
#include "validate/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 2048
#define DEFAULT_OUT "out/validate"

typedef struct validate_args {
    const char *backend, *out, *only;
    int quick, json;
} validate_args;

static void validate_usage(FILE *f)
{
    fputs("usage: smatrix2d validate [options]\n"
          "\n"
          "Runs the physics validation suite (docs/validation.md) on one backend: operator\n"
          "conservation and positivity, angular variance per step, a 45 deg beam in\n"
          "vacuum, R80 and lateral sigma against NIST/Fermi-Eyges, step refinement\n"
          "(Lie/Strang orders), rotational invariance, boundary leak, nuclear removal,\n"
          "bone and lung slabs, accounting closure. Prints one line per test: name,\n"
          "measured value, bar and PASS/FAIL (INFO: reported, no bar), then\n"
          "'N passed, M failed'. Writes idd_<run>.csv and lateral_<run>.csv (profile\n"
          "at R80) for every transport run into the output folder.\n"
          "\n"
          "options:\n",
          f);
    fprintf(f, "  --backend NAME  %s (default openmp)\n", smx_backend_names());
    fputs("  --quick         coarser grids and fewer energies (a few minutes at most)\n"
          "  --json          print a JSON array of {test, measured, unit, bar,\n"
          "                  reference_source, pass, note} instead of the table\n"
          "  --out DIR       output folder (default " DEFAULT_OUT "); created with its parents\n"
          "  --only TEXT     run only the tests whose name contains TEXT\n"
          "  --help, -h      show this help and exit\n"
          "\n"
          "Exit status: 0 every bar met, 1 a bar missed or a run/I/O failure,\n"
          "2 usage error.\n",
          f);
}

/* Returns -1 to continue, else the exit code. */
static int parse_validate_args(int argc, char **argv, validate_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        int r;
        if (cli_is_help(arg)) {
            validate_usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(arg, "--quick")) {
            a->quick = 1;
        } else if (!strcmp(arg, "--json")) {
            a->json = 1;
        } else if ((r = cli_option_value(argc, argv, &i, "--backend", &v)) != 0) {
            if (r < 0 || !cli_check_backend("--backend", v)) return CLI_EXIT_USAGE;
            a->backend = v;
        } else if ((r = cli_option_value(argc, argv, &i, "--out", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            if (!*v) {
                cli_error("--out: empty folder name");
                return CLI_EXIT_USAGE;
            }
            a->out = v;
        } else if ((r = cli_option_value(argc, argv, &i, "--only", &v)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
            a->only = v;
        } else if (arg[0] == '-') {
            cli_error("validate: unknown option '%s' (try 'smatrix2d validate --help')", arg);
            return CLI_EXIT_USAGE;
        } else {
            cli_error("validate: unexpected argument '%s'", arg);
            return CLI_EXIT_USAGE;
        }
    }
    return -1;
}

static const char *verdict_text(int v)
{
    return v == SMX_VROW_PASS ? "PASS" : (v == SMX_VROW_FAIL ? "FAIL" : "INFO");
}

typedef struct table {
    const smx_vreport *rep; /* backend and device are set before the first row */
    int quick, rows;
    const char *out;
} table;

static void print_row(void *user, const smx_vrow *r)
{
    table *t = user;
    if (t->rows++ == 0)
        printf("# smatrix2d validate%s: backend %s (%s), %s; output %s\n", t->quick ? " --quick" : "",
               t->rep->backend, t->rep->device, smx_precision_name(t->rep->precision), t->out);
    char value[48];
    if (!isfinite(r->measured))
        snprintf(value, sizeof value, "n/a");
    else if (r->measured != 0 && fabs(r->measured) < 1e-3)
        snprintf(value, sizeof value, "%.2e%s%s", r->measured, r->unit[0] ? " " : "", r->unit);
    else
        snprintf(value, sizeof value, "%.5g%s%s", r->measured, r->unit[0] ? " " : "", r->unit);
    printf("%-74s %14s  %-22s %s\n", r->test, value, r->bar, verdict_text(r->verdict));
    fflush(stdout);
}

static int print_json(const smx_vreport *rep)
{
    smx__json j;
    smx__json_init(&j, 1);
    smx__json_begin_array(&j);
    for (int k = 0; k < rep->nrows; k++) {
        const smx_vrow *r = &rep->rows[k];
        smx__json_begin_object(&j);
        smx__json_kv_string(&j, "test", r->test);
        smx__json_kv_double(&j, "measured", r->measured);
        smx__json_kv_string(&j, "unit", r->unit);
        smx__json_kv_string(&j, "bar", r->bar);
        smx__json_kv_string(&j, "reference_source", r->source);
        smx__json_key(&j, "pass");
        if (r->verdict == SMX_VROW_INFO) smx__json_null(&j);
        else smx__json_bool(&j, r->verdict == SMX_VROW_PASS);
        smx__json_kv_string(&j, "note", r->note);
        smx__json_end_object(&j);
    }
    smx__json_end_array(&j);
    int ok = smx__json_ok(&j);
    if (ok) printf("%s\n", smx__json_text(&j));
    smx__json_free(&j);
    if (!ok) cli_error("out of memory writing the JSON report");
    return ok;
}

int cli_validate(int argc, char **argv)
{
    validate_args a = {0};
    int code = parse_validate_args(argc, argv, &a);
    if (code >= 0) return code;
    char *err = calloc(ERRLEN, 1);
    if (!err) {
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    smx_vreport rep;
    table t = {&rep, a.quick, 0, a.out ? a.out : DEFAULT_OUT};
    smx_vopts o = {.backend = a.backend ? a.backend : "openmp", .quick = a.quick,
                   .out_dir = t.out, .only = a.only, .on_row = a.json ? NULL : print_row,
                   .user = &t};
    smx_status st = smx__validate(&o, &rep, err, ERRLEN);
    if (st != SMX_OK) {
        cli_error("%s", err[0] ? err : smx_status_message(st));
        code = cli_exit_code(st) == CLI_EXIT_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
    } else if (rep.nrows == 0 && a.only) {
        cli_error("--only: no test name contains '%s'", a.only);
        code = CLI_EXIT_USAGE;
    } else {
        if (a.json) {
            if (!print_json(&rep)) code = CLI_EXIT_FAILURE;
        } else {
            printf("# %d transport runs, %d values reported without a bar (INFO), %.1f s\n",
                   rep.runs, rep.info, rep.seconds);
            printf("%d passed, %d failed\n", rep.passed, rep.failed);
        }
        if (code < 0) code = rep.failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    }
    smx__vreport_free(&rep);
    free(err);
    return code;
}
