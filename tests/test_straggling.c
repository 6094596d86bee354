/* Bohr energy straggling and the moment-matched energy kernel (docs/physics.md,
 * "Energy straggling (Bohr)"). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>

#include "core/physics.h"
#include "core/straggling.h"

static smx_material load(const char *name)
{
    smx_material m;
    char err[512];
    cr_assert_eq(smx__material_load(name, &m, err, sizeof err), SMX_OK, "%s", err);
    return m;
}

Test(straggling, water_z_over_a)
{
    smx_material m = load("water");
    double za = smx__z_over_a(&m);
    cr_expect(fabs(za - 0.5551) <= 0.0005, "water Z/A = %.6f", za);
}

/* 1 mm of water at 100 MeV: mid-step energy 99.64 MeV, beta^2 = 0.18278,
 * sigma_E^2 = 0.1569 * 0.555083 * 0.1 * (1 - b2/2)/(1 - b2) = 0.0096832 MeV^2. */
Test(straggling, bohr_variance_sample_point)
{
    smx_material m = load("water");
    double v = smx__bohr_variance_MeV2(&m, 100.0, 0.1);
    cr_expect(fabs(v / 0.0096832 - 1) < 1e-3, "var = %.7g MeV^2", v);
    /* linear in a short path, zero for none */
    double v2 = smx__bohr_variance_MeV2(&m, 100.0, 0.05);
    cr_expect(fabs(v / v2 - 2) < 0.01, "ratio %g", v / v2);
    cr_expect_eq(smx__bohr_variance_MeV2(&m, 100.0, 0.0), 0.0);
    cr_expect_eq(smx__bohr_variance_MeV2(&m, 0.0, 0.1), 0.0);
    /* the path is limited to the residual range */
    double R = smx__csda_range(&m, 10.0) / m.density_g_cm3;
    cr_expect_float_eq(smx__bohr_variance_MeV2(&m, 10.0, 100.0), smx__bohr_variance_MeV2(&m, 10.0, R),
                       1e-15);
    cr_expect_gt(smx__bohr_variance_MeV2(&m, 10.0, 100.0), 0.0);
}

/* A non-uniform increasing grid: spacing grows from 0.2 to ~1.4 MeV. */
#define NE 120
static void grid(double *Ec)
{
    double e = 1.0;
    for (int i = 0; i < NE; i++) {
        Ec[i] = e;
        e += 0.2 + 0.01 * e;
    }
}

typedef struct moments {
    double s0, mean, var, wmin;
} moments;

static moments kernel_moments(const double *Ec, int first, const double *w, int n, double Ep)
{
    moments r = {0, 0, 0, INFINITY};
    for (int j = 0; j < n; j++) {
        r.s0 += w[j];
        r.mean += w[j] * Ec[first + j];
        if (w[j] < r.wmin) r.wmin = w[j];
    }
    for (int j = 0; j < n; j++) r.var += w[j] * (Ec[first + j] - Ep) * (Ec[first + j] - Ep);
    return r;
}

static double v2_of(const double *Ec, double Ep)
{
    int k = 0;
    while (k < NE - 2 && Ec[k + 1] <= Ep) k++;
    double d = Ec[k + 1] - Ec[k], f = (Ep - Ec[k]) / d;
    return f * (1 - f) * d * d;
}

/* Checks the contract for a kernel that returned n > 0. */
static void check_matched(const double *Ec, double Ep, double V, int kmax)
{
    int first = -1;
    double w[64];
    int n = smx__energy_kernel(Ec, NE, Ep, V, kmax, &first, w);
    cr_assert(n >= 1 && n <= kmax, "Ep=%g V=%g: n = %d", Ep, V, n);
    cr_assert(first >= 0 && first + n <= NE);
    moments m = kernel_moments(Ec, first, w, n, Ep);
    double target = fmax(V, v2_of(Ec, Ep));
    cr_expect_geq(m.wmin, 0.0, "Ep=%g V=%g: negative weight %g", Ep, V, m.wmin);
    cr_expect(fabs(m.s0 - 1) < 1e-13, "Ep=%g V=%g: sum %.17g", Ep, V, m.s0);
    cr_expect(fabs(m.mean - Ep) <= 1e-12 * Ep, "Ep=%g V=%g: mean %.17g", Ep, V, m.mean);
    cr_expect(fabs(m.var - target) <= 1e-6 * target, "Ep=%g V=%g: variance %.10g, target %.10g", Ep,
              V, m.var, target);
}

Test(straggling, kernel_small_variance_is_the_two_bin_split)
{
    double Ec[NE];
    grid(Ec);
    int first;
    double w[16];
    double Ep = Ec[40] + 0.3 * (Ec[41] - Ec[40]);
    double f = (Ep - Ec[40]) / (Ec[41] - Ec[40]), v2 = v2_of(Ec, Ep);
    const double V[] = {0.0, 1e-6 * v2, 0.5 * v2, v2};
    for (int t = 0; t < 4; t++) {
        int n = smx__energy_kernel(Ec, NE, Ep, V[t], 9, &first, w);
        cr_assert_eq(n, 2, "V=%g: n=%d", V[t], n);
        cr_expect_eq(first, 40);
        cr_expect_eq(w[0], 1.0 - f);
        cr_expect_eq(w[1], f);
        moments m = kernel_moments(Ec, first, w, n, Ep);
        cr_expect(fabs(m.mean - Ep) <= 1e-12 * Ep);
        cr_expect(fabs(m.var - v2) <= 1e-9 * v2);
    }
    /* just above v2 the variance is matched exactly */
    check_matched(Ec, Ep, 1.001 * v2, 9);
}

