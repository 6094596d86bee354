/* Builds the run's grids and operator tables from a configuration. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_loaded.h"
#include "core/limits.h"
#include "core/media.h"
#include "core/nuclear.h"
#include "core/physics.h"
#include "core/secondaries.h"
#include "core/straggling.h"
#include "core/plan.h"
#include "core/util.h"

#define DEG (SMX_PI / 180.0)

/* Range bins per lockstep step: a bin of range stands for all its protons
 * at one residual range, so the stopping points of a beam form a comb of
 * that spacing; kept at most SMX_LOCKSTEP_BIN_MM (a step then moves every
 * bin exactly this many bins down). */
int smx__lockstep_sub_bins(double step_mm)
{
    int n = (int)ceil(step_mm / SMX_LOCKSTEP_BIN_MM - 1e-9);
    return n < 1 ? 1 : n;
}

static smx_status build_energy_grid(const smx_config *cfg, const smx_material *water,
                                    smx_plan *p, char *err, size_t errlen)
{
    double lo = cfg->e_min_MeV, hi = cfg->e_max_MeV;
    int ne = cfg->ne;
    double Rlo = smx__csda_range(water, lo), dR = 0;
    if (cfg->spacing == SMX_SPACING_RANGE) {
        if (p->lockstep) {
            /* lockstep: a step is a whole number of range bins (water,
             * 1 g/cm3), E_max raised to the next bin edge */
            dR = p->step_mm / 10.0 / smx__lockstep_sub_bins(p->step_mm);
            /* anchor the edges on the first beam: after the half cell of
             * the entrance it sits on a bin centre, so every step moves
             * it exactly onto another (E_min rises by less than one bin) */
            double Rc = smx__csda_range(water, cfg->beams[0].energy_MeV) - 0.5 * p->step_mm / 10.0 - 0.5 * dR;
            if (cfg->nbeams > 0 && Rc > Rlo) {
                Rlo = Rc - floor((Rc - Rlo) / dR + 1e-9) * dR;
                lo = smx__energy_at_range(water, Rlo);
            }
            double needf = ceil((smx__csda_range(water, hi) - Rlo) / dR - 1e-9);
            if (needf > SMX_NE_MAX) {
                smx__err(err, errlen, "grid.energy: with spacing: range and transport.step_mm: "
                         "auto the range-bin width is locked to %g mm, which needs %.0f bins "
                         "from %g to %g MeV (expected at most %d: coarser depth cells (the "
                         "bins follow them up to %g mm of range), a narrower energy range, or "
                         "a transport.step_mm with explicit bins)", p->step_mm / smx__lockstep_sub_bins(p->step_mm),
                         needf, lo, hi, SMX_NE_MAX, SMX_LOCKSTEP_BIN_MM);
                return SMX_ECONFIG;
            }
            int need = needf < 2 ? 2 : (int)needf;
            if (ne != 0 && ne != need) {
                smx__err(err, errlen,
                         "grid.energy.bins: with spacing: range and transport.step_mm: auto the "
                         "range-bin width is locked to dz = %g mm, which needs exactly %d bins "
                         "from %g to %g MeV (expected `auto` or %d, got %d)",
                         p->step_mm, need, lo, hi, need, ne);
                return SMX_ECONFIG;
            }
            ne = need;
        } else if (ne >= 2) {
            dR = (smx__csda_range(water, hi) - Rlo) / ne;
        }
        if (ne >= 2) hi = smx__energy_at_range(water, Rlo + ne * dR);
    }
    if (ne < 2) {
        smx__err(err, errlen, "grid.energy.bins: `auto` needs spacing: range with step_mm: auto "
                              "(expected a bin count >= 2 for spacing: %s with step_mm: %g)",
                 smx_spacing_name(cfg->spacing), cfg->step_mm);
        return SMX_ECONFIG;
    }
    if (hi > SMX_PSTAR_EMAX_MEV) {
        smx__err(err, errlen, "grid.energy.max_MeV: the grid reaches %g MeV, beyond the PSTAR "
                              "table (expected <= %g MeV)", hi, SMX_PSTAR_EMAX_MEV);
        return SMX_ECONFIG;
    }
    p->ne = ne;
    p->e_edge_MeV = calloc(ne + 1, sizeof(double));
    p->e_center_MeV = calloc(ne, sizeof(double));
    if (!p->e_edge_MeV || !p->e_center_MeV) return SMX_ENOMEM;
    for (int i = 0; i <= ne; i++) {
        double t = (double)i / ne;
        switch (cfg->spacing) {
        case SMX_SPACING_UNIFORM: p->e_edge_MeV[i] = lo + t * (hi - lo); break;
        case SMX_SPACING_LOG: p->e_edge_MeV[i] = lo * pow(hi / lo, t); break;
        case SMX_SPACING_RANGE: p->e_edge_MeV[i] = smx__energy_at_range(water, Rlo + i * dR); break;
        }
    }
    p->e_edge_MeV[0] = lo;
    for (int i = 0; i < ne; i++) {
        double a = p->e_edge_MeV[i], b = p->e_edge_MeV[i + 1];
        switch (cfg->spacing) {
        case SMX_SPACING_UNIFORM: p->e_center_MeV[i] = 0.5 * (a + b); break;
        case SMX_SPACING_LOG: p->e_center_MeV[i] = sqrt(a * b); break;
        case SMX_SPACING_RANGE:
            p->e_center_MeV[i] = smx__energy_at_range(water, Rlo + (i + 0.5) * dR);
            break;
        }
    }
    return SMX_OK;
}

