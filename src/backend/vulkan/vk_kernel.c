/* The kernels: SPIR-V compiled at build time from the spirv/ shaders
 * (variants: float64 accumulators or Kahan float pairs; state arrays bound
 * or by address), embedded by tools/embed_spirv.cmake. A kernel's
 * pipeline is made at its first launch: its buffer arguments are the
 * storage buffers of set 0 in order, its int arguments the push constants
 * in order, and the plan's options specialization constants
 * (spirv/common.glsl). With c->addresses the state arrays (SMX_KARG_STATE)
 * are not bound: their device addresses come first in the push constants,
 * and the other buffers keep their binding numbers. */
#include <stdio.h>
#include <string.h>

#include "backend/vulkan/vk.h"

#define DSETS_MAX 256

static const smx_spirv *find_spirv(const char *name, int fp64, int bda)
{
    for (int i = 0; i < smx__vk_spirv_count; i++)
        if (smx__vk_spirv[i].fp64 == fp64 && smx__vk_spirv[i].bda == bda &&
            strcmp(smx__vk_spirv[i].name, name) == 0)
            return &smx__vk_spirv[i];
    return NULL;
}

/* The bytes of a kernel's push constants: the state arrays' addresses
 * (with c->addresses), then the ints. */
static uint32_t pc_bytes(const vk_ctx *c, const vk_kernel *kk)
{
    return (uint32_t)((c->addresses ? 8 * kk->nstate : 0) + 4 * kk->nint);
}

/* bpos[0..nbind): the binding numbers of the first launch's bound buffers. */
static smx_status make_kernel(vk_ctx *c, int k, const uint32_t *bpos, int nbind, int nbuf, int nstate,
                              int nint, char *err, size_t errlen)
{
    vk_kernel *kk = &c->k[k];
    const char *name = smx__dev_kernel_names[k];
    const smx_spirv *sp = find_spirv(name, c->d.fp64, c->addresses);
    if (!sp) {
        smx__err(err, errlen, "vulkan backend: no SPIR-V for kernel %s (fp64 %d, addresses %d) in this build",
                 name, c->d.fp64, c->addresses);
        return SMX_EBACKEND;
    }
    kk->nbuf = nbuf, kk->nstate = nstate, kk->nint = nint;
    if (pc_bytes(c, kk) > c->dv.props.limits.maxPushConstantsSize) {
        smx__err(err, errlen, "vulkan backend: kernel %s needs %u bytes of push constants, the device "
                 "has %u", name, pc_bytes(c, kk), c->dv.props.limits.maxPushConstantsSize);
        return SMX_ENOTSUP;
    }
    VkShaderModuleCreateInfo mi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                                   .codeSize = sp->bytes, .pCode = sp->code};
    VK_TRY(name, vkCreateShaderModule(c->dev, &mi, NULL, &kk->mod));
    VkDescriptorSetLayoutBinding b[SMX_KARGS_MAX];
    for (int i = 0; i < nbind; i++)
        b[i] = (VkDescriptorSetLayoutBinding){.binding = bpos[i],
                                              .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                              .descriptorCount = 1,
                                              .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    VkDescriptorSetLayoutCreateInfo li = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                          .bindingCount = (uint32_t)nbind, .pBindings = b};
    VK_TRY("vkCreateDescriptorSetLayout", vkCreateDescriptorSetLayout(c->dev, &li, NULL, &kk->dsl));
    VkPushConstantRange pr = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .offset = 0, .size = pc_bytes(c, kk)};
    VkPipelineLayoutCreateInfo pli = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                      .setLayoutCount = 1, .pSetLayouts = &kk->dsl,
                                      .pushConstantRangeCount = pr.size ? 1 : 0, .pPushConstantRanges = &pr};
    VK_TRY("vkCreatePipelineLayout", vkCreatePipelineLayout(c->dev, &pli, NULL, &kk->layout));
    /* constant_id 0..3: moments, full circle, one medium, media */
    const smx_plan *p = c->d.p;
    uint32_t spec[4] = {p->moments ? VK_TRUE : VK_FALSE, p->full_circle ? VK_TRUE : VK_FALSE,
                        p->nmat == 1 ? VK_TRUE : VK_FALSE, (uint32_t)p->nmat};
    VkSpecializationMapEntry me[4];
    for (uint32_t i = 0; i < 4; i++) me[i] = (VkSpecializationMapEntry){i, 4 * i, 4};
    VkSpecializationInfo si = {4, me, sizeof spec, spec};
    VkComputePipelineCreateInfo ci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                  .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = kk->mod, .pName = "main",
                  .pSpecializationInfo = &si},
        .layout = kk->layout};
    VK_TRY(name, vkCreateComputePipelines(c->dev, VK_NULL_HANDLE, 1, &ci, NULL, &kk->pipe));
    return SMX_OK;
}

