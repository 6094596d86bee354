/* Energy-loss straggling (docs/physics.md, "Energy straggling (Bohr)").
 *
 * Bohr variance: sigma_E^2 = K (Z/A) rho l (1 - beta^2/2)/(1 - beta^2), with
 * K = 4 pi N_A r_e^2 (m_e c^2)^2 = 0.1569 MeV^2 cm^2/g (ICRU Report 49
 * and Bohr 1915, with the relativistic factor of the Bohr formula). Z/A is
 * taken from the material's composition (compositions.csv, elements.csv).
 *
 * Discrete kernel: see straggling.h for the contract. */
#include <math.h>
#include <string.h>

#include "core/physics.h"
#include "core/straggling.h"

#define BOHR_K_MEV2_CM2_G 0.1569

double smx__z_over_a(const smx_material *m)
{
    double s = 0;
    for (int i = 0; i < m->nelem; i++)
        if (m->elem_A[i] > 0) s += m->elem_w[i] * m->elem_Z[i] / m->elem_A[i];
    return s;
}

double smx__bohr_variance_MeV2(const smx_material *m, double E_MeV, double path_cm)
{
    if (!(path_cm > 0) || !(E_MeV > 0)) return 0.0;
    double rho = m->density_g_cm3, R0 = smx__csda_range(m, E_MeV);
    double l = path_cm;
    if (rho * l > R0) l = R0 / rho; /* the proton stops within the step */
    double Emid = smx__energy_at_range(m, R0 - 0.5 * rho * l);
    double b2 = smx__beta2(Emid);
    return BOHR_K_MEV2_CM2_G * smx__z_over_a(m) * rho * l * (1.0 - 0.5 * b2) / (1.0 - b2);
}

/* ---- discrete energy kernel ------------------------------------------- */

#define SNAP_TOL 1e-9

/* The plain mean-keeping split of Eprime between Ec[k] and Ec[k+1]
 * (fraction f on k+1), or one bin when snapped (snap >= 0) or f is 0 or 1. */
static int two_bin(int k, double f, int snap, int *first, double *w)
{
    if (snap >= 0) {
        *first = snap;
        w[0] = 1.0;
        return 1;
    }
    if (f <= 0.0 || f >= 1.0) {
        *first = f <= 0.0 ? k : k + 1;
        w[0] = 1.0;
        return 1;
    }
    *first = k;
    w[0] = 1.0 - f;
    w[1] = f;
    return 2;
}

static double phi(double z) { return 0.5 * erfc(-z / sqrt(2.0)); } /* standard normal CDF */

/* Solves the 3x3 system M l = r by Gaussian elimination with partial
 * pivoting; returns 0 when M is (numerically) singular. */
static int solve3(double M[3][3], double r[3], double l[3])
{
    double a[3][4];
    double scale = 0;
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            a[i][j] = M[i][j];
            if (fabs(M[i][j]) > scale) scale = fabs(M[i][j]);
        }
        a[i][3] = r[i];
    }
    if (!(scale > 0)) return 0;
    for (int c = 0; c < 3; c++) {
        int piv = c;
        for (int i = c + 1; i < 3; i++)
            if (fabs(a[i][c]) > fabs(a[piv][c])) piv = i;
        if (fabs(a[piv][c]) < 1e-14 * scale) return 0;
        if (piv != c)
            for (int j = 0; j < 4; j++) {
                double t = a[c][j];
                a[c][j] = a[piv][j];
                a[piv][j] = t;
            }
        for (int i = c + 1; i < 3; i++) {
            double q = a[i][c] / a[c][c];
            for (int j = c; j < 4; j++) a[i][j] -= q * a[c][j];
        }
    }
    for (int i = 2; i >= 0; i--) {
        double s = a[i][3];
        for (int j = i + 1; j < 3; j++) s -= a[i][j] * l[j];
        l[i] = s / a[i][i];
    }
    return 1;
}

/* Removes exact zeros at both ends of w[0..n-1]; returns the new n. */
static int trim(int *first, double *w, int n)
{
    int a = 0, b = n - 1;
    while (a < b && w[a] == 0.0) a++;
    while (b > a && w[b] == 0.0) b--;
    if (a > 0) memmove(w, w + a, sizeof(double) * (size_t)(b - a + 1));
    *first += a;
    return b - a + 1;
}

/* Checks the three moments of w on bins first.. against (1, Ep, V). */
static int moments_ok(const double *Ec, int first, const double *w, int n, double Ep, double V)
{
    double s0 = 0, s1 = 0, s2 = 0;
    for (int j = 0; j < n; j++) {
        if (w[j] < 0) return 0;
        double x = Ec[first + j] - Ep;
        s0 += w[j];
        s1 += w[j] * x;
        s2 += w[j] * x * x;
    }
    return fabs(s0 - 1.0) <= 1e-13 && fabs(s1) <= 1e-13 * fabs(Ep) &&
           fabs(s2 - V) <= 1e-9 * V;
}

