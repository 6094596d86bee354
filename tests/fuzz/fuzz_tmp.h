/* Shared by the fuzz harnesses: the loaders under test take a path, so each
 * input is written to a file in a private folder made once per process
 * (mkdtemp under $TMPDIR or /tmp), rewritten in place for every input and
 * removed at exit. */
#ifndef SMX_FUZZ_TMP_H
#define SMX_FUZZ_TMP_H

#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#error "define _POSIX_C_SOURCE 200809L before any include (mkdtemp)"
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[512];

static void fuzz_tmp_cleanup(void)
{
    if (!fuzz_dir[0]) return;
    DIR *d = opendir(fuzz_dir);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            snprintf(p, sizeof p, "%s/%s", fuzz_dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(fuzz_dir);
    fuzz_dir[0] = '\0';
}

/* The private folder (made on the first call; aborts when it cannot be). */
static const char *fuzz_tmp_dir(void)
{
    if (fuzz_dir[0]) return fuzz_dir;
    const char *t = getenv("TMPDIR");
    if (!t || !*t) t = "/tmp";
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/smx_fuzz_XXXXXX", t);
    if (!mkdtemp(fuzz_dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fuzz_tmp_cleanup);
    return fuzz_dir;
}

/* Writes n bytes to NAME in the private folder; returns the path (static). */
static const char *fuzz_tmp_write(const char *name, const void *data, size_t n)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", fuzz_tmp_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror("fuzz: writing the input file");
        abort();
    }
    return path;
}

/* SMX_FUZZ_VERBOSE=1 in the environment: each harness prints the status
 * and the message of every input (for looking at a replay). */
static int fuzz_verbose(void)
{
    static int v = -1;
    if (v < 0) {
        const char *e = getenv("SMX_FUZZ_VERBOSE");
        v = e && *e && strcmp(e, "0") != 0;
    }
    return v;
}

/* Aborts with a message: a broken contract of the API under test. */
#define FUZZ_REQUIRE(cond, ...)                                                                \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz: contract broken: %s: ", #cond);                             \
            fprintf(stderr, __VA_ARGS__);                                                      \
            fputc('\n', stderr);                                                               \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

#endif
