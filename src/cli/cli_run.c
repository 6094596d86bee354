/* smatrix2d run CONFIG.yaml: load, check, transport, write, summarise.
 * Outputs are written only after a successful run, so a configuration
 * error leaves no folder or file behind. */
#define _POSIX_C_SOURCE 200809L

#include "cli/cli.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define ERRLEN 2048
#define PROGRESS_EVERY_STEPS 50

typedef struct run_args {
    const char *config;
    const char *backend; /* NULL: the config's */
    const char *out;     /* NULL: out/<config name> */
    int quiet;
    int allow_warnings;  /* keep results the checks do not trust */
    int threads;         /* -1: the config's */
    cli_devopts dev;     /* -1 fields: the config's */
} run_args;

typedef struct progress {
    int quiet;
    double t0;
    double w0;        /* weight in flight at the first report */
    int last_step;
    int last_decile;  /* tenths of the weight that has left the flight */
} progress;

static void run_usage(FILE *f)
{
    fputs("usage: smatrix2d run CONFIG.yaml [options]\n"
          "\n"
          "Transports the beams of CONFIG.yaml and writes dose.npy, idd.csv and\n"
          "metrics.json into the output folder; prints a summary.\n"
          "\n"
          "options:\n"
          "  --backend NAME  override the config's backend:\n",
          f);
    fprintf(f, "                  %s\n", smx_backend_names());
    fputs("  --out DIR       output folder (default out/<config name without .yaml>);\n"
          "                  created with its parents if needed\n"
          "  --threads N     CPU threads for the openmp backend (0 = OpenMP default)\n"
          CLI_DEVOPTS_HELP
          "  --allow-warnings  write the outputs even when the result checks find them\n"
          "                  untrustworthy (non-finite dose, no dose or no step, protons\n"
          "                  lost at injection or through z_max, or energy carried out\n"
          "                  of the theta window, above 0.1 %; conservation off); the\n"
          "                  findings go to metrics.json \"warnings\"\n"
          "  --quiet, -q     no progress lines on stderr\n"
          "  --help, -h      show this help and exit\n"
          "\n"
          "Exit status: 0 success, 1 run or I/O failure, 2 usage or configuration error,\n"
          "3 results not trustworthy (nothing written; see --allow-warnings), 130/143\n"
          "stopped by SIGINT/SIGTERM (nothing written).\n",
          f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Returns -1 to continue, else the exit code. */
static int parse_run_args(int argc, char **argv, run_args *a)
{
    int positional_only = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *v = NULL;
        int r;
        if (positional_only || arg[0] != '-' || !strcmp(arg, "-")) {
            if (a->config) {
                cli_error("run: unexpected argument '%s' (one CONFIG.yaml only)", arg);
                return CLI_EXIT_USAGE;
            }
            a->config = arg;
        } else if (!strcmp(arg, "--")) {
            positional_only = 1;
        } else if (cli_is_help(arg)) {
            run_usage(stdout);
            return CLI_EXIT_OK;
        } else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            a->quiet = 1;
        } else if (!strcmp(arg, "--allow-warnings")) {
            a->allow_warnings = 1;
        } else if ((r = cli_option_value(argc, argv, &i, "--backend", &v)) != 0) {
            if (r < 0 || !cli_check_backend("--backend", v))
                return CLI_EXIT_USAGE;
            a->backend = v;
        } else if ((r = cli_option_value(argc, argv, &i, "--out", &v)) != 0) {
            if (r < 0)
                return CLI_EXIT_USAGE;
            if (!*v) {
                cli_error("--out: empty folder name");
                return CLI_EXIT_USAGE;
            }
            a->out = v;
        } else if ((r = cli_devopts_parse(argc, argv, &i, &a->dev)) != 0) {
            if (r < 0) return CLI_EXIT_USAGE;
        } else if ((r = cli_option_value(argc, argv, &i, "--threads", &v)) != 0) {
            if (r < 0 || !cli_parse_int("--threads", v, 0, SMX_MAX_THREADS, &a->threads))
                return CLI_EXIT_USAGE;
        } else {
            cli_error("run: unknown option '%s' (try 'smatrix2d run --help')", arg);
            return CLI_EXIT_USAGE;
        }
    }
    if (!a->config) {
        cli_error("run: missing CONFIG.yaml (try 'smatrix2d run --help')");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* out/<file name of the config without .yaml or .yml>; caller frees. */
static char *default_out_dir(const char *config)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".yaml"))
        n -= 5;
    else if (n > 4 && !strcmp(base + n - 4, ".yml"))
        n -= 4;
    if (n == 0) {
        base = "run";
        n = 3;
    }
    size_t len = n + 5;
    char *dir = malloc(len);
    if (dir)
        snprintf(dir, len, "out/%.*s", (int)n, base);
    return dir;
}

