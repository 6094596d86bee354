#define _POSIX_C_SOURCE 200809L
/* The cuda backend beyond the crosscheck cases: determinism, fast
 * accumulation, the Kahan accumulators (SMX_CUDA_NO_FP64), the number of
 * media changing between runs (a __constant__ of the kernels), device
 * selection, memory refusals and auto. Skipped where no CUDA device
 * exists, unless SMX_REQUIRE_BACKENDS names cuda; the listing without a
 * device runs everywhere. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "harness.h"

static void need_cuda(void) { NEED_BACKEND("cuda"); }

/* two_beams_config with the second beam at 20 deg */
static void beams_config(smx_config *c)
{
    two_beams_config(c, "cuda");
    c->beams[1].angle_deg = 20;
}

static double dose_nmse(const smx_run *a, const smx_run *b)
{
    const smx_result *x = smx_run_result(a), *y = smx_run_result(b);
    return nmse(x->dose_Gy, y->dose_Gy, (size_t)x->nx * x->nz);
}

static int same_dose(const smx_run *a, const smx_run *b)
{
    const smx_result *x = smx_run_result(a), *y = smx_run_result(b);
    return memcmp(x->dose_Gy, y->dose_Gy, sizeof(double) * x->nx * x->nz) == 0;
}

Test(cuda, deterministic_runs_give_identical_dose_fast_agrees)
{
    need_cuda();
    smx_config c;
    beams_config(&c);
    smx_run *a = run_config(&c), *b = run_config(&c);
    cr_expect(same_dose(a, b), "deterministic: dose differs between two runs");
    cr_expect_str_eq(smx_run_result(a)->accumulation, "deterministic");
    c.accumulation = SMX_ACCUM_FAST;
    smx_run *f = run_config(&c);
    cr_expect_str_eq(smx_run_result(f)->accumulation, "fast");
    double e = dose_nmse(f, a);
    cr_expect_leq(e, 1e-10, "fast vs deterministic dose NMSE %.3g", e);
    snprintf(c.backend, sizeof c.backend, "reference");
    c.accumulation = SMX_ACCUM_DETERMINISTIC;
    smx_run *r = run_config(&c);
    e = dose_nmse(a, r);
    cr_expect_leq(e, 1e-7, "cuda vs reference dose NMSE %.3g", e);
    smx_run_free(a);
    smx_run_free(b);
    smx_run_free(f);
    smx_run_free(r);
}

/* Devices without fp64 sum in compensated float pairs, in both modes. */
Test(cuda, kahan_accumulators_match_reference)
{
    need_cuda();
    smx_config c;
    beams_config(&c);
    snprintf(c.backend, sizeof c.backend, "reference");
    smx_run *r = run_config(&c);
    snprintf(c.backend, sizeof c.backend, "cuda");
    setenv("SMX_CUDA_NO_FP64", "1", 1);
    for (int fast = 0; fast < 2; fast++) {
        c.accumulation = fast ? SMX_ACCUM_FAST : SMX_ACCUM_DETERMINISTIC;
        smx_run *k = run_config(&c);
        double e = dose_nmse(k, r);
        cr_expect_leq(e, 1e-7, "Kahan (%s) dose NMSE vs reference %.3g", fast ? "fast" : "deterministic", e);
        const smx_accounting *a = &smx_run_result(k)->accounting;
        double w, en;
        smx_accounting_sinks(a, &w, &en);
        cr_expect_float_eq(en, a->energy_source, 1e-5 * a->energy_source, "energy closes: %.9g vs %.9g",
                           en, a->energy_source);
        smx_run_free(k);
    }
    unsetenv("SMX_CUDA_NO_FP64");
    smx_run_free(r);
}

Test(cuda, device_selection_errors)
{
    need_cuda();
    smx_config c;
    beams_config(&c);
    char err[1024] = "";
    smx_run *r = NULL;
    c.device = 1000;
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV);
    cr_expect(strstr(err, "device 1000") != NULL, "%s", err);
    c.device = -1;
    setenv("SMX_CUDA_DEVICE", "1000", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV);
    cr_expect(strstr(err, "SMX_CUDA_DEVICE") != NULL, "%s", err);
    setenv("SMX_CUDA_DEVICE", "first", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_EINVAL);
    cr_expect(strstr(err, "'first'") != NULL, "%s", err);
    setenv("SMX_CUDA_DEVICE", "0", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_OK, "%s", err);
    unsetenv("SMX_CUDA_DEVICE");
    smx_run_free(r);
}

