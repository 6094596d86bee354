/* Non-elastic nuclear interactions (docs/physics.md; the nuclear bar of
 * docs/validation.md, "Reference values and bars"). */
#include <criterion/criterion.h>
#include <math.h>

#include "core/nuclear.h"
#include "core/physics.h"

static smx_material load(const char *name)
{
    smx_material m;
    char err[512];
    cr_assert_eq(smx__material_load(name, &m, err, sizeof err), SMX_OK, "%s", err);
    return m;
}

/* Fraction of primaries removed over the full CSDA range. */
static double lost_full_range(const smx_material *m, double E)
{
    double range_cm = smx__csda_range(m, E) / m->density_g_cm3;
    return 1.0 - smx__nuclear_survival(m, E, 2.0 * range_cm);
}

/* docs/validation.md, "Reference values and bars": primaries lost over the
 * range in water, 100 MeV 9% +- 1.5, 200 MeV 24% +- 3 (measured with this
 * model: 9.21% and 23.63%). */
Test(nuclear, water_full_range_loss_within_spec_bars)
{
    smx_material m = load("water");
    double l100 = lost_full_range(&m, 100.0), l200 = lost_full_range(&m, 200.0);
    cr_log_info("water: lost over the range 100 MeV %.4f, 200 MeV %.4f", l100, l200);
    cr_expect(l100 > 0.075 && l100 < 0.105, "100 MeV: lost %.4f", l100);
    cr_expect(l200 > 0.21 && l200 < 0.27, "200 MeV: lost %.4f", l200);
}

/* About 1% per cm of water above 100 MeV (docs/physics.md, "Nuclear
 * interactions (non-elastic removal)"). */
Test(nuclear, water_rate_about_one_percent_per_cm)
{
    smx_material m = load("water");
    for (double E = 100; E <= 250; E += 25) {
        double mu = m.density_g_cm3 * smx__nuclear_sigma_cm2_g(&m, E);
        cr_expect(mu > 0.008 && mu < 0.012, "rho sigma(%g MeV) = %g /cm", E, mu);
        /* a 1 cm step loses about that fraction */
        double lost = 1 - smx__nuclear_survival(&m, E, 1.0);
        cr_expect(fabs(lost - mu) < 0.1 * mu, "1 cm at %g MeV: lost %g, rho sigma %g", E, lost, mu);
    }
}

/* The elemental cross section is the Wellisch-Axen formula as in Geant4's
 * G4ProtonInelasticCrossSection (values evaluated independently from that
 * formula; above 30 MeV the 1% threshold rescaling changes < 1e-4). */
Test(nuclear, element_cross_sections_match_the_source_formula)
{
    const double E[] = {100, 150, 200};
    const double O16[] = {303.6975, 282.3258, 276.3891}, C12[] = {241.9733, 224.6432, 219.9171};
    for (int k = 0; k < 3; k++) {
        double o = smx__nuclear_sigma_element_mb(8, 16, E[k]);
        double c = smx__nuclear_sigma_element_mb(6, 12, E[k]);
        cr_expect(fabs(o / O16[k] - 1) < 2e-4, "O-16 at %g MeV: %.4f mb, formula %.4f", E[k], o, O16[k]);
        cr_expect(fabs(c / C12[k] - 1) < 2e-4, "C-12 at %g MeV: %.4f mb, formula %.4f", E[k], c, C12[k]);
    }
    /* hydrogen: no non-elastic channel below the pion threshold */
    cr_expect_eq(smx__nuclear_sigma_element_mb(1, 1, 150.0), 0.0);
}

/* Water at 150 MeV: N_A * 0.888106 * 282.33 mb / 15.999 = 0.009438 cm2/g.
 * Independent public values for water: the Fippel & Soukup 2004 (Med. Phys.
 * 31:2263) parameterisation as coded in MGHPhysicsResearch/moquimc
 * moqui/base/mqi_po_inelastic.hpp gives 0.00988 cm2/g; the Geant4-derived
 * table of the same file 0.00947. Within 20% of both. */
