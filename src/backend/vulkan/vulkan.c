/* The vulkan backend: float32 state on a Vulkan 1.1 compute device, the
 * shaders of spirv/ (SPIR-V embedded at build time), and the device API
 * of src/backend/common (buffers, copies, launches) over Vulkan; the
 * operators' host side, tables and accounting are the common layer's.
 * Buffers are device-local; uploads and read-backs go through a
 * host-visible staging buffer (small uploads inline, vkCmdUpdateBuffer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/vulkan/vk.h"

#define STAGE_BYTES ((VkDeviceSize)16 << 20)
#define INLINE_MAX 65536 /* vkCmdUpdateBuffer's limit */

static VkDeviceSize round4(size_t n) { return n < 4 ? 4 : (VkDeviceSize)(n + 3) / 4 * 4; }

static int memory_type(const vk_ctx *c, uint32_t bits, VkMemoryPropertyFlags want)
{
    for (uint32_t i = 0; i < c->mem.memoryTypeCount; i++)
        if ((bits & (1u << i)) && (c->mem.memoryTypes[i].propertyFlags & want) == want) return (int)i;
    return -1;
}

static smx_status make_buffer(vk_ctx *c, VkDeviceSize size, VkMemoryPropertyFlags want,
                              VkMemoryPropertyFlags fallback, vk_buf *b, char *err, size_t errlen)
{
    VkBufferCreateInfo bi = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
                             .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                      VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    if (c->addresses) bi.usage |= VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT_KHR;
    b->size = size;
    VK_TRY("vkCreateBuffer", vkCreateBuffer(c->dev, &bi, NULL, &b->b));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(c->dev, b->b, &req);
    int t = memory_type(c, req.memoryTypeBits, want);
    if (t < 0) t = memory_type(c, req.memoryTypeBits, fallback);
    if (t < 0) {
        smx__err(err, errlen, "vulkan backend: no memory type for a buffer of %.1f MB", size / 1e6);
        return SMX_EBACKEND;
    }
    VkMemoryAllocateFlagsInfo fi = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
                                    .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT_KHR};
    VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                               .pNext = c->addresses ? &fi : NULL, .allocationSize = req.size,
                               .memoryTypeIndex = (uint32_t)t};
    VkResult r = vkAllocateMemory(c->dev, &ai, NULL, &b->m);
    if (r != VK_SUCCESS) {
        uint32_t h = c->mem.memoryTypes[t].heapIndex;
        smx__err(err, errlen, "vulkan backend: vkAllocateMemory of %.1f MB failed: %s (heap %u holds "
                 "%.1f MB)", req.size / 1e6, smx__vk_result_name(r), h, c->mem.memoryHeaps[h].size / 1e6);
        return r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ? SMX_ENOMEM
                                                                                       : SMX_EBACKEND;
    }
    VK_TRY("vkBindBufferMemory", vkBindBufferMemory(c->dev, b->b, b->m, 0));
    return SMX_OK;
}

static void free_buffer(vk_ctx *c, vk_buf *b)
{
    if (b->b) vkDestroyBuffer(c->dev, b->b, NULL);
    if (b->m) vkFreeMemory(c->dev, b->m, NULL);
    b->b = VK_NULL_HANDLE, b->m = VK_NULL_HANDLE;
}

/* ---- the device API ----------------------------------------------------- */

static smx_status api_alloc(smx_dev *d, size_t bytes, smx_dbuf **out, char *err, size_t errlen)
{
    vk_ctx *c = VK(d);
    VkDeviceSize size = round4(bytes); /* byte arrays are read as 32-bit words */
    if (size > c->d.mem_maxalloc && c->d.mem_maxalloc) {
        smx__err(err, errlen, "vulkan backend: an array of %.1f MB exceeds the %.1f MB %s; use a smaller "
                 "grid or another backend", size / 1e6, c->d.mem_maxalloc / 1e6,
                 c->addresses ? "the device allocates at once (maxMemoryAllocationSize)"
                 : c->dv.bda ? "one binding holds (maxStorageBufferRange), and SMX_VULKAN_ADDRESSES=0 keeps "
                               "the arrays bound"
                             : "one binding holds (maxStorageBufferRange), and the device has no buffer "
                               "device addresses (VK_KHR_buffer_device_address)");
        return SMX_ENOMEM;
    }
    vk_buf *b = calloc(1, sizeof *b);
    if (!b) return SMX_ENOMEM;
    smx_status st = make_buffer(c, size, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, b, err, errlen);
    if (st != SMX_OK) {
        free_buffer(c, b);
        free(b);
        return st;
    }
    *out = (smx_dbuf *)b;
    return SMX_OK;
}

