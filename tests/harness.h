/* Shared test helpers: small grids built in code and comparisons; the
 * seeded states and single-graph runs are the library's (core/oprun.h). */
#ifndef SMX_TEST_HARNESS_H
#define SMX_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/backend.h"
#include "core/oprun.h"
#include "core/ops.h"

/* A small case: grid NX x NZ x NTHETA x NE, full circle or a window,
 * a beam angle (sets p1v1 and checks) and the energy spacing. */
typedef struct test_case {
    int nx, nz, nt, ne;
    int full_circle;
    double angle_deg;
    smx_energy_spacing spacing;
    double step_mm; /* 0 = auto */
    int shift_deposit; /* 1: plain shift-and-deposit streaming, else centroids */
    int slabs;         /* 1: a bone slab and a lung slab across the middle */
    int no_physics;    /* 1: straggling and nuclear interactions off */
} test_case;

static inline void case_name(const test_case *t, const char *op, char *buf, size_t n)
{
    snprintf(buf, n, "%s/grid=%dx%dx%dx%d/theta=%s/spacing=%s/stream=%s/media=%s/physics=%s", op,
             t->nx, t->nz, t->nt, t->ne, t->full_circle ? "circle" : "window",
             smx_spacing_name(t->spacing), t->shift_deposit ? "shift_deposit" : "centroid",
             t->slabs ? "slabs" : "water", t->no_physics ? "off" : "on");
}

static inline void case_config(const test_case *t, smx_config *c)
{
    smx_config_init(c);
    c->nx = t->nx;
    c->x_min_mm = -0.5 * t->nx;
    c->x_max_mm = 0.5 * t->nx;
    c->nz = t->nz;
    c->z_max_mm = t->nz; /* 1 mm cells */
    c->ntheta = t->nt;
    c->theta_full_circle = t->full_circle;
    c->theta_min_deg = -40;
    c->theta_max_deg = 40;
    c->max_angle_deg = t->full_circle ? 120 : 90; /* full circle: some bins rejected */
    c->spacing = t->spacing;
    c->ne = t->ne;
    c->e_min_MeV = 1;
    c->e_max_MeV = 60;
    c->step_mm = t->step_mm;
    c->nbeams = 1;
    c->beams[0] = (smx_beam){.energy_MeV = 50, .angle_deg = t->angle_deg, .protons = 1};
    c->streaming = t->shift_deposit ? SMX_STREAM_SHIFT_DEPOSIT : SMX_STREAM_CENTROID;
    if (t->no_physics) {
        c->straggling = SMX_STRAGGLING_NONE;
        c->nuclear = SMX_NUCLEAR_NONE;
    }
    if (t->slabs) {
        c->nslabs = 2;
        c->slabs[0] = (smx_slab){.z_min_mm = 0.3 * t->nz, .z_max_mm = 0.5 * t->nz, .material = "bone_cortical_icrp"};
        c->slabs[1] = (smx_slab){.z_min_mm = 0.5 * t->nz, .z_max_mm = 0.7 * t->nz, .material = "lung"};
    }
}

/* Two small beams, one leaking through the side and the window, for
 * whole runs on `backend`. */
static inline void two_beams_config(smx_config *c, const char *backend)
{
    test_case t = {15, 30, 21, 0, 0, 25, SMX_SPACING_RANGE, 0};
    case_config(&t, c);
    c->beams[0].energy_MeV = 58;
    c->beams[0].x_mm = 3;
    c->beams[0].sigma_x_mm = 1.5;
    c->beams[0].energy_spread_MeV = 0.5;
    c->beams[0].sigma_angle_deg = 2;
    c->nbeams = 2;
    c->beams[1] = (smx_beam){.energy_MeV = 30, .x_mm = -2, .protons = 3};
    snprintf(c->backend, sizeof c->backend, "%s", backend);
}

/* Normalised mean squared error (core/oprun.c, as crosscheck). */
static inline double nmse(const double *a, const double *b, size_t n) { return smx__nmse(a, b, n); }

static inline double min_value(const double *a, size_t n)
{
    double m = INFINITY;
    for (size_t k = 0; k < n; k++)
        if (a[k] < m) m = a[k];
    return m;
}

/* The float32 backends whole-run tests judge against reference. */
static const char *const float32_backends[] = {"openmp", "opencl"};
#define N_FLOAT32_BACKENDS 2

/* 1 when `backend` has a device. Where it has none the test goes on
 * without it (the reason in why), unless SMX_REQUIRE_BACKENDS names it:
 * then the test fails here. */
static inline int backend_present(const char *backend, char *why, size_t whylen)
{
    if (smx_backend_device_count(backend, why, whylen) > 0) return 1;
    const char *req = getenv("SMX_REQUIRE_BACKENDS");
    cr_assert(!(req && strstr(req, backend)), "%s required but absent: %s", backend, why);
    return 0;
}

/* Skips the test where `backend` has no device (fails if it is required). */
#define NEED_BACKEND(backend)                                                              \
    do {                                                                                   \
        char why_[256] = "";                                                               \
        if (!backend_present(backend, why_, sizeof why_))                                  \
            cr_skip_test("no %s device: %s", backend, why_);                               \
    } while (0)

/* Creates and executes a run; any error fails the test. */
static inline smx_run *run_config(const smx_config *cfg)
{
    char err[1024] = "";
    smx_run *r = NULL;
    cr_assert_eq(smx_run_create(cfg, &r, err, sizeof err), SMX_OK, "%s", err);
    cr_assert_eq(smx_run_execute(r, NULL, NULL, err, sizeof err), SMX_OK, "%s", err);
    return r;
}

/* A water pencil beam of E MeV on a small lockstep grid: x [-10, 10] mm in
 * nx cells, z [0, z_max] mm in nz cells, 21 theta bins over +-15 deg. */
static inline smx_config small_pencil(double E, int nx, double z_max, int nz, const char *backend)
{
    smx_config c;
    smx_config_init(&c);
    c.x_min_mm = -10, c.x_max_mm = 10, c.nx = nx;
    c.z_max_mm = z_max, c.nz = nz;
    c.ntheta = 21, c.theta_min_deg = -15, c.theta_max_deg = 15;
    c.e_min_MeV = 1, c.e_max_MeV = E, c.spacing = SMX_SPACING_RANGE;
    c.nbeams = 1;
    c.beams[0] = (smx_beam){.energy_MeV = E, .protons = 1e9};
    snprintf(c.backend, sizeof c.backend, "%s", backend);
    return c;
}

/* The backends that every operator test runs on. */
static const char *const test_backends[] = {"reference", "openmp"};
#define N_TEST_BACKENDS 2

#endif
