/* Transport runs of the validation suite: configurations built in code,
 * run once each (cached by name), results copied out, the IDD and the
 * lateral profile at R80 written to the output folder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "validate/vint.h"

const char *vx_num(char buf[32], double v)
{
    snprintf(buf, 32, "%.6g", v);
    return buf;
}

void vx_pencil_config(const vctx *c, const vgrid *g, double E, double angle_deg, smx_config *cfg)
{
    smx_config_init(cfg);
    cfg->x_min_mm = g->x_min;
    cfg->x_max_mm = g->x_max;
    cfg->nx = (int)lround((g->x_max - g->x_min) / g->dx);
    cfg->z_max_mm = g->z_max;
    cfg->nz = (int)lround(g->z_max / g->dz);
    cfg->ntheta = g->nt;
    cfg->theta_min_deg = g->th_min;
    cfg->theta_max_deg = g->th_max;
    cfg->ne = 0; /* auto: lockstep */
    cfg->e_min_MeV = 1.0;
    cfg->e_max_MeV = E;
    cfg->spacing = SMX_SPACING_RANGE;
    cfg->step_mm = 0; /* auto = dz */
    cfg->nbeams = 1;
    cfg->beams[0] = (smx_beam){.energy_MeV = E, .angle_deg = angle_deg, .protons = 1e9};
    snprintf(cfg->backend, sizeof cfg->backend, "%s", c->backend);
    snprintf(cfg->source_path, sizeof cfg->source_path, "validate");
}

static void vrun_free(vrun *r)
{
    if (!r) return;
    free(r->x_mm);
    free(r->z_mm);
    free(r->edep);
    free(r->dose);
    free(r->idd);
    free(r);
}

smx_status vx_run_with_slab(vctx *c, smx_config *cfg, const char *base_name, const char *name,
                            const char *material, double density, double z0, double z1,
                            const vrun **base, const vrun **run)
{
    smx_status st = vx_run(c, base_name, cfg, 1, base);
    if (st != SMX_OK) return st;
    cfg->nslabs = 1;
    cfg->slabs[0] = (smx_slab){.z_min_mm = z0, .z_max_mm = z1, .density_g_cm3 = density};
    snprintf(cfg->slabs[0].material, sizeof cfg->slabs[0].material, "%s", material);
    return vx_run(c, name, cfg, 1, run);
}

void vx_runs_free(vctx *c)
{
    for (int k = 0; k < c->nruns; k++) vrun_free(c->runs[k]);
    free(c->runs);
    c->runs = NULL;
    c->nruns = c->cap = 0;
}

static double *dup(const double *v, size_t n)
{
    double *d = malloc(n * sizeof(double));
    if (d) memcpy(d, v, n * sizeof(double));
    return d;
}

/* Copies what the tests need out of a finished run. */
static smx_status keep_result(vrun *r, const smx_result *res, const smx_config *cfg)
{
    size_t cells = (size_t)res->nx * res->nz;
    r->nx = res->nx;
    r->nz = res->nz;
    r->dx = (cfg->x_max_mm - cfg->x_min_mm) / cfg->nx;
    r->dz = cfg->z_max_mm / cfg->nz;
    r->x_min = cfg->x_min_mm;
    r->x_mm = dup(res->x_mm, res->nx);
    r->z_mm = dup(res->depth_mm, res->nz);
    r->edep = dup(res->edep_MeV_per_proton, cells);
    r->dose = dup(res->dose_Gy, cells);
    r->idd = dup(res->idd_MeV_per_mm, res->nz);
    r->m = res->metrics;
    r->a = res->accounting;
    r->steps = res->steps;
    r->step_mm = res->step_mm;
    r->seconds = res->timing.total_s;
    return r->x_mm && r->z_mm && r->edep && r->dose && r->idd ? SMX_OK : SMX_ENOMEM;
}

static smx_status write_std(const vctx *c, const vrun *r)
{
    smx_status st = vx_write_columns(c, "idd", r->name, "depth_mm,idd", r->z_mm, r->idd, r->nz);
    double *prof = calloc(r->nx, sizeof(double));
    if (!prof) return SMX_ENOMEM;
    vx_dose_row_at(r, r->m.r80_mm, prof);
    if (st == SMX_OK) st = vx_write_columns(c, "lateral", r->name, "x_mm,dose", r->x_mm, prof, r->nx);
    free(prof);
    return st;
}

smx_status vx_run(vctx *c, const char *name, const smx_config *cfg, int write, const vrun **out)
{
    *out = NULL;
    for (int k = 0; k < c->nruns; k++)
        if (strcmp(c->runs[k]->name, name) == 0) {
            *out = c->runs[k];
            return SMX_OK;
        }
    if (c->nruns == c->cap) {
        int cap = c->cap ? 2 * c->cap : 16;
        vrun **runs = realloc(c->runs, (size_t)cap * sizeof *runs);
        if (!runs) return SMX_ENOMEM;
        c->runs = runs;
        c->cap = cap;
    }
    vrun *r = calloc(1, sizeof *r);
    if (!r) return SMX_ENOMEM;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->cfg = *cfg;
    smx_run *run = NULL;
    smx_status st = smx_run_create(cfg, &run, r->why, sizeof r->why);
    if (st == SMX_OK) st = smx_run_execute(run, NULL, NULL, r->why, sizeof r->why);
    if (st == SMX_OK) st = keep_result(r, smx_run_result(run), cfg);
    if (run) smx_run_free(run);
    if (st != SMX_OK) {
        r->failed = 1;
        if (!r->why[0]) snprintf(r->why, sizeof r->why, "%s", smx_status_message(st));
    }
    c->runs[c->nruns++] = r;
    *out = r;
    if (!r->failed && write) return write_std(c, r);
    return SMX_OK;
}