smx_status smx__vk_launch(vk_ctx *c, int k, const smx_karg *args, int nargs, int dims,
                          const size_t *g, const size_t *l, char *err, size_t errlen)
{
    VkDescriptorBufferInfo bi[SMX_KARGS_MAX];
    VkWriteDescriptorSet wr[SMX_KARGS_MAX];
    uint32_t bpos[SMX_KARGS_MAX];
    VkDeviceAddress addr[SMX_KARGS_MAX];
    uint32_t ints[SMX_KARGS_MAX];
    int nb = 0, ns = 0, ni = 0, nbind = 0;
    for (int n = 0; n < nargs; n++) {
        if (!args[n].is_buf) {
            ints[ni++] = (uint32_t)args[n].val;
            continue;
        }
        vk_buf *b = VKBUF(args[n].buf);
        ns += args[n].is_buf == SMX_KARG_STATE;
        if (c->addresses && args[n].is_buf == SMX_KARG_STATE) {
            VkBufferDeviceAddressInfoKHR ai = {.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO_KHR,
                                               .buffer = b->b};
            addr[ns - 1] = c->get_address(c->dev, &ai);
        } else if (b->size > c->max_range) {
            smx__err(err, errlen, "vulkan backend: kernel %s binds a buffer of %.1f MB, beyond the "
                     "device's maxStorageBufferRange (%.1f MB)", smx__dev_kernel_names[k], b->size / 1e6,
                     c->max_range / 1e6);
            return SMX_ENOMEM;
        } else {
            bpos[nbind] = (uint32_t)nb;
            bi[nbind++] = (VkDescriptorBufferInfo){b->b, 0, VK_WHOLE_SIZE};
        }
        nb++;
    }
    vk_kernel *kk = &c->k[k];
    smx_status st = kk->pipe ? SMX_OK : make_kernel(c, k, bpos, nbind, nb, ns, ni, err, errlen);
    if (st != SMX_OK) return st;
    if (kk->nbuf != nb || kk->nstate != ns || kk->nint != ni) {
        smx__err(err, errlen, "vulkan backend: %s launched with %d buffers (%d state arrays) and %d ints, "
                 "built for %d (%d) and %d", smx__dev_kernel_names[k], nb, ns, ni, kk->nbuf, kk->nstate, kk->nint);
        return SMX_EBACKEND;
    }
    /* the push constants: addresses (8-byte aligned, first), then ints */
    uint64_t pc[SMX_KARGS_MAX];
    uint32_t npc = pc_bytes(c, kk), at = 0;
    if (c->addresses) memcpy(pc, addr, 8 * (size_t)ns), at = 8 * (uint32_t)ns;
    memcpy((char *)pc + at, ints, 4 * (size_t)ni);
    if (c->dsets == DSETS_MAX && (st = smx__vk_submit(c, err, errlen)) != SMX_OK) return st;
    if ((st = smx__vk_record(c, err, errlen)) != SMX_OK) return st;
    VkDescriptorSet set;
    VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                      .descriptorPool = c->dpool, .descriptorSetCount = 1,
                                      .pSetLayouts = &kk->dsl};
    VK_TRY("vkAllocateDescriptorSets", vkAllocateDescriptorSets(c->dev, &ai, &set));
    c->dsets++;
    for (int i = 0; i < nbind; i++)
        wr[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = set,
                                       .dstBinding = bpos[i], .descriptorCount = 1,
                                       .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                       .pBufferInfo = &bi[i]};
    vkUpdateDescriptorSets(c->dev, (uint32_t)nbind, wr, 0, NULL);
    vkCmdBindPipeline(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, kk->pipe);
    vkCmdBindDescriptorSets(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, kk->layout, 0, 1, &set, 0, NULL);
    if (npc) vkCmdPushConstants(c->cb, kk->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, npc, pc);
    /* the shaders' local sizes are the host's work-groups (64 x 1 x 1 when none is given) */
    size_t L[3] = {l ? l[0] : 64, l && dims > 1 ? l[1] : 1, l && dims > 2 ? l[2] : 1};
    uint32_t n[3] = {1, 1, 1};
    for (int d = 0; d < dims && d < 3; d++) n[d] = (uint32_t)((g[d] + L[d] - 1) / L[d]);
    int timed = c->timed && c->nq + 2 <= VK_PROFILE_QUERIES;
    if (timed) vkCmdWriteTimestamp(c->cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, c->qp, c->nq);
    vkCmdDispatch(c->cb, n[0], n[1], n[2]);
    if (timed) {
        vkCmdWriteTimestamp(c->cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, c->qp, c->nq + 1);
        c->qk[c->nq / 2] = k;
        c->qn[c->nq / 2] = c->d.op_seq;
        c->nq += 2;
    }
    smx__vk_barrier(c);
    return SMX_OK;
}

void smx__vk_kernels_free(vk_ctx *c)
{
    for (int k = 0; k < SMX_K_COUNT; k++) {
        vk_kernel *kk = &c->k[k];
        if (kk->pipe) vkDestroyPipeline(c->dev, kk->pipe, NULL);
        if (kk->layout) vkDestroyPipelineLayout(c->dev, kk->layout, NULL);
        if (kk->dsl) vkDestroyDescriptorSetLayout(c->dev, kk->dsl, NULL);
        if (kk->mod) vkDestroyShaderModule(c->dev, kk->mod, NULL);
    }
}

/* After a submission: the kernel times of its timestamp pairs. */
void smx__vk_profile_collect(vk_ctx *c)
{
    uint64_t t[VK_PROFILE_QUERIES];
    if (!c->nq || vkGetQueryPoolResults(c->dev, c->qp, 0, c->nq, sizeof t, t, sizeof t[0],
                                        VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT) != VK_SUCCESS)
        return;
    double ns = c->dv.props.limits.timestampPeriod;
    uint64_t mask = c->dv.timestamp_bits >= 64 ? ~0ull : (1ull << c->dv.timestamp_bits) - 1;
    for (uint32_t i = 0; i + 1 < c->nq; i += 2) {
        smx__dev_kernel_time(&c->d, c->qk[i / 2], c->qn[i / 2], (double)((t[i + 1] - t[i]) & mask) * ns * 1e-6);
    }
    c->nq = 0;
}
