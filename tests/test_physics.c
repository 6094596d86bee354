/* Physics tables and discrete kernels against their sources (docs/physics.md). */
#include <criterion/criterion.h>

#include "core/physics.h"
#include "harness.h"

static smx_material water(void)
{
    smx_material m;
    char err[512];
    cr_assert_eq(smx__material_load("water", &m, err, sizeof err), SMX_OK, "%s", err);
    return m;
}

/* NIST PSTAR water (data/README.md): total stopping power, CSDA range. */
Test(physics, pstar_water_matches_nist_points)
{
    smx_material m = water();
    const double E[] = {70, 100, 150, 200}, S[] = {9.559, 7.289, 5.445, 4.492},
                 R[] = {4.080, 7.718, 15.77, 25.96};
    for (int k = 0; k < 4; k++) {
        cr_expect_float_eq(smx__stopping_power(&m, E[k]), S[k], 1e-9 * S[k], "S(%g)", E[k]);
        cr_expect_float_eq(smx__csda_range(&m, E[k]), R[k], 1e-9 * R[k], "R(%g)", E[k]);
    }
    /* between table points: log-log interpolation stays within the
     * neighbours and close to the power law through them (22.5 MeV lies in
     * PSTAR's 20 -> 25 MeV gap) */
    double s = smx__stopping_power(&m, 22.5);
    cr_expect(s < 26.07 && s > 21.75, "S(22.5) = %g", s);
    cr_expect_float_eq(s, exp(0.5 * (log(26.07) + log(21.75)) +
                              (log(22.5) - 0.5 * (log(20) + log(25))) *
                                  (log(21.75) - log(26.07)) / (log(25) - log(20))),
                       1e-9, "log-log S(22.5)");
    /* 6x-low tables at 1 MeV were a trap of an earlier code (docs/validation.md,
     * "Pitfalls the checks guard against") */
    cr_expect_float_eq(smx__stopping_power(&m, 1.0), 260.8, 1e-6);
}

Test(physics, range_energy_round_trip)
{
    smx_material m = water();
    for (double E = 1.5; E < 300; E *= 1.37) {
        double back = smx__energy_at_range(&m, smx__csda_range(&m, E));
        cr_expect_float_eq(back, E, 1e-12 * E, "E(R(%g)) = %.17g", E, back);
    }
    /* a step never freezes a slow proton, and a long one stops it */
    cr_expect_lt(smx__energy_after(&m, 2.0, 1e-4), 2.0);
    cr_expect_eq(smx__energy_after(&m, 5.0, 1.0), 0.0);
}

Test(physics, radiation_and_scattering_lengths)
{
    smx_material m = water();
    cr_expect_float_eq(m.X0_g_cm2, 36.08, 1e-9, "water X0 (PDG)");
    /* Gottschalk 2010: water X_S = 46.88 g/cm2, here from the composition */
    cr_expect_float_eq(m.XS_g_cm2, 46.88, 0.05, "water X_S = %g", m.XS_g_cm2);
    cr_expect_eq(smx__material_known("water"), 1);
    cr_expect_eq(smx__material_known("unobtainium"), 0);
}

Test(physics, kinematics)
{
    /* pv = (pc)^2 / (T + mc^2), mc^2 = 938.272 MeV */
    double T = 100, mc2 = 938.272, pc2 = T * (T + 2 * mc2);
    cr_expect_float_eq(smx__pv_MeV(T), pc2 / (T + mc2), 1e-12);
    cr_expect_float_eq(smx__beta2(T), pc2 / ((T + mc2) * (T + mc2)), 1e-15);
}

/* Moment matching: sum 1, mean 0, variance s2 to 1e-6, non-negative,
 * including s2 far below one bin (docs/physics.md, "Properties of the
 * discrete operators"). */
Test(physics, angular_kernel_is_moment_matched)
{
    const double s2s[] = {1e-8, 1e-4, 0.01, 0.2, 0.499, 0.5, 0.9, 2.0, 7.5, 40.0};
    double w[2 * 64 + 1];
    for (size_t t = 0; t < sizeof s2s / sizeof s2s[0]; t++) {
        int K = smx__angular_kernel(s2s[t], 64, w);
        double s0 = 0, s1 = 0, v = 0;
        for (int k = -64; k <= 64; k++) {
            cr_expect_geq(w[64 + k], 0.0);
            s0 += w[64 + k];
            s1 += k * w[64 + k];
            v += (double)k * k * w[64 + k];
        }
        cr_expect(K <= 64);
        cr_expect_float_eq(s0, 1.0, 1e-14, "s2=%g sum", s2s[t]);
        cr_expect_float_eq(s1, 0.0, 1e-14, "s2=%g mean", s2s[t]);
        cr_expect_float_eq(v, s2s[t], 1e-6 * s2s[t], "s2=%g variance %.17g", s2s[t], v);
    }
}