static void api_release(smx_dev *d, smx_dbuf *b)
{
    vk_ctx *c = VK(d);
    char err[8];
    smx__vk_submit(c, err, sizeof err); /* recorded commands may use it */
    free_buffer(c, VKBUF(b));
    free(b);
}

/* n bytes of the staging buffer at *at, with the command buffer
 * recording: submitted first when the buffer is full (or, for a read,
 * when no more reads can wait to be copied out), which frees it. */
static smx_status stage_take(vk_ctx *c, size_t n, int read, size_t *at, char *err, size_t errlen)
{
    smx_status st;
    if ((c->stage_used + n > STAGE_BYTES || (read && c->npend == VK_PENDING_MAX)) &&
        (st = smx__vk_submit(c, err, errlen)) != SMX_OK)
        return st;
    *at = c->stage_used;
    c->stage_used += (n + 15) / 16 * 16;
    return smx__vk_record(c, err, errlen);
}

static smx_status api_write(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, const void *src,
                            char *err, size_t errlen)
{
    vk_ctx *c = VK(d);
    smx_status st;
    if (bytes <= INLINE_MAX && off % 4 == 0 && bytes % 4 == 0) { /* in order with the launches */
        if (!bytes) return SMX_OK;
        if ((st = smx__vk_record(c, err, errlen)) != SMX_OK) return st;
        vkCmdUpdateBuffer(c->cb, VKBUF(b)->b, off, bytes, src);
        smx__vk_barrier(c);
        return SMX_OK;
    }
    for (size_t at = 0, n, s; at < bytes; at += n) { /* through the staging buffer: src is free on return */
        n = bytes - at < STAGE_BYTES ? bytes - at : STAGE_BYTES;
        if ((st = stage_take(c, n, 0, &s, err, errlen)) != SMX_OK) return st;
        memcpy((char *)c->stage_map + s, (const char *)src + at, n);
        VkBufferCopy r = {s, off + at, n};
        vkCmdCopyBuffer(c->cb, c->stage.b, VKBUF(b)->b, 1, &r);
        smx__vk_barrier(c);
    }
    return SMX_OK;
}

/* Copies into the staging buffer, in order with the launches; dst is
 * filled after the submit that runs them. */
static smx_status api_read_async(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst,
                                 char *err, size_t errlen)
{
    vk_ctx *c = VK(d);
    smx_status st;
    for (size_t at = 0, n, s; at < bytes; at += n) {
        n = bytes - at < STAGE_BYTES ? bytes - at : STAGE_BYTES;
        if ((st = stage_take(c, n, 1, &s, err, errlen)) != SMX_OK) return st;
        VkBufferCopy r = {off + at, s, n};
        vkCmdCopyBuffer(c->cb, VKBUF(b)->b, c->stage.b, 1, &r);
        smx__vk_barrier(c);
        c->pend[c->npend].dst = (char *)dst + at, c->pend[c->npend].at = s, c->pend[c->npend].n = n;
        c->npend++;
    }
    return SMX_OK;
}

static smx_status api_read(smx_dev *d, smx_dbuf *b, size_t off, size_t bytes, void *dst, char *err,
                           size_t errlen)
{
    smx_status st = api_read_async(d, b, off, bytes, dst, err, errlen);
    return st == SMX_OK ? smx__vk_submit(VK(d), err, errlen) : st;
}

