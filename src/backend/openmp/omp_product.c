/* The small matrix product of A_E's gather and A_theta's taps on the
 * openmp backend: OMP_KB outputs at a time, each source row block loaded
 * once for all of them while their sums stay in registers (GCC vector
 * extensions), where one output at a time loaded and stored its sum for
 * every source. An output takes its sources in its own order, with weight
 * 0 where it does not take one: x + 0 * s is x, so every output is summed
 * exactly as alone, bit for bit. */
#include <string.h>

#include "backend/openmp/omp_ctx.h"

typedef float v8 __attribute__((vector_size(32)));

/* o[k][q0..q1) = sum over the ns sources s of w[s][k] in[s][q0..q1), for
 * the outputs k with o[k] set, in source order. */
void omp__product(float *const *o, const float *const *in, const float *w, int ns, size_t q0, size_t q1)
{
    size_t q = q0;
    for (; q + 16 <= q1; q += 16) {
        v8 a[OMP_KB][2];
        memset(a, 0, sizeof a);
        for (int s = 0; s < ns; s++) {
            v8 x0, x1;
            memcpy(&x0, in[s] + q, sizeof x0);
            memcpy(&x1, in[s] + q + 8, sizeof x1);
            __builtin_prefetch(in[s] + q + 32); /* each source is a stream of its own: too many for the hardware's prefetcher */
            const float *ws = w + (size_t)s * OMP_KB;
            for (int k = 0; k < OMP_KB; k++) a[k][0] += ws[k] * x0, a[k][1] += ws[k] * x1;
        }
        for (int k = 0; k < OMP_KB; k++)
            if (o[k]) memcpy(o[k] + q, &a[k][0], sizeof a[k][0]), memcpy(o[k] + q + 8, &a[k][1], sizeof a[k][1]);
    }
    for (; q < q1; q++) {
        float a[OMP_KB] = {0};
        for (int s = 0; s < ns; s++)
            for (int k = 0; k < OMP_KB; k++) a[k] += w[(size_t)s * OMP_KB + k] * in[s][q];
        for (int k = 0; k < OMP_KB; k++)
            if (o[k]) o[k][q] = a[k];
    }
}
