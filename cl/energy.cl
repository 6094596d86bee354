/* A_E as a gather: output bin k of cell q takes weight gw[g] of source
 * bin gsrc[g] for g in gstart[(m, k)] .. gstart[(m, k) + 1] (m: the
 * cell's medium; nuclear survival is in the weights). The lost energy is
 * deposited by k_deposit / k_deposit_atomic. */
__kernel BLOCKED void k_energy(STATE_IN, STATE_OUT, __global const uchar *mat,
                               __global const int *gstart, __global const int *gsrc,
                               __global const float *gw, int lo, int hi, int nlo, int ne, int nt,
                               int S, int SW, int QB, __global const int *bl, __global const acc_t *occ,
                               __global const int *box, __global const int *un, int nx)
{
    int w, z0, z1, xa, xb, z = block_row(bl, &w, &z0, &z1, &xa, &xb), j = get_global_id(2);
    int x = xa + get_global_id(0), k = nlo + w, q = z * nx + x;
    if (z < 0 || x > xb) return;
    float a[5] = {0, 0, 0, 0, 0};
    if (z < un[2 * j] || z > -un[2 * j + 1]) { /* no source slab of this theta bin holds the row */
        store(o_w, o_mx, o_mz, o_qx, o_qz, cell_index(k, j, nt, SW, q - QB), a);
        return;
    }
    size_t mk = (size_t)MEDIUM(mat, q) * (ne + 1) + k;
    for (int g = gstart[mk]; g < gstart[mk + 1]; g++) {
        int i = gsrc[g];
        size_t o = (size_t)i * nt + j;
        if (i < lo || i > hi || !acc_nonzero(occ[o]) || !cell_in(box, o, z, x)) continue;
        gather_add(gw[g], i_w, i_mx, i_mz, i_qx, i_qz, cell_index(i, j, nt, SW, q - QB), a);
    }
    store(o_w, o_mx, o_mz, o_qx, o_qz, cell_index(k, j, nt, SW, q - QB), a);
}