static smx_status api_fill(smx_dev *d, smx_dbuf *b, uint32_t pattern, size_t bytes, char *err,
                           size_t errlen)
{
    vk_ctx *c = VK(d);
    smx_status st = smx__vk_record(c, err, errlen);
    if (st != SMX_OK || !bytes) return st;
    VkDeviceSize n = round4(bytes);
    vkCmdFillBuffer(c->cb, VKBUF(b)->b, 0, n < VKBUF(b)->size ? n : VKBUF(b)->size, pattern);
    smx__vk_barrier(c);
    return SMX_OK;
}

static smx_status api_copy_rows(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t row_bytes,
                                size_t r0, size_t d0, size_t rows, size_t slices, size_t src_pitch,
                                size_t dst_pitch, char *err, size_t errlen)
{
    vk_ctx *c = VK(d);
    if (!rows || !slices || !row_bytes) return SMX_OK;
    VkBufferCopy *r = malloc(slices * sizeof *r);
    if (!r) return SMX_ENOMEM;
    for (size_t s = 0; s < slices; s++) /* the rows of a slice are contiguous */
        r[s] = (VkBufferCopy){s * src_pitch + r0 * row_bytes, s * dst_pitch + d0 * row_bytes, rows * row_bytes};
    smx_status st = smx__vk_record(c, err, errlen);
    if (st == SMX_OK) {
        vkCmdCopyBuffer(c->cb, VKBUF(src)->b, VKBUF(dst)->b, (uint32_t)slices, r);
        smx__vk_barrier(c);
    }
    free(r);
    return st;
}

static smx_status api_copy(smx_dev *d, smx_dbuf *src, smx_dbuf *dst, size_t bytes, char *err,
                           size_t errlen)
{
    vk_ctx *c = VK(d);
    smx_status st = smx__vk_record(c, err, errlen);
    if (st != SMX_OK || !bytes) return st;
    VkBufferCopy r = {0, 0, bytes};
    vkCmdCopyBuffer(c->cb, VKBUF(src)->b, VKBUF(dst)->b, 1, &r);
    smx__vk_barrier(c);
    return SMX_OK;
}

static smx_status api_launch(smx_dev *d, int k, const smx_karg *args, int nargs, int dims,
                             const size_t *g, const size_t *l, char *err, size_t errlen)
{
    return smx__vk_launch(VK(d), k, args, nargs, dims, g, l, err, errlen);
}

static smx_status api_finish(smx_dev *d, char *err, size_t errlen) { return smx__vk_submit(VK(d), err, errlen); }

static const smx_dev_api vk_api = {
    .alloc = api_alloc,
    .release = api_release,
    .write = api_write,
    .read = api_read,
    .read_async = api_read_async,
    .fill = api_fill,
    .copy_rows = api_copy_rows,
    .copy = api_copy,
    .launch = api_launch,
    .finish = api_finish,
};

/* ---- the backend -------------------------------------------------------- */

static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT sev,
                                                 VkDebugUtilsMessageTypeFlagsEXT type,
                                                 const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                 void *user)
{
    vk_ctx *c = user;
    if (!(sev & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)) return VK_FALSE;
    if (!c->validation_errors++)
        snprintf(c->validation_msg, sizeof c->validation_msg, "%s", data->pMessage ? data->pMessage : "?");
    fprintf(stderr, "vulkan validation: %s\n", data->pMessage ? data->pMessage : "?");
    return VK_FALSE;
}

static void vk_destroy(void *ctx)
{
    vk_ctx *c = ctx;
    if (!c) return;
    if (c->dev) {
        char err[8];
        smx__vk_submit(c, err, sizeof err);
        vkDeviceWaitIdle(c->dev);
        if (c->profile) smx__dev_profile_report(&c->d);
        if (c->d.api) smx__dev_free(&c->d);
        smx__vk_kernels_free(c);
        if (c->stage_map) vkUnmapMemory(c->dev, c->stage.m);
        free_buffer(c, &c->stage);
        if (c->qp) vkDestroyQueryPool(c->dev, c->qp, NULL);
        if (c->dpool) vkDestroyDescriptorPool(c->dev, c->dpool, NULL);
        if (c->fence) vkDestroyFence(c->dev, c->fence, NULL);
        if (c->pool) vkDestroyCommandPool(c->dev, c->pool, NULL);
        vkDestroyDevice(c->dev, NULL);
    }
    if (c->messenger) {
        PFN_vkDestroyDebugUtilsMessengerEXT f =
            (PFN_vkDestroyDebugUtilsMessengerEXT)vkGetInstanceProcAddr(c->inst, "vkDestroyDebugUtilsMessengerEXT");
        if (f) f(c->inst, c->messenger, NULL);
    }
    if (c->inst) vkDestroyInstance(c->inst, NULL);
    free(c);
}

