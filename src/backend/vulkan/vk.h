/* The vulkan backend's context and helpers, shared by its files; the only
 * place (with vk_*.c) that includes the Vulkan header. Plain Vulkan 1.1
 * compute, no window system. The device-independent host side is
 * src/backend/common (smx_dev); this backend implements its device API
 * over Vulkan, with the shaders of spirv/ compiled at build time. */
#ifndef SMX_VK_H
#define SMX_VK_H

#include <vulkan/vulkan.h>

#include "backend/common/dev.h"
#include "core/util.h"

/* A physical device with the features the backend uses. */
typedef struct vk_device {
    VkPhysicalDevice pd;
    VkPhysicalDeviceProperties props;
    int fp64;          /* shaderFloat64 */
    int atomic64;      /* shaderBufferInt64Atomics (fast deposits in double) */
    int float_atomics; /* shaderBufferFloat32AtomicAdd (listed, not needed) */
    uint32_t subgroup;
    uint32_t qfam;     /* a queue family with compute */
    uint32_t timestamp_bits; /* its timestampValidBits (0: no timestamps) */
} vk_device;

/* A device buffer (smx_dbuf). */
typedef struct vk_buf {
    VkBuffer b;
    VkDeviceMemory m;
    VkDeviceSize size;
} vk_buf;

/* A kernel's pipeline, made at its first launch (the argument list gives
 * the number of storage buffers and push-constant ints). */
typedef struct vk_kernel {
    VkShaderModule mod;
    VkDescriptorSetLayout dsl;
    VkPipelineLayout layout;
    VkPipeline pipe;
    int nbuf, nint;
} vk_kernel;

#define VK_PROFILE_QUERIES 512

typedef struct vk_ctx {
    smx_dev d;                  /* first: a smx_dev * is a vk_ctx * */
    VkInstance inst;
    VkDebugUtilsMessengerEXT messenger;
    vk_device dv;
    VkDevice dev;
    VkQueue q;
    VkCommandPool pool;
    VkCommandBuffer cb;
    VkFence fence;
    int recording;
    VkDescriptorPool dpool;
    int dsets;                  /* descriptor sets taken from dpool since the last submit */
    vk_kernel k[SMX_K_COUNT];
    vk_buf stage;               /* host-visible staging */
    void *stage_map;
    VkPhysicalDeviceMemoryProperties mem;
    VkDeviceSize max_range;     /* maxStorageBufferRange */
    /* kernel times from timestamp queries where the queue has them (into
     * d.kernel_ms; per kernel to stderr at the end with SMX_VULKAN_PROFILE) */
    int timed, profile;
    VkQueryPool qp;
    uint32_t nq;
    int qk[VK_PROFILE_QUERIES / 2];
    /* validation layer messages of severity error (SMX_VULKAN_VALIDATION) */
    int validation_errors;
    char validation_msg[512];
} vk_ctx;

#define VK(d) ((vk_ctx *)(d))
#define VKBUF(b) ((vk_buf *)(b))

/* Errors: every failing call becomes an smx_status naming the call and
 * the VkResult (vk_error.c). */
const char *smx__vk_result_name(VkResult r);
smx_status smx__vk_fail(char *err, size_t errlen, const char *call, VkResult r);
#define VK_TRY(call, expr)                                                      \
    do {                                                                        \
        VkResult r_ = (expr);                                                   \
        if (r_ != VK_SUCCESS) return smx__vk_fail(err, errlen, call, r_);       \
    } while (0)

/* Instance and devices (vk_device.c): GPUs first (discrete, integrated,
 * virtual), CPU implementations (lavapipe) last. */
smx_status smx__vk_instance(VkInstance *inst, int validation, char *err, size_t errlen);
int smx__vk_has_validation(void); /* the Khronos validation layer is installed */
int smx__vk_devices(VkInstance inst, vk_device *out, int max);
smx_status smx__vk_pick(VkInstance inst, int device, vk_device *out, char *err, size_t errlen);
void smx__vk_describe(const vk_device *d, char *buf, size_t buflen);

/* Commands (vk_cmd.c): one command buffer records transfers and launches
 * with a barrier after each, submitted when the host needs a result. */
smx_status smx__vk_record(vk_ctx *c, char *err, size_t errlen);
void smx__vk_barrier(vk_ctx *c);
smx_status smx__vk_submit(vk_ctx *c, char *err, size_t errlen);

/* Kernels (vk_kernel.c): the embedded SPIR-V, pipelines, launches. */
smx_status smx__vk_launch(vk_ctx *c, int k, const smx_karg *args, int nargs, int dims,
                          const size_t *g, const size_t *l, char *err, size_t errlen);
void smx__vk_kernels_free(vk_ctx *c);
void smx__vk_profile_collect(vk_ctx *c);

#endif
