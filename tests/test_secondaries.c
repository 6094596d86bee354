/* Nuclear secondaries (transport.secondaries): the cascade and p-p elastic
 * tables keep energy, and a run that transports them closes its
 * accounting with the created weight, moves energy from the entrance
 * downstream and agrees between backends. */
#include <criterion/criterion.h>
#include <math.h>

#include "core/secondaries.h"
#include "harness.h"

static smx_material load_mat(const char *name)
{
    smx_material m;
    char err[512];
    cr_assert_eq(smx__material_load(name, &m, err, sizeof err), SMX_OK, "%s", err);
    return m;
}

/* Centres 1 MeV apart from 1.5 MeV: a plain grid for the yields. */
static void centres(double *Ec, int ne)
{
    for (int i = 0; i < ne; i++) Ec[i] = 1.5 + i;
}

Test(secondaries, cascade_keeps_the_energy_of_a_removed_proton)
{
    const char *mats[] = {"water", "bone_cortical_icrp", "air", "pmma"};
    double Ec[260], w[260];
    centres(Ec, 260);
    for (int k = 0; k < 4; k++) {
        smx_material m = load_mat(mats[k]);
        for (double E = 5; E <= 250; E *= 1.7) {
            double local, escape, sec = 0, n = 0;
            smx__secondary_yield(&m, E, Ec, 260, 0.1, w, &local, &escape);
            for (int i = 0; i < 260; i++) {
                cr_expect(w[i] >= 0, "%s %g MeV: negative weight %g", mats[k], E, w[i]);
                sec += w[i] * Ec[i];
                n += w[i];
            }
            cr_expect(local >= 0 && escape >= 0, "%s %g MeV: local %g escape %g", mats[k], E, local, escape);
            cr_expect_float_eq(local + escape + sec, E, 1e-9 * E, "%s %g MeV: %g + %g + %g", mats[k],
                               E, local, escape, sec);
            for (int i = 0; i < 260; i++)
                cr_expect(w[i] == 0 || Ec[i] < E + 1, "%s %g MeV: a secondary above its parent", mats[k], E);
            if (E > 50) cr_expect(n > 0.5, "%s %g MeV: %g secondary protons", mats[k], E, n);
        }
    }
}

/* Published shares at 100 MeV (this model): about half the energy of a
 * removed proton goes to secondary protons, a third escapes. */
Test(secondaries, cascade_shares_at_100MeV)
{
    smx_material m = load_mat("water");
    double Ec[260], w[260], local, escape, sec = 0;
    centres(Ec, 260);
    smx__secondary_yield(&m, 100, Ec, 260, 0.1, w, &local, &escape);
    for (int i = 0; i < 260; i++) sec += w[i] * Ec[i];
    cr_expect(sec > 45 && sec < 65, "secondary protons %g MeV", sec);
    cr_expect(escape > 25 && escape < 40, "escaping %g MeV", escape);
}

Test(secondaries, pp_elastic_keeps_energy_and_scales_with_hydrogen)
{
    smx_material w = load_mat("water"), al = load_mat("aluminium"), pe = load_mat("polystyrene");
    double Ec[260], y[260], local, sec = 0;
    centres(Ec, 260);
    smx__pp_elastic_yield(&w, 100, Ec, 260, 0.1, y, &local);
    for (int i = 0; i < 260; i++) sec += y[i] * Ec[i];
    cr_expect_float_eq(sec + local, 100, 1e-9 * 100, "p-p elastic: %g + %g", sec, local);
    cr_expect_float_eq(smx__pp_elastic_cm2_g(&w, 100), 0.315 * pow(100, -1.126) + 3.78e-4, 1e-9,
                       "water at 100 MeV");
    cr_expect_eq(smx__pp_elastic_cm2_g(&al, 100), 0, "no hydrogen in aluminium");
    cr_expect(smx__pp_elastic_cm2_g(&pe, 100) < smx__pp_elastic_cm2_g(&w, 100), "polystyrene 7.7 %% H");
    cr_expect_eq(smx__pp_elastic_cm2_g(&w, 5), 0, "below 10 MeV");
}

static smx_config pencil(smx_secondaries s, const char *backend)
{
    smx_config c = small_pencil(70, 20, 45, 45, backend);
    c.secondaries = s;
    return c;
}

Test(secondaries, transported_run_closes_and_moves_energy_downstream)
{
    smx_config ct = pencil(SMX_SECONDARIES_TRANSPORT, "reference"), cl = pencil(SMX_SECONDARIES_LOCAL, "reference");
    smx_run *rt = run_config(&ct), *rl = run_config(&cl);
    const smx_result *t = smx_run_result(rt), *l = smx_run_result(rl);
    const smx_accounting *a = &t->accounting;
    double w, e;
    smx_accounting_sinks(a, &w, &e);
    cr_expect_float_eq(w, a->weight_source, 1e-12, "weight: sinks %.17g source %.17g", w, a->weight_source);
    cr_expect_float_eq(e, a->energy_source, 1e-12 * a->energy_source, "energy: sinks %.17g", e);
    cr_expect(a->weight_secondary > 0.01 && a->energy_secondary > 0.5, "created %g, %g MeV",
              a->weight_secondary, a->energy_secondary);
    cr_expect_eq(l->accounting.weight_secondary, 0, "local: no secondaries");
    cr_expect_leq(a->worst_weight_imbalance, 1e-12, "worst step %g", a->worst_weight_imbalance);
    /* the entrance gets less (energy carried away), the dose as a whole more
     * (less escapes than the local split lets go) */
    cr_expect_lt(t->idd_MeV_per_mm[0], l->idd_MeV_per_mm[0], "entrance %g vs local %g",
                 t->idd_MeV_per_mm[0], l->idd_MeV_per_mm[0]);
    double dt = a->energy_deposited + a->energy_nuclear_deposited;
    double dl = l->accounting.energy_deposited + l->accounting.energy_nuclear_deposited;
    cr_expect_gt(dt, dl, "deposited %g vs local %g MeV", dt, dl);
    /* every float32 backend present agrees with the reference */
    for (int b = 0; b < N_FLOAT32_BACKENDS; b++) {
        char why[256] = "";
        if (!backend_present(float32_backends[b], why, sizeof why)) continue;
        smx_config cf = pencil(SMX_SECONDARIES_TRANSPORT, float32_backends[b]);
        smx_run *rf = run_config(&cf);
        const smx_result *f = smx_run_result(rf);
        double num = 0, den = 0;
        for (int q = 0; q < f->nx * f->nz; q++) {
            double d = f->dose_Gy[q] - t->dose_Gy[q];
            num += d * d;
            den += t->dose_Gy[q] * t->dose_Gy[q];
        }
        cr_expect_leq(num / den, 1e-7, "%s: dose NMSE %g", float32_backends[b], num / den);
        cr_expect_float_eq(f->accounting.weight_secondary, a->weight_secondary,
                           1e-5 * a->weight_secondary, "%s: created weight", float32_backends[b]);
        smx_run_free(rf);
    }
    smx_run_free(rt);
    smx_run_free(rl);
}