static void build_theta_grid(const smx_config *cfg, smx_plan *p)
{
    int nt = p->nt;
    p->theta_rad = calloc(nt, sizeof(double));
    p->theta_rejected = calloc(nt, 1);
    if (cfg->theta_full_circle) {
        /* a bin centred on 0 (the beam direction), periodic */
        p->dtheta_rad = 2 * SMX_PI / nt;
        for (int j = 0; j < nt; j++) p->theta_rad[j] = (j - nt / 2) * p->dtheta_rad;
    } else {
        p->dtheta_rad = (cfg->theta_max_deg - cfg->theta_min_deg) * DEG / nt;
        for (int j = 0; j < nt; j++)
            p->theta_rad[j] = cfg->theta_min_deg * DEG + (j + 0.5) * p->dtheta_rad;
    }
    for (int j = 0; j < nt; j++)
        p->theta_rejected[j] = fabs(p->theta_rad[j]) > cfg->max_angle_deg * DEG * (1 + 1e-12);
}

/* Integer part and fraction of a shift, with round-off snapped so that an
 * exact lockstep shift stays exact. */
static void split_shift(double s, int *i0, double *f)
{
    double r = nearbyint(s);
    if (fabs(s - r) < 1e-9) s = r;
    *i0 = (int)floor(s);
    *f = s - *i0;
}

/* The physics of one step in medium m: post-step energy, nuclear
 * survival and straggling variance. An interface medium loses the first
 * half of the step in the upstream medium and the second in its own;
 * *upstream_share is then the fraction of the loss lost upstream (plain
 * media: see first_half_share). */
static double step_physics(const smx_config *cfg, const smx_plan *p, int m, double E,
                           double ds_cm, double *surv, double *var, double *upstream_share)
{
    const smx_material *own = &p->mat[m];
    int bohr = cfg->straggling == SMX_STRAGGLING_BOHR, nuc = cfg->nuclear == SMX_NUCLEAR_ICRU63;
    if (p->mat_upstream[m] < 0) {
        *surv = nuc ? smx__nuclear_survival(own, E, ds_cm) : 1;
        *var = bohr ? smx__bohr_variance_MeV2(own, E, ds_cm) : 0;
        return smx__energy_after(own, E, ds_cm);
    }
    const smx_material *up = &p->mat[p->mat_upstream[m]];
    double h = 0.5 * ds_cm, Eh = smx__energy_after(up, E, h), Ep = smx__energy_after(own, Eh, h);
    *surv = nuc ? smx__nuclear_survival(up, E, h) * smx__nuclear_survival(own, Eh, h) : 1;
    *var = bohr ? smx__bohr_variance_MeV2(up, E, h) + smx__bohr_variance_MeV2(own, Eh, h) : 0;
    if (E - Ep > 0) *upstream_share = (E - Eh) / (E - (Ep > 0 ? Ep : 0));
    return Ep;
}