Test(nuclear, water_sigma_at_150_MeV)
{
    smx_material m = load("water");
    double s = smx__nuclear_sigma_cm2_g(&m, 150.0);
    cr_log_info("water sigma/rho(150 MeV) = %.6f cm2/g", s);
    cr_expect(fabs(s / 0.009438 - 1) < 2e-3, "sigma/rho = %g (formula 0.009438)", s);
    cr_expect(fabs(s / 0.00988 - 1) < 0.20, "vs Fippel-Soukup 0.00988: %g", s);
    cr_expect(fabs(s / 0.00947 - 1) < 0.20, "vs Geant4 table 0.00947: %g", s);
}

Test(nuclear, zero_below_threshold)
{
    smx_material m = load("water");
    double t = smx__nuclear_threshold_MeV(&m);
    cr_expect(t > 2.0 && t < 3.5, "water threshold %g MeV (O-16 ~2.6)", t);
    cr_expect_eq(smx__nuclear_sigma_element_mb(8, 16, 0.99 * t), 0.0);
    cr_expect_eq(smx__nuclear_sigma_cm2_g(&m, 0.99 * t), 0.0);
    cr_expect_eq(smx__nuclear_sigma_cm2_g(&m, 1.0), 0.0);
    cr_expect_eq(smx__nuclear_sigma_cm2_g(&m, 0.0), 0.0);
    /* continuous at the threshold, positive above */
    cr_expect(smx__nuclear_sigma_cm2_g(&m, 1.001 * t) < 1e-5);
    cr_expect_gt(smx__nuclear_sigma_cm2_g(&m, 1.1 * t), 0.0);
    /* a proton below the threshold is never removed */
    cr_expect_eq(smx__nuclear_survival(&m, 0.9 * t, 10.0), 1.0);
}

Test(nuclear, survival_of_zero_path_is_one_and_steps_compose)
{
    smx_material m = load("water");
    cr_expect_eq(smx__nuclear_survival(&m, 150.0, 0.0), 1.0);
    cr_expect_eq(smx__nuclear_survival(&m, 150.0, -1.0), 1.0);
    cr_expect_eq(smx__nuclear_survival(&m, 0.0, 1.0), 1.0);
    /* product over 1 mm steps along the CSDA path = one long path */
    double E = 200.0, P = 1.0;
    for (int k = 0; k < 400 && E > 0; k++) {
        double p = smx__nuclear_survival(&m, E, 0.1);
        cr_expect(p > 0 && p <= 1, "step survival %g", p);
        P *= p;
        E = smx__energy_after(&m, E, 0.1);
    }
    double Pall = smx__nuclear_survival(&m, 200.0, 40.0);
    cr_expect(fabs(P / Pall - 1) < 1e-9, "stepwise %.12f vs full %.12f", P, Pall);
    /* monotone in the path */
    cr_expect_gt(smx__nuclear_survival(&m, 150.0, 1.0), smx__nuclear_survival(&m, 150.0, 2.0));
}

Test(nuclear, other_media_and_local_fraction)
{
    /* per nucleus the cross section grows with A (C < N < O < Al < Ca) */
    const int Z[] = {6, 7, 8, 13, 20}, A[] = {12, 14, 16, 27, 40};
    for (int k = 0; k < 4; k++)
        cr_expect_lt(smx__nuclear_sigma_element_mb(Z[k], A[k], 150),
                     smx__nuclear_sigma_element_mb(Z[k + 1], A[k + 1], 150), "Z=%d vs Z=%d", Z[k],
                     Z[k + 1]);
    /* per gram, all media are within 30% of water (sigma ~ A^(2/3), per
     * nucleon ~ A^(-1/3); water's hydrogen removes nothing) */
    smx_material w = load("water");
    double sw = smx__nuclear_sigma_cm2_g(&w, 150);
    const char *media[] = {"aluminium", "polystyrene", "pmma", "bone_cortical_icrp", "adipose_icrp"};
    for (int k = 0; k < 5; k++) {
        smx_material m = load(media[k]);
        double sm = smx__nuclear_sigma_cm2_g(&m, 150);
        cr_expect(sm > 0.7 * sw && sm < 1.3 * sw, "%s: %g cm2/g vs water %g", media[k], sm, sw);
    }
    for (double E = 5; E < 300; E *= 2) {
        double g = smx__nuclear_local_fraction(E);
        cr_expect(g > 0 && g < 1);
        cr_expect_float_eq(g, 0.6, 1e-15, "Bortfeld 1997 gamma");
    }
}