Test(straggling, kernel_on_a_centre)
{
    double Ec[NE];
    grid(Ec);
    int first;
    double w[16];
    /* var = 0: one bin */
    int n = smx__energy_kernel(Ec, NE, Ec[50], 0.0, 9, &first, w);
    cr_expect_eq(n, 1);
    cr_expect_eq(first, 50);
    cr_expect_eq(w[0], 1.0);
    /* within 1e-9 relative of a centre: still one bin */
    n = smx__energy_kernel(Ec, NE, Ec[50] * (1 + 5e-10), 0.0, 9, &first, w);
    cr_expect_eq(n, 1);
    cr_expect_eq(first, 50);
    /* var << bin^2 and a few bins^2 on a centre: matched */
    double d = Ec[51] - Ec[50];
    const double V[] = {1e-6 * d * d, 0.01 * d * d, 0.3 * d * d, 4 * d * d};
    for (int t = 0; t < 4; t++) check_matched(Ec, Ec[50], V[t], 31);
}

Test(straggling, kernel_moments_over_a_range_of_cases)
{
    double Ec[NE];
    grid(Ec);
    const double fr[] = {0.0, 1e-7, 0.1, 0.5, 0.77, 0.999};
    const double vb[] = {1e-4, 0.01, 0.1, 0.3, 1, 3, 10};
    for (int i = 5; i < NE - 20; i += 13)
        for (int a = 0; a < 6; a++)
            for (int b = 0; b < 7; b++) {
                double d = Ec[i + 1] - Ec[i];
                double Ep = Ec[i] + fr[a] * d;
                check_matched(Ec, Ep, vb[b] * d * d, 41);
            }
}

Test(straggling, kernel_near_the_top_and_bottom)
{
    double Ec[NE];
    grid(Ec);
    int first;
    double w[64];
    double dlo = Ec[1] - Ec[0], dhi = Ec[NE - 1] - Ec[NE - 2];
    /* bottom: a small spread fits on bins >= 0 */
    check_matched(Ec, Ec[0] + 0.4 * dlo, 0.5 * dlo * dlo, 21);
    check_matched(Ec, Ec[1] + 0.2 * dlo, 2.0 * dlo * dlo, 21);
    /* top: also */
    check_matched(Ec, Ec[NE - 1] - 0.3 * dhi, 0.5 * dhi * dhi, 21);
    /* too wide for the grid at the bottom: the two-bin split, count < 0 */
    double Ep = Ec[0] + 0.01 * dlo, f = 0.01;
    int n = smx__energy_kernel(Ec, NE, Ep, 100 * dlo * dlo, 5, &first, w);
    cr_expect_eq(n, -2, "n = %d", n);
    cr_expect_eq(first, 0);
    cr_expect_float_eq(w[1], f, 1e-12);
    cr_expect_float_eq(w[0] + w[1], 1.0, 1e-15);
    /* exactly on the lowest/highest centre no spread fits: one bin, -1 */
    n = smx__energy_kernel(Ec, NE, Ec[0], 0.1, 9, &first, w);
    cr_expect_eq(n, -1);
    cr_expect_eq(first, 0);
    cr_expect_eq(w[0], 1.0);
    n = smx__energy_kernel(Ec, NE, Ec[NE - 1], 0.1, 9, &first, w);
    cr_expect_eq(n, -1);
    cr_expect_eq(first, NE - 1);
    /* below the grid is the caller's concern */
    cr_expect_eq(smx__energy_kernel(Ec, NE, 0.5 * Ec[0], 0.1, 9, &first, w), 0);
    cr_expect_eq(smx__energy_kernel(Ec, NE, Ec[20], 0.1, 1, &first, w), 0);
}

/* Random sweep: every returned kernel keeps the contract; a negative count
 * only when no non-negative kernel of kmax bins can hold the variance. */
Test(straggling, kernel_random_sweep)
{
    double Ec[NE];
    grid(Ec);
    uint64_t s = 12345;
    int negatives = 0;
    for (int t = 0; t < 20000; t++) {
        double u[4];
        for (int q = 0; q < 4; q++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            u[q] = (double)(s >> 11) / 9007199254740992.0;
        }
        double Ep = Ec[0] + (Ec[NE - 1] - Ec[0]) * u[0] * u[0];
        int k = 0;
        while (k < NE - 2 && Ec[k + 1] <= Ep) k++;
        double d = Ec[k + 1] - Ec[k];
        double V = d * d * pow(10.0, -5 + 7 * u[1]);
        int kmax = 2 + (int)(u[2] * 40);
        int first = -1;
        double w[64];
        int n = smx__energy_kernel(Ec, NE, Ep, V, kmax, &first, w);
        cr_assert(n != 0 && abs(n) <= kmax && first >= 0 && first + abs(n) <= NE);
        moments m = kernel_moments(Ec, first, w, abs(n), Ep);
        cr_assert_geq(m.wmin, 0.0);
        cr_assert(fabs(m.s0 - 1) < 1e-13);
        if (abs(n) > 1) cr_assert(fabs(m.mean - Ep) <= 1e-12 * Ep, "mean %.17g vs %.17g", m.mean, Ep);
        double v2 = v2_of(Ec, Ep), target = fmax(V, v2);
        if (n > 0 && abs(n) > 1)
            cr_assert(fabs(m.var - target) <= 1e-6 * target, "t=%d var %g target %g", t, m.var, target);
        if (n < 0) {
            negatives++;
            double best = 0;
            for (int a = 0; a <= k; a++)
                for (int c = k + 1; c < NE && c - a + 1 <= kmax; c++)
                    best = fmax(best, (Ep - Ec[a]) * (Ec[c] - Ep));
            cr_assert(best < V * (1 + 1e-12), "t=%d: feasible (max %g >= V %g) but n = %d", t, best, V, n);
        }
    }
    cr_log_info("random sweep: %d of 20000 could not hold the variance", negatives);
}