/* Share of the loss of bin i in medium m lost in the first half of the
 * step, over the protons of the bin taken as spread uniformly in range
 * between its edges (not all at its centre): where the end of range falls
 * inside a step, the bin's protons stop over a whole bin of range, and the
 * cells on both sides of the step's midpoint get what they lose there, at
 * any phase of the grid. `absorbed`: the table deposits all the energy. */
static double first_half_share(const smx_plan *p, int m, int i, double ds_cm, int absorbed)
{
    const smx_material *own = &p->mat[m];
    double first = 0, total = 0;
    for (int s = 0; s < SMX_SUBBIN; s++) {
        double E = smx__subbin_energy(p, own, i, s);
        double Eh = smx__energy_after(own, E, 0.5 * ds_cm), Ep = smx__energy_after(own, E, ds_cm);
        first += E - (Eh > 0 ? Eh : 0);
        total += absorbed ? E : E - (Ep > 0 ? Ep : 0);
    }
    return total > 0 ? first / total : 0.5;
}

double smx__subbin_energy(const smx_plan *p, const smx_material *m, int i, int s)
{
    double Ra = smx__csda_range(m, p->e_edge_MeV[i]), Rb = smx__csda_range(m, p->e_edge_MeV[i + 1]);
    return smx__energy_at_range(m, Ra + (s + 0.5) / SMX_SUBBIN * (Rb - Ra));
}

/* The A_E entry of (medium m, bin i): nuclear survival and secondaries,
 * the straggled spread of the post-step energy over the bins, the energy
 * budget and the share of the loss in the step's first half. */
