#define _POSIX_C_SOURCE 200809L
/* The opencl backend beyond the crosscheck cases: the device cases every
 * device backend passes (device_cases.h: determinism, fast accumulation,
 * the Kahan accumulators of devices without fp64, device selection,
 * refusals), gemm against stencil, auto, and a kernel build failure.
 * Skipped where no OpenCL device exists, unless SMX_REQUIRE_BACKENDS names
 * opencl. */
#include "device_cases.h"

static void need_opencl(void) { NEED_BACKEND("opencl"); }

static void beams_config(smx_config *c) { dc_beams(c, "opencl"); }

Test(opencl, deterministic_runs_give_identical_dose_fast_agrees)
{
    need_opencl();
    dc_deterministic_and_fast("opencl");
}

Test(opencl, kahan_accumulators_match_reference)
{
    need_opencl();
    dc_kahan("opencl", "SMX_OPENCL_NO_FP64");
}

Test(opencl, device_selection_errors)
{
    need_opencl();
    dc_device_selection("opencl", "SMX_OPENCL_DEVICE");
}

Test(opencl, state_beyond_the_device_is_refused)
{
    need_opencl();
    dc_state_refused("opencl");
}

Test(opencl, float64_state_is_refused)
{
    need_opencl();
    dc_float64_refused("opencl");
}

Test(opencl, listing_gives_devices_or_a_reason) { dc_listing("opencl"); }

Test(opencl, one_wait_for_the_device_per_step)
{
    need_opencl();
    dc_one_wait_per_step("opencl");
}

Test(opencl, ledger_limits_reached_mid_step)
{
    need_opencl();
    dc_ledger_limits("opencl", 1);
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
    double e = dc_dose_nmse(g, s);
    cr_expect_leq(e, 1e-10, "gemm vs stencil dose NMSE %.3g", e);
    /* auto measures (fast accumulation only) and says what it picked */
    c.scatter = SMX_SCATTER_AUTO;
    c.accumulation = SMX_ACCUM_FAST;
    smx_run *a = run_config(&c);
    const char *pick = smx_run_result(a)->scatter;
    cr_expect(!strcmp(pick, "gemm") || !strcmp(pick, "stencil"), "auto picked '%s'", pick);
    cr_expect_leq(dc_dose_nmse(a, s), 1e-10);
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
