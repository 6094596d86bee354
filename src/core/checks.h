/* Checks of a finished run's results: what makes them untrustworthy is
 * written into res->warnings (the CLI refuses to keep such results unless
 * told to; docs/config.md, "Result checks"). */
#ifndef SMX_CORE_CHECKS_H
#define SMX_CORE_CHECKS_H

#include "smatrix2d/smatrix2d.h"

/* Fraction of the source weight above which a loss is reported. */
#define SMX_CHECK_LOSS 1e-3
/* Worst per-step relative imbalance allowed: float32 and float64 states. */
#define SMX_CHECK_STEP_F32 1e-5
#define SMX_CHECK_STEP_F64 1e-9

void smx__result_check(smx_result *res);

#endif