static void energy_entry(const smx_config *cfg, smx_plan *p, int m, int i, double ds_cm,
                         double *upstream_share, double *sec, const smx_cascade *casc)
{
    const double *Ec = p->e_center_MeV;
    size_t mi = (size_t)m * p->ne + i;
    double E = Ec[i], surv, var;
    double Ep = step_physics(cfg, p, m, E, ds_cm, &surv, &var, upstream_share);
    double f_local = cfg->nuclear == SMX_NUCLEAR_ICRU63 ? smx__nuclear_local_fraction(E) : 0;
    p->e_nuc_local_MeV[mi] = (1 - surv) * E * f_local;
    p->e_nuc_escape_MeV[mi] = (1 - surv) * E * (1 - f_local);
    if (sec) { /* the removed protons' cascade and elastic scattering on
                  hydrogen and on nuclei: secondaries into psi */
        const smx_material *own = &p->mat[m];
        double local, escape, pp_local, pn_local, dz = p->dz_mm / 10;
        double *pp = sec + p->ne, *pn = sec + 2 * p->ne, rho_ds = own->density_g_cm3 * ds_cm;
        smx__cascade_emit(own, &casc[i], Ec, p->ne, dz, sec, &local, &escape);
        double Emid = smx__energy_after(own, E, 0.5 * ds_cm);
        double p_pp = 1 - exp(-rho_ds * smx__pp_elastic_cm2_g(own, Emid));
        double p_pn = 1 - exp(-rho_ds * smx__pn_elastic_cm2_g(own, Emid));
        smx__pp_elastic_yield(own, E, Ec, p->ne, dz, pp, &pp_local);
        smx__pn_elastic_yield(own, E, Ec, p->ne, dz, pn, &pn_local);
        /* in this order: non-elastic, then p-p, then p-nucleus elastic */
        double f_pp = surv * p_pp, f_pn = surv * (1 - p_pp) * p_pn;
        for (int k = 0; k < p->ne; k++) sec[k] = (1 - surv) * sec[k] + f_pp * pp[k] + f_pn * pn[k];
        p->e_nuc_local_MeV[mi] = (1 - surv) * local + f_pp * pp_local + f_pn * pn_local;
        p->e_nuc_escape_MeV[mi] = (1 - surv) * escape;
        surv *= (1 - p_pp) * (1 - p_pn);
    }
    p->e_survive[mi] = surv;
    if (Ep < Ec[0] * (1 - 1e-9)) { /* stops, or falls below the lowest centre */
        const smx_material *own = &p->mat[m];
        if (Ep > 0 && smx__csda_range(own, Ep) / own->density_g_cm3 >= 0.5 * ds_cm) {
            /* far from stopping (a thin medium such as air): split between
             * the lowest centre and rest (E = 0, absorbed) with the energy
             * kept, so that what it loses here is all that is deposited */
            p->e_first[mi] = 0;
            p->e_count[mi] = 1;
            p->e_w[mi * SMX_EK_MAX] = surv * Ep / Ec[0];
            p->e_absorbed[mi] = surv * (1 - Ep / Ec[0]);
            p->e_dep_MeV[mi] = surv * (E - Ep);
            if (p->mat_upstream[m] < 0) /* the first half at the bin's centre */
                *upstream_share = (E - smx__energy_after(own, E, 0.5 * ds_cm)) / (E - Ep);
            return;
        }
        /* absorbed: the rest Ep (less than half a step of range) is
         * lost past the end of the step, on the end cell's side */
        p->e_first[mi] = -1;
        p->e_count[mi] = 0;
        p->e_absorbed[mi] = surv;
        p->e_dep_MeV[mi] = surv * E;
        if (p->mat_upstream[m] >= 0 && Ep > 0) *upstream_share *= (E - Ep) / E;
        if (p->mat_upstream[m] < 0) *upstream_share = first_half_share(p, m, i, ds_cm, 1);
        return;
    }
    double w[SMX_EK_MAX];
    int first = 0, n = smx__energy_kernel(Ec, p->ne, Ep, var, SMX_EK_MAX, &first, w);
    double mean = 0, got = 0;
    if (n < 0) n = -n;
    for (int t = 0; t < n; t++) {
        mean += w[t] * Ec[first + t];
        p->e_w[mi * SMX_EK_MAX + t] = surv * w[t];
    }
    for (int t = 0; t < n; t++) got += w[t] * (Ec[first + t] - mean) * (Ec[first + t] - mean);
    p->e_first[mi] = first;
    p->e_count[mi] = n;
    p->e_var_missing_MeV2[mi] = var > got ? var - got : 0;
    p->e_dep_MeV[mi] = surv * (E - mean);
    if (p->mat_upstream[m] < 0) *upstream_share = first_half_share(p, m, i, ds_cm, 0);
}

/* Appends the secondary targets of table entry mi (weights sec[ne]). */
static smx_status add_secondaries(smx_plan *p, size_t mi, const double *sec)
{
    int n = p->s_off[mi], cap = p->s_cap;
    for (int k = 0; k < p->ne; k++) {
        if (sec[k] <= 0) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            int *b = realloc(p->s_bin, cap * sizeof(int));
            if (b) p->s_bin = b;
            double *w = realloc(p->s_w, cap * sizeof(double));
            if (w) p->s_w = w;
            if (!b || !w) return SMX_ENOMEM;
            p->s_cap = cap;
        }
        p->s_bin[n] = k;
        p->s_w[n++] = sec[k];
        p->s_weight[mi] += sec[k];
        p->s_energy_MeV[mi] += sec[k] * p->e_center_MeV[k];
    }
    p->s_off[mi + 1] = n;
    return SMX_OK;
}

static void free_cascades(smx_cascade *c, int n)
{
    for (int i = 0; c && i < n; i++) smx__cascade_free(&c[i]);
    free(c);
}

