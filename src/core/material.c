/* Media from the embedded NIST tables (data/README.md names the sources):
 * PSTAR total stopping power and CSDA range, log-log interpolated;
 * density, I-value and radiation length from materials.csv; the
 * scattering length X_S and the element list (Z, A, w) from the
 * elemental composition. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/material.h"
#include "core/util.h"

struct smx__embedded_file {
    const char *name;
    const unsigned char *data;
    size_t size;
};
extern const struct smx__embedded_file smx__embedded_files[];

const char *smx__embedded_text(const char *name)
{
    for (const struct smx__embedded_file *f = smx__embedded_files; f->name; f++)
        if (strcmp(f->name, name) == 0) return (const char *)f->data;
    return NULL;
}

/* Iterates the data rows of a CSV text (skips '#' comments and the header);
 * copies the row into `line` and returns the position after it. */
static const char *next_row(const char *p, char *line, size_t len, int *header_seen)
{
    while (p && *p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *next = e ? e + 1 : p + n;
        if (n > 0 && p[0] != '#' && p[0] != '\r') {
            if (!*header_seen) {
                *header_seen = 1;
            } else {
                if (n >= len) n = len - 1;
                memcpy(line, p, n);
                line[n] = 0;
                return next;
            }
        }
        p = next;
    }
    return NULL;
}

/* Splits a CSV row in place into at most max fields. */
static int split(char *line, char **field, int max)
{
    int n = 0;
    char *s = line;
    while (n < max) {
        field[n++] = s;
        char *c = strchr(s, ',');
        if (!c) break;
        *c = 0;
        s = c + 1;
    }
    return n;
}

int smx__material_known(const char *name)
{
    const char *p = smx__embedded_text("materials.csv");
    char line[512], *f[6];
    int hdr = 0;
    while ((p = next_row(p, line, sizeof line, &hdr)))
        if (split(line, f, 6) >= 5 && strcmp(f[0], name) == 0) return 1;
    return 0;
}

/* 1/X_S = alpha N_A r_e^2 sum_i w_i Z_i^2/A_i [2 ln(33219 (A_i Z_i)^-1/3) - 1]
 * (Gottschalk 2010, Med. Phys. 37:352, eq. for the scattering length).
 * Also records the element list (Z_i, A_i, w_i) in m. */
static smx_status scattering_length(const char *name, smx_material *m, char *err, size_t errlen)
{
    const double alpha = 1.0 / 137.035999084;  /* CODATA 2018 */
    const double NA = 6.02214076e23;           /* 1/mol */
    const double re = 2.8179403262e-13;        /* cm */
    const char *comp = smx__embedded_text("compositions.csv");
    const char *elem = smx__embedded_text("elements.csv");
    char line[512], eline[512], *f[6], *g[6];
    int hdr = 0, found = 0;
    double sum = 0;
    const char *p = comp;
    while ((p = next_row(p, line, sizeof line, &hdr))) {
        if (split(line, f, 6) < 4 || strcmp(f[0], name) != 0) continue;
        int Z = atoi(f[1]);
        double w = atof(f[3]);
        double A = 0;
        int ehdr = 0;
        const char *q = elem;
        while ((q = next_row(q, eline, sizeof eline, &ehdr)))
            if (split(eline, g, 6) >= 3 && atoi(g[0]) == Z) A = atof(g[2]);
        if (A <= 0) {
            smx__err(err, errlen, "elements.csv: no atomic weight for Z=%d (material %s)", Z, name);
            return SMX_EDATA;
        }
        sum += w * Z * Z / A * (2.0 * log(33219.0 * pow(A * Z, -1.0 / 3.0)) - 1.0);
        if (m->nelem >= SMX_MATERIAL_MAX_ELEMENTS) {
            smx__err(err, errlen, "compositions.csv: more than %d elements in material '%s'",
                     SMX_MATERIAL_MAX_ELEMENTS, name);
            return SMX_EDATA;
        }
        m->elem_Z[m->nelem] = Z;
        m->elem_A[m->nelem] = A;
        m->elem_w[m->nelem] = w;
        m->nelem++;
        found = 1;
    }
    if (!found) {
        smx__err(err, errlen, "compositions.csv: no composition for material '%s'", name);
        return SMX_EDATA;
    }
    m->XS_g_cm2 = 1.0 / (alpha * NA * re * re * sum);
    return SMX_OK;
}

smx_status smx__material_load(const char *name, smx_material *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    const char *p = smx__embedded_text("materials.csv");
    char line[512], *f[6], file[128] = "";
    int hdr = 0;
    while ((p = next_row(p, line, sizeof line, &hdr))) {
        if (split(line, f, 6) >= 5 && strcmp(f[0], name) == 0) {
            snprintf(m->name, sizeof m->name, "%.63s", f[0]);
            snprintf(file, sizeof file, "%.127s", f[1]);
            m->density_g_cm3 = atof(f[2]);
            m->I_eV = atof(f[3]);
            m->X0_g_cm2 = atof(f[4]);
        }
    }
    if (!file[0]) {
        smx__err(err, errlen, "material '%s' is not in data/materials.csv", name);
        return SMX_ECONFIG;
    }
    const char *t = smx__embedded_text(file);
    if (!t) {
        smx__err(err, errlen, "%s: table not embedded", file);
        return SMX_EDATA;
    }
    hdr = 0;
    while ((t = next_row(t, line, sizeof line, &hdr))) {
        if (split(line, f, 6) < 5) continue;
        if (m->n >= (int)(sizeof m->lnE / sizeof m->lnE[0])) {
            smx__err(err, errlen, "%s: more rows than expected", file);
            return SMX_EDATA;
        }
        double E = atof(f[0]), S = atof(f[3]), R = atof(f[4]);
        if (!(E > 0 && S > 0 && R > 0) || (m->n > 0 && log(E) <= m->lnE[m->n - 1])) {
            smx__err(err, errlen, "%s: row %d is not positive and increasing", file, m->n + 1);
            return SMX_EDATA;
        }
        m->lnE[m->n] = log(E);
        m->lnS[m->n] = log(S);
        m->lnR[m->n] = log(R);
        m->n++;
    }
    if (m->n < 2) {
        smx__err(err, errlen, "%s: no data rows", file);
        return SMX_EDATA;
    }
    return scattering_length(name, m, err, errlen);
}

/* Linear interpolation of y(x) on increasing x, clamped at the ends. */
static double interp(const double *x, const double *y, int n, double v)
{
    if (v <= x[0]) return y[0] + (v - x[0]) * (y[1] - y[0]) / (x[1] - x[0]);
    if (v >= x[n - 1])
        return y[n - 1] + (v - x[n - 1]) * (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]);
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (x[mid] <= v) lo = mid; else hi = mid;
    }
    return y[lo] + (v - x[lo]) * (y[hi] - y[lo]) / (x[hi] - x[lo]);
}

double smx__stopping_power(const smx_material *m, double E_MeV)
{
    return exp(interp(m->lnE, m->lnS, m->n, log(E_MeV)));
}

double smx__csda_range(const smx_material *m, double E_MeV)
{
    if (E_MeV <= 0) return 0;
    return exp(interp(m->lnE, m->lnR, m->n, log(E_MeV)));
}

/* The exact inverse of smx__csda_range (same log-log segments). */
double smx__energy_at_range(const smx_material *m, double R_g_cm2)
{
    if (R_g_cm2 <= 0) return 0;
    return exp(interp(m->lnR, m->lnE, m->n, log(R_g_cm2)));
}
