/* smatrix2d devices: every backend, its device count (or why there is
 * none) and the name of each device. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void devices_usage(FILE *f)
{
    fputs("usage: smatrix2d devices [options]\n"
          "\n"
          "Lists every backend known to this build, how many devices it found (with\n"
          "the reason when none) and the name of each device.\n"
          "\n"
          "options:\n"
          "  --help, -h  show this help and exit\n",
          f);
}

static void print_backend(const char *name)
{
    char why[512] = "";
    int n = smx_backend_device_count(name, why, sizeof why);
    if (n <= 0) {
        printf("%-10s 0 devices (%s)\n", name, why[0] ? why : "no reason given");
        return;
    }
    printf("%-10s %d device%s\n", name, n, n == 1 ? "" : "s");
    for (int d = 0; d < n; d++) {
        char dev[512] = "";
        smx_status st = smx_backend_device_name(name, d, dev, sizeof dev);
        if (st == SMX_OK)
            printf("  [%d] %s\n", d, dev);
        else
            printf("  [%d] (no name: %s)\n", d, smx_status_message(st));
    }
}

int cli_devices(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            devices_usage(stdout);
            return CLI_EXIT_OK;
        }
        if (argv[i][0] == '-')
            cli_error("devices: unknown option '%s' (try 'smatrix2d devices --help')", argv[i]);
        else
            cli_error("devices: unexpected argument '%s'", argv[i]);
        return CLI_EXIT_USAGE;
    }
    int count = smx_backend_count();
    for (int b = 0; b < count; b++) {
        const char *name = smx_backend_name(b);
        if (name)
            print_backend(name);
    }
    return CLI_EXIT_OK;
}
