#define _POSIX_C_SOURCE 200809L
/* The cuda backend beyond the crosscheck cases: the device cases every
 * device backend passes (device_cases.h), auto, and the number of media
 * changing between runs (a __constant__ of the kernels). Skipped where no
 * CUDA device exists, unless SMX_REQUIRE_BACKENDS names cuda; the listing
 * without a device runs everywhere. */
#include "device_cases.h"

static void need_cuda(void) { NEED_BACKEND("cuda"); }

Test(cuda, deterministic_runs_give_identical_dose_fast_agrees)
{
    need_cuda();
    dc_deterministic_and_fast("cuda");
}

Test(cuda, kahan_accumulators_match_reference)
{
    need_cuda();
    dc_kahan("cuda", "SMX_CUDA_NO_FP64");
}

Test(cuda, device_selection_errors)
{
    need_cuda();
    dc_device_selection("cuda", "SMX_CUDA_DEVICE");
}

Test(cuda, state_beyond_the_device_is_refused)
{
    need_cuda();
    dc_state_refused("cuda");
}

Test(cuda, float64_state_is_refused)
{
    need_cuda();
    dc_float64_refused("cuda");
}

Test(cuda, listing_gives_devices_or_a_reason) { dc_listing("cuda"); }

Test(cuda, one_wait_for_the_device_per_step)
{
    need_cuda();
    dc_one_wait_per_step("cuda");
}

Test(cuda, ledger_limits_reached_mid_step)
{
    need_cuda();
    dc_ledger_limits("cuda", 1);
}

/* `auto` takes a GPU backend (cuda first) where there is one. */
Test(cuda, auto_backend_prefers_a_gpu)
{
    need_cuda();
    smx_config c;
    dc_beams(&c, "cuda");
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
    dc_beams(c, "cuda");
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
    cr_expect(dc_same_dose(a, a2), "3 media: dose differs after a run of 2 media");
    snprintf(c2.backend, sizeof c2.backend, "reference");
    snprintf(c3.backend, sizeof c3.backend, "reference");
    smx_run *rb = run_config(&c2), *ra = run_config(&c3);
    double e = dc_dose_nmse(b, rb);
    cr_expect_leq(e, 1e-7, "2 media: cuda vs reference dose NMSE %.3g", e);
    e = dc_dose_nmse(a, ra);
    cr_expect_leq(e, 1e-7, "3 media: cuda vs reference dose NMSE %.3g", e);
    smx_run_free(a);
    smx_run_free(b);
    smx_run_free(a2);
    smx_run_free(ra);
    smx_run_free(rb);
}

