/* A device state's z window: both buffer sets hold rows zb .. zb + H - 1
 * of every (energy, angle) slab (cl/common.cl). A pencil beam in lockstep
 * occupies a few rows at any step, so the window, not the grid depth, sets
 * the device memory. Before A_stream moves rows past it, the state is
 * copied on the device into a window placed (and, when needed, grown) to
 * hold them. */
#include "backend/common/dev.h"
#include "core/boxes.h"
#include "core/util.h"

static smx_status new_set(smx_dev *c, smx_dbuf **set, size_t bytes, uint32_t pattern, char *err,
                          size_t errlen)
{
    smx_status st = SMX_OK;
    for (int k = 0; k < c->na && st == SMX_OK; k++) {
        st = c->api->alloc(c, bytes, &set[k], err, errlen);
        if (st == SMX_OK) st = c->api->fill(c, set[k], pattern, bytes, err, errlen);
    }
    return st;
}

static void release_set(smx_dev *c, smx_dbuf **set)
{
    for (int k = 0; k < SMX_DEV_ARRAYS; k++)
        if (set[k]) c->api->release(c, set[k]), set[k] = NULL;
}

static void set_window(smx_dev *c, int H, int zb)
{
    c->H = H, c->zb = zb, c->SW = H * c->p->nx, c->QB = zb * c->p->nx;
}

/* The rows of box r kept inside the window. */
static void clamp_rows(const smx_dev *c, int *r)
{
    if (r[0] > r[1]) return;
    r[0] = r[0] < c->zb ? c->zb : r[0];
    r[1] = r[1] > c->zb + c->H - 1 ? c->zb + c->H - 1 : r[1];
}

smx_status smx__dev_window_alloc(smx_dev *c, int H, int zb, char *err, size_t errlen)
{
    size_t bytes = (size_t)c->p->ne * c->p->nt * H * c->p->nx * sizeof(float);
    for (int s = 0; s < 2; s++) release_set(c, c->buf[s]);
    set_window(c, H, zb);
    smx_status st = SMX_OK;
    for (int s = 0; s < 2 && st == SMX_OK; s++)
        st = new_set(c, c->buf[s], bytes, c->poison ? 0x7fc00000u : 0u, err, errlen);
    return st;
}

smx_status smx__dev_window_fit(smx_dev *c, int dz0, int dz1, char *err, size_t errlen)
{
    const smx_plan *p = c->p;
    int sa = p->nz, sb = -1; /* the state's rows */
    for (int k = c->lo; k <= c->hi; k++)
        if (c->zbox[SMX_BOX * k] <= c->zbox[SMX_BOX * k + 1]) {
            sa = c->zbox[SMX_BOX * k] < sa ? c->zbox[SMX_BOX * k] : sa;
            sb = c->zbox[SMX_BOX * k + 1] > sb ? c->zbox[SMX_BOX * k + 1] : sb;
        }
    if (sb < sa) return SMX_OK;
    int a = sa + dz0 < 0 ? 0 : sa + dz0, b = sb + dz1 > p->nz - 1 ? p->nz - 1 : sb + dz1;
    if (b < a || (a >= c->zb && b < c->zb + c->H)) return SMX_OK;
    a = sa < a ? sa : a, b = sb > b ? sb : b; /* the state's own rows stay */
    int H = c->H, need = b - a + 1;
    if (need > H) H = 2 * need > H ? 2 * need : H;
    if (H < SMX_DEV_WINDOW_MIN) H = SMX_DEV_WINDOW_MIN;
    if (H > p->nz) H = p->nz;
    int zb = a + H > p->nz ? p->nz - H : a;
    /* the state's rows into a zeroed set of the new window: the other set
     * when the height stays, else new buffers */
    size_t bytes = (size_t)p->ne * p->nt * H * p->nx * sizeof(float), row = p->nx * sizeof(float);
    int grow = H != c->H, out = 1 - c->cur;
    smx_dbuf *dst[SMX_DEV_ARRAYS] = {0}, *other[SMX_DEV_ARRAYS] = {0};
    smx_status st = SMX_OK;
    if (grow) {
        st = smx__dev_check_memory(c, H, err, errlen);
        if (st == SMX_OK) st = new_set(c, dst, bytes, 0u, err, errlen);
        if (st == SMX_OK) st = new_set(c, other, bytes, 0u, err, errlen);
    } else {
        for (int k = 0; k < c->na && st == SMX_OK; k++) {
            dst[k] = c->buf[out][k];
            st = c->api->fill(c, dst[k], 0u, bytes, err, errlen);
        }
    }
    int z0 = zb > c->zb ? zb : c->zb, z1 = zb + H < c->zb + c->H ? zb + H : c->zb + c->H;
    for (int k = 0; k < c->na && st == SMX_OK && z1 > z0; k++) {
        st = c->api->copy_rows(c, c->buf[c->cur][k], dst[k], row, (size_t)(z0 - c->zb),
                               (size_t)(z0 - zb), (size_t)(z1 - z0), (size_t)p->ne * p->nt,
                               row * c->H, row * H, err, errlen);
    }
    for (int k = 0; k < c->na && st == SMX_OK && !grow; k++) { /* the old state set is the output now */
        st = c->api->fill(c, c->buf[c->cur][k], 0u, bytes, err, errlen);
    }
    if (st == SMX_OK) {
        st = smx__dev_finish(c, err, errlen);
    }
    if (st != SMX_OK) {
        if (grow) release_set(c, dst), release_set(c, other);
        return st;
    }
    if (grow) {
        for (int s = 0; s < 2; s++) release_set(c, c->buf[s]);
        for (int k = 0; k < c->na; k++) c->buf[c->cur][k] = dst[k], c->buf[out][k] = other[k];
    } else {
        int *t = c->rz[c->cur]; /* the state moved to the other set */
        c->rz[c->cur] = c->rz[out], c->rz[out] = t;
        c->cur = out;
    }
    set_window(c, H, zb);
    for (int k = 0; k < p->ne; k++) { /* the other set is zero; the state's rows move along */
        clamp_rows(c, c->rz[c->cur] + SMX_BOX * k);
        smx__box_empty(c->rz[1 - c->cur] + SMX_BOX * k, p->nz, p->nx);
    }
    return SMX_OK;
}
