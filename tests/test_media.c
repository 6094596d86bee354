/* Heterogeneous media: slabs and an equivalent material map give the same
 * dose; both backends agree on a water-bone-lung phantom. */
#define _XOPEN_SOURCE 700 /* mkstemp */
#include <stdlib.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "config/config_loaded.h"
#include "core/physics.h"
#include "harness.h"
#include "map_file.h"

static void phantom(smx_config *c, const char *backend)
{
    test_case t = {12, 40, 15, 0, 0, 0, SMX_SPACING_RANGE, 0, 0, 1, 0};
    case_config(&t, c); /* slabs: bone at 12-20 mm, lung at 20-28 mm */
    c->beams[0].energy_MeV = 55;
    c->beams[0].sigma_x_mm = 1;
    snprintf(c->backend, sizeof c->backend, "%s", backend);
}

/* The phantom's slabs as a map m [40][12] of PHANTOM_MATERIALS. */
#define PHANTOM_MATERIALS (const char *[]){"water", "bone_cortical_icrp", "lung"}, 3
static void phantom_map(const smx_config *a, unsigned char *m)
{
    for (int z = 0; z < 40; z++)
        for (int x = 0; x < 12; x++) {
            double zc = z + 0.5;
            m[z * 12 + x] = zc >= a->slabs[0].z_min_mm && zc < a->slabs[0].z_max_mm ? 1
                            : zc >= a->slabs[1].z_min_mm && zc < a->slabs[1].z_max_mm ? 2 : 0;
        }
}

Test(media, map_equals_slabs)
{
    smx_config a, b;
    phantom(&a, "openmp");
    phantom(&b, "openmp");
    unsigned char m[40 * 12];
    phantom_map(&a, m);
    char path[32];
    use_map(&b, m, 40, 12, path, PHANTOM_MATERIALS);
    smx_run *ra = run_config(&a), *rb = run_config(&b);
    const smx_result *x = smx_run_result(ra), *y = smx_run_result(rb);
    double e = nmse(y->dose_Gy, x->dose_Gy, (size_t)x->nx * x->nz);
    cr_expect_leq(e, 1e-12, "map vs slabs dose NMSE %.3g", e);
    cr_expect_float_eq(x->metrics.r80_mm, y->metrics.r80_mm, 1e-6);
    smx_run_free(ra);
    smx_run_free(rb);
    remove(path);
}

/* smx_config_load reads the map once: a run takes its media from the
 * loaded configuration, with the file gone, and gives the dose of a copy
 * that holds no maps (so that smx_run_create reads the file). A grid the
 * loaded maps were not read for makes the run read the file again. */
Test(media, loaded_map_read_once)
{
    smx_config a;
    phantom(&a, "openmp");
    unsigned char m[40 * 12];
    phantom_map(&a, m);
    char map[32], yaml[64] = "/tmp/smx_map_yaml_XXXXXX", text[512], err[1024] = "";
    use_map(&a, m, 40, 12, map, PHANTOM_MATERIALS);
    int fd = mkstemp(yaml);
    cr_assert(fd >= 0);
    int n = snprintf(text, sizeof text, "grid: {nx: 12, nz: 40, x_mm: [-6, 6], z_mm: [0, 40], "
                     "theta: {bins: 15}}\nbeams: [{energy_MeV: 55, sigma_x_mm: 1}]\n"
                     "material_map: %s\nmaterials: [water, bone_cortical_icrp, lung]\n", map);
    cr_assert_eq(write(fd, text, (size_t)n), n);
    close(fd);
    smx_config c;
    smx_config_init(&c);
    cr_assert_eq(smx_config_load(yaml, &c, err, sizeof err), SMX_OK, "%s", err);
    remove(yaml);
    cr_assert_not_null(smx__config_maps(&c));
    smx_config bare = c;
    bare.loaded = NULL;
    smx_run *read_at_create = run_config(&bare);
    remove(map);
    smx_run *loaded = run_config(&c);
    const smx_result *x = smx_run_result(read_at_create), *y = smx_run_result(loaded);
    cr_expect_eq(memcmp(x->dose_Gy, y->dose_Gy, sizeof(double) * x->nx * x->nz), 0);
    smx_run_free(read_at_create);
    smx_run_free(loaded);
    c.nz = 41, c.z_max_mm = 41;
    smx_run *r = NULL;
    cr_expect_eq(smx_run_create(&c, &r, err, sizeof err), SMX_ECONFIG);
    cr_expect(strstr(err, "material_map") && strstr(err, map) && strstr(err, "cannot open"), "%s", err);
    smx_config_free(&c);
    cr_expect_null(c.loaded);
}

/* On the bone-lung phantom the reference and openmp agree. */
Test(media, phantom_backends_agree)
{
    smx_config a;
    phantom(&a, "reference");
    smx_run *ref = run_config(&a);
    snprintf(a.backend, sizeof a.backend, "openmp");
    smx_run *omp = run_config(&a);
    const smx_result *r = smx_run_result(ref), *o = smx_run_result(omp);
    double e = nmse(o->dose_Gy, r->dose_Gy, (size_t)r->nx * r->nz);
    cr_expect_leq(e, 1e-7, "openmp vs reference dose NMSE %.3g", e);
    cr_expect_leq(r->accounting.worst_weight_imbalance, 1e-12);
    cr_expect_leq(r->accounting.worst_energy_imbalance, 1e-12);
    cr_expect_leq(o->accounting.worst_weight_imbalance, 1e-6);
    smx_run_free(ref);
    smx_run_free(omp);
}

