/* A_theta as a gather: every output cell (i, j, q) is written once, from
 * the theta bins j - k of its own cell with the kernel of its medium and
 * energy bin. Bins beyond max_angle_deg are emptied afterwards by
 * k_collect (their energy deposited in place). */
__kernel BLOCKED void k_scatter(STATE_IN, STATE_OUT, __global const uchar *mat,
                                __global const float *kw, __global const int *khalf, int kmax,
                                int lo, int ne, int nt, int S, int SW, int QB, __global const int *bl,
                                __global const acc_t *occ, __global const int *box, int nx)
{
    int w, z0, z1, xa, xb, z = block_row(bl, &w, &z0, &z1, &xa, &xb), j = get_global_id(2);
    int x = xa + get_global_id(0), i = lo + w, q = z * nx + x;
    if (z < 0 || x > xb) return;
    size_t mi = (size_t)MEDIUM(mat, q) * ne + i;
    int K = khalf[mi];
    __global const float *k = kw + mi * (2 * kmax + 1) + kmax;
    float a[5] = {0, 0, 0, 0, 0};
    for (int d = -K; d <= K; d++) {
        int js = j - d;
#ifdef SMX_FULL_CIRCLE
        js = js < 0 ? js + nt : (js >= nt ? js - nt : js);
#else
        if (js < 0 || js >= nt) continue;
#endif
        size_t o = (size_t)i * nt + js;
        if (!acc_nonzero(occ[o]) || !cell_in(box, o, z, x)) continue;
        gather_add(k[d], i_w, i_mx, i_mz, i_qx, i_qz, cell_index(i, js, nt, SW, q - QB), a);
    }
    store(o_w, o_mx, o_mz, o_qx, o_qz, cell_index(i, j, nt, SW, q - QB), a);
}

/* Empties the theta bins with jmask[j] of energy bins i0..i1, depositing
 * their energy e_MeV[i] * psi in their own cell: weight scattered beyond
 * max_angle_deg, and A_E's trimmed edge bins. Fixed order per cell. */
__kernel void k_collect(__global float *o_w, __global float *o_mx, __global float *o_mz,
                        __global float *o_qx, __global float *o_qz, __global const uchar *jmask,
                        int i0, int i1, int nt, int S, int SW, int QB, __global const float *e_MeV,
                        __global const int *box, int nx, __global acc_t *edep)
{
    int q = get_global_id(0);
    if (q >= S) return;
    acc_t a = edep[q];
    for (int i = i0; i <= i1; i++)
        for (int j = 0; j < nt; j++) {
            if (!jmask[j] || !cell_in(box, (size_t)i * nt + j, q / nx, q % nx)) continue;
            size_t n = cell_index(i, j, nt, SW, q - QB);
            float v = o_w[n];
            if (v == 0) continue;
            a = acc_add(a, e_MeV[i] * v);
            o_w[n] = 0;
#ifdef SMX_MOMENTS
            o_mx[n] = o_mz[n] = o_qx[n] = o_qz[n] = 0;
#endif
        }
    edep[q] = a;
}