static smx_status build_tables(const smx_config *cfg, smx_plan *p)
{
    int nt = p->nt, ne = p->ne, nm = p->nmat;
    double ds_cm = p->step_mm / 10.0;
    /* incident pv for differential Moliere: the most energetic beam */
    double Emax_beam = 0;
    for (int b = 0; b < cfg->nbeams; b++) {
        double e = cfg->beams[b].energy_MeV + 4 * cfg->beams[b].energy_spread_MeV;
        if (e > Emax_beam) Emax_beam = e;
    }
    double p1v1 = smx__pv_MeV(Emax_beam);

    p->sx0 = calloc(nt, sizeof(int));
    p->sz0 = calloc(nt, sizeof(int));
    p->sfx = calloc(nt, sizeof(double));
    p->sfz = calloc(nt, sizeof(double));
    size_t me = (size_t)nm * ne, met = me * nt;
    p->sigma2_rad2 = calloc(me, sizeof(double));
    p->e_first = calloc(me, sizeof(int));
    p->e_count = calloc(me, sizeof(int));
    p->e_w = calloc(me * SMX_EK_MAX, sizeof(double));
    p->e_survive = calloc(me, sizeof(double));
    p->e_absorbed = calloc(me, sizeof(double));
    p->e_dep_MeV = calloc(me, sizeof(double));
    p->e_nuc_local_MeV = calloc(me, sizeof(double));
    p->e_nuc_escape_MeV = calloc(me, sizeof(double));
    p->e_var_missing_MeV2 = calloc(me, sizeof(double));
    p->dx0 = calloc(met, sizeof(int));
    p->dz0 = calloc(met, sizeof(int));
    p->dfx = calloc(met, sizeof(double));
    p->dfz = calloc(met, sizeof(double));
    double *centroid = calloc(me, sizeof(double)), *first_half = calloc(me, sizeof(double)), *sec = NULL;
    int secondaries = cfg->nuclear == SMX_NUCLEAR_ICRU63 && cfg->secondaries == SMX_SECONDARIES_TRANSPORT;
    if (secondaries) { /* scratch: cascade, p-p and p-nucleus yields of one entry */
        sec = calloc(3 * (size_t)ne, sizeof(double));
        p->s_weight = calloc(me, sizeof(double));
        p->s_energy_MeV = calloc(me, sizeof(double));
    }
    p->s_off = calloc(me + 1, sizeof(int));
    /* the cascade of each bin's energy, shared by every medium */
    smx_cascade *casc = secondaries ? calloc(ne, sizeof *casc) : NULL;
    int casc_ok = !secondaries || casc;
    for (int i = 0; casc && i < ne && casc_ok; i++)
        casc_ok = smx__cascade(p->e_center_MeV[i], &casc[i]) == SMX_OK;
    if (!p->sx0 || !p->sz0 || !p->sfx || !p->sfz || !p->sigma2_rad2 || !p->e_first ||
        !p->e_count || !p->e_w || !p->e_survive || !p->e_absorbed || !p->e_dep_MeV || !p->e_nuc_local_MeV ||
        !p->e_nuc_escape_MeV || !p->e_var_missing_MeV2 || !p->dx0 || !p->dz0 || !p->dfx ||
        !p->dfz || !centroid || !first_half || !p->s_off ||
        (secondaries && (!sec || !p->s_weight || !p->s_energy_MeV)) || !casc_ok) {
        free(centroid);
        free(first_half);
        free(sec);
        free_cascades(casc, ne);
        return SMX_ENOMEM;
    }
    for (int j = 0; j < nt; j++) {
        split_shift(p->step_mm * sin(p->theta_rad[j]) / p->dx_mm, &p->sx0[j], &p->sfx[j]);
        split_shift(p->step_mm * cos(p->theta_rad[j]) / p->dz_mm, &p->sz0[j], &p->sfz[j]);
    }

    const double *Ec = p->e_center_MeV;
    for (int m = 0; m < nm; m++) {
        const smx_material *mat = &p->mat[m];
        for (int i = 0; i < ne; i++) {
            size_t mi = (size_t)m * ne + i;
            double E = Ec[i];
            p->sigma2_rad2[mi] = smx__scatter_variance(cfg->scattering, mat, E, ds_cm,
                                                       p->e_edge_MeV[0], p1v1);
            double share = 0.5;
            energy_entry(cfg, p, m, i, ds_cm, &share, sec, casc);
            if (sec && add_secondaries(p, mi, sec) != SMX_OK) {
                free(centroid);
                free(first_half);
                free(sec);
                free_cascades(casc, ne);
                return SMX_ENOMEM;
            }
            centroid[mi] = smx__loss_centroid_cm(mat, E, ds_cm) / ds_cm;
            first_half[mi] = share;
        }
    }
    /* deposit offsets. Across: p_end - shift * (1 - centroid of the loss
     * along the step). Along z: the one-cell box at p_end - shift * (share
     * of the loss in the step's first half) gives the start and end cells
     * of a lockstep step exactly what was lost on their sides of the
     * boundary between them, also where the Bragg peak or the end of range
     * falls inside the step (a centroid would not); an interface medium
     * puts its upstream share exactly one cell back (a point, plan.h). */
    for (int m = 0; m < nm; m++)
        for (int i = 0; i < ne; i++)
            for (int j = 0; j < nt; j++) {
                size_t mi = (size_t)m * ne + i, mij = mi * nt + j;
                double back = 1.0 - centroid[mi];
                split_shift(-back * p->step_mm * sin(p->theta_rad[j]) / p->dx_mm, &p->dx0[mij],
                            &p->dfx[mij]);
                double bz = p->mat_upstream[m] < 0
                                ? first_half[mi] * p->step_mm * cos(p->theta_rad[j]) / p->dz_mm
                                : first_half[mi];
                split_shift(-bz, &p->dz0[mij], &p->dfz[mij]);
            }
    free(first_half);
    free(centroid);
    free(sec);
    free_cascades(casc, ne);

    /* angular kernels: full step and half step, moment matched */
    int kcap = cfg->theta_full_circle ? nt / 2 : nt;
    if (kcap < 1) kcap = 1;
    double *w = malloc(sizeof(double) * (2 * kcap + 1));
    int kmax = 1;
    p->k_half = calloc((size_t)SMX_KERNEL_VARIANTS * me, sizeof(int));
    if (!w || !p->k_half) {
        free(w);
        return SMX_ENOMEM;
    }
    double dth2 = p->dtheta_rad * p->dtheta_rad;
    for (int v = 0; v < SMX_KERNEL_VARIANTS; v++)
        for (size_t mi = 0; mi < me; mi++) {
            double s2 = p->sigma2_rad2[mi] / dth2 * (v == SMX_KERNEL_HALF ? 0.5 : 1.0);
            int K = smx__angular_kernel(s2, kcap, w);
            p->k_half[v * me + mi] = K;
            if (K > kmax) kmax = K;
        }
    p->kmax = kmax;
    p->k_weight = calloc((size_t)SMX_KERNEL_VARIANTS * me * (2 * kmax + 1), sizeof(double));
    if (!p->k_weight) {
        free(w);
        return SMX_ENOMEM;
    }
    for (int v = 0; v < SMX_KERNEL_VARIANTS; v++)
        for (size_t mi = 0; mi < me; mi++) {
            double s2 = p->sigma2_rad2[mi] / dth2 * (v == SMX_KERNEL_HALF ? 0.5 : 1.0);
            int K = smx__angular_kernel(s2, kcap, w);
            double *dst = p->k_weight + (v * me + mi) * (2 * kmax + 1);
            for (int k = -K; k <= K; k++) dst[kmax + k] = w[kcap + k];
        }
    free(w);
    return SMX_OK;
}

