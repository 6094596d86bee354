/* Vulkan instance and physical devices: enumeration in a fixed order (a
 * real GPU before a CPU implementation such as lavapipe, which is taken
 * only when asked for or when it is all there is), selection (--device,
 * run.device, SMX_VULKAN_DEVICE) and a one-line description for
 * `smatrix2d devices`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/vulkan/vk.h"

#define VK_MAX_DEVICES 32

int smx__vk_has_validation(void)
{
    VkLayerProperties l[64];
    uint32_t n = 64;
    VkResult r = vkEnumerateInstanceLayerProperties(&n, l);
    for (uint32_t i = 0; (r == VK_SUCCESS || r == VK_INCOMPLETE) && i < n; i++)
        if (strcmp(l[i].layerName, "VK_LAYER_KHRONOS_validation") == 0) return 1;
    return 0;
}

smx_status smx__vk_instance(VkInstance *inst, int validation, char *err, size_t errlen)
{
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                             .pApplicationName = "smatrix2d",
                             .pEngineName = "smatrix2d",
                             .apiVersion = VK_API_VERSION_1_1};
    const char *layers[] = {"VK_LAYER_KHRONOS_validation"};
    const char *exts[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                               .pApplicationInfo = &app,
                               .enabledLayerCount = validation ? 1 : 0,
                               .ppEnabledLayerNames = layers,
                               .enabledExtensionCount = validation ? 1 : 0,
                               .ppEnabledExtensionNames = exts};
    VkResult r = vkCreateInstance(&ci, NULL, inst);
    if (r == VK_ERROR_LAYER_NOT_PRESENT) {
        smx__err(err, errlen, "vulkan backend: SMX_VULKAN_VALIDATION is set but the layer "
                 "VK_LAYER_KHRONOS_validation is not installed (Debian: vulkan-validationlayers)");
        return SMX_ENODEV;
    }
    if (r != VK_SUCCESS) {
        smx__err(err, errlen, "vulkan backend: vkCreateInstance failed: %s%s", smx__vk_result_name(r),
                 r == VK_ERROR_INCOMPATIBLE_DRIVER ? " (no Vulkan driver; install one, e.g. "
                                                     "mesa-vulkan-drivers)" : "");
        return SMX_ENODEV;
    }
    return SMX_OK;
}

/* Lower is preferred. */
static int type_rank(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 4;
    default: return 3;
    }
}

static int compute_family(VkPhysicalDevice pd, uint32_t *fam, uint32_t *timestamp_bits)
{
    VkQueueFamilyProperties qf[16];
    uint32_t n = 16;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, qf);
    for (int pass = 0; pass < 2; pass++) /* a compute-only family first (async compute) */
        for (uint32_t i = 0; i < n; i++)
            if ((qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && (pass || !(qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))) {
                *fam = i;
                *timestamp_bits = qf[i].timestampValidBits;
                return 1;
            }
    return 0;
}

static void query(vk_device *d)
{
    vkGetPhysicalDeviceProperties(d->pd, &d->props);
    VkPhysicalDeviceShaderAtomicInt64Features a64 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_INT64_FEATURES};
    VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &a64};
    vkGetPhysicalDeviceFeatures2(d->pd, &f2);
    d->fp64 = f2.features.shaderFloat64 == VK_TRUE;
    d->atomic64 = a64.shaderBufferInt64Atomics == VK_TRUE && f2.features.shaderInt64 == VK_TRUE;
    d->float_atomics = 0;
    int bda_ext = 0;
    uint32_t n = 0;
    vkEnumerateDeviceExtensionProperties(d->pd, NULL, &n, NULL);
    VkExtensionProperties *ext = calloc(n ? n : 1, sizeof *ext);
    if (ext && vkEnumerateDeviceExtensionProperties(d->pd, NULL, &n, ext) == VK_SUCCESS)
        for (uint32_t i = 0; i < n; i++) {
            if (strcmp(ext[i].extensionName, "VK_EXT_shader_atomic_float") == 0) d->float_atomics = 1;
            if (strcmp(ext[i].extensionName, VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME) == 0) bda_ext = 1;
        }
    free(ext);
    d->bda = 0;
    if (bda_ext) { /* the feature struct may be chained only where the extension is */
        VkPhysicalDeviceBufferDeviceAddressFeaturesKHR bda = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES_KHR};
        VkPhysicalDeviceFeatures2 b2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &bda};
        vkGetPhysicalDeviceFeatures2(d->pd, &b2);
        d->bda = bda.bufferDeviceAddress == VK_TRUE;
    }
    VkPhysicalDeviceSubgroupProperties sg = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &sg};
    vkGetPhysicalDeviceProperties2(d->pd, &p2);
    d->subgroup = sg.subgroupSize;
}

