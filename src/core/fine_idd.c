/* The fine depth tally. A_E deposits a step's loss on the depth cells; the
 * fine tally places the same energy along the step instead, where it is
 * lost: per (medium, bin) a loss profile over SMX_FINE_SEGMENTS segments of
 * the path, taken over the bin's protons spread uniformly in range between
 * its edges (as the deposit split of plan.c), and per row of the state its
 * weight and centroid. A lockstep beam on 2 mm cells then still reports its
 * range to the tally's resolution. */
#include <math.h>
#include <stdlib.h>

#include "core/fine_idd.h"
#include "core/physics.h"

smx_status smx__fine_tables(smx_plan *p)
{
    size_t me = (size_t)p->nmat * p->ne;
    p->fine_prof = calloc(me * SMX_FINE_SEGMENTS, sizeof(double));
    if (!p->fine_prof) return SMX_ENOMEM;
    double ds = p->step_mm / 10.0, h = 2.0 / SMX_FINE_SEGMENTS;
    for (size_t mi = 0; mi < me; mi++) {
        int mm = (int)(mi / p->ne), up = p->mat_upstream[mm];
        const smx_material *m = &p->mat[mm];
        /* an interface medium: the first half step in the medium upstream */
        const smx_material *mu = up >= 0 ? &p->mat[up] : m;
        int i = (int)(mi % p->ne), absorbed = p->e_first[mi] < 0;
        double *f = p->fine_prof + mi * SMX_FINE_SEGMENTS, tot = 0;
        for (int s = 0; s < SMX_SUBBIN; s++) {
            double E = smx__subbin_energy(p, mu, i, s), prev = E;
            double Eh = up >= 0 ? fmax(smx__energy_after(mu, E, 0.5 * ds), 0) : E;
            /* a proton kept in psi loses only this step's part here */
            int last = absorbed ? SMX_FINE_SEGMENTS : SMX_FINE_SEGMENTS / 2;
            for (int k = 0; k < last; k++) {
                double path = (k + 1) * h * ds, Ek;
                if (up < 0) Ek = smx__energy_after(m, E, path);
                else Ek = path <= 0.5 * ds ? smx__energy_after(mu, E, path)
                                           : smx__energy_after(m, Eh, path - 0.5 * ds);
                Ek = Ek > 0 ? Ek : 0;
                f[k] += prev - Ek;
                prev = Ek;
            }
            if (absorbed) f[last - 1] += prev; /* whatever is left, at the end */
        }
        for (int k = 0; k < SMX_FINE_SEGMENTS; k++) tot += f[k];
        for (int k = 0; k < SMX_FINE_SEGMENTS; k++) f[k] = tot > 0 ? f[k] / tot : 0;
        if (!(tot > 0)) f[SMX_FINE_SEGMENTS / 4] = 1; /* no loss: mid-step */
    }
    return SMX_OK;
}

static void fine_point(double pos_mm, double e, double res_mm, int nf, double *fine)
{
    int b = (int)floor(pos_mm / res_mm);
    fine[b < 0 ? 0 : (b >= nf ? nf - 1 : b)] += e;
}

/* Energy e spread uniformly over [a, b] mm, shared by overlap. */
void smx__fine_spread(double a_mm, double b_mm, double e, double res_mm, int nf, double *fine)
{
    if (b_mm < a_mm) {
        double t = a_mm;
        a_mm = b_mm, b_mm = t;
    }
    if (b_mm - a_mm < 1e-12 * res_mm) {
        fine_point(a_mm, e, res_mm, nf, fine);
        return;
    }
    for (int b = (int)floor(a_mm / res_mm); b * res_mm < b_mm; b++) {
        double lo = fmax(a_mm, b * res_mm), hi = fmin(b_mm, (b + 1) * res_mm);
        if (hi > lo) fine_point((b + 0.5) * res_mm, e * (hi - lo) / (b_mm - a_mm), res_mm, nf, fine);
    }
}

void smx__fine_add(const smx_plan *p, int lo, int hi, const double *w, const double *mz,
                   double res_mm, int nf, double *fine)
{
    double h = 2.0 / SMX_FINE_SEGMENTS;
    for (int i = lo; i <= hi; i++)
        for (int j = 0; j < p->nt; j++) {
            double shift = p->step_mm * cos(p->theta_rad[j]); /* mm along z */
            for (int z = 0; z < p->nz; z++) {
                size_t r = ((size_t)(i - lo) * p->nt + j) * p->nz + z;
                if (w[r] == 0) continue;
                double u = mz[r] / w[r];
                u = u < -0.5 ? -0.5 : (u > 0.5 ? 0.5 : u);
                /* the row's medium (one per row: run.c refuses others) */
                size_t mi = (size_t)p->cell_mat[(size_t)z * p->nx] * p->ne + i;
                double dep = w[r] * (p->e_dep_MeV[mi] + p->e_nuc_local_MeV[mi]);
                /* an interface row: the step crosses the interface (the row's
                 * upper edge) at its middle, as A_E splits it */
                int iface = p->mat_upstream[p->cell_mat[(size_t)z * p->nx]] >= 0;
                double end = iface ? z * p->dz_mm + 0.5 * shift : (z + 0.5 + u) * p->dz_mm;
                const double *f = p->fine_prof + mi * SMX_FINE_SEGMENTS;
                for (int k = 0; k < SMX_FINE_SEGMENTS; k++)
                    if (f[k] > 0)
                        smx__fine_spread(end - shift * (1 - k * h), end - shift * (1 - (k + 1) * h),
                                         dep * f[k], res_mm, nf, fine);
            }
        }
}
