/* smatrix2d: dispatch to a subcommand, and the helpers they share. */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"run", cli_run, "transport the beams of CONFIG.yaml; write dose, IDD and metrics"},
    {"devices", cli_devices, "list the backends and their devices"},
    {"bench", cli_bench, "time transport steps of a backend on dense states"},
    {"validate", cli_validate, "run the physics validation suite on a backend"},
    {"crosscheck", cli_crosscheck, "compare every backend with the float64 reference, case by case"},
};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static void say(const char *what, const char *fmt, va_list ap)
{
    fprintf(stderr, "smatrix2d: %s: ", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("error", fmt, ap);
    va_end(ap);
}

void cli_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say("warning", fmt, ap);
    va_end(ap);
}

int cli_exit_code(smx_status st)
{
    if (st == SMX_OK)
        return CLI_EXIT_OK;
    return (st == SMX_ECONFIG || st == SMX_EINVAL) ? CLI_EXIT_USAGE : CLI_EXIT_FAILURE;
}

int cli_is_help(const char *arg) { return !strcmp(arg, "--help") || !strcmp(arg, "-h"); }

int cli_option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *arg = argv[*i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc) {
        cli_error("option '%s' needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

int cli_parse_choice(const char *option, const char *text, const char *const *names, int n,
                     int *out)
{
    char list[256] = "";
    for (int k = 0; k < n; k++) {
        if (!strcmp(text, names[k])) {
            *out = k;
            return 1;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", k == 0 ? "" : (k == n - 1 ? " or " : ", "),
                 names[k]);
    }
    cli_error("%s: '%s' (expected %s)", option, text, list);
    return 0;
}

int cli_devopts_parse(int argc, char **argv, int *i, cli_devopts *o)
{
    static const char *const acc[] = {"deterministic", "fast"}; /* smx_accumulation order */
    static const char *const sc[] = {"auto", "stencil", "gemm"}; /* smx_scatter_impl order */
    const char *v;
    int r;
    if ((r = cli_option_value(argc, argv, i, "--device", &v)) != 0)
        return r < 0 || !cli_parse_int("--device", v, 0, 1023, &o->device) ? -1 : 1;
    if ((r = cli_option_value(argc, argv, i, "--accumulation", &v)) != 0)
        return r < 0 || !cli_parse_choice("--accumulation", v, acc, 2, &o->accumulation) ? -1 : 1;
    if ((r = cli_option_value(argc, argv, i, "--scatter", &v)) != 0)
        return r < 0 || !cli_parse_choice("--scatter", v, sc, 3, &o->scatter) ? -1 : 1;
    return 0;
}

int cli_parse_int(const char *option, const char *text, int lo, int hi, int *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < lo || v > hi) {
        cli_error("%s: expected an integer in [%d, %d], got '%s'", option, lo, hi, text);
        return 0;
    }
    *out = (int)v;
    return 1;
}

int cli_check_backend(const char *option, const char *name)
{
    if (!strcmp(name, "auto"))
        return 1;
    for (int k = 0; smx_backend_known_name(k); k++)
        if (!strcmp(name, smx_backend_known_name(k)))
            return 1;
    cli_error("%s: unknown backend '%s' (expected %s)", option, name, smx_backend_names());
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: smatrix2d <command> [options]\n"
          "       smatrix2d --help | --version\n"
          "\n"
          "Deterministic proton transport in a 2D slab.\n"
          "\n"
          "commands:\n",
          f);
    for (int k = 0; k < NCOMMANDS; k++)
        fprintf(f, "  %-9s %s\n", commands[k].name, commands[k].summary);
    fputs("\n"
          "options:\n"
          "  -h, --help  show this help and exit\n"
          "  --version   print the version and exit\n"
          "\n"
          "Run 'smatrix2d <command> --help' for the options of a command.\n"
          "Exit status: 0 success, 1 run or I/O failure, 2 usage or configuration error.\n",
          f);
}

static const command *find_command(const char *name)
{
    for (int k = 0; k < NCOMMANDS; k++)
        if (!strcmp(name, commands[k].name))
            return &commands[k];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (cli_is_help(name)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "--version")) {
        printf("smatrix2d %s\n", smx_version());
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "help")) { /* "smatrix2d help [COMMAND]" */
        if (argc < 3) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        const command *c = find_command(argv[2]);
        if (!c) {
            cli_error("unknown command '%s' (try 'smatrix2d --help')", argv[2]);
            return CLI_EXIT_USAGE;
        }
        char help[] = "--help";
        char *sub[] = {argv[2], help, NULL};
        return c->fn(2, sub);
    }
    const command *c = find_command(name);
    if (!c) {
        if (name[0] == '-')
            cli_error("unknown option '%s' (try 'smatrix2d --help')", name);
        else
            cli_error("unknown command '%s' (try 'smatrix2d --help')", name);
        return CLI_EXIT_USAGE;
    }
    return c->fn(argc - 1, argv + 1);
}
