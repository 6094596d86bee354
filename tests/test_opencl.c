#define _POSIX_C_SOURCE 200809L
/* The opencl backend beyond the crosscheck cases: determinism, fast
 * accumulation, the Kahan accumulators of devices without fp64, gemm
 * against stencil, auto, and its errors. Skipped where no OpenCL device
 * exists, unless SMX_REQUIRE_BACKENDS names opencl. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "harness.h"

static void need_opencl(void) { NEED_BACKEND("opencl"); }

/* two_beams_config with the second beam at 20 deg */
static void beams_config(smx_config *c)
{
    two_beams_config(c, "opencl");
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

Test(opencl, deterministic_runs_give_identical_dose_fast_agrees)
{
    need_opencl();
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
    smx_run_free(a);
    smx_run_free(b);
    smx_run_free(f);
}

/* Devices without fp64 sum in compensated float pairs. */
Test(opencl, kahan_accumulators_match_reference)
{
    need_opencl();
    smx_config c;
    beams_config(&c);
    setenv("SMX_OPENCL_NO_FP64", "1", 1);
    smx_run *k = run_config(&c);
    unsetenv("SMX_OPENCL_NO_FP64");
    snprintf(c.backend, sizeof c.backend, "reference");
    smx_run *r = run_config(&c);
    double e = dose_nmse(k, r);
    cr_expect_leq(e, 1e-7, "Kahan dose NMSE vs reference %.3g", e);
    const smx_accounting *a = &smx_run_result(k)->accounting;
    double w, en;
    smx_accounting_sinks(a, &w, &en);
    cr_expect_float_eq(en, a->energy_source, 1e-5 * a->energy_source, "energy closes: %.9g vs %.9g",
                       en, a->energy_source);
    smx_run_free(k);
    smx_run_free(r);
}

Test(opencl, gemm_matches_stencil_and_auto_decides)
{
    need_opencl();
    smx_config c;
    beams_config(&c);
    c.scatter = SMX_SCATTER_STENCIL;
    smx_run *s = run_config(&c);
    cr_expect_str_eq(smx_run_result(s)->scatter, "stencil");
    c.scatter = SMX_SCATTER_GEMM;
    char err[1024] = "";
    smx_run *g = NULL;
    smx_status st = smx_run_create(&c, &g, err, sizeof err);
    if (st == SMX_ECONFIG) { /* a build without clBLAST says so */
        cr_expect(strstr(err, "clBLAST") != NULL, "%s", err);
        smx_run_free(s);
        return;
    }
    cr_assert_eq(st, SMX_OK, "%s", err);
    cr_assert_eq(smx_run_execute(g, NULL, NULL, err, sizeof err), SMX_OK, "%s", err);
    cr_expect_str_eq(smx_run_result(g)->scatter, "gemm");
    double e = dose_nmse(g, s);
    cr_expect_leq(e, 1e-10, "gemm vs stencil dose NMSE %.3g", e);
    /* auto measures (fast accumulation only) and says what it picked */
    c.scatter = SMX_SCATTER_AUTO;
    c.accumulation = SMX_ACCUM_FAST;
    smx_run *a = run_config(&c);
    const char *pick = smx_run_result(a)->scatter;
    cr_expect(!strcmp(pick, "gemm") || !strcmp(pick, "stencil"), "auto picked '%s'", pick);
    cr_expect_leq(dose_nmse(a, s), 1e-10);
    /* deterministic auto keeps the stencil */
    c.accumulation = SMX_ACCUM_DETERMINISTIC;
    smx_run *d = run_config(&c);
    cr_expect_str_eq(smx_run_result(d)->scatter, "stencil");
    smx_run_free(s);
    smx_run_free(g);
    smx_run_free(a);
    smx_run_free(d);
}

Test(opencl, gemm_refused_with_several_media)
{
    need_opencl();
    smx_config c;
    beams_config(&c);
    c.nslabs = 1;
    c.slabs[0] = (smx_slab){.z_min_mm = 5, .z_max_mm = 10, .material = "bone_compact_icru"};
    c.scatter = SMX_SCATTER_GEMM;
    char err[1024] = "";
    smx_run *r = NULL;
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ECONFIG);
    cr_expect(strstr(err, "run.scatter") && (strstr(err, "one medium") || strstr(err, "clBLAST")), "%s", err);
    smx_run_free(r);
}

Test(opencl, device_selection_errors)
{
    need_opencl();
    smx_config c;
    beams_config(&c);
    char err[1024] = "";
    smx_run *r = NULL;
    c.device = 1000;
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV);
    cr_expect(strstr(err, "device 1000") != NULL, "%s", err);
    c.device = -1;
    setenv("SMX_OPENCL_DEVICE", "1000", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ENODEV);
    cr_expect(strstr(err, "SMX_OPENCL_DEVICE") != NULL, "%s", err);
    setenv("SMX_OPENCL_DEVICE", "first", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_EINVAL);
    cr_expect(strstr(err, "'first'") != NULL, "%s", err);
    setenv("SMX_OPENCL_DEVICE", "0", 1);
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_OK, "%s", err);
    unsetenv("SMX_OPENCL_DEVICE");
    smx_run_free(r);
}

/* A state larger than the device's largest allocation is refused before
 * anything is allocated, with both sizes. */
Test(opencl, state_beyond_the_device_is_refused)
{
    need_opencl();
    smx_config c;
    test_case t = {1001, 1001, 721, 400, 1, 0, SMX_SPACING_UNIFORM, 1.0};
    case_config(&t, &c);
    char err[1024] = "";
    smx_plan plan;
    cr_assert_eq(smx__plan_build(&c, &plan, err, sizeof err), SMX_OK, "%s", err);
    const smx_backend_iface *be = smx__backend_find("opencl");
    smx_backend_opts opt = {-1, SMX_PRECISION_FLOAT32, 0, SMX_ACCUM_DETERMINISTIC, SMX_SCATTER_AUTO};
    void *ctx = NULL;
    cr_expect_eq(be->create(&plan, &opt, &ctx, err, sizeof err), SMX_ENOMEM);
    cr_expect(strstr(err, "MB") && strstr(err, "device"), "%s", err);
    cr_expect_null(ctx);
    smx__plan_free(&plan);
}

/* A kernel build failure says so and carries the compiler's log. */
Test(opencl, build_failure_shows_the_compiler_log)
{
    need_opencl();
    smx_config c;
    beams_config(&c);
    char err[4096] = "";
    smx_run *r = NULL;
    setenv("SMX_OPENCL_OPTIONS", "-Dk_sums=(", 1);
    smx_status st = smx_run_create(&c, &r, err, sizeof err);
    unsetenv("SMX_OPENCL_OPTIONS");
    cr_expect_eq(st, SMX_EBACKEND, "%s", err);
    cr_expect(strstr(err, "building the kernels") && strstr(err, "CL_BUILD_PROGRAM_FAILURE"), "%s", err);
    cr_expect(strchr(err, '\n') != NULL, "no compiler log after the message: %s", err);
    cr_expect_null(r);
}

/* `auto` takes opencl on a GPU, openmp where the OpenCL device is a CPU. */
Test(opencl, auto_backend_prefers_a_gpu_else_openmp)
{
    need_opencl();
    smx_config c;
    beams_config(&c);
    snprintf(c.backend, sizeof c.backend, "auto");
    smx_run *r = run_config(&c);
    int gpu = smx__backend_find("opencl")->accelerator(0);
    cr_expect_str_eq(smx_run_result(r)->backend, gpu ? "opencl" : "openmp");
    smx_run_free(r);
}