smx_status smx__plan_grids(const smx_config *cfg, smx_plan *p, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    /* a configuration as loaded was checked by the load (with positions) */
    smx_status st = smx__config_as_loaded(cfg) ? SMX_OK : smx_config_check(cfg, err, errlen);
    if (st != SMX_OK) return st;
    p->nx = cfg->nx;
    p->nz = cfg->nz;
    p->nt = cfg->ntheta;
    p->x_min_mm = cfg->x_min_mm;
    p->dx_mm = (cfg->x_max_mm - cfg->x_min_mm) / cfg->nx;
    p->dz_mm = cfg->z_max_mm / cfg->nz;
    p->dy_mm = cfg->y_thickness_mm;
    p->full_circle = cfg->theta_full_circle;
    p->step_mm = cfg->step_mm > 0 ? cfg->step_mm : p->dz_mm;
    p->lockstep = cfg->step_mm <= 0 && cfg->spacing == SMX_SPACING_RANGE;
    p->moments = cfg->streaming == SMX_STREAM_CENTROID;
    p->trim_weight = SMX_TRIM_WEIGHT;

    smx_material water;
    if ((st = smx__material_load("water", &water, err, errlen)) != SMX_OK) return st;
    p->x_mm = calloc(p->nx, sizeof(double));
    p->z_mm = calloc(p->nz, sizeof(double));
    if (!p->x_mm || !p->z_mm) {
        smx__plan_free(p);
        return SMX_ENOMEM;
    }
    for (int ix = 0; ix < p->nx; ix++) p->x_mm[ix] = p->x_min_mm + (ix + 0.5) * p->dx_mm;
    for (int iz = 0; iz < p->nz; iz++) p->z_mm[iz] = (iz + 0.5) * p->dz_mm;

    if ((st = build_energy_grid(cfg, &water, p, err, errlen)) != SMX_OK) {
        smx__plan_free(p);
        return st;
    }
    for (int b = 0; b < cfg->nbeams; b++)
        if (cfg->beams[b].energy_MeV > p->e_edge_MeV[p->ne] * (1 + 1e-12)) {
            smx__err(err, errlen, "beams[%d].energy_MeV: %g MeV is above the energy grid "
                                  "(expected <= %g MeV)", b, cfg->beams[b].energy_MeV,
                     p->e_edge_MeV[p->ne]);
            smx__plan_free(p);
            return SMX_ECONFIG;
        }
    build_theta_grid(cfg, p);
    if (!p->theta_rad || !p->theta_rejected) {
        smx__plan_free(p);
        return SMX_ENOMEM;
    }
    return SMX_OK;
}