int smx__vk_devices(VkInstance inst, vk_device *out, int max)
{
    VkPhysicalDevice pds[VK_MAX_DEVICES];
    uint32_t n = VK_MAX_DEVICES;
    VkResult r = vkEnumeratePhysicalDevices(inst, &n, pds);
    if (r != VK_SUCCESS && r != VK_INCOMPLETE) return 0;
    vk_device all[VK_MAX_DEVICES];
    int m = 0;
    for (uint32_t i = 0; i < n; i++) {
        vk_device d = {.pd = pds[i]};
        if (!compute_family(d.pd, &d.qfam, &d.timestamp_bits)) continue;
        query(&d);
        if (d.props.apiVersion < VK_API_VERSION_1_1) continue;
        all[m++] = d;
    }
    /* stable: by type rank, then in the loader's order */
    int k = 0;
    for (int rank = 0; rank <= 4; rank++)
        for (int i = 0; i < m; i++)
            if (type_rank(all[i].props.deviceType) == rank) {
                if (out && k < max) out[k] = all[i];
                k++;
            }
    return k;
}

smx_status smx__vk_pick(VkInstance inst, int device, vk_device *out, char *err, size_t errlen)
{
    vk_device all[VK_MAX_DEVICES];
    const char *from = device < 0 ? " (SMX_VULKAN_DEVICE)" : "";
    smx_status st = smx__dev_env_device("vulkan", "SMX_VULKAN_DEVICE", &device, err, errlen);
    if (st != SMX_OK) return st;
    int n = smx__vk_devices(inst, all, VK_MAX_DEVICES);
    if (device >= n) {
        smx__err(err, errlen, "vulkan backend: device %d%s requested, %d Vulkan 1.1 device(s) with "
                 "compute found", device, from, n);
        return SMX_ENODEV;
    }
    *out = all[device];
    return SMX_OK;
}

static const char *type_name(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "CPU";
    default: return "other";
    }
}

static const char *vendor_name(uint32_t id)
{
    switch (id) {
    case 0x10de: return "NVIDIA";
    case 0x1002: return "AMD";
    case 0x8086: return "Intel";
    case 0x13b5: return "ARM";
    case 0x5143: return "Qualcomm";
    case 0x10005: return "Mesa";
    default: return "vendor";
    }
}

void smx__vk_describe(const vk_device *d, char *buf, size_t buflen)
{
    VkPhysicalDeviceDriverProperties drv = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    if (d->props.apiVersion >= VK_API_VERSION_1_2) p2.pNext = &drv;
    vkGetPhysicalDeviceProperties2(d->pd, &p2);
    VkPhysicalDeviceMemoryProperties mem;
    vkGetPhysicalDeviceMemoryProperties(d->pd, &mem);
    char heaps[160] = "";
    size_t at = 0;
    for (uint32_t h = 0; h < mem.memoryHeapCount && at < sizeof heaps - 32; h++)
        at += (size_t)snprintf(heaps + at, sizeof heaps - at, "%s%.2f GiB%s", h ? " + " : "",
                               mem.memoryHeaps[h].size / 1073741824.0,
                               mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT ? " device-local" : "");
    uint32_t v = d->props.apiVersion;
    smx__err(buf, buflen, "%s | %s 0x%04x | %s | driver %s %s | Vulkan %u.%u.%u | heaps %s | "
             "max binding %.2f GiB | addresses %s | subgroup %u | fp64 %s | float atomics %s | "
             "int64 atomics %s",
             d->props.deviceName, vendor_name(d->props.vendorID), d->props.vendorID,
             type_name(d->props.deviceType), drv.driverName[0] ? drv.driverName : "?",
             drv.driverInfo[0] ? drv.driverInfo : "", VK_API_VERSION_MAJOR(v), VK_API_VERSION_MINOR(v),
             VK_API_VERSION_PATCH(v), heaps, d->props.limits.maxStorageBufferRange / 1073741824.0,
             d->bda ? "yes" : "no", d->subgroup, d->fp64 ? "yes" : "no", d->float_atomics ? "yes" : "no",
             d->atomic64 ? "yes" : "no");
}
