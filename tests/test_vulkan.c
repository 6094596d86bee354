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

Test(vulkan, ledger_limits_reached_mid_step)
{
    need_vulkan();
    dc_ledger_limits("vulkan", 0);
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

/* The largest storage buffer one binding holds (maxStorageBufferRange) of
 * vulkan device 0, from its listing ("max binding X GiB"), in bytes. */
static double max_binding_bytes(void)
{
    char d[512] = "";
    cr_assert_eq(smx_backend_device_name("vulkan", 0, d, sizeof d), SMX_OK);
    const char *s = strstr(d, "max binding ");
    cr_assert_not_null(s, "%s", d);
    return atof(s + strlen("max binding ")) * 1073741824.0;
}

/* A state array larger than one binding can hold goes by buffer device
 * address: a whole Lie step on a 142 MB psi array (lavapipe binds at most
 * 128 MB) matches the reference; with SMX_VULKAN_ADDRESSES=0 the same
 * state is refused, naming the limit. */
Test(vulkan, state_array_beyond_one_binding_goes_by_address, .timeout = 900)
{
    need_vulkan();
    smx_config c;
    test_case t = {64, 64, 72, 120, 1, 0, SMX_SPACING_UNIFORM, 0, 1};
    case_config(&t, &c);
    c.secondaries = SMX_SECONDARIES_LOCAL;
    char err[1024] = "";
    smx_plan plan;
    cr_assert_eq(smx__plan_build(&c, &plan, err, sizeof err), SMX_OK, "%s", err);
    size_t n = smx__psi_size(&plan), slab = smx__slab(&plan);
    double bytes = (double)n * sizeof(float);
    smx_host_state hs = smx__host_state_alloc(&plan);
    cr_assert(smx__host_state_ok(&plan, &hs));
    smx__random_state(&plan, &hs, 0, plan.ne - 1);
    int ne = plan.ne;
    smx__plan_free(&plan);
    if (bytes > max_binding_bytes()) {
        setenv("SMX_VULKAN_ADDRESSES", "0", 1);
        smx_oprun v = {0};
        cr_expect_eq(smx__oprun_open(&v, "vulkan", &c, &hs, 0, ne - 1, err, sizeof err), SMX_ENOMEM);
        cr_expect(strstr(err, "MB"), "%s", err);
        smx__oprun_close(&v);
        unsetenv("SMX_VULKAN_ADDRESSES");
    } else {
        cr_log_warn("vulkan: psi of %.1f MB fits one binding of this device; addresses not needed", bytes / 1e6);
    }
    smx_oprun a = {0}, b = {0};
    cr_assert_eq(smx__oprun_open(&a, "reference", &c, &hs, 0, ne - 1, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_eq(smx__oprun_open(&b, "vulkan", &c, &hs, 0, ne - 1, err, sizeof err), SMX_OK, "%s", err);
    smx__host_state_free(&hs);
    smx_graph g = {0};
    smx__step_graph(SMX_SPLIT_LIE, &g);
    smx_graph g2 = g;
    cr_assert_eq(smx__oprun_graph(&a, &g, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_eq(smx__oprun_graph(&b, &g2, err, sizeof err), SMX_OK, "%s", err);
    double es = smx__nmse(b.st.psi, a.st.psi, n), ed = smx__nmse(b.edep, a.edep, slab);
    cr_expect_leq(es, 1e-7, "state NMSE %.3g", es);
    cr_expect_leq(ed, 1e-7, "dose NMSE %.3g", ed);
    for (int q = 0; q < g.nnodes; q++) {
        double e = smx__acct_nmse(&b.acct[q], &a.acct[q]);
        cr_expect_leq(e, 1e-7, "node %d accounting NMSE %.3g", q, e);
    }
    smx__oprun_close(&a);
    smx__oprun_close(&b);
}
