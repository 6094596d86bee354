/* Cases every device backend passes beyond the crosscheck (test_opencl.c,
 * test_vulkan.c, test_cuda.c call them with their backend's name and
 * environment variables): determinism and fast accumulation against the
 * reference, the Kahan accumulators of devices without fp64, device
 * selection, refusals, the device listing. Each test first skips where the
 * backend has no device (NEED_BACKEND). */
#ifndef SMX_TEST_DEVICE_CASES_H
#define SMX_TEST_DEVICE_CASES_H

#include <criterion/criterion.h>
#include <stdlib.h>

#include "harness.h"

/* two_beams_config with the second beam at 20 deg */
static inline void dc_beams(smx_config *c, const char *backend)
{
    two_beams_config(c, backend);
    c->beams[1].angle_deg = 20;
}

static inline double dc_dose_nmse(const smx_run *a, const smx_run *b)
{
    const smx_result *x = smx_run_result(a), *y = smx_run_result(b);
    return nmse(x->dose_Gy, y->dose_Gy, (size_t)x->nx * x->nz);
}

static inline int dc_same_dose(const smx_run *a, const smx_run *b)
{
    const smx_result *x = smx_run_result(a), *y = smx_run_result(b);
    return memcmp(x->dose_Gy, y->dose_Gy, sizeof(double) * x->nx * x->nz) == 0;
}

/* Two deterministic runs give the same dose bit for bit; fast agrees to
 * 1e-10 and deterministic with the reference to 1e-7. */
static inline void dc_deterministic_and_fast(const char *backend)
{
    smx_config c;
    dc_beams(&c, backend);
    smx_run *a = run_config(&c), *b = run_config(&c);
    cr_expect(dc_same_dose(a, b), "%s deterministic: dose differs between two runs", backend);
    cr_expect_str_eq(smx_run_result(a)->accumulation, "deterministic");
    c.accumulation = SMX_ACCUM_FAST;
    smx_run *f = run_config(&c);
    cr_expect_str_eq(smx_run_result(f)->accumulation, "fast");
    double e = dc_dose_nmse(f, a);
    cr_expect_leq(e, 1e-10, "%s fast vs deterministic dose NMSE %.3g", backend, e);
    snprintf(c.backend, sizeof c.backend, "reference");
    c.accumulation = SMX_ACCUM_DETERMINISTIC;
    smx_run *r = run_config(&c);
    e = dc_dose_nmse(a, r);
    cr_expect_leq(e, 1e-7, "%s vs reference dose NMSE %.3g", backend, e);
    smx_run_free(a);
    smx_run_free(b);
    smx_run_free(f);
    smx_run_free(r);
}

/* Devices without fp64 (forced by the environment variable no_fp64) sum
 * in compensated float pairs, in both accumulation modes: dose against the
 * reference, energy closure. */
static inline void dc_kahan(const char *backend, const char *no_fp64)
{
    smx_config c;
    dc_beams(&c, "reference");
    smx_run *r = run_config(&c);
    snprintf(c.backend, sizeof c.backend, "%s", backend);
    setenv(no_fp64, "1", 1);
    for (int fast = 0; fast < 2; fast++) {
        c.accumulation = fast ? SMX_ACCUM_FAST : SMX_ACCUM_DETERMINISTIC;
        smx_run *k = run_config(&c);
        double e = dc_dose_nmse(k, r);
        cr_expect_leq(e, 1e-7, "%s Kahan (%s) dose NMSE vs reference %.3g", backend,
                      fast ? "fast" : "deterministic", e);
        const smx_accounting *a = &smx_run_result(k)->accounting;
        double w, en;
        smx_accounting_sinks(a, &w, &en);
        cr_expect_float_eq(en, a->energy_source, 1e-5 * a->energy_source, "energy closes: %.9g vs %.9g",
                           en, a->energy_source);
        smx_run_free(k);
    }
    unsetenv(no_fp64);
    smx_run_free(r);
}

/* --device / run.device beyond the devices, and the environment variable
 * env (SMX_<BACKEND>_DEVICE) out of range, not a number, and valid. */
static inline void dc_device_selection(const char *backend, const char *env)
{
    smx_config c;
    dc_beams(&c, backend);
    char err[1024] = "";
    smx_run *r = NULL;
    c.device = 1000;
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV);
    cr_expect(strstr(err, "device 1000") != NULL, "%s", err);
    c.device = -1;
    setenv(env, "1000", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV);
    cr_expect(strstr(err, env) != NULL, "%s", err);
    setenv(env, "first", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_EINVAL);
    cr_expect(strstr(err, "'first'") != NULL, "%s", err);
    setenv(env, "0", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_OK, "%s", err);
    unsetenv(env);
    smx_run_free(r);
}

/* A state larger than the device is refused before anything is allocated,
 * with both sizes. */