static smx_status messenger(vk_ctx *c, char *err, size_t errlen)
{
    PFN_vkCreateDebugUtilsMessengerEXT f =
        (PFN_vkCreateDebugUtilsMessengerEXT)vkGetInstanceProcAddr(c->inst, "vkCreateDebugUtilsMessengerEXT");
    if (!f) {
        smx__err(err, errlen, "vulkan backend: vkCreateDebugUtilsMessengerEXT not available");
        return SMX_ENODEV;
    }
    VkDebugUtilsMessengerCreateInfoEXT mi = {
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
        .pfnUserCallback = on_message,
        .pUserData = c};
    VK_TRY("vkCreateDebugUtilsMessengerEXT", f(c->inst, &mi, NULL, &c->messenger));
    return SMX_OK;
}

/* The logical device with the features this run uses, its queue, the
 * command buffer, the descriptor pool and the staging buffer. */
static smx_status open_device(vk_ctx *c, int fast64, char *err, size_t errlen)
{
    float prio = 1.0f;
    VkDeviceQueueCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                  .queueFamilyIndex = c->dv.qfam, .queueCount = 1, .pQueuePriorities = &prio};
    VkPhysicalDeviceShaderAtomicInt64Features a64 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_INT64_FEATURES,
        .shaderBufferInt64Atomics = fast64 ? VK_TRUE : VK_FALSE};
    VkPhysicalDeviceBufferDeviceAddressFeaturesKHR bda = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES_KHR, .pNext = &a64,
        .bufferDeviceAddress = VK_TRUE};
    VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                    .pNext = c->addresses ? (void *)&bda : (void *)&a64};
    f2.features.shaderFloat64 = c->d.fp64 ? VK_TRUE : VK_FALSE;
    f2.features.shaderInt64 = fast64 ? VK_TRUE : VK_FALSE;
    const char *ext[] = {VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME};
    VkDeviceCreateInfo di = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &f2,
                             .queueCreateInfoCount = 1, .pQueueCreateInfos = &qi,
                             .enabledExtensionCount = c->addresses ? 1 : 0, .ppEnabledExtensionNames = ext};
    VK_TRY("vkCreateDevice", vkCreateDevice(c->dv.pd, &di, NULL, &c->dev));
    if (c->addresses) {
        c->get_address = (PFN_vkGetBufferDeviceAddressKHR)vkGetDeviceProcAddr(c->dev, "vkGetBufferDeviceAddressKHR");
        if (!c->get_address) {
            smx__err(err, errlen, "vulkan backend: vkGetBufferDeviceAddressKHR not found on a device "
                     "listing VK_KHR_buffer_device_address");
            return SMX_EBACKEND;
        }
    }
    vkGetDeviceQueue(c->dev, c->dv.qfam, 0, &c->q);
    VkCommandPoolCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                  .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                  .queueFamilyIndex = c->dv.qfam};
    VK_TRY("vkCreateCommandPool", vkCreateCommandPool(c->dev, &pi, NULL, &c->pool));
    VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                      .commandPool = c->pool, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                      .commandBufferCount = 1};
    VK_TRY("vkAllocateCommandBuffers", vkAllocateCommandBuffers(c->dev, &ai, &c->cb));
    VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VK_TRY("vkCreateFence", vkCreateFence(c->dev, &fi, NULL, &c->fence));
    VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 256 * SMX_KARGS_MAX};
    VkDescriptorPoolCreateInfo dpi = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                      .maxSets = 256, .poolSizeCount = 1, .pPoolSizes = &ps};
    VK_TRY("vkCreateDescriptorPool", vkCreateDescriptorPool(c->dev, &dpi, NULL, &c->dpool));
    if (c->timed) {
        VkQueryPoolCreateInfo qpi = {.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
                                     .queryType = VK_QUERY_TYPE_TIMESTAMP, .queryCount = VK_PROFILE_QUERIES};
        VK_TRY("vkCreateQueryPool", vkCreateQueryPool(c->dev, &qpi, NULL, &c->qp));
    }
    vkGetPhysicalDeviceMemoryProperties(c->dv.pd, &c->mem);
    smx_status st = make_buffer(c, STAGE_BYTES,
                                VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                                    VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
                                VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                &c->stage, err, errlen);
    if (st != SMX_OK) return st;
    VK_TRY("vkMapMemory", vkMapMemory(c->dev, c->stage.m, 0, STAGE_BYTES, 0, &c->stage_map));
    return SMX_OK;
}

