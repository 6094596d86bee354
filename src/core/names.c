/* Printable names of status codes and configuration enums. */
#include "smatrix2d/smatrix2d.h"

static const char *const status_names[] = {
#define X(name, msg) "SMX_" #name,
    SMX_STATUS_MAP(X)
#undef X
};
static const char *const status_messages[] = {
#define X(name, msg) msg,
    SMX_STATUS_MAP(X)
#undef X
};

const char *smx_version(void) { return SMX_VERSION; }

const char *smx_status_name(smx_status s)
{
    return (unsigned)s < SMX_STATUS_COUNT ? status_names[s] : "SMX_UNKNOWN";
}

const char *smx_status_message(smx_status s)
{
    return (unsigned)s < SMX_STATUS_COUNT ? status_messages[s] : "unknown status";
}

const char *smx_spacing_name(smx_energy_spacing s)
{
    switch (s) {
    case SMX_SPACING_UNIFORM: return "uniform";
    case SMX_SPACING_LOG: return "log";
    case SMX_SPACING_RANGE: return "range";
    }
    return "unknown";
}

const char *smx_scatter_name(smx_scatter_model m)
{
    switch (m) {
    case SMX_SCATTER_DIFFERENTIAL_MOLIERE: return "differential_moliere";
    case SMX_SCATTER_FERMI_ROSSI: return "fermi_rossi";
    case SMX_SCATTER_HIGHLAND_STEP: return "highland_step";
    case SMX_SCATTER_NONE: return "none";
    }
    return "unknown";
}

const char *smx_splitting_name(smx_splitting s)
{
    return s == SMX_SPLIT_STRANG ? "strang" : "lie";
}

const char *smx_precision_name(smx_precision p)
{
    return p == SMX_PRECISION_FLOAT64 ? "float64" : "float32";
}

const char *smx_op_name(int op)
{
    switch (op) {
    case SMX_OP_SCATTER: return "scatter";
    case SMX_OP_STREAM: return "stream";
    case SMX_OP_ENERGY: return "energy";
    }
    return "unknown";
}

const char *smx_straggling_name(smx_straggling s)
{
    return s == SMX_STRAGGLING_NONE ? "none" : "bohr";
}

const char *smx_nuclear_name(smx_nuclear n) { return n == SMX_NUCLEAR_NONE ? "none" : "icru63"; }

const char *smx_secondaries_name(smx_secondaries s)
{
    return s == SMX_SECONDARIES_LOCAL ? "local" : "transport";
}

const char *smx_streaming_name(smx_streaming s)
{
    return s == SMX_STREAM_SHIFT_DEPOSIT ? "shift_deposit" : "centroid";
}

const char *smx_accumulation_name(smx_accumulation a)
{
    return a == SMX_ACCUM_FAST ? "fast" : "deterministic";
}

const char *smx_scatter_impl_name(smx_scatter_impl s)
{
    return s == SMX_SCATTER_STENCIL ? "stencil" : (s == SMX_SCATTER_GEMM ? "gemm" : "auto");
}
