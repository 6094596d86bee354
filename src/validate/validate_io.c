/* Output files of the validation suite: the folder and two-column CSVs. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"
#include "validate/vint.h"

smx_status vx_mkdirs(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p) return SMX_ENOMEM;
    memcpy(p, dir, n + 1);
    smx_status st = SMX_OK;
    for (size_t k = 1; k <= n && st == SMX_OK; k++) {
        if (p[k] != '/' && p[k] != '\0') continue;
        char keep = p[k];
        p[k] = '\0';
        struct stat s;
        if (stat(p, &s) == 0) {
            if (!S_ISDIR(s.st_mode)) {
                smx__err(err, errlen, "%s: exists and is not a folder", p);
                st = SMX_EIO;
            }
        } else if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            smx__err(err, errlen, "%s: cannot create the folder: %s", p, strerror(errno));
            st = SMX_EIO;
        }
        p[k] = keep;
    }
    free(p);
    return st;
}

smx_status vx_write_columns(const vctx *c, const char *prefix, const char *name,
                            const char *header, const double *a, const double *b, int n)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s_%s.csv", c->out_dir, prefix, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        smx__err(c->err, c->errlen, "%s: cannot write: %s", path, strerror(errno));
        return SMX_EIO;
    }
    int bad = fprintf(f, "%s\n", header) < 0;
    for (int k = 0; k < n && !bad; k++) bad = fprintf(f, "%.10g,%.10g\n", a[k], b[k]) < 0;
    if (fclose(f) != 0 || bad) {
        smx__err(c->err, c->errlen, "%s: write failed", path);
        return SMX_EIO;
    }
    return SMX_OK;
}

int vx_dose_row_at(const vrun *r, double d, double *prof)
{
    double u = d / r->dz - 0.5;
    int z0 = (int)floor(u);
    if (!isfinite(d) || z0 < 0 || z0 + 1 >= r->nz) {
        memset(prof, 0, sizeof(double) * r->nx);
        return 0;
    }
    double t = u - z0;
    for (int x = 0; x < r->nx; x++)
        prof[x] = (1 - t) * r->dose[(size_t)z0 * r->nx + x] + t * r->dose[(size_t)(z0 + 1) * r->nx + x];
    return 1;
}
