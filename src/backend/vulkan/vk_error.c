/* VkResult names for messages. */
#include "backend/vulkan/vk.h"

const char *smx__vk_result_name(VkResult r)
{
    switch (r) {
#define N(x) case x: return #x;
        N(VK_SUCCESS) N(VK_NOT_READY) N(VK_TIMEOUT) N(VK_EVENT_SET) N(VK_EVENT_RESET)
        N(VK_INCOMPLETE) N(VK_ERROR_OUT_OF_HOST_MEMORY) N(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        N(VK_ERROR_INITIALIZATION_FAILED) N(VK_ERROR_DEVICE_LOST) N(VK_ERROR_MEMORY_MAP_FAILED)
        N(VK_ERROR_LAYER_NOT_PRESENT) N(VK_ERROR_EXTENSION_NOT_PRESENT)
        N(VK_ERROR_FEATURE_NOT_PRESENT) N(VK_ERROR_INCOMPATIBLE_DRIVER)
        N(VK_ERROR_TOO_MANY_OBJECTS) N(VK_ERROR_FORMAT_NOT_SUPPORTED) N(VK_ERROR_FRAGMENTED_POOL)
        N(VK_ERROR_UNKNOWN) N(VK_ERROR_OUT_OF_POOL_MEMORY) N(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        N(VK_ERROR_FRAGMENTATION) N(VK_ERROR_INVALID_SHADER_NV)
#undef N
    default: return "VK_ERROR (unnamed)";
    }
}

smx_status smx__vk_fail(char *err, size_t errlen, const char *call, VkResult r)
{
    smx__err(err, errlen, "vulkan backend: %s failed: %s", call, smx__vk_result_name(r));
    return r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ? SMX_ENOMEM
           : r == VK_ERROR_INCOMPATIBLE_DRIVER                                     ? SMX_ENODEV
                                                                                   : SMX_EBACKEND;
}
