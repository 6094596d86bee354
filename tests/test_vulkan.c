#define _POSIX_C_SOURCE 200809L
/* The vulkan backend beyond the crosscheck cases: the device cases every
 * device backend passes (device_cases.h) and auto. Skipped where no Vulkan
 * device exists, unless SMX_REQUIRE_BACKENDS names vulkan; the listing
 * runs everywhere. */
#include "device_cases.h"

static void need_vulkan(void) { NEED_BACKEND("vulkan"); }

Test(vulkan, deterministic_runs_give_identical_dose_fast_agrees)
{
    need_vulkan();
    dc_deterministic_and_fast("vulkan");
}

Test(vulkan, kahan_accumulators_match_reference)
{
    need_vulkan();
    dc_kahan("vulkan", "SMX_VULKAN_NO_FP64");
}

Test(vulkan, device_selection_errors)
{
    need_vulkan();
    dc_device_selection("vulkan", "SMX_VULKAN_DEVICE");
}

/* Beyond the device's memory or one binding's range (maxStorageBufferRange). */
Test(vulkan, state_beyond_the_device_is_refused)
{
    need_vulkan();
    dc_state_refused("vulkan");
}

Test(vulkan, float64_state_is_refused)
{
    need_vulkan();
    dc_float64_refused("vulkan");
}

Test(vulkan, listing_gives_devices_or_a_reason) { dc_listing("vulkan"); }

Test(vulkan, one_wait_for_the_device_per_step)
{
    need_vulkan();
    dc_one_wait_per_step("vulkan");
}

/* `auto` takes vulkan (or another device backend) on a GPU, openmp where
 * the devices are CPU implementations (lavapipe, PoCL). */
Test(vulkan, auto_backend_prefers_a_gpu_else_openmp)
{
    need_vulkan();
    smx_config c;
    dc_beams(&c, "auto");
    smx_run *r = run_config(&c);
    const smx_backend_iface *ocl = smx__backend_find("opencl");
    int gpu = smx__backend_find("vulkan")->accelerator(0) || (ocl && ocl->accelerator(0));
    if (gpu) cr_expect_str_neq(smx_run_result(r)->backend, "openmp");
    else cr_expect_str_eq(smx_run_result(r)->backend, "openmp");
    smx_run_free(r);
}

/* Per-operator kernel times from timestamp queries (lavapipe has them):
 * positive and within the operator's wall time; a CPU backend has none. */
Test(vulkan, kernel_times_from_timestamps)
{
    need_vulkan();
    smx_config c;
    dc_beams(&c, "vulkan");
    smx_run *r = run_config(&c);
    const smx_timing *t = &smx_run_result(r)->timing;
    for (int op = 0; op < SMX_OP_COUNT; op++) {
        double k = t->op_kernel_ms_per_step[op], w = t->op_ms_per_step[op];
        cr_expect(k > 0 && k <= 1.05 * w + 0.05, "%s: kernels %.4g ms, wall %.4g ms", smx_op_name(op), k, w);
    }
    smx_run_free(r);
    snprintf(c.backend, sizeof c.backend, "openmp");
    r = run_config(&c);
    cr_expect_lt(smx_run_result(r)->timing.op_kernel_ms_per_step[0], 0);
    smx_run_free(r);
}
