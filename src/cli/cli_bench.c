/* smatrix2d bench: times transport steps of a backend on dense states of
 * the seed guide's grids (or given ones) against one copy pass over the
 * same state, which bounds what a memory-bound step can reach. */
#include "cli/cli.h"
#include "io/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRLEN 1024
#define MAX_GRIDS 32
#define DEFAULT_STEPS 10
#define DEFAULT_BACKEND "openmp"

typedef struct bench_grid {
    const char *preset; /* NULL for a grid given as numbers */
    int nx, nz, ntheta, ne;
} bench_grid;

static const bench_grid presets[] = {
    {"seed-baseline", 40, 40, 72, 200},
    {"seed-balanced", 30, 30, 48, 140},
    {"seed-aggressive", 25, 25, 36, 120},
};
#define NPRESETS (int)(sizeof presets / sizeof presets[0])

typedef struct bench_args {
    const char *backend;
    int steps, threads, json;
    cli_devopts dev;
    smx_streaming streaming;
    smx_secondaries secondaries;
    int ngrids;
    bench_grid grids[MAX_GRIDS];
} bench_args;

typedef struct bench_row {
    bench_grid grid;
    smx_bench_result res;
} bench_row;

static void bench_usage(FILE *f)
{
    fputs("usage: smatrix2d bench [options]\n"
          "\n"
          "Times transport steps of a backend on a dense state (every bin filled,\n"
          "seed 42; full-circle theta, uniform energy 0.1-200 MeV) and one read+write\n"
          "pass over the same state (copy_ms). A step/copy ratio near the number of\n"
          "passes a step makes means the step is memory bound.\n"
          "\n"
          "options:\n",
          f);
    fprintf(f, "  --backend NAME  %s (default " DEFAULT_BACKEND ")\n", smx_backend_names());
    fputs(CLI_DEVOPTS_HELP
          "  --grid G        NXxNZxNTHETAxNE, a preset, or all (default all); may repeat.\n"
          "                  presets: seed-baseline 40x40x72x200,\n"
          "                           seed-balanced 30x30x48x140,\n"
          "                           seed-aggressive 25x25x36x120\n"
          "  --steps N       timed steps per grid (default 10)\n"
          "  --threads N     CPU threads for the openmp backend (0 = OpenMP default)\n"
          "  --streaming S   centroid (default) or shift_deposit\n"
          "  --secondaries S transport (default) or local: the nuclear secondaries\n"
          "  --json          print a JSON array instead of a table\n"
          "  --help, -h      show this help and exit\n",
          f);
}

static int add_grid(bench_args *a, const bench_grid *g)
{
    if (a->ngrids >= MAX_GRIDS) {
        cli_error("--grid: at most %d grids", MAX_GRIDS);
        return 0;
    }
    a->grids[a->ngrids++] = *g;
    return 1;
}

/* "NXxNZxNTHETAxNE" with four positive integers. */
static int parse_dims(const char *text, bench_grid *g)
{
    int v[4];
    const char *p = text;
    for (int k = 0; k < 4; k++) {
        if (*p < '0' || *p > '9')
            return 0;
        char *end = NULL;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (errno || x < 1 || x > 1000000)
            return 0;
        if (k < 3 && *end != 'x')
            return 0;
        if (k == 3 && *end != '\0')
            return 0;
        v[k] = (int)x;
        p = end + 1;
    }
    *g = (bench_grid){NULL, v[0], v[1], v[2], v[3]};
    return 1;
}

static int parse_grid(bench_args *a, const char *text)
{
    if (!strcmp(text, "all")) {
        for (int k = 0; k < NPRESETS; k++)
            if (!add_grid(a, &presets[k]))
                return 0;
        return 1;
    }
    for (int k = 0; k < NPRESETS; k++)
        if (!strcmp(text, presets[k].preset))
            return add_grid(a, &presets[k]);
    bench_grid g;
    if (!parse_dims(text, &g)) {
        cli_error("--grid: expected NXxNZxNTHETAxNE (e.g. 40x40x72x200), seed-baseline, "
                  "seed-balanced, seed-aggressive or all, got '%s'",
                  text);
        return 0;
    }
    return add_grid(a, &g);
}