/* A state larger than the device's memory or one binding's range is
 * refused before anything is allocated, with both sizes. */
Test(cuda, state_beyond_the_device_is_refused)
{
    need_cuda();
    smx_config c;
    test_case t = {1001, 1001, 721, 400, 1, 0, SMX_SPACING_UNIFORM, 1.0};
    case_config(&t, &c);
    char err[1024] = "";
    smx_plan plan;
    cr_assert_eq(smx__plan_build(&c, &plan, err, sizeof err), SMX_OK, "%s", err);
    const smx_backend_iface *be = smx__backend_find("cuda");
    smx_backend_opts opt = {-1, SMX_PRECISION_FLOAT32, 0, SMX_ACCUM_DETERMINISTIC, SMX_SCATTER_AUTO};
    void *ctx = NULL;
    cr_expect_eq(be->create(&plan, &opt, &ctx, err, sizeof err), SMX_ENOMEM);
    cr_expect(strstr(err, "MB") && strstr(err, "device"), "%s", err);
    cr_expect_null(ctx);
    smx__plan_free(&plan);
}

/* float64 state is the reference's; the cuda backend says so. */
Test(cuda, float64_state_is_refused)
{
    need_cuda();
    smx_config c;
    beams_config(&c);
    c.precision = SMX_PRECISION_FLOAT64;
    char err[1024] = "";
    smx_run *r = NULL;
    cr_expect_neq(smx_run_create(&c, &r, err, sizeof err), SMX_OK);
    cr_expect(strstr(err, "float32") != NULL, "%s", err);
    cr_expect_null(r);
}

/* `auto` takes a GPU backend (cuda first) where there is one. */
Test(cuda, auto_backend_prefers_a_gpu)
{
    need_cuda();
    smx_config c;
    beams_config(&c);
    snprintf(c.backend, sizeof c.backend, "auto");
    smx_run *r = run_config(&c);
    cr_expect_str_eq(smx_run_result(r)->backend, "cuda");
    smx_run_free(r);
}

/* The number of media is a __constant__ of each kernel variant, set when
 * it changes: runs of 3, 2 and again 3 media (the same variant) each agree
 * with the reference, the repeated one bit for bit. */
static void media_config(smx_config *c, int nslabs)
{
    beams_config(c);
    c->nslabs = nslabs;
    c->slabs[0] = (smx_slab){.z_min_mm = 8, .z_max_mm = 14, .material = "bone_cortical_icrp"};
    c->slabs[1] = (smx_slab){.z_min_mm = 14, .z_max_mm = 20, .material = "lung"};
}

Test(cuda, number_of_media_changes_between_runs)
{
    need_cuda();
    smx_config c3, c2;
    media_config(&c3, 2);
    media_config(&c2, 1);
    smx_run *a = run_config(&c3), *b = run_config(&c2), *a2 = run_config(&c3);
    cr_expect(same_dose(a, a2), "3 media: dose differs after a run of 2 media");
    snprintf(c2.backend, sizeof c2.backend, "reference");
    snprintf(c3.backend, sizeof c3.backend, "reference");
    smx_run *rb = run_config(&c2), *ra = run_config(&c3);
    double e = dose_nmse(b, rb);
    cr_expect_leq(e, 1e-7, "2 media: cuda vs reference dose NMSE %.3g", e);
    e = dose_nmse(a, ra);
    cr_expect_leq(e, 1e-7, "3 media: cuda vs reference dose NMSE %.3g", e);
    smx_run_free(a);
    smx_run_free(b);
    smx_run_free(a2);
    smx_run_free(ra);
    smx_run_free(rb);
}

/* Everywhere, with or without a GPU: cuda lists its devices, or none with
 * a one-line reason (no driver, no GPU), and a named cuda then fails
 * cleanly. */
Test(cuda, listing_gives_devices_or_a_reason)
{
    char why[512] = "";
    int n = smx_backend_device_count("cuda", why, sizeof why);
    cr_expect_geq(n, 0);
    if (n > 0) return;
    cr_expect(why[0] != 0 && strchr(why, '\n') == NULL, "one-line reason: '%s'", why);
    smx_config c;
    beams_config(&c);
    char err[1024] = "";
    smx_run *r = NULL;
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV, "%s", err);
    cr_expect(strstr(err, "cuda") != NULL, "%s", err);
    cr_expect_null(r);
}