/* Variance about Ep of the normalised bin-integrated Gaussian (width s0)
 * on bins lo..hi (same edges as gaussian_kernel). */
static double binned_variance(const double *Ec, int lo, int hi, double Ep, double s0)
{
    double cdf_prev = 0.0, s0w = 0, s2 = 0;
    for (int j = lo; j <= hi; j++) {
        double cdf = j < hi ? phi((0.5 * (Ec[j] + Ec[j + 1]) - Ep) / s0) : 1.0;
        double p = cdf - cdf_prev;
        cdf_prev = cdf;
        s0w += p;
        s2 += p * (Ec[j] - Ep) * (Ec[j] - Ep);
    }
    return s0w > 0 ? s2 / s0w : 0.0;
}

/* Bin-integrated Gaussian on bins lo..hi (edges at the midpoints between
 * centres, outermost edges at +-infinity) with the least multiplicative
 * change w_j = p_j (1 + l0 + l1 x_j + l2 x_j^2) that gives sum 1, mean Ep and
 * variance V. Returns n > 0 on success, 0 when a weight would be negative or
 * the system is singular. */
static int gaussian_kernel(const double *Ec, int lo, int hi, double Ep, double V, double s0,
                           int *first, double *w)
{
    int n = hi - lo + 1;
    if (n < 3) return 0;
    double s = sqrt(V);
    double cdf_prev = 0.0;
    for (int j = 0; j < n; j++) {
        double cdf = 1.0;
        if (j < n - 1) {
            double edge = 0.5 * (Ec[lo + j] + Ec[lo + j + 1]);
            cdf = phi((edge - Ep) / s0);
        }
        w[j] = cdf - cdf_prev;
        if (w[j] < 0) w[j] = 0;
        cdf_prev = cdf;
    }
    /* moments of p in the scaled variable x = (Ec - Ep) / s */
    double mom[5] = {0, 0, 0, 0, 0};
    for (int j = 0; j < n; j++) {
        double x = (Ec[lo + j] - Ep) / s, t = w[j];
        for (int p = 0; p < 5; p++) {
            mom[p] += t;
            t *= x;
        }
    }
    double M[3][3], r[3], l[3];
    for (int p = 0; p < 3; p++)
        for (int q = 0; q < 3; q++) M[p][q] = mom[p + q];
    r[0] = 1.0 - mom[0];
    r[1] = 0.0 - mom[1];
    r[2] = 1.0 - mom[2]; /* V / s^2 = 1 */
    if (!solve3(M, r, l)) return 0;
    for (int j = 0; j < n; j++) {
        double x = (Ec[lo + j] - Ep) / s;
        w[j] *= 1.0 + l[0] + l[1] * x + l[2] * x * x;
        if (w[j] < 0) return 0;
    }
    *first = lo;
    n = trim(first, w, n);
    if (!moments_ok(Ec, *first, w, n, Ep, V)) return 0;
    return n;
}

/* Exact three-point kernel on bins a < b < c (x = Ec - Ep, x_a <= 0 <= x_c):
 *   w_a = (V + x_b x_c) / ((x_a - x_b)(x_a - x_c)), and cyclically.
 * Searches the pairs (a, c) by increasing span c - a (at most kmax - 1),
 * the most centred first, and the b between them; returns n or 0. */
static int three_point(const double *Ec, int ne, int k, double Ep, double V, int kmax,
                       int *first, double *w)
{
    for (int span = 2; span <= kmax - 1 && span <= ne - 1; span++) {
        /* a in [k+1-span, k] (c = a + span >= k+1), the pair most centred
         * on the bracket first: offsets 0, +1, -1, +2, ... from the centre */
        double fk = (Ep - Ec[k]) / (Ec[k + 1] - Ec[k]);
        int base = (int)floor(k + fk - 0.5 * span + 0.5);
        for (int t = 0; t <= 2 * span + 1; t++) {
            int off = (t % 2 == 0) ? -(t / 2) : (t + 1) / 2;
            int a = base + off, c = a + span;
            if (a > k || c < k + 1 || a < 0 || c > ne - 1) continue;
            double xa = Ec[a] - Ep, xc = Ec[c] - Ep;
            if (xa > 0 || xc < 0 || -xa * xc < V) continue;
            /* the middle point b nearest to Ep first */
            for (int dd = 0; dd < span; dd++) {
                int order[2] = {k - dd, k + 1 + dd};
                if (fk >= 0.5) {
                    order[0] = k + 1 + dd;
                    order[1] = k - dd;
                }
                for (int o = 0; o < 2; o++) {
                    int b = order[o];
                    if (b <= a || b >= c) continue;
                    double xb = Ec[b] - Ep;
                    double wa = (V + xb * xc) / ((xa - xb) * (xa - xc));
                    double wb = (V + xa * xc) / ((xb - xa) * (xb - xc));
                    double wc = (V + xa * xb) / ((xc - xa) * (xc - xb));
                    /* rounding at the edge of feasibility: -1e-14 counts as 0 */
                    if (wa < -1e-14 || wb < -1e-14 || wc < -1e-14) continue;
                    if (wa < 0) wa = 0;
                    if (wb < 0) wb = 0;
                    if (wc < 0) wc = 0;
                    *first = a;
                    memset(w, 0, sizeof(double) * (size_t)(span + 1));
                    w[0] = wa;
                    w[b - a] = wb;
                    w[span] = wc;
                    return trim(first, w, span + 1);
                }
            }
        }
    }
    return 0;
}