/* A 4 mm cortical bone slab at 8-12 mm pulls R80 in by its water-equivalent
 * thickness minus 4 mm, from the PSTAR ranges (within 0.5 mm). */
Test(media, bone_slab_shifts_range_by_wet)
{
    smx_config a;
    phantom(&a, "openmp");
    a.nslabs = 1;
    a.slabs[0] = (smx_slab){.z_min_mm = 8, .z_max_mm = 12, .material = "bone_cortical_icrp"};
    smx_run *bone = run_config(&a);
    a.nslabs = 0;
    smx_run *water = run_config(&a);
    char err[256];
    smx_material w, b;
    cr_assert_eq(smx__material_load("water", &w, err, sizeof err), SMX_OK);
    cr_assert_eq(smx__material_load("bone_cortical_icrp", &b, err, sizeof err), SMX_OK);
    double Ein = smx__energy_after(&w, 55, 0.8), Eout = smx__energy_after(&b, Ein, 0.4);
    double wet_mm = (smx__csda_range(&w, Ein) - smx__csda_range(&w, Eout)) * 10;
    double expected = -(wet_mm - 4.0);
    double shift = smx_run_result(bone)->metrics.r80_mm - smx_run_result(water)->metrics.r80_mm;
    cr_expect_leq(fabs(shift - expected), 0.5, "R80 shift %.3f mm, expected %.3f (WET %.3f mm)",
                  shift, expected, wet_mm);
    smx_run_free(bone);
    smx_run_free(water);
}

/* Media that change across x as well as z (bone left, lung right of the
 * beam, an air gap below): every float32 backend present agrees with the
 * reference (per-cell kernels, deposits across media boundaries). */
Test(media, lateral_map_backends_agree)
{
    smx_config c;
    phantom(&c, "reference");
    c.nslabs = 0;
    c.beams[0].sigma_x_mm = 2;
    c.beams[0].angle_deg = 10;
    unsigned char m[40 * 12];
    for (int z = 0; z < 40; z++)
        for (int x = 0; x < 12; x++)
            m[z * 12 + x] = z >= 8 && z < 20 ? (x < 6 ? 1 : 2) : (z >= 24 && z < 27 && x > 3 ? 3 : 0);
    char path[32];
    use_map(&c, m, 40, 12, path, (const char *[]){"water", "bone_cortical_icrp", "lung", "air"}, 4);
    smx_run *ref = run_config(&c);
    const smx_result *r = smx_run_result(ref);
    for (int k = 0; k < N_FLOAT32_BACKENDS; k++) {
        const char *name = float32_backends[k];
        char why[256] = "";
        if (!backend_present(name, why, sizeof why)) continue;
        snprintf(c.backend, sizeof c.backend, "%s", name);
        smx_run *o = run_config(&c);
        double e = nmse(smx_run_result(o)->dose_Gy, r->dose_Gy, (size_t)r->nx * r->nz);
        cr_expect_leq(e, 1e-7, "%s vs reference dose NMSE %.3g", name, e);
        cr_expect_leq(smx_run_result(o)->accounting.worst_weight_imbalance, 1e-6, "%s", name);
        smx_run_free(o);
    }
    cr_expect_leq(r->accounting.worst_weight_imbalance, 1e-12);
    smx_run_free(ref);
    remove(path);
}

/* The fine depth tally through slabs: it holds the energy of the cell IDD,
 * its R80 on 2 mm cells equals the 0.5 mm cells' own, and a medium that
 * varies along x is refused with the key and the row named. */
Test(media, fine_tally_through_slabs, .timeout = 120)
{
    smx_config c = small_pencil(100, 10, 90, 45, "openmp");
    c.nuclear = SMX_NUCLEAR_NONE;
    c.nslabs = 2;
    c.slabs[0] = (smx_slab){.z_min_mm = 20, .z_max_mm = 30, .material = "bone_cortical_icrp"};
    c.slabs[1] = (smx_slab){.z_min_mm = 40, .z_max_mm = 50, .material = "lung"};
    c.idd_resolution_mm = 0.1;
    smx_config f = c;
    f.nz = 180, f.idd_resolution_mm = 0;
    smx_run *r = run_config(&c), *rf = run_config(&f);
    const smx_result *a = smx_run_result(r), *b = smx_run_result(rf);
    double fine = 0, cells = 0;
    for (int k = 0; k < a->nfine; k++) fine += a->idd_fine_MeV_per_mm[k] * 0.1;
    for (int z = 0; z < a->nz; z++) cells += a->idd_MeV_per_mm[z] * 2;
    cr_expect_float_eq(fine, cells, 1e-6 * cells, "fine %g vs cells %g MeV", fine, cells);
    cr_expect_leq(fabs(a->metrics.r80_mm - b->metrics.r80_mm), 0.1, "R80 %.3f (2 mm, fine tally) vs %.3f (0.5 mm)",
                  a->metrics.r80_mm, b->metrics.r80_mm);
    smx_run_free(r);
    smx_run_free(rf);

    unsigned char m[45 * 10];
    for (int q = 0; q < 45 * 10; q++) m[q] = q / 10 == 20 && q % 10 < 5; /* half of row 20: bone */
    char path[32];
    use_map(&c, m, 45, 10, path, (const char *[]){"water", "bone_cortical_icrp"}, 2);
    smx_run *bad = NULL;
    char err[1024] = "";
    cr_expect_eq(smx_run_create(&c, &bad, err, sizeof err), SMX_ECONFIG);
    cr_expect(strstr(err, "output.idd_resolution_mm") && strstr(err, "row 20"), "%s", err);
    cr_expect_null(bad);
    unlink(path);
}