/* The angular variance that one A_theta adds equals the model's sigma^2,
 * also when sigma << dtheta, on both backends. */
Test(physics, angular_variance_growth_per_step)
{
    /* full circle, 1 mm steps, 64 bins: at 50 MeV sigma ~ 0.1 bin */
    test_case t = {3, 3, 64, 40, 1, 0, SMX_SPACING_UNIFORM, 1.0};
    smx_config cfg;
    case_config(&t, &cfg);
    cfg.max_angle_deg = 180;
    for (int b = 0; b < N_TEST_BACKENDS; b++) {
        char err[512] = "";
        smx_plan plan;
        cr_assert_eq(smx__plan_build(&cfg, &plan, err, sizeof err), SMX_OK, "%s", err);
        size_t n = smx__psi_size(&plan), s = smx__slab(&plan);
        double *psi = calloc(n, sizeof(double));
        int j0 = plan.nt / 2; /* theta = 0 */
        for (int i = 0; i < plan.ne; i++) psi[((size_t)i * plan.nt + j0) * s + 4] = 1.0 / plan.ne;
        smx_oprun r;
        cr_assert_eq(smx__oprun_open(&r, test_backends[b], &cfg, &(smx_host_state){psi}, 0, plan.ne - 1, err, sizeof err),
                     0, "%s", err);
        smx_graph g = {.nnodes = 1, .nodes = {smx__ops[0].node}};
        cr_assert_eq(smx__oprun_graph(&r, &g, err, sizeof err), 0, "%s", err);
        int checked = 0;
        for (int i = 0; i < plan.ne; i++) {
            double s2 = plan.sigma2_rad2[i], w = 0, v = 0;
            if (s2 <= 0 || s2 > 0.1) continue; /* on the circle only while narrow */
            for (int j = 0; j < plan.nt; j++) {
                double q = r.psi[((size_t)i * plan.nt + j) * s + 4], th = plan.theta_rad[j];
                w += q;
                v += q * th * th;
            }
            double bar = b == 0 ? 1e-9 : 1e-2;
            cr_expect_float_eq(v / w, s2, bar * s2, "backend=%s E=%g MeV: variance %g vs model %g "
                               "(%.3g bins^2)", test_backends[b], plan.e_center_MeV[i], v / w, s2,
                               s2 / (plan.dtheta_rad * plan.dtheta_rad));
            checked++;
        }
        cr_expect_gt(checked, 10);
        smx__oprun_close(&r);
        free(psi);
        smx__plan_free(&plan);
    }
}

/* In the range grid in water with the lockstep step, A_E moves every bin
 * exactly one bin down and deposits exactly E_i - E_{i-1}. */
Test(physics, range_grid_energy_step_is_exact_shift)
{
    test_case t = {3, 4, 5, 0, 0, 0, SMX_SPACING_RANGE, 0, 0, 0, 1};
    smx_config cfg;
    case_config(&t, &cfg);
    char err[512] = "";
    smx_plan p;
    cr_assert_eq(smx__plan_build(&cfg, &p, err, sizeof err), SMX_OK, "%s", err);
    cr_expect(p.lockstep);
    for (int i = 1; i < p.ne; i++) {
        cr_expect_eq(p.e_first[i], i - 1, "bin %d -> %d", i, p.e_first[i]);
        cr_expect_eq(p.e_count[i], 1, "bin %d: %d targets", i, p.e_count[i]);
        cr_expect_eq(p.e_w[i * SMX_EK_MAX], 1.0, "bin %d weight %.17g", i, p.e_w[i * SMX_EK_MAX]);
        cr_expect_float_eq(p.e_dep_MeV[i], p.e_center_MeV[i] - p.e_center_MeV[i - 1], 1e-12);
    }
    cr_expect_eq(p.e_first[0], -1, "the lowest bin is absorbed");
    /* the first beam sits on a bin centre after the entrance half cell */
    smx_material m = water();
    double E1 = smx__energy_after(&m, 50, 0.05);
    int hit = 0;
    for (int i = 0; i < p.ne; i++) hit |= fabs(p.e_center_MeV[i] - E1) < 1e-9 * E1;
    cr_expect(hit, "E after the half cell %.9g is a bin centre", E1);
    smx__plan_free(&p);
}

/* A step of the wrong bin count is refused with the count that works. */
Test(physics, lockstep_bin_count_is_checked)
{
    test_case t = {3, 4, 5, 7, 0, 0, SMX_SPACING_RANGE, 0};
    smx_config cfg;
    case_config(&t, &cfg);
    char err[512] = "";
    smx_plan p;
    cr_expect_eq(smx__plan_build(&cfg, &p, err, sizeof err), SMX_ECONFIG);
    cr_expect(strstr(err, "grid.energy.bins") != NULL, "%s", err);
    cr_expect(strstr(err, "needs exactly") != NULL, "%s", err);
}