smx_status smx__plan_tables(const smx_config *cfg, smx_plan *p, char *err, size_t errlen)
{
    smx_status st = smx__media_build(cfg, p, err, errlen);
    if (st != SMX_OK) {
        smx__plan_free(p);
        return st;
    }
    st = build_tables(cfg, p);
    if (st != SMX_OK) {
        smx__plan_free(p);
        if (st == SMX_ENOMEM) smx__err(err, errlen, "out of memory building the tables");
    }
    return st;
}

smx_status smx__plan_build(const smx_config *cfg, smx_plan *p, char *err, size_t errlen)
{
    smx_status st = smx__plan_grids(cfg, p, err, errlen);
    return st == SMX_OK ? smx__plan_tables(cfg, p, err, errlen) : st;
}

void smx__plan_free(smx_plan *p)
{
    void *ptrs[] = {p->x_mm, p->z_mm, p->theta_rad, p->e_edge_MeV, p->e_center_MeV, p->mat,
                    p->cell_mat, p->k_half, p->k_weight, p->sigma2_rad2, p->theta_rejected,
                    p->sx0, p->sz0, p->sfx, p->sfz, p->e_first, p->e_count, p->e_w,
                    p->e_survive, p->e_absorbed, p->e_dep_MeV, p->e_nuc_local_MeV, p->e_nuc_escape_MeV,
                    p->e_var_missing_MeV2, p->mat_upstream, p->dep_allow,
                    p->s_off, p->s_bin, p->s_w, p->s_weight, p->s_energy_MeV, p->fine_prof,
                    p->dx0, p->dz0, p->dfx, p->dfz};
    for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) free(ptrs[i]);
    memset(p, 0, sizeof *p);
}

int smx__energy_range_after(const smx_plan *p, int lo, int hi, int *new_lo, int *new_hi)
{
    int nl = p->ne, nh = -1;
    for (int m = 0; m < p->nmat; m++)
        for (int i = lo; i <= hi; i++) {
            size_t mi = (size_t)m * p->ne + i;
            for (int t = 0; t < p->e_count[mi]; t++) {
                if (p->e_w[mi * SMX_EK_MAX + t] == 0) continue;
                int k = p->e_first[mi] + t;
                if (k < nl) nl = k;
                if (k > nh) nh = k;
            }
            for (int n = p->s_off[mi]; n < p->s_off[mi + 1]; n++) {
                if (p->s_bin[n] < nl) nl = p->s_bin[n];
                if (p->s_bin[n] > nh) nh = p->s_bin[n];
            }
        }
    *new_lo = nl;
    *new_hi = nh;
    return nh >= nl;
}