int smx__energy_kernel(const double *Ec, int ne, double Eprime, double var_MeV2, int kmax,
                       int *first, double *w)
{
    if (!Ec || !first || !w || ne < 1 || kmax < 2) return 0;
    double Ep = Eprime, V = var_MeV2 > 0 ? var_MeV2 : 0.0;
    if (!(Ep >= Ec[0] - SNAP_TOL * fabs(Ec[0])) || !(Ep <= Ec[ne - 1] + SNAP_TOL * fabs(Ec[ne - 1])))
        return 0;
    if (ne == 1) {
        *first = 0;
        w[0] = 1.0;
        return V > 0 ? -1 : 1;
    }
    /* bracket: k in [0, ne-2] with Ec[k] <= Ep < Ec[k+1] (clamped) */
    int lo = 0, hi = ne - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (Ec[mid] <= Ep) lo = mid; else hi = mid;
    }
    int k = lo;
    double d = Ec[k + 1] - Ec[k];
    double f = (Ep - Ec[k]) / d;
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    int snap = -1;
    if (fabs(Ep - Ec[k]) <= SNAP_TOL * fabs(Ec[k])) snap = k;
    else if (fabs(Ep - Ec[k + 1]) <= SNAP_TOL * fabs(Ec[k + 1])) snap = k + 1;
    double v2 = f * (1.0 - f) * d * d;

    if (V <= v2) return two_bin(k, f, snap, first, w);

    /* Clamp Ep into [Ec[0], Ec[ne-1]] for the spread kernels (only differs
     * within the 1e-9 tolerance). */
    if (Ep < Ec[0]) Ep = Ec[0];
    if (Ep > Ec[ne - 1]) Ep = Ec[ne - 1];

    /* Window for the Gaussian: grow from the bracket towards the nearer
     * next centre until both sides are beyond 5 sigma, kmax bins or the
     * grid ends. */
    double s = sqrt(V), W = 5.0 * s;
    int a = k, c = k + 1;
    while (c - a + 1 < kmax) {
        int canlo = a > 0 && Ep - Ec[a] < W;
        int canhi = c < ne - 1 && Ec[c] - Ep < W;
        if (!canlo && !canhi) break;
        if (canlo && (!canhi || Ep - Ec[a - 1] <= Ec[c + 1] - Ep)) a--;
        else c++;
    }
    double s0sq = V - d * d / 12.0;
    if (s0sq < 0.25 * V) s0sq = 0.25 * V;
    int n = gaussian_kernel(Ec, a, c, Ep, V, sqrt(s0sq), first, w);
    if (n > 0) return n;
    if (c - a + 1 >= 3) {
        /* retry with the width whose binned, truncated variance is V (the
         * correction is then small): bisection, the variance grows with s0 */
        double lo_s = 1e-3 * s, hi_s = 10.0 * s;
        if (binned_variance(Ec, a, c, Ep, hi_s) > V) {
            for (int it = 0; it < 100 && hi_s - lo_s > 1e-12 * hi_s; it++) {
                double mid = 0.5 * (lo_s + hi_s);
                if (binned_variance(Ec, a, c, Ep, mid) < V) lo_s = mid; else hi_s = mid;
            }
        }
        n = gaussian_kernel(Ec, a, c, Ep, V, 0.5 * (lo_s + hi_s), first, w);
        if (n > 0) return n;
    }
    n = three_point(Ec, ne, k, Ep, V, kmax, first, w);
    if (n > 0) return n;
    /* the grid (bottom or top) or kmax cannot hold the variance */
    return -two_bin(k, f, snap, first, w);
}
