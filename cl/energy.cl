/* A_E as a gather: output bin k of cell q takes weight gw[g] of source
 * bin gsrc[g] for g in gstart[(m, k)] .. gstart[(m, k) + 1] (m: the
 * cell's medium; nuclear survival is in the weights). The lost energy is
 * deposited by k_deposit / k_deposit_atomic. */
__kernel void k_energy(STATE_IN, STATE_OUT, __global const uchar *mat, __global const int *gstart,
                       __global const int *gsrc, __global const float *gw, int lo, int hi, int nlo,
                       int ne, int nt, int S, __global const int *qr, __global const acc_t *occ)
{
    int j = get_global_id(1), w = get_global_id(2), k = nlo + w, q = range_cell(qr, w);
    if (q < 0) return;
    size_t mk = (size_t)MEDIUM(mat, q) * (ne + 1) + k;
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0;
    for (int g = gstart[mk]; g < gstart[mk + 1]; g++) {
        int i = gsrc[g];
        if (i < lo || i > hi || !acc_nonzero(occ[(i - lo) * nt + j])) continue;
        size_t n = cell_index(i, j, nt, S, q);
        float f = gw[g];
        a0 += f * i_w[n];
#ifdef SMX_MOMENTS
        a1 += f * i_mx[n];
        a2 += f * i_mz[n];
        a3 += f * i_qx[n];
        a4 += f * i_qz[n];
#endif
    }
    size_t n = cell_index(k, j, nt, S, q);
    o_w[n] = a0;
#ifdef SMX_MOMENTS
    o_mx[n] = a1, o_mz[n] = a2, o_qx[n] = a3, o_qz[n] = a4;
#endif
}
