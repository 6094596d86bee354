/* Test 12: accounting over whole runs. For every transport run the suite
 * made: source = leaked (every edge, theta window, source tails) +
 * rejected + absorbed + nuclear + trimmed + remaining for the weight, and
 * source = deposited + nuclear (local and escaped) + leaked + remaining
 * for the energy; the deposit grid must hold the deposited energy. The
 * worst per-step imbalance the runs reported is a second row (the bar of
 * docs/physics.md, "Accounting"). A float32 state rounds every step, so a run's closure is judged
 * against what its steps allow: the bar, or its worst step's imbalance
 * times its steps when that is larger (the sum of its steps' imbalances
 * bounds the run's); closure over that means a sink missing from the
 * totals. */
#include <math.h>
#include <stdio.h>

#include "validate/vint.h"

static double closure(const vrun *r)
{
    const smx_accounting *a = &r->a;
    double w, e;
    smx_accounting_sinks(a, &w, &e);
    double grid = 0;
    for (size_t q = 0; q < (size_t)r->nx * r->nz; q++) grid += r->edep[q];
    double dg = fabs(grid - a->energy_deposited - a->energy_nuclear_deposited) / a->energy_source;
    return fmax(fmax(fabs(w - a->weight_source) / a->weight_source,
                     fabs(e - a->energy_source) / a->energy_source), dg);
}

smx_status vt_accounting(vctx *c)
{
    const char *t_close = "accounting/closure/all-runs", *t_step = "accounting/worst_step_imbalance/all-runs";
    if (!vx_want(c, t_close) && !vx_want(c, t_step)) return SMX_OK;
    if (c->nruns == 0) { /* selected alone: make one run to check */
        vgrid g;
        char name[96], label[96];
        smx_config cfg;
        const vrun *r;
        vx_std_grid(70, &g, name, sizeof name, label, sizeof label);
        vx_pencil_config(c, &g, 70, 0, &cfg);
        smx_status st = vx_run(c, name, &cfg, 1, &r);
        if (st != SMX_OK) return st;
    }
    double worst_c = 0, worst_s = 0, bar = vx_conservation_bar(c), worst_ratio = 0;
    const char *wc = "", *ws = "";
    int n = 0;
    for (int k = 0; k < c->nruns; k++) {
        const vrun *r = c->runs[k];
        if (r->failed) continue;
        n++;
        double cl = closure(r), st = fmax(r->a.worst_weight_imbalance, r->a.worst_energy_imbalance);
        double allowed = c->float64 ? bar : fmax(bar, st * r->steps);
        if (cl / allowed >= worst_ratio) worst_ratio = cl / allowed, worst_c = cl, wc = r->name;
        if (st >= worst_s) worst_s = st, ws = r->name;
    }
    char note[320];
    const char *prec = c->float64 ? "float64" : "float32";
    snprintf(note, sizeof note, "worst relative closure of weight, energy and deposit grid over %d "
             "runs, against its bar: %s (%.2f of its bar)", n, wc, worst_ratio);
    smx_status st = vx_emit(c, t_close, worst_c, "", n > 0 && worst_ratio <= 1 ? SMX_VROW_PASS : SMX_VROW_FAIL,
                            VX_SRC_ACCT, note, c->float64 ? "<= %.0e (%s)" : "<= max(%.0e, worst step x steps) (%s)",
                            bar, prec);
    snprintf(note, sizeof note, "worst per-step weight or energy imbalance over %d runs: %s", n, ws);
    if (st == SMX_OK)
        st = vx_emit(c, t_step, worst_s, "", n > 0 && worst_s <= bar ? SMX_VROW_PASS : SMX_VROW_FAIL,
                     VX_SRC_ACCT, note, "<= %.0e (%s)", bar, prec);
    return st;
}