/* SIGINT/SIGTERM: the run stops after its current step, nothing is
 * written, the exit code is 128 + the signal (130, 143). While the outputs
 * are being renamed into place the signals wait (blocked). */
static volatile sig_atomic_t caught_signal;

static void on_signal(int sig) { caught_signal = sig; }

static void catch_signals(int on)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? on_signal : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void block_signals(int block)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static int interrupted(const char *what)
{
    cli_error("interrupted by %s: %s", caught_signal == SIGINT ? "SIGINT" : "SIGTERM", what);
    return 128 + caught_signal;
}

static int on_progress(void *user, int step, double weight_in_flight)
{
    progress *p = user;
    if (caught_signal) return 1;
    if (p->quiet) return 0;
    if (p->w0 <= 0.0)
        p->w0 = weight_in_flight;
    double gone = p->w0 > 0.0 ? 1.0 - weight_in_flight / p->w0 : 0.0;
    int decile = (int)floor(10.0 * gone);
    if (step - p->last_step >= PROGRESS_EVERY_STEPS || decile > p->last_decile) {
        fprintf(stderr, "smatrix2d: step %6d  weight in flight %.4f  %7.2f s\n", step,
                weight_in_flight, now_s() - p->t0);
        p->last_step = step;
        if (decile > p->last_decile)
            p->last_decile = decile;
    }
    return 0;
}

static void print_summary(const smx_config *cfg, const smx_result *res, const char *out)
{
    const smx_metrics *m = &res->metrics;
    const smx_accounting *a = &res->accounting;
    const smx_timing *t = &res->timing;
    printf("%-22s %s\n", "config", cfg->source_path);
    printf("%-22s %s (%s), %s\n", "backend", res->backend, res->device,
           smx_precision_name(res->precision));
    printf("%-22s %.3f mm\n", "R80", m->r80_mm);
    printf("%-22s %.3f mm\n", "R90", m->r90_mm);
    printf("%-22s %.3f mm\n", "peak depth", m->peak_depth_mm);
    printf("%-22s %.3f\n", "peak/entrance", m->peak_to_entrance);
    printf("%-22s %.3f mm\n", "distal 80-20", m->distal_80_20_mm);
    printf("%-22s %.3f mm\n", "lateral sigma at R80", m->lateral_sigma_at_r80_mm);
    printf("%-22s %d x %.4g mm\n", "steps", res->steps, res->step_mm);
    printf("%-22s weight %.3g (step %d), energy %.3g (step %d)\n", "worst step imbalance",
           a->worst_weight_imbalance, a->worst_weight_step, a->worst_energy_imbalance,
           a->worst_energy_step);
    printf("%-22s %.3f s (setup %.3f s, transport %.3f s, %.3f ms/step)\n", "time", t->total_s,
           t->setup_s, t->transport_s, t->step_ms);
    printf("%-22s %s\n", "output", out);
}

