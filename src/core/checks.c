/* Result checks (see checks.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/checks.h"

static void warn(smx_result *r, const char *fmt, ...)
{
    if (r->nwarnings >= SMX_MAX_WARNINGS) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warnings[r->nwarnings++], SMX_WARNING_LEN, fmt, ap);
    va_end(ap);
}

static int all_finite(const double *v, size_t n, double *sum)
{
    *sum = 0;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(v[k])) return 0;
        *sum += v[k];
    }
    return 1;
}

void smx__result_check(smx_result *r)
{
    const smx_accounting *a = &r->accounting;
    size_t cells = (size_t)r->nx * r->nz;
    double edep, dose, w0 = a->weight_source > 0 ? a->weight_source : 1;
    r->nwarnings = 0;
    if (!all_finite(r->edep_MeV_per_proton, cells, &edep) || !all_finite(r->dose_Gy, cells, &dose))
        warn(r, "the dose holds values that are not finite numbers (NaN or infinite)");
    else if (!(edep > 0))
        warn(r, "no dose was deposited on the grid");
    if (r->steps == 0)
        warn(r, "no transport step was taken: the beam was absorbed or lost at injection "
             "(grid.nz, the beam's angle or position)");
    if (a->weight_source_leaked > SMX_CHECK_LOSS * w0)
        warn(r, "%.3g%% of the source weight fell outside the grid at injection (beyond x_mm, "
             "outside the theta window or at |theta| >= 90 deg)", 100 * a->weight_source_leaked / w0);
    if (a->weight_leaked[SMX_EDGE_ZMAX] > SMX_CHECK_LOSS * w0)
        warn(r, "%.3g%% of the protons left through z_max: the grid is shorter than their range",
             100 * a->weight_leaked[SMX_EDGE_ZMAX] / w0);
    /* by energy: the wide-angle protons of a fine window are mostly slow
     * secondaries near the end of range (water_100MeV: 0.2 % of the weight,
     * 0.014 % of the energy leave its +-15 deg) */
    double e0 = a->energy_source > 0 ? a->energy_source : 1;
    if (a->energy_leaked[SMX_EDGE_THETA] > SMX_CHECK_LOSS * e0)
        warn(r, "%.3g%% of the beam's energy scattered out of the theta window: it is too "
             "narrow for this beam (grid.theta)", 100 * a->energy_leaked[SMX_EDGE_THETA] / e0);
    if (a->weight_remaining > SMX_CHECK_LOSS * w0)
        warn(r, "%.3g%% of the weight was still in flight after %d steps (transport.max_steps)",
             100 * a->weight_remaining / w0, r->steps);
    double bar = r->precision == SMX_PRECISION_FLOAT64 ? SMX_CHECK_STEP_F64 : SMX_CHECK_STEP_F32;
    double worst = fmax(a->worst_weight_imbalance, a->worst_energy_imbalance);
    if (!(worst <= bar))
        warn(r, "conservation: a step's weight or energy balance is off by %.3g (step %d; "
             "expected <= %g for %s)", worst, a->worst_weight_imbalance >= a->worst_energy_imbalance
             ? a->worst_weight_step : a->worst_energy_step, bar, smx_precision_name(r->precision));
    double w, e;
    smx_accounting_sinks(a, &w, &e);
    double cl = fmax(fabs(w - a->weight_source) / w0,
                     a->energy_source > 0 ? fabs(e - a->energy_source) / a->energy_source : 0);
    double allowed = fmax(bar, worst * r->steps);
    if (!(cl <= allowed))
        warn(r, "conservation: the run's sinks differ from its source by %.3g (expected <= %.3g)",
             cl, allowed);
    if (r->steps > 0 && !isfinite(r->metrics.r80_mm))
        warn(r, "no R80: the depth dose has no distal 80%% point on the grid");
}
