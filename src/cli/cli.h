/* The smatrix2d command line: one file per subcommand, shared helpers in
 * main.c. Only this folder prints and exits. */
#ifndef SMX_CLI_H
#define SMX_CLI_H

#include "smatrix2d/smatrix2d.h"

/* Exit codes. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

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

/* 1 when name is one of the backends a config may name (incl. "auto");
 * otherwise prints an error naming the option and returns 0. */
int cli_check_backend(const char *option, const char *name);

#endif
