/* The operator table: each operator described once. The step graphs, the
 * cross-backend tests and the benchmark all iterate over it. */
#ifndef SMX_CORE_OPS_H
#define SMX_CORE_OPS_H

#include "core/backend.h"

typedef struct smx_op_desc {
    const char *name;     /* canonical case name, e.g. "scatter_half" */
    smx_node node;        /* operator and variant */
    int moves_energy;     /* 1 when the occupied energy range changes */
} smx_op_desc;

static const smx_op_desc smx__ops[] = {
    {"scatter", {SMX_OP_SCATTER, SMX_KERNEL_FULL}, 0},
    {"scatter_half", {SMX_OP_SCATTER, SMX_KERNEL_HALF}, 0},
    {"stream", {SMX_OP_STREAM, 0}, 0},
    {"energy", {SMX_OP_ENERGY, 0}, 1},
};
#define SMX_N_OPS ((int)(sizeof smx__ops / sizeof smx__ops[0]))

/* The step graph of a splitting: Lie A_theta -> A_stream -> A_E, or
 * Strang A_theta/2 -> A_stream -> A_E -> A_theta/2. */
static inline void smx__step_graph(smx_splitting s, smx_graph *g)
{
    if (s == SMX_SPLIT_STRANG) {
        g->nnodes = 4;
        g->nodes[0] = smx__ops[1].node;
        g->nodes[1] = smx__ops[2].node;
        g->nodes[2] = smx__ops[3].node;
        g->nodes[3] = smx__ops[1].node;
    } else {
        g->nnodes = 3;
        g->nodes[0] = smx__ops[0].node;
        g->nodes[1] = smx__ops[2].node;
        g->nodes[2] = smx__ops[3].node;
    }
}

#endif
