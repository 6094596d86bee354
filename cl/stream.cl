/* A_stream as a gather: the parcel of source cell (z, x) of theta bin j
 * lands on cells (z + bz + {0,1,2}) x (x + bx + {0,1,2}) (sb = (bx, bz),
 * placed sr = (rx, rz) cells past the first); output cell (zd, xd) pulls
 * piece (pz, px) from source (zd - bz - pz, xd - bx - px) and sums weight
 * and moments in a fixed order. Pieces off the grid are counted by
 * k_stream_leak. */
__kernel void k_stream(STATE_IN, STATE_OUT, int lo, int nt, int nz, int nx, int S,
                       __global const int *qr, __global const int *sb, __global const float *sr,
                       __global const acc_t *occ)
{
    int j = get_global_id(1), w = get_global_id(2), i = lo + w, q = range_cell(qr, w);
    if (q < 0) return;
    int zd = q / nx, xd = q - zd * nx, bx = sb[2 * j], bz = sb[2 * j + 1];
    float rx = sr[2 * j], rz = sr[2 * j + 1];
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0;
    if (acc_nonzero(occ[w * nt + j]))
        for (int pz = 0; pz < 3; pz++) {
            int z = zd - bz - pz;
            if (z < 0 || z >= nz) continue;
            for (int px = 0; px < 3; px++) {
                int x = xd - bx - px;
                if (x < 0 || x >= nx) continue;
                size_t n = cell_index(i, j, nt, S, z * nx + x);
                float wt = i_w[n];
                if (wt == 0) continue;
                float fx[3], ox[3], sx[3], fz[3], oz[3], sz[3];
                parcel_split(wt, i_mx, i_qx, n, rx, fx, ox, sx);
                parcel_split(wt, i_mz, i_qz, n, rz, fz, oz, sz);
                float v = (wt * fz[pz]) * fx[px];
                a0 += v;
#ifdef SMX_MOMENTS
                a1 += v * ox[px];
                a2 += v * oz[pz];
                a3 += v * sx[px];
                a4 += v * sz[pz];
#endif
            }
        }
    size_t n = cell_index(i, j, nt, S, q);
    o_w[n] = a0;
#ifdef SMX_MOMENTS
    o_mx[n] = a1, o_mz[n] = a2, o_qx[n] = a3, o_qz[n] = a4;
#endif
}