/* The memory smx__dev_init checks the state against: the largest
 * device-local heap, and the largest state array: one allocation, and
 * what one binding holds unless the arrays go by address (then 2^32
 * floats, the shaders' uint indices). */
static void limits(const vk_ctx *c, size_t *global, size_t *maxalloc)
{
    VkDeviceSize g = 0;
    for (uint32_t h = 0; h < c->mem.memoryHeapCount; h++)
        if ((c->mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) && c->mem.memoryHeaps[h].size > g)
            g = c->mem.memoryHeaps[h].size;
    VkPhysicalDeviceMaintenance3Properties m3 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &m3};
    vkGetPhysicalDeviceProperties2(c->dv.pd, &p2);
    VkDeviceSize cap = c->addresses ? (VkDeviceSize)4 << 32 : c->max_range;
    VkDeviceSize a = m3.maxMemoryAllocationSize && m3.maxMemoryAllocationSize < cap ? m3.maxMemoryAllocationSize : cap;
    *global = (size_t)g, *maxalloc = (size_t)a;
}

/* Whether the state arrays go by buffer device address: when the whole
 * grid's array (the z window's largest) would exceed one binding and the
 * device has addresses; SMX_VULKAN_ADDRESSES=1 or 0 forces it. */
static smx_status pick_addresses(vk_ctx *c, char *err, size_t errlen)
{
    const smx_plan *p = c->d.p;
    const char *env = getenv("SMX_VULKAN_ADDRESSES");
    double biggest = (double)p->ne * p->nt * p->nz * p->nx * sizeof(float);
    int forced = env && *env;
    c->addresses = forced ? smx__dev_env_flag("SMX_VULKAN_ADDRESSES") : biggest > (double)c->max_range;
    if (c->addresses && !c->dv.bda) {
        if (forced) {
            smx__err(err, errlen, "vulkan backend: SMX_VULKAN_ADDRESSES is set but the device has no "
                     "buffer device addresses (VK_KHR_buffer_device_address)");
            return SMX_ENOTSUP;
        }
        c->addresses = 0; /* the memory check refuses what one binding cannot hold */
    }
    return SMX_OK;
}

