/* Commands: transfers and launches are recorded into one command buffer,
 * a barrier after each (every command may read what the one before
 * wrote), and submitted when the host needs a result (a finish or a
 * blocking read) or the descriptor pool or the staging buffer runs out;
 * reads recorded since are copied out of the staging buffer then. */
#include <string.h>

#include "backend/vulkan/vk.h"

smx_status smx__vk_record(vk_ctx *c, char *err, size_t errlen)
{
    if (c->recording) return SMX_OK;
    VK_TRY("vkResetCommandBuffer", vkResetCommandBuffer(c->cb, 0));
    VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                   .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
    VK_TRY("vkBeginCommandBuffer", vkBeginCommandBuffer(c->cb, &bi));
    c->recording = 1;
    if (c->timed) vkCmdResetQueryPool(c->cb, c->qp, 0, VK_PROFILE_QUERIES), c->nq = 0;
    smx__vk_barrier(c); /* the previous submission's writes, and the host's */
    return SMX_OK;
}

void smx__vk_barrier(vk_ctx *c)
{
    VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                          .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                                           VK_ACCESS_HOST_WRITE_BIT,
                          .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                           VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT |
                                           VK_ACCESS_HOST_READ_BIT};
    VkPipelineStageFlags st = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    vkCmdPipelineBarrier(c->cb, st | VK_PIPELINE_STAGE_HOST_BIT, st | VK_PIPELINE_STAGE_HOST_BIT, 0,
                         1, &mb, 0, NULL, 0, NULL);
}

/* The validation layer's errors, counted (SMX_VULKAN_VALIDATION). */
static smx_status validation(vk_ctx *c, char *err, size_t errlen)
{
    if (!c->validation_errors) return SMX_OK;
    smx__err(err, errlen, "vulkan backend: %d validation error(s), the first: %s",
             c->validation_errors, c->validation_msg);
    return SMX_EBACKEND;
}

smx_status smx__vk_submit(vk_ctx *c, char *err, size_t errlen)
{
    if (!c->recording) return validation(c, err, errlen);
    c->recording = 0;
    VK_TRY("vkEndCommandBuffer", vkEndCommandBuffer(c->cb));
    VkSubmitInfo si = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
                       .pCommandBuffers = &c->cb};
    VK_TRY("vkQueueSubmit", vkQueueSubmit(c->q, 1, &si, c->fence));
    VK_TRY("vkWaitForFences", vkWaitForFences(c->dev, 1, &c->fence, VK_TRUE, UINT64_MAX));
    c->d.waits++;
    VK_TRY("vkResetFences", vkResetFences(c->dev, 1, &c->fence));
    VK_TRY("vkResetDescriptorPool", vkResetDescriptorPool(c->dev, c->dpool, 0));
    c->dsets = 0;
    for (int k = 0; k < c->npend; k++) memcpy(c->pend[k].dst, (char *)c->stage_map + c->pend[k].at, c->pend[k].n);
    c->npend = 0;
    c->stage_used = 0;
    if (c->timed) smx__vk_profile_collect(c);
    return validation(c, err, errlen);
}