/* Returns -1 to continue, else the exit code. */
static int parse_bench_args(int argc, char **argv, bench_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v = NULL;
        int r;
        if (cli_is_help(arg)) {
            bench_usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(arg, "--json")) {
            a->json = 1;
        } else if ((r = cli_option_value(argc, argv, &i, "--backend", &v)) != 0) {
            if (r < 0 || !cli_check_backend("--backend", v))
                return CLI_EXIT_USAGE;
            a->backend = v;
        } else if ((r = cli_option_value(argc, argv, &i, "--grid", &v)) != 0) {
            if (r < 0 || !parse_grid(a, v))
                return CLI_EXIT_USAGE;
        } else if ((r = cli_option_value(argc, argv, &i, "--steps", &v)) != 0) {
            if (r < 0 || !cli_parse_int("--steps", v, 1, 1000000, &a->steps))
                return CLI_EXIT_USAGE;
        } else if ((r = cli_option_value(argc, argv, &i, "--threads", &v)) != 0) {
            if (r < 0 || !cli_parse_int("--threads", v, 0, SMX_MAX_THREADS, &a->threads))
                return CLI_EXIT_USAGE;
        } else if ((r = cli_devopts_parse(argc, argv, &i, &a->dev)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
        } else if ((r = cli_option_value(argc, argv, &i, "--streaming", &v)) != 0) {
            static const char *const names[] = {"centroid", "shift_deposit"}; /* smx_streaming */
            int k;
            if (r < 0 || !cli_parse_choice("bench: --streaming", v, names, 2, &k)) return CLI_EXIT_USAGE;
            a->streaming = (smx_streaming)k;
        } else if ((r = cli_option_value(argc, argv, &i, "--secondaries", &v)) != 0) {
            static const char *const names[] = {"transport", "local"}; /* smx_secondaries */
            int k;
            if (r < 0 || !cli_parse_choice("bench: --secondaries", v, names, 2, &k)) return CLI_EXIT_USAGE;
            a->secondaries = (smx_secondaries)k;
        } else if (arg[0] == '-') {
            cli_error("bench: unknown option '%s' (try 'smatrix2d bench --help')", arg);
            return CLI_EXIT_USAGE;
        } else {
            cli_error("bench: unexpected argument '%s'", arg);
            return CLI_EXIT_USAGE;
        }
    }
    if (a->ngrids == 0 && !parse_grid(a, "all"))
        return CLI_EXIT_USAGE;
    return -1;
}

static void grid_label(const bench_grid *g, char *buf, size_t n)
{
    snprintf(buf, n, "%dx%dx%dx%d", g->nx, g->nz, g->ntheta, g->ne);
}

static double ratio(double num, double den) { return den > 0.0 ? num / den : NAN; }

static void print_table_header(void)
{
    printf("%-15s %-14s %-9s %-13s %-11s %-8s %-24s %7s %10s %10s %10s %10s %10s %9s %10s\n", "preset",
           "grid", "backend", "streaming", "secondaries", "scatter", "device", "threads", "scatter_ms", "stream_ms",
           "energy_ms", "step_ms", "copy_ms", "step/copy", "state_MB");
}

static void print_table_row(const bench_args *a, const bench_row *row)
{
    const smx_bench_result *r = &row->res;
    char label[64];
    grid_label(&row->grid, label, sizeof label);
    printf("%-15s %-14s %-9s %-13s %-11s %-8s %-24.24s %7d %10.3f %10.3f %10.3f %10.3f %10.3f %9.2f %10.1f\n",
           row->grid.preset ? row->grid.preset : "-", label, r->backend,
           smx_streaming_name(a->streaming), smx_secondaries_name(a->secondaries), r->scatter, r->device, r->threads,
           r->per_op_ms[SMX_OP_SCATTER], r->per_op_ms[SMX_OP_STREAM],
           r->per_op_ms[SMX_OP_ENERGY], r->step_ms, r->copy_ms, ratio(r->step_ms, r->copy_ms),
           r->state_bytes / 1e6);
    fflush(stdout);
}

