/* The smatrix2d command line: one file per subcommand, shared helpers in
 * main.c. Only this folder prints and exits. */
#ifndef SMX_CLI_H
#define SMX_CLI_H

#include "smatrix2d/smatrix2d.h"

/* Exit codes. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_UNTRUSTED = 3 };

/* Subcommands: argv[0] is the subcommand name. Return the exit code. */
int cli_run(int argc, char **argv);
int cli_devices(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_crosscheck(int argc, char **argv);

/* "smatrix2d: error: ..." on stderr. */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* "smatrix2d: warning: ..." on stderr. */
void cli_warning(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Exit code for a library status: 2 for configuration and argument
 * errors, 1 for everything else. */
int cli_exit_code(smx_status st);

int cli_is_help(const char *arg); /* "--help" or "-h" */

/* Matches option `name` at argv[*i], as "--name VALUE" or "--name=VALUE".
 * Returns 0 when argv[*i] is another option, 1 with *value set (and *i
 * advanced past a separate value), -1 when the value is missing (an error
 * has been printed). */
int cli_option_value(int argc, char **argv, int *i, const char *name, const char **value);

/* Parses a whole decimal integer in [lo, hi]; prints an error naming the
 * option and returns 0 when it is not one. */
int cli_parse_int(const char *option, const char *text, int lo, int hi, int *out);
/* Sets *out to the index of text in names[n] (the enum's order); else
 * prints "OPTION: 'TEXT' (expected a, b or c)" and returns 0. */
int cli_parse_choice(const char *option, const char *text, const char *const *names, int n,
                     int *out);

/* 1 when name is one of the backends a config may name (incl. "auto");
 * otherwise prints an error naming the option and returns 0. */
int cli_check_backend(const char *option, const char *name);

/* The options of a device backend, shared by run, bench and crosscheck;
 * a field is -1 where the option was not given. */
typedef struct cli_devopts {
    int device;       /* --device N */
    int accumulation; /* --accumulation deterministic|fast (smx_accumulation) */
    int scatter;      /* --scatter auto|stencil|gemm (smx_scatter_impl) */
} cli_devopts;
#define CLI_DEVOPTS_UNSET {-1, -1, -1}
#define CLI_DEVOPTS_HELP                                                                  \
    "  --device N      device of the backend (default: run.device, else\n"                \
    "                  SMX_OPENCL_DEVICE / SMX_VULKAN_DEVICE / SMX_CUDA_DEVICE, else\n"  \
    "                  0; see smatrix2d devices)\n"                                       \
    "  --accumulation deterministic|fast\n"                                              \
    "                  device backends: bit-identical repeat runs, or atomics\n"          \
    "  --scatter auto|stencil|gemm\n"                                                    \
    "                  device A_theta: banded stencil, batched gemm (opencl with\n"      \
    "                  clBLAST), or the faster measured on the device (fast\n"           \
    "                  accumulation only)\n"
/* Like cli_option_value for the three options above: 1 consumed, 0 not
 * one of them, -1 a bad value (an error has been printed). */
int cli_devopts_parse(int argc, char **argv, int *i, cli_devopts *o);

#endif
