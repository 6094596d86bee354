/* Bounds on configuration values that the engine's arithmetic needs (each
 * documented per key in docs/config.md): beyond them a value would
 * overflow, underflow to NaN or infinite dose, or make no step. */
#ifndef SMX_CORE_LIMITS_H
#define SMX_CORE_LIMITS_H

#define SMX_EXTENT_MAX_MM 1e5      /* |x|, z_max, y thickness, sigma_x: 100 m */
#define SMX_CELL_MIN_MM 1e-3       /* cell widths and y thickness: 1 um */
#define SMX_DENSITY_MIN_G_CM3 5e-4 /* slab, background and density-map densities */
#define SMX_DENSITY_MAX_G_CM3 30.0
#define SMX_PROTONS_MAX 1e18       /* per beam (a treatment field is ~1e11) */
#define SMX_SOURCE_SIGMAS 4.0      /* beam spreads are sampled over +-4 sigma */
#define SMX_SIGMA_ANGLE_MAX_DEG 90.0
#define SMX_NE_MAX 20000         /* energy bins */
#define SMX_THETA_BIN_MIN_DEG 1e-4 /* a theta window's bins */

#endif