static smx_status vk_create(const smx_plan *p, const smx_backend_opts *opt, void **out, char *err,
                            size_t errlen)
{
    if (opt->precision != SMX_PRECISION_FLOAT32) {
        smx__err(err, errlen, "vulkan backend: float32 state only (run.precision: float32)");
        return SMX_ENOTSUP;
    }
    vk_ctx *c = calloc(1, sizeof *c);
    if (!c) return SMX_ENOMEM;
    /* the validation layer: asked for, or a debug build where it is installed */
    int validate = smx__dev_env_flag("SMX_VULKAN_VALIDATION");
#ifndef NDEBUG
    validate = validate || smx__vk_has_validation();
#endif
    c->profile = smx__dev_env_flag("SMX_VULKAN_PROFILE");
    smx_status st = smx__vk_instance(&c->inst, validate, err, errlen);
    if (st == SMX_OK && validate) st = messenger(c, err, errlen);
    if (st == SMX_OK) st = smx__vk_pick(c->inst, opt->device, &c->dv, err, errlen);
    smx_dev *d = &c->d;
    int fast64 = 0;
    if (st == SMX_OK) {
        d->p = p;
        d->opt = *opt;
        snprintf(d->name, sizeof d->name, "vulkan");
        smx__vk_describe(&c->dv, d->device_name, sizeof d->device_name);
        c->max_range = c->dv.props.limits.maxStorageBufferRange;
        c->timed = c->dv.timestamp_bits > 0 && c->dv.props.limits.timestampPeriod > 0;
        d->kernel_timed = c->timed;
        /* float64 accumulators where the device has them (fast deposits in
         * double need 64-bit atomics; without, Kahan float pairs) */
        int fp64 = c->dv.fp64 && !smx__dev_env_flag("SMX_VULKAN_NO_FP64");
        d->fp64 = fp64 && (opt->accumulation == SMX_ACCUM_DETERMINISTIC || c->dv.atomic64);
        fast64 = d->fp64 && opt->accumulation == SMX_ACCUM_FAST;
        st = pick_addresses(c, err, errlen);
        if (st == SMX_OK) st = open_device(c, fast64, err, errlen);
    }
    if (st == SMX_OK) {
        size_t global, maxalloc;
        limits(c, &global, &maxalloc);
        d->api = &vk_api;
        d->poison = smx__dev_env_flag("SMX_VULKAN_POISON");
        st = smx__dev_init(d, global, maxalloc, err, errlen);
    }
    if (st != SMX_OK) {
        vk_destroy(c);
        return st;
    }
    *out = c;
    return SMX_OK;
}

static int vk_device_count(char *why, size_t whylen)
{
    VkInstance inst;
    if (smx__vk_instance(&inst, 0, why, whylen) != SMX_OK) return 0;
    int n = smx__vk_devices(inst, NULL, 0);
    if (!n) smx__err(why, whylen, "the Vulkan loader lists no Vulkan 1.1 device with compute");
    vkDestroyInstance(inst, NULL);
    return n;
}

static smx_status vk_device_name(int device, char *buf, size_t buflen)
{
    VkInstance inst;
    vk_device d;
    smx_status st = smx__vk_instance(&inst, 0, buf, buflen);
    if (st != SMX_OK) return st;
    st = smx__vk_pick(inst, device, &d, buf, buflen);
    if (st == SMX_OK) smx__vk_describe(&d, buf, buflen);
    vkDestroyInstance(inst, NULL);
    return st == SMX_OK ? SMX_OK : SMX_ENODEV;
}

static int vk_accelerator(int device)
{
    VkInstance inst;
    vk_device d;
    char err[256];
    if (smx__vk_instance(&inst, 0, err, sizeof err) != SMX_OK) return 0;
    int gpu = smx__vk_pick(inst, device, &d, err, sizeof err) == SMX_OK &&
              d.props.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU && d.props.deviceType != VK_PHYSICAL_DEVICE_TYPE_OTHER;
    vkDestroyInstance(inst, NULL);
    return gpu;
}

/* The largest device-local heap. */
static double vk_memory(int device)
{
    VkInstance inst;
    vk_device d;
    char err[256];
    double best = -1;
    if (smx__vk_instance(&inst, 0, err, sizeof err) != SMX_OK) return -1;
    if (smx__vk_pick(inst, device, &d, err, sizeof err) == SMX_OK) {
        VkPhysicalDeviceMemoryProperties mem;
        vkGetPhysicalDeviceMemoryProperties(d.pd, &mem);
        for (uint32_t h = 0; h < mem.memoryHeapCount; h++)
            if (mem.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT &&
                (double)mem.memoryHeaps[h].size > best)
                best = (double)mem.memoryHeaps[h].size;
    }
    vkDestroyInstance(inst, NULL);
    return best;
}

const smx_backend_iface smx__backend_vulkan = {
    SMX_DEV_BACKEND_ENTRIES,
    .name = "vulkan",
    .device_count = vk_device_count,
    .device_name = vk_device_name,
    .create = vk_create,
    .destroy = vk_destroy,
    .accelerator = vk_accelerator,
    .device_memory = vk_memory,
};
