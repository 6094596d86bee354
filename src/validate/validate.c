/* The validation suite driver: resolves the backend, prepares the output
 * folder, runs the tests in order and collects their rows. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "validate/vint.h"

int vx_want(const vctx *c, const char *test)
{
    return !c->o->only || !c->o->only[0] || strstr(test, c->o->only) != NULL;
}

smx_status vx_emit(vctx *c, const char *test, double measured, const char *unit, int verdict,
                   const char *source, const char *note, const char *bar_fmt, ...)
{
    smx_vreport *r = c->rep;
    if (!vx_want(c, test)) return SMX_OK;
    if (r->nrows == r->cap) {
        int cap = r->cap ? 2 * r->cap : 64;
        smx_vrow *rows = realloc(r->rows, (size_t)cap * sizeof *rows);
        if (!rows) {
            smx__err(c->err, c->errlen, "out of memory collecting the validation rows");
            return SMX_ENOMEM;
        }
        r->rows = rows;
        r->cap = cap;
    }
    smx_vrow *row = &r->rows[r->nrows++];
    memset(row, 0, sizeof *row);
    snprintf(row->test, sizeof row->test, "%s", test);
    row->measured = measured;
    snprintf(row->unit, sizeof row->unit, "%s", unit ? unit : "");
    snprintf(row->source, sizeof row->source, "%s", source ? source : "");
    snprintf(row->note, sizeof row->note, "%s", note ? note : "");
    va_list ap;
    va_start(ap, bar_fmt);
    vsnprintf(row->bar, sizeof row->bar, bar_fmt, ap);
    va_end(ap);
    row->verdict = verdict;
    if (verdict == SMX_VROW_PASS) r->passed++;
    else if (verdict == SMX_VROW_FAIL) r->failed++;
    else r->info++;
    if (c->o->on_row) c->o->on_row(c->o->user, row);
    return SMX_OK;
}

smx_status smx__validate(const smx_vopts *o, smx_vreport *rep, char *err, size_t errlen)
{
    memset(rep, 0, sizeof *rep);
    double t0 = smx__now_s();
    const smx_backend_iface *be = NULL;
    smx_status st = smx__backend_resolve(o->backend ? o->backend : "openmp", -1, "--backend", &be, err, errlen);
    if (st != SMX_OK) return st;
    vctx c = {.o = o, .rep = rep, .backend = be->name, .err = err, .errlen = errlen};
    c.float64 = be->supports(NULL, SMX_OP_STREAM, SMX_PRECISION_FLOAT64);
    c.out_dir = o->out_dir && o->out_dir[0] ? o->out_dir : "out/validate";
    snprintf(rep->backend, sizeof rep->backend, "%s", be->name);
    be->device_name(0, rep->device, sizeof rep->device);
    rep->precision = c.float64 ? SMX_PRECISION_FLOAT64 : SMX_PRECISION_FLOAT32;
    st = vx_mkdirs(c.out_dir, err, errlen);
    smx_status (*const tests[])(vctx *) = {vt_operators, vt_angular,  vt_vacuum,
                                           vt_splitting, vt_range,    vt_rotation,
                                           vt_leak,      vt_slabs,    vt_interfaces,
                                           vt_montecarlo, vt_gridphase, vt_accounting};
    for (size_t t = 0; st == SMX_OK && t < sizeof tests / sizeof tests[0]; t++)
        st = tests[t](&c);
    rep->runs = c.nruns;
    vx_runs_free(&c);
    rep->seconds = smx__now_s() - t0;
    return st;
}

void smx__vreport_free(smx_vreport *rep)
{
    if (!rep) return;
    free(rep->rows);
    memset(rep, 0, sizeof *rep);
}