/* Fails early, before a long run, when the output path is a file. */
static int out_dir_usable(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        cli_error("%s: exists and is not a folder", dir);
        return 0;
    }
    return 1;
}

static int fail(smx_status st, const char *err)
{
    cli_error("%s", err[0] ? err : smx_status_message(st));
    return cli_exit_code(st);
}

static int execute(const run_args *a, smx_config *cfg, const char *out, char *err)
{
    smx_status st = smx_config_load(a->config, cfg, err, ERRLEN);
    if (st != SMX_OK)
        return fail(st, err);
    if (a->backend)
        snprintf(cfg->backend, sizeof cfg->backend, "%s", a->backend);
    if (a->dev.device >= 0) cfg->device = a->dev.device;
    if (a->dev.accumulation >= 0) cfg->accumulation = (smx_accumulation)a->dev.accumulation;
    if (a->dev.scatter >= 0) cfg->scatter = (smx_scatter_impl)a->dev.scatter;
    if (a->threads >= 0)
        cfg->threads = a->threads;
    /* the overrides are checked with the rest by smx_run_create (once) */
    if (!out_dir_usable(out))
        return CLI_EXIT_FAILURE;

    smx_run *run = NULL;
    st = smx_run_create(cfg, &run, err, ERRLEN);
    if (st != SMX_OK) {
        if (run)
            smx_run_free(run);
        return fail(st, err);
    }
    progress p = {.quiet = a->quiet, .t0 = now_s(), .w0 = 0.0, .last_step = 0, .last_decile = 0};
    if (!a->quiet)
        fprintf(stderr, "smatrix2d: running %s on %s\n", a->config, cfg->backend);
    if (!caught_signal) st = smx_run_execute(run, on_progress, &p, err, ERRLEN);
    if (caught_signal) {
        smx_run_free(run);
        return interrupted("the run stopped; nothing written");
    }
    const smx_result *res = st == SMX_OK ? smx_run_result(run) : NULL;
    if (st == SMX_OK && !res) {
        snprintf(err, ERRLEN, "the run produced no result");
        st = SMX_EBACKEND;
    }
    for (int w = 0; st == SMX_OK && w < res->nwarnings; w++)
        cli_warning("%s: %s", a->config, res->warnings[w]);
    if (st == SMX_OK && res->nwarnings > 0 && !a->allow_warnings) {
        cli_error("%s: results not trustworthy (%d finding%s above); nothing written to %s "
                  "(--allow-warnings keeps them)", a->config, res->nwarnings,
                  res->nwarnings > 1 ? "s" : "", out);
        smx_run_free(run);
        return CLI_EXIT_UNTRUSTED;
    }
    if (st == SMX_OK) {
        block_signals(1);
        st = smx_write_outputs(out, cfg, res, err, ERRLEN);
        block_signals(0); /* a signal caught meanwhile is handled now */
    }
    if (st == SMX_OK && !caught_signal)
        print_summary(cfg, res, out);
    smx_run_free(run);
    if (st == SMX_OK && caught_signal)
        return interrupted("after the outputs were written (they are complete)");
    return st == SMX_OK ? CLI_EXIT_OK : fail(st, err);
}

int cli_run(int argc, char **argv)
{
    run_args a = {.threads = -1, .dev = CLI_DEVOPTS_UNSET};
    int code = parse_run_args(argc, argv, &a);
    if (code >= 0)
        return code;

    char *out = a.out ? NULL : default_out_dir(a.config);
    smx_config *cfg = malloc(sizeof *cfg);
    char *err = calloc(ERRLEN, 1);
    if ((!a.out && !out) || !cfg || !err) {
        cli_error("out of memory");
        code = CLI_EXIT_FAILURE;
    } else {
        smx_config_init(cfg);
        catch_signals(1);
        code = execute(&a, cfg, a.out ? a.out : out, err);
        catch_signals(0);
        smx_config_free(cfg);
    }
    free(err);
    free(cfg);
    free(out);
    return code;
}