static inline void dc_state_refused(const char *backend)
{
    smx_config c;
    test_case t = {1001, 1001, 721, 400, 1, 0, SMX_SPACING_UNIFORM, 1.0};
    case_config(&t, &c);
    char err[1024] = "";
    smx_plan plan;
    cr_assert_eq(smx__plan_build(&c, &plan, err, sizeof err), SMX_OK, "%s", err);
    const smx_backend_iface *be = smx__backend_find(backend);
    smx_backend_opts opt = {-1, SMX_PRECISION_FLOAT32, 0, SMX_ACCUM_DETERMINISTIC, SMX_SCATTER_AUTO};
    void *ctx = NULL;
    cr_expect_eq(be->create(&plan, &opt, &ctx, err, sizeof err), SMX_ENOMEM);
    cr_expect(strstr(err, "MB") && strstr(err, "device"), "%s", err);
    cr_expect_null(ctx);
    smx__plan_free(&plan);
}

/* float64 state is the reference's; a device backend says so. */
static inline void dc_float64_refused(const char *backend)
{
    smx_config c;
    dc_beams(&c, backend);
    c.precision = SMX_PRECISION_FLOAT64;
    char err[1024] = "";
    smx_run *r = NULL;
    cr_expect_neq(smx_run_create(&c, &r, err, sizeof err), SMX_OK);
    cr_expect(strstr(err, "float32") != NULL, "%s", err);
    cr_expect_null(r);
}

/* A step is enqueued whole and the host waits for it once (the state's
 * window moving adds a few waits; the accounting is read back per step,
 * not per operator); a host backend reports none. */
static inline void dc_one_wait_per_step(const char *backend)
{
    smx_config c;
    dc_beams(&c, backend);
    smx_run *r = run_config(&c);
    double w = smx_run_result(r)->timing.device_waits_per_step;
    cr_expect(w >= 1 && w <= 1.5, "%s: %.3g waits for the device per step", backend, w);
    smx_run_free(r);
    snprintf(c.backend, sizeof c.backend, "openmp");
    r = run_config(&c);
    cr_expect_lt(smx_run_result(r)->timing.device_waits_per_step, 0);
    smx_run_free(r);
}

/* The ledger's limits reached mid-step, forced by test knobs: a step out
 * of accounting slots reads them back and goes on (SMX_DEV_SLOT_CAP: 2
 * slots with Lie, 3 with Strang, of SMX_DEV_SLOTS), and an upload arena
 * too small for a step's uploads waits for those in flight, or sends one
 * larger than itself unqueued (SMX_DEV_ARENA_BYTES=256; where the
 * backend queues its uploads, `arena`: opencl, cuda). Each gives the same
 * dose and accounting bit for bit, with more waits for the device (the
 * limits were reached). */
static inline void dc_ledger_limits(const char *backend, int arena)
{
    static const struct { int strang; const char *name, *value; } v[] = {
        {0, "SMX_DEV_SLOT_CAP", "2"}, {1, "SMX_DEV_SLOT_CAP", "3"}, {0, "SMX_DEV_ARENA_BYTES", "256"}};
    for (int k = 0; k < (arena ? 3 : 2); k++) {
        smx_config c;
        dc_beams(&c, backend);
        c.splitting = v[k].strang ? SMX_SPLIT_STRANG : SMX_SPLIT_LIE;
        smx_run *a = run_config(&c);
        setenv(v[k].name, v[k].value, 1);
        smx_run *b = run_config(&c);
        unsetenv(v[k].name);
        const smx_result *x = smx_run_result(a), *y = smx_run_result(b);
        cr_expect(dc_same_dose(a, b), "%s, %s=%s: dose differs", backend, v[k].name, v[k].value);
        cr_expect(memcmp(&x->accounting, &y->accounting, sizeof x->accounting) == 0,
                  "%s, %s=%s: accounting differs", backend, v[k].name, v[k].value);
        cr_expect_gt(y->timing.device_waits_per_step, x->timing.device_waits_per_step + 0.5,
                     "%s, %s=%s: %.3g waits per step (%.3g without)", backend, v[k].name, v[k].value,
                     y->timing.device_waits_per_step, x->timing.device_waits_per_step);
        smx_run_free(a);
        smx_run_free(b);
    }
}

/* With or without a device: the backend lists its devices, or none with a
 * one-line reason, and a named backend then fails cleanly. */
static inline void dc_listing(const char *backend)
{
    char why[512] = "";
    int n = smx_backend_device_count(backend, why, sizeof why);
    cr_expect_geq(n, 0);
    if (n > 0) return;
    cr_expect(why[0] != 0 && strchr(why, '\n') == NULL, "one-line reason: '%s'", why);
    smx_config c;
    dc_beams(&c, backend);
    char err[1024] = "";
    smx_run *r = NULL;
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV, "%s", err);
    cr_expect(strstr(err, backend) != NULL, "%s", err);
    cr_expect_null(r);
}

#endif