static void json_row(smx__json *j, const bench_args *a, const bench_row *row)
{
    const smx_bench_result *r = &row->res;
    char label[64];
    grid_label(&row->grid, label, sizeof label);
    smx__json_begin_object(j);
    smx__json_kv_string(j, "grid", label);
    smx__json_kv_string(j, "preset", row->grid.preset);
    smx__json_kv_string(j, "backend", r->backend);
    smx__json_kv_string(j, "device", r->device);
    smx__json_kv_int(j, "threads", r->threads);
    smx__json_kv_int(j, "steps", a->steps);
    smx__json_kv_string(j, "streaming", smx_streaming_name(a->streaming));
    smx__json_kv_string(j, "secondaries", smx_secondaries_name(a->secondaries));
    smx__json_kv_string(j, "accumulation", r->accumulation);
    smx__json_kv_string(j, "scatter", r->scatter);
    smx__json_kv_double(j, "step_ms", r->step_ms);
    smx__json_kv_double(j, "copy_ms", r->copy_ms);
    smx__json_kv_double(j, "step_over_copy", ratio(r->step_ms, r->copy_ms));
    smx__json_kv_ops(j, "per_op_ms", r->per_op_ms);
    if (r->per_op_kernel_ms[0] >= 0) /* the device's own clock, where it has one */
        smx__json_kv_ops(j, "per_op_kernel_ms", r->per_op_kernel_ms);
    smx__json_kv_double(j, "state_bytes", r->state_bytes);
    smx__json_kv_double(j, "peak_rss_MB", r->peak_rss_MB);
    if (r->device_waits_per_step >= 0) smx__json_kv_double(j, "device_waits_per_step", r->device_waits_per_step);
    smx__json_end_object(j);
}

static int print_json(const bench_args *a, const bench_row *rows)
{
    smx__json j;
    smx__json_init(&j, 1);
    smx__json_begin_array(&j);
    for (int k = 0; k < a->ngrids; k++)
        json_row(&j, a, &rows[k]);
    smx__json_end_array(&j);
    int ok = smx__json_ok(&j);
    if (ok)
        printf("%s\n", smx__json_text(&j));
    else
        cli_error("out of memory while formatting JSON");
    smx__json_free(&j);
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static smx_status bench_one(const bench_args *a, bench_row *row, char *err)
{
    smx_bench_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.nx = row->grid.nx;
    spec.nz = row->grid.nz;
    spec.ntheta = row->grid.ntheta;
    spec.ne = row->grid.ne;
    spec.steps = a->steps;
    snprintf(spec.backend, sizeof spec.backend, "%s", a->backend);
    spec.device = a->dev.device;
    spec.accumulation = a->dev.accumulation < 0 ? SMX_ACCUM_DETERMINISTIC : a->dev.accumulation;
    spec.scatter = a->dev.scatter < 0 ? SMX_SCATTER_AUTO : a->dev.scatter;
    spec.threads = a->threads;
    spec.streaming = a->streaming;
    spec.secondaries = a->secondaries;
    memset(&row->res, 0, sizeof row->res);
    return smx_bench_run(&spec, &row->res, err, ERRLEN);
}

int cli_bench(int argc, char **argv)
{
    bench_args *a = calloc(1, sizeof *a);
    bench_row *rows = calloc(MAX_GRIDS, sizeof *rows);
    if (!a || !rows) {
        free(a);
        free(rows);
        cli_error("out of memory");
        return CLI_EXIT_FAILURE;
    }
    a->dev = (cli_devopts)CLI_DEVOPTS_UNSET;
    a->backend = DEFAULT_BACKEND;
    a->steps = DEFAULT_STEPS;
    int code = parse_bench_args(argc, argv, a);
    if (code < 0) {
        code = CLI_EXIT_OK;
        if (!a->json)
            print_table_header();
        for (int k = 0; k < a->ngrids && code == CLI_EXIT_OK; k++) {
            char err[ERRLEN] = "";
            char label[64];
            rows[k].grid = a->grids[k];
            grid_label(&rows[k].grid, label, sizeof label);
            smx_status st = bench_one(a, &rows[k], err);
            if (st != SMX_OK) {
                cli_error("bench %s on %s: %s", label, a->backend,
                          err[0] ? err : smx_status_message(st));
                code = cli_exit_code(st);
            } else if (!a->json) {
                print_table_row(a, &rows[k]);
            }
        }
        if (code == CLI_EXIT_OK && a->json)
            code = print_json(a, rows);
    }
    free(rows);
    free(a);
    return code;
}
