/* The deposit helpers of cl/deposit.cl, shared by k_deposit.comp and
 * k_deposit_atomic.comp; Vulkan GLSL port that must stay equal to
 * cl/deposit.cl. Included after the buffer declarations: the helpers read
 * the buffers i_w, i_mx, i_mz, i_qx, i_qz, mat, dep, db, dr by name.
 *
 * A_E's deposit: every source cell (i, j, z, x) with weight w deposits
 * w * dep[(m, i)] around its centroid plus the table offset of (m, i, j):
 * with b = floor(offset) - 1 and r = offset - b (host tables db, dr) the
 * deposit covers cells b + {0..3} per axis with smx_deposit_split's
 * fractions, clamped onto the grid (the conventions of docs/physics.md,
 * "Where the energy is deposited"; as reference.c).
 *
 * Deterministic: k_deposit gathers, for each destination cell and source
 * energy bin, every candidate source in a fixed order (dbb = the (bx, bz)
 * bounds over the media of the offsets of (i, j)) into part[w][d], and
 * k_edep_add sums the bins in order. Fast: k_deposit_atomic scatters with
 * atomic adds. */
#ifndef SMX_DEPOSIT_GLSL
#define SMX_DEPOSIT_GLSL

#define DX (SMX_TX + 8) /* k_deposit's source tile: the output tile and a halo of 8 */
#define DZ (SMX_TZ + 8)
#define DN (DX * DZ)

/* Sub-cell offset and variance of source cell n along one axis (moment
 * buffers m, qq); (0, 0) without moments. */
#define deposit_parcel(w, m, qq, n) \
    (SMX_MOMENTS ? smx_parcel_v((w), (m)[(n)], (qq)[(n)]) : smx_uv(0.0f, 0.0f))

/* Sum of the fractions f[0..3] of a deposit on cells b + {0..3} that
 * land on cell d once clamped onto [0, n). */
float frac_on(float f[4], int b, int n, int d)
{
    int k = d - b;
    if (d > 0 && d < n - 1) return k >= 0 && k < 4 ? f[k] : 0.0f; /* no folding */
    float s = 0;
    for (k = 0; k < 4; k++)
        if (clamp(b + k, 0, n - 1) == d) s += f[k];
    return s;
}

/* Several media: energy lost in medium m is deposited only in cells whose
 * medium allows it (plan.h dep_allow, after the S cells in mat); a piece
 * that would land elsewhere goes to its source cell. An interface medium
 * (flag after dep_allow) deposits a point in z. Both are bools here. */
#define DEP_ALLOWED(mat, S, m, d) \
    (SMX_ONE_MEDIUM || SMX_BYTE(mat, uint((S) + (m) * SMX_NMAT + SMX_BYTE(mat, uint(d)))) != 0)
#define DEP_POINT_Z(mat, S, m) (!SMX_ONE_MEDIUM && SMX_BYTE(mat, uint((S) + SMX_NMAT * SMX_NMAT + (m))) != 0)

/* The deposit of source cell (i, j, z, x): its first cells (cx, cz), its
 * fractions per axis, the fraction stray of it that goes back to the
 * source cell (several media) and the energy it deposits; 0 when it is
 * empty (then only stray is set: inout as the OpenCL pointers). */
float deposit_source(int i, int j, int z, int x, int ne, int nt, int nz, int nx, int S, int SW, int QB,
                     inout int cx, inout int cz, inout float fx[4], inout float fz[4], out float stray)
{
    int q = z * nx + x, m = MEDIUM(mat, q);
    uint n = cell_index(i, j, nt, SW, q - QB);
    float wt = i_w[n];
    stray = 0;
    if (wt == 0) return 0;
    uint mi = uint(m) * uint(ne) + uint(i), mij = mi * uint(nt) + uint(j);
    smx_uv px = deposit_parcel(wt, i_mx, i_qx, n), pz = smx_uv(0.0f, 0.0f);
    if (!DEP_POINT_Z(mat, S, m)) pz = deposit_parcel(wt, i_mz, i_qz, n);
    fx = smx_deposit_split_v(px.u + dr[2u * mij], px.v).f;
    fz = smx_deposit_split_v(pz.u + dr[2u * mij + 1u], pz.v).f;
    cx = x + db[2u * mij], cz = z + db[2u * mij + 1u];
    if (!SMX_ONE_MEDIUM) {
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
                if (fz[a] * fx[b] != 0 &&
                    !DEP_ALLOWED(mat, S, m, clamp(cz + a, 0, nz - 1) * nx + clamp(cx + b, 0, nx - 1)))
                    stray += fz[a] * fx[b];
    }
    return dep[mi] * wt;
}

/* What source cell s (of medium m, depositing eall with fractions on
 * destination d of sz * sx and stray back onto itself) gives d. */
float deposit_on(int S, int m, int s, int d, float eall, float sz, float sx, float stray)
{
    float f = sz * sx;
    if (!SMX_ONE_MEDIUM) {
        if (f != 0 && !DEP_ALLOWED(mat, S, m, d)) f = 0;
        if (s == d) f += stray;
    }
    return eall * f;
}

/* The sources whose deposit can reach cells [d0, d1] along an axis of n
 * cells, for first-cell offsets b in [bmin, bmax] (cells past the edges
 * fold onto them). */
void source_span(int d0, int d1, int bmin, int bmax, int n, out int s0, out int s1)
{
    s0 = d0 == 0 ? 0 : max(d0 - bmax - 3, 0);
    s1 = d1 == n - 1 ? n - 1 : min(d1 - bmin, n - 1);
}

#endif
