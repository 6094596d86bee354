/* The YAML configuration loader and the configuration checks
 * (docs/config.md): defaults, a full round trip, and one test per kind of
 * rejected input, each asserting the status and the message
 * "FILE:LINE:COL: KEY: MESSAGE (expected WHAT)". */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smatrix2d/smatrix2d.h"
#include "config/config_loaded.h"

typedef struct {
    smx_status st;
    char path[64];
    char err[1024];
    smx_config cfg;
} load_result;

/* Writes yaml to a fresh temporary file, loads it on top of the defaults,
 * removes the file; r->cfg.loaded is the caller's to free. */
static void load_text_kept(const char *yaml, load_result *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->path, sizeof r->path, "/tmp/smx_test_config_XXXXXX");
    int fd = mkstemp(r->path);
    cr_assert(fd >= 0, "mkstemp failed");
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fputs(yaml, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
    smx_config_init(&r->cfg);
    r->st = smx_config_load(r->path, &r->cfg, r->err, sizeof r->err);
    unlink(r->path);
}

/* load_text_kept without what the load kept (r->cfg.loaded freed). */
static void load_text(const char *yaml, load_result *r)
{
    load_text_kept(yaml, r);
    smx_config_free(&r->cfg);
}

/* Asserts an SMX_ECONFIG whose message starts "PATH:LINECOL: KEY: " and
 * contains phrase. */
static void expect_error(const char *yaml, const char *linecol, const char *key,
                         const char *phrase)
{
    load_result r;
    load_text(yaml, &r);
    cr_assert_eq(r.st, SMX_ECONFIG, "status %d, message: %s", (int)r.st, r.err);
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s:%s: %s: ", r.path, linecol, key);
    cr_assert_eq(strncmp(r.err, prefix, strlen(prefix)), 0, "expected prefix '%s' in '%s'",
                 prefix, r.err);
    cr_assert_not_null(strstr(r.err, phrase), "expected '%s' in '%s'", phrase, r.err);
    cr_assert_not_null(strstr(r.err, "(expected "), "no '(expected' in '%s'", r.err);
}

static const char *const beam = "beams: [{energy_MeV: 100}]\n";

/* ---- accepted input ------------------------------------------------------- */

Test(config, init_sets_documented_defaults)
{
    smx_config c;
    memset(&c, 0xab, sizeof c);
    smx_config_init(&c);
    cr_assert_float_eq(c.x_min_mm, -20.0, 0);
    cr_assert_float_eq(c.x_max_mm, 20.0, 0);
    cr_assert_eq(c.nx, 80);
    cr_assert_float_eq(c.z_max_mm, 100.0, 0);
    cr_assert_eq(c.nz, 200);
    cr_assert_float_eq(c.y_thickness_mm, 1.0, 0);
    cr_assert_eq(c.ntheta, 120);
    cr_assert_eq(c.theta_full_circle, 0);
    cr_assert_float_eq(c.theta_min_deg, -30.0, 0);
    cr_assert_float_eq(c.theta_max_deg, 30.0, 0);
    cr_assert_eq(c.ne, 0);
    cr_assert_float_eq(c.e_min_MeV, 1.0, 0);
    cr_assert_float_eq(c.e_max_MeV, 110.0, 0);
    cr_assert_eq(c.spacing, SMX_SPACING_RANGE);
    cr_assert_str_eq(c.material, "water");
    cr_assert_float_eq(c.density_g_cm3, 0.0, 0);
    cr_assert_eq(c.nslabs, 0);
    cr_assert_str_eq(c.material_map, "");
    cr_assert_str_eq(c.density_map, "");
    cr_assert_eq(c.nmaterials, 0);
    cr_assert_eq(c.nbeams, 0);
    cr_assert_float_eq(c.step_mm, 0.0, 0);
    cr_assert_eq(c.splitting, SMX_SPLIT_LIE);
    cr_assert_eq(c.scattering, SMX_SCATTER_DIFFERENTIAL_MOLIERE);
    cr_assert_eq(c.max_steps, 100000);
    cr_assert_float_eq(c.max_angle_deg, 90.0, 0);
    cr_assert_eq(c.straggling, SMX_STRAGGLING_BOHR);
    cr_assert_eq(c.nuclear, SMX_NUCLEAR_ICRU63);
    cr_assert_eq(c.streaming, SMX_STREAM_CENTROID);
    cr_assert_str_eq(c.backend, "openmp");
    cr_assert_eq(c.precision, SMX_PRECISION_FLOAT32);
    cr_assert_eq(c.device, -1);
    cr_assert_eq(c.accumulation, SMX_ACCUM_DETERMINISTIC);
    cr_assert_eq(c.scatter, SMX_SCATTER_AUTO);
    cr_assert_eq(c.threads, 0);
    cr_assert_str_eq(c.source_path, "");
}

Test(config, load_minimal_keeps_defaults)
{
    load_result r;
    load_text(beam, &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    smx_config d;
    smx_config_init(&d);
    cr_assert_eq(r.cfg.nx, d.nx);
    cr_assert_eq(r.cfg.nz, d.nz);
    cr_assert_eq(r.cfg.ntheta, d.ntheta);
    cr_assert_eq(r.cfg.ne, 0);
    cr_assert_eq(r.cfg.spacing, SMX_SPACING_RANGE);
    cr_assert_str_eq(r.cfg.material, "water");
    cr_assert_float_eq(r.cfg.density_g_cm3, 0.0, 0);
    cr_assert_eq(r.cfg.nslabs, 0);
    cr_assert_str_eq(r.cfg.material_map, "");
    cr_assert_eq(r.cfg.nmaterials, 0);
    cr_assert_eq(r.cfg.straggling, SMX_STRAGGLING_BOHR);
    cr_assert_eq(r.cfg.nuclear, SMX_NUCLEAR_ICRU63);
    cr_assert_eq(r.cfg.streaming, SMX_STREAM_CENTROID);
    cr_assert_str_eq(r.cfg.backend, "openmp");
    cr_assert_eq(r.cfg.nbeams, 1);
    cr_assert_float_eq(r.cfg.beams[0].energy_MeV, 100.0, 0);
    cr_assert_float_eq(r.cfg.beams[0].protons, 1e9, 0);
    cr_assert_float_eq(r.cfg.beams[0].x_mm, 0.0, 0);
    cr_assert_str_eq(r.cfg.source_path, r.path);
}

Test(config, load_full_config_round_trips)
{
    load_result r;
    load_text("# a full configuration\n"
              "grid:\n"
              "  x_mm: [-30, 25.5]\n"
              "  nx: 111\n"
              "  z_mm: [0, 150]\n"
              "  nz: 300\n"
              "  y_thickness_mm: .5\n"
              "  theta: {bins: 72, full_circle: true}\n"
              "  energy: {bins: 220, min_MeV: 0.5, max_MeV: 230, spacing: log}\n"
              "material: pmma\n"
              "beams:\n"
              "  - {energy_MeV: 200, energy_spread_MeV: 1.2, x_mm: -3, sigma_x_mm: 2,\n"
              "     angle_deg: 5, sigma_angle_deg: 0.1, protons: 2.5e9}\n"
              "  - energy_MeV: 150\n"
              "    x_mm: 10\n"
              "transport:\n"
              "  step_mm: 0.5\n"
              "  splitting: strang\n"
              "  scattering: fermi_rossi\n"
              "  max_steps: 5000\n"
              "  max_angle_deg: 120\n"
              "run:\n"
              "  backend: reference\n"
              "  precision: float64\n"
              "  device: 1\n"
              "  threads: 4\n"
              "  accumulation: fast\n"
              "  scatter: gemm\n",
              &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    const smx_config *c = &r.cfg;
    cr_assert_float_eq(c->x_min_mm, -30.0, 0);
    cr_assert_float_eq(c->x_max_mm, 25.5, 0);
    cr_assert_eq(c->nx, 111);
    cr_assert_float_eq(c->z_max_mm, 150.0, 0);
    cr_assert_eq(c->nz, 300);
    cr_assert_float_eq(c->y_thickness_mm, 0.5, 0);
    cr_assert_eq(c->ntheta, 72);
    cr_assert_eq(c->theta_full_circle, 1);
    cr_assert_eq(c->ne, 220);
    cr_assert_float_eq(c->e_min_MeV, 0.5, 0);
    cr_assert_float_eq(c->e_max_MeV, 230.0, 0);
    cr_assert_eq(c->spacing, SMX_SPACING_LOG);
    cr_assert_str_eq(c->material, "pmma");
    cr_assert_eq(c->nbeams, 2);
    cr_assert_float_eq(c->beams[0].energy_MeV, 200.0, 0);
    cr_assert_float_eq(c->beams[0].energy_spread_MeV, 1.2, 0);
    cr_assert_float_eq(c->beams[0].x_mm, -3.0, 0);
    cr_assert_float_eq(c->beams[0].sigma_x_mm, 2.0, 0);
    cr_assert_float_eq(c->beams[0].angle_deg, 5.0, 0);
    cr_assert_float_eq(c->beams[0].sigma_angle_deg, 0.1, 0);
    cr_assert_float_eq(c->beams[0].protons, 2.5e9, 0);
    cr_assert_float_eq(c->beams[1].energy_MeV, 150.0, 0);
    cr_assert_float_eq(c->beams[1].x_mm, 10.0, 0);
    cr_assert_float_eq(c->beams[1].energy_spread_MeV, 0.0, 0);
    cr_assert_float_eq(c->beams[1].protons, 1e9, 0);
    cr_assert_float_eq(c->step_mm, 0.5, 0);
    cr_assert_eq(c->splitting, SMX_SPLIT_STRANG);
    cr_assert_eq(c->scattering, SMX_SCATTER_FERMI_ROSSI);
    cr_assert_eq(c->max_steps, 5000);
    cr_assert_float_eq(c->max_angle_deg, 120.0, 0);
    cr_assert_str_eq(c->backend, "reference");
    cr_assert_eq(c->precision, SMX_PRECISION_FLOAT64);
    cr_assert_eq(c->device, 1);
    cr_assert_eq(c->threads, 4);
    cr_assert_eq(c->accumulation, SMX_ACCUM_FAST);
    cr_assert_eq(c->scatter, SMX_SCATTER_GEMM);
    cr_assert_str_eq(c->source_path, r.path);
    cr_assert_eq(smx_config_check(c, r.err, sizeof r.err), SMX_OK, "%s", r.err);
}

Test(config, load_auto_values)
{
    load_result r;
    load_text("grid:\n"
              "  theta: {bins: 60, min_deg: -20, max_deg: 20, full_circle: false}\n"
              "  energy: {bins: auto, spacing: range}\n"
              "transport: {step_mm: auto}\n"
              "beams:\n"
              "  - {energy_MeV: 1.0e2, angle_deg: -20}\n",
              &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    cr_assert_eq(r.cfg.ne, 0);
    cr_assert_float_eq(r.cfg.step_mm, 0.0, 0);
    cr_assert_eq(r.cfg.theta_full_circle, 0);
    cr_assert_float_eq(r.cfg.theta_min_deg, -20.0, 0);
    cr_assert_float_eq(r.cfg.beams[0].angle_deg, -20.0, 0);
}

Test(config, check_accepts_defaults_with_a_beam)
{
    smx_config c;
    smx_config_init(&c);
    c.nbeams = 1;
    c.beams[0] = (smx_beam){.energy_MeV = 100, .protons = 1e9};
    char err[256] = "";
    cr_assert_eq(smx_config_check(&c, err, sizeof err), SMX_OK, "%s", err);
}

/* ---- keys ----------------------------------------------------------------- */

Test(config, reject_unknown_top_level_key)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "colour: red\n",
                 "2:1", "colour", "unknown key");
}

Test(config, reject_unknown_nested_key)
{
    expect_error("grid:\n"
                 "  theta:\n"
                 "    bins: 60\n"
                 "    foo: 1\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "4:5", "grid.theta.foo", "unknown key");
}

Test(config, reject_unknown_beam_key)
{
    expect_error("beams:\n"
                 "  - energy_MeV: 100\n"
                 "  - energy_MeV: 90\n"
                 "    energy: 3\n",
                 "4:5", "beams[1].energy", "unknown key");
}

Test(config, reject_duplicate_key)
{
    expect_error("grid:\n"
                 "  nx: 10\n"
                 "  nx: 20\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "3:3", "grid.nx", "duplicate key");
}

Test(config, reject_missing_beams)
{
    expect_error("grid: {nx: 10}\n", "1:1", "beams", "missing required key");
}

Test(config, reject_empty_beams)
{
    expect_error("beams: []\n", "1:8", "beams", "empty list");
}

Test(config, reject_missing_beam_energy)
{
    expect_error("beams:\n"
                 "  - {x_mm: 1}\n",
                 "2:5", "beams[0].energy_MeV", "missing required key");
}

Test(config, reject_empty_file)
{
    expect_error("# nothing here\n", "1:1", "(top level)", "empty document");
}

Test(config, reject_top_level_sequence)
{
    expect_error("- grid\n- beams\n", "1:1", "(top level)", "not a mapping");
}

/* ---- types ---------------------------------------------------------------- */

Test(config, reject_string_for_int)
{
    expect_error("grid:\n"
                 "  nx: \"abc\"\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:7", "grid.nx", "wrong type: got a string (\"abc\")");
}

Test(config, reject_float_for_int)
{
    expect_error("grid:\n"
                 "  nx: 1.5\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:7", "grid.nx", "wrong type: got a float (1.5)");
}

Test(config, reject_quoted_number)
{
    expect_error("grid: {y_thickness_mm: '2'}\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "1:24", "grid.y_thickness_mm", "wrong type");
}

Test(config, reject_mapping_for_scalar)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "run:\n"
                 "  device: {id: 1}\n",
                 "3:11", "run.device", "wrong type: got a mapping");
}

Test(config, reject_scalar_for_section)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport: lie\n",
                 "2:12", "transport", "wrong type");
}

Test(config, reject_non_finite_number)
{
    expect_error("beams: [{energy_MeV: .inf}]\n", "1:22", "beams[0].energy_MeV",
                 "not a finite number");
}

Test(config, reject_wrong_pair_length)
{
    expect_error("grid: {x_mm: [1, 2, 3]}\n" "beams: [{energy_MeV: 100}]\n", "1:14",
                 "grid.x_mm", "wrong length");
}

Test(config, reject_bad_boolean)
{
    expect_error("grid: {theta: {full_circle: yes}}\n" "beams: [{energy_MeV: 100}]\n", "1:29",
                 "grid.theta.full_circle", "expected true or false");
}

/* ---- ranges --------------------------------------------------------------- */

Test(config, reject_theta_bins_below_one)
{
    expect_error("grid:\n"
                 "  theta: {bins: 0}\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:17", "grid.theta.bins", "out of range: 0");
}

Test(config, reject_energy_bins_below_two)
{
    expect_error("grid:\n"
                 "  energy: {bins: 1}\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:18", "grid.energy.bins", "expected auto or an integer from 2 to 20000");
}

Test(config, reject_nx_below_one)
{
    expect_error("grid:\n"
                 "  nx: 0\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:7", "grid.nx", "out of range: 0");
}

Test(config, reject_x_min_not_below_max)
{
    expect_error("grid:\n"
                 "  x_mm: [20, -20]\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:9", "grid.x_mm", "must be less than max");
}

Test(config, reject_energy_min_not_below_max)
{
    expect_error("grid:\n"
                 "  energy: {min_MeV: 50, max_MeV: 10}\n"
                 "beams: [{energy_MeV: 30}]\n",
                 "2:21", "grid.energy.min_MeV", "must be less than max_MeV");
}

Test(config, reject_energy_max_below_default_min_names_max)
{
    expect_error("grid:\n"
                 "  energy: {max_MeV: 0.5}\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:21", "grid.energy.max_MeV", "must be less than max_MeV");
}

Test(config, reject_theta_min_not_below_max)
{
    expect_error("grid:\n"
                 "  theta:\n"
                 "    min_deg: 10\n"
                 "    max_deg: -10\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "3:14", "grid.theta.min_deg", "must be less than max_deg");
}

Test(config, reject_z_not_starting_at_zero)
{
    expect_error("grid:\n"
                 "  z_mm: [5, 100]\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:10", "grid.z_mm", "first value 5");
}

Test(config, reject_energy_max_beyond_table)
{
    expect_error("grid:\n"
                 "  energy: {max_MeV: 20000}\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:21", "grid.energy.max_MeV", "energy beyond the table");
}

Test(config, reject_energy_min_beyond_table)
{
    expect_error("grid:\n"
                 "  energy: {min_MeV: 0.0001}\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "2:21", "grid.energy.min_MeV", "energy beyond the table");
}

Test(config, reject_step_zero)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport:\n"
                 "  step_mm: 0\n",
                 "3:12", "transport.step_mm", "expected auto or a number > 0");
}

Test(config, reject_step_negative)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport:\n"
                 "  step_mm: -1\n",
                 "3:12", "transport.step_mm", "out of range: -1");
}

Test(config, reject_max_angle_out_of_range)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport: {max_angle_deg: 181}\n",
                 "2:28", "transport.max_angle_deg", "out of range");
}

Test(config, reject_negative_threads)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "run: {threads: -2}\n",
                 "2:16", "run.threads", "expected 0 for the OpenMP default, or 1 to 4096");
}

Test(config, secondaries_and_fine_tally_keys)
{
    load_result r;
    load_text("beams: [{energy_MeV: 100}]\n"
              "transport: {secondaries: local}\n"
              "output: {idd_resolution_mm: 0.1}\n",
              &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    cr_assert_eq(r.cfg.secondaries, SMX_SECONDARIES_LOCAL);
    cr_assert_float_eq(r.cfg.idd_resolution_mm, 0.1, 0);
    smx_config d;
    smx_config_init(&d);
    cr_assert_eq(d.secondaries, SMX_SECONDARIES_TRANSPORT, "transport is the default");
    cr_assert_float_eq(d.idd_resolution_mm, 0.0, 0, "no fine tally by default");
}

Test(config, reject_unknown_secondaries)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport: {secondaries: halo}\n",
                 "2:26", "transport.secondaries", "unknown value \"halo\"");
}

Test(config, reject_fine_tally_out_of_range)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "output: {idd_resolution_mm: -0.1}\n",
                 "2:29", "output.idd_resolution_mm", "out of range");
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "grid: {z_mm: [0, 100], nz: 100}\n"
                 "output: {idd_resolution_mm: 2}\n",
                 "3:29", "output.idd_resolution_mm", "2 mm is coarser than the depth cells");
}

Test(config, reject_unknown_output_key)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "output: {idd_resolution: 0.1}\n",
                 "2:10", "output.idd_resolution", "unknown key");
}

/* ---- beams ---------------------------------------------------------------- */

Test(config, reject_beam_outside_grid)
{
    expect_error("beams:\n"
                 "  - {energy_MeV: 100, x_mm: 50}\n",
                 "2:29", "beams[0].x_mm", "beam outside the grid");
}

Test(config, reject_beam_energy_outside_energy_grid)
{
    expect_error("beams:\n"
                 "  - energy_MeV: 100\n"
                 "  - energy_MeV: 150\n",
                 "3:17", "beams[1].energy_MeV", "beam energy outside the energy grid");
}

Test(config, reject_beam_angle_outside_theta_window)
{
    expect_error("beams:\n"
                 "  - {energy_MeV: 100, angle_deg: 40}\n",
                 "2:34", "beams[0].angle_deg", "outside the theta window");
}

Test(config, reject_nonpositive_protons)
{
    expect_error("beams:\n"
                 "  - {energy_MeV: 100, protons: 0}\n",
                 "2:32", "beams[0].protons", "expected 0 < protons <= 1e+18");
}

Test(config, reject_negative_spread)
{
    expect_error("beams:\n"
                 "  - {energy_MeV: 100, energy_spread_MeV: -1}\n",
                 "2:42", "beams[0].energy_spread_MeV", "expected 0 <= value <= 100");
}

/* ---- enumerations and names ----------------------------------------------- */

Test(config, reject_bad_spacing)
{
    expect_error("grid:\n"
                 "  energy:\n"
                 "    spacing: cubic\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "3:14", "grid.energy.spacing", "unknown value \"cubic\" (expected one of "
                 "uniform, log, range)");
}

Test(config, reject_bad_backend)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "run:\n"
                 "  backend: foo\n",
                 "3:12", "run.backend", "unknown backend \"foo\" (expected one of reference, "
                 "openmp, opencl, vulkan, cuda, auto)");
}

Test(config, reject_unknown_material)
{
    expect_error("material: unobtainium\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "1:11", "material", "unknown material \"unobtainium\"");
}

Test(config, reject_full_circle_with_min_deg)
{
    expect_error("grid:\n"
                 "  theta:\n"
                 "    full_circle: true\n"
                 "    min_deg: -40\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "4:5", "grid.theta.min_deg", "not allowed with full_circle: true");
}

/* ---- files ---------------------------------------------------------------- */

Test(config, reject_yaml_syntax_error_with_position)
{
    load_result r;
    load_text("grid:\n"
              "  nx: 10\n"
              " nz: 20\n"
              "beams: [{energy_MeV: 100}]\n",
              &r);
    cr_assert_eq(r.st, SMX_ECONFIG, "%s", r.err);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s:3:2: YAML syntax error: ", r.path);
    cr_assert_eq(strncmp(r.err, prefix, strlen(prefix)), 0, "expected '%s' in '%s'", prefix,
                 r.err);
}

Test(config, reject_second_document)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "---\n"
                 "beams: [{energy_MeV: 90}]\n",
                 "2:1", "(top level)", "a second YAML document");
}

Test(config, missing_file_is_eio)
{
    const char *path = "/tmp/smx_test_config_does_not_exist.yaml";
    smx_config c;
    smx_config_init(&c);
    char err[512] = "";
    cr_assert_eq(smx_config_load(path, &c, err, sizeof err), SMX_EIO);
    cr_assert_not_null(strstr(err, path), "%s", err);
    cr_assert_not_null(strstr(err, "cannot open"), "%s", err);
}

Test(config, failed_load_leaves_config_untouched)
{
    load_result r;
    load_text("grid: {nx: 33}\n"
              "beams: [{energy_MeV: 100, x_mm: 99}]\n",
              &r);
    cr_assert_eq(r.st, SMX_ECONFIG);
    cr_assert_eq(r.cfg.nx, 80);
    cr_assert_eq(r.cfg.nbeams, 0);
    cr_assert_str_eq(r.cfg.source_path, "");
}

Test(config, load_tolerates_null_error_buffer)
{
    load_result r;
    load_text("grid: {nx: 0}\n" "beams: [{energy_MeV: 100}]\n", &r);
    cr_assert_eq(r.st, SMX_ECONFIG);
    smx_config c;
    smx_config_init(&c);
    cr_assert_eq(smx_config_load("/tmp/smx_test_config_does_not_exist.yaml", &c, NULL, 0),
                 SMX_EIO);
}

/* ---- smx_config_check ----------------------------------------------------- */

Test(config, check_rejects_one_energy_bin)
{
    smx_config c;
    smx_config_init(&c);
    c.nbeams = 1;
    c.beams[0] = (smx_beam){.energy_MeV = 100, .protons = 1e9};
    c.ne = 1;
    char err[256] = "";
    cr_assert_eq(smx_config_check(&c, err, sizeof err), SMX_ECONFIG);
    cr_assert_eq(strncmp(err, "grid.energy.bins: ", 18), 0, "%s", err);
    cr_assert_not_null(strstr(err, "expected auto or an integer from 2 to 20000"), "%s", err);
}

Test(config, check_rejects_no_beams)
{
    smx_config c;
    smx_config_init(&c);
    char err[256] = "";
    cr_assert_eq(smx_config_check(&c, err, sizeof err), SMX_ECONFIG);
    cr_assert_eq(strncmp(err, "beams: ", 7), 0, "%s", err);
}

Test(config, check_rejects_beam_outside_grid)
{
    smx_config c;
    smx_config_init(&c);
    c.nbeams = 2;
    c.beams[0] = (smx_beam){.energy_MeV = 100, .protons = 1e9};
    c.beams[1] = (smx_beam){.energy_MeV = 100, .x_mm = -25, .protons = 1e9};
    char err[256] = "";
    cr_assert_eq(smx_config_check(&c, err, sizeof err), SMX_ECONFIG);
    cr_assert_eq(strncmp(err, "beams[1].x_mm: beam outside the grid", 36), 0, "%s", err);
}

Test(config, check_rejects_unknown_backend)
{
    smx_config c;
    smx_config_init(&c);
    c.nbeams = 1;
    c.beams[0] = (smx_beam){.energy_MeV = 100, .protons = 1e9};
    snprintf(c.backend, sizeof c.backend, "metal");
    char err[256] = "";
    cr_assert_eq(smx_config_check(&c, err, sizeof err), SMX_ECONFIG);
    cr_assert_eq(strncmp(err, "run.backend: ", 13), 0, "%s", err);
}

/* A configuration as loaded is not checked again by smx_run_create; one
 * changed after the load is, and its refusal names no line. */
Test(config, changed_after_load_checked_again)
{
    load_result r;
    load_text_kept("grid: {nx: 10, nz: 20, x_mm: [-5, 5], z_mm: [0, 40], theta: {bins: 9}}\n"
                   "beams: [{energy_MeV: 40}]\n", &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    cr_expect(smx__config_as_loaded(&r.cfg));
    r.cfg.nx = 0;
    cr_expect(!smx__config_as_loaded(&r.cfg));
    smx_run *run = NULL;
    char err[1024] = "", want[128];
    cr_expect_eq(smx_run_create(&r.cfg, &run, err, sizeof err), SMX_ECONFIG);
    snprintf(want, sizeof want, "%s: grid.nx: ", r.path);
    cr_expect_eq(strncmp(err, want, strlen(want)), 0, "expected '%s' in '%s'", want, err);
    smx_config_free(&r.cfg);
}

/* ---- media: density, slabs, material and density maps -------------------- */

/* A map file in /tmp, next to the configurations load_text writes, named
 * smx_test_cfgmap_<pid>_<tag>.npy; `rel` receives the bare file name. */
static void map_path(const char *tag, char path[128], char rel[96])
{
    snprintf(rel, 96, "smx_test_cfgmap_%ld_%s.npy", (long)getpid(), tag);
    snprintf(path, 128, "/tmp/%s", rel);
}

/* Writes a version 1.0 .npy: descr, a 2-D shape and raw little-endian bytes. */
static void write_npy2d(const char *path, const char *descr, int rows, int cols,
                        const void *bytes, size_t nbytes)
{
    char dict[128];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': "
                     "(%d, %d), }", descr, rows, cols);
    size_t total = (10 + (size_t)n + 1 + 63) / 64 * 64, hlen = total - 10;
    unsigned char head[256];
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (unsigned char)(hlen & 0xff);
    head[9] = (unsigned char)(hlen >> 8);
    memset(head + 10, ' ', hlen);
    memcpy(head + 10, dict, (size_t)n);
    head[total - 1] = '\n';
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(head, 1, total, f), total);
    if (nbytes) cr_assert_eq(fwrite(bytes, 1, nbytes, f), nbytes);
    cr_assert_eq(fclose(f), 0);
}

static void write_u8_map(const char *path, int rows, int cols, const unsigned char *v)
{
    write_npy2d(path, "|u1", rows, cols, v, (size_t)rows * cols);
}

static void write_f8_map(const char *path, int rows, int cols, const double *v)
{
    char err[512] = "";
    cr_assert_eq(smx_write_npy_f64(path, v, rows, cols, err, sizeof err), SMX_OK, "%s", err);
}

/* The 3 x 4 grid of the map tests (nz = 3, nx = 4), on line 1. */
static const char *const grid34 = "grid: {nx: 4, nz: 3}\n";

static const unsigned char map34[12] = {0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0};

Test(config, load_density_slabs_and_transport_models)
{
    load_result r;
    load_text("material: water\n"
              "density_g_cm3: 1.05\n"
              "slabs:\n"
              "  - {z_mm: [20, 40], material: bone_cortical_icrp, density_g_cm3: 1.85}\n"
              "  - z_mm: [40, 45.5]\n"
              "    material: lung\n"
              "  - {z_mm: [90, 250], material: pmma}\n"
              "beams: [{energy_MeV: 100}]\n"
              "transport:\n"
              "  straggling: none\n"
              "  nuclear: none\n"
              "  streaming: shift_deposit\n",
              &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    const smx_config *c = &r.cfg;
    cr_assert_str_eq(c->material, "water");
    cr_assert_float_eq(c->density_g_cm3, 1.05, 0);
    cr_assert_eq(c->nslabs, 3);
    cr_assert_float_eq(c->slabs[0].z_min_mm, 20.0, 0);
    cr_assert_float_eq(c->slabs[0].z_max_mm, 40.0, 0);
    cr_assert_str_eq(c->slabs[0].material, "bone_cortical_icrp");
    cr_assert_float_eq(c->slabs[0].density_g_cm3, 1.85, 0);
    cr_assert_float_eq(c->slabs[1].z_min_mm, 40.0, 0);
    cr_assert_float_eq(c->slabs[1].z_max_mm, 45.5, 0);
    cr_assert_str_eq(c->slabs[1].material, "lung");
    cr_assert_float_eq(c->slabs[1].density_g_cm3, 0.0, 0);
    cr_assert_float_eq(c->slabs[2].z_max_mm, 250.0, 0); /* beyond z_max: clipped by the engine */
    cr_assert_str_eq(c->material_map, "");
    cr_assert_eq(c->nmaterials, 0);
    cr_assert_eq(c->straggling, SMX_STRAGGLING_NONE);
    cr_assert_eq(c->nuclear, SMX_NUCLEAR_NONE);
    cr_assert_eq(c->streaming, SMX_STREAM_SHIFT_DEPOSIT);
    cr_assert_str_eq(smx_straggling_name(c->straggling), "none");
    cr_assert_str_eq(smx_nuclear_name(c->nuclear), "none");
    cr_assert_str_eq(smx_streaming_name(c->streaming), "shift_deposit");
    cr_assert_eq(smx_config_check(c, r.err, sizeof r.err), SMX_OK, "%s", r.err);
}

Test(config, load_transport_model_defaults_by_name)
{
    load_result r;
    load_text("beams: [{energy_MeV: 100}]\n"
              "transport: {straggling: bohr, nuclear: icru63, streaming: centroid}\n",
              &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    cr_assert_eq(r.cfg.straggling, SMX_STRAGGLING_BOHR);
    cr_assert_eq(r.cfg.nuclear, SMX_NUCLEAR_ICRU63);
    cr_assert_eq(r.cfg.streaming, SMX_STREAM_CENTROID);
}

Test(config, load_material_and_density_maps_resolve_relative_paths)
{
    char mpath[128], mrel[96], dpath[128], drel[96];
    map_path("ok_mat", mpath, mrel);
    map_path("ok_den", dpath, drel);
    write_u8_map(mpath, 3, 4, map34);
    double den[12];
    for (int k = 0; k < 12; k++) den[k] = 0.25 + 0.1 * k;
    write_f8_map(dpath, 3, 4, den);
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%s"
             "beams: [{energy_MeV: 100}]\n"
             "material_map: %s\n"
             "materials: [water, lung]\n"
             "density_map: %s\n", grid34, mrel, dpath);
    load_result r;
    load_text_kept(yaml, &r);
    unlink(mpath);
    unlink(dpath);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    cr_assert_str_eq(r.cfg.material_map, mpath); /* resolved against /tmp */
    cr_assert_str_eq(r.cfg.density_map, dpath);  /* absolute: kept */
    cr_assert_eq(r.cfg.nmaterials, 2);
    cr_assert_str_eq(r.cfg.materials[0], "water");
    cr_assert_str_eq(r.cfg.materials[1], "lung");
    cr_assert_eq(r.cfg.nslabs, 0);
    /* the cells, kept in the configuration (the files are gone) */
    const smx__maps *m = smx__config_maps(&r.cfg);
    cr_assert_not_null(m);
    cr_assert_eq(m->mat.count, 12);
    cr_assert_eq(m->den.count, 12);
    for (int k = 0; k < 12; k++) {
        cr_expect_eq(m->mat.data[k], map34[k]);
        cr_expect_eq(m->den.data[k], den[k]);
    }
    smx_config_free(&r.cfg);
    cr_expect_null(r.cfg.loaded);
}

Test(config, load_int32_material_map)
{
    char mpath[128], mrel[96];
    map_path("i4", mpath, mrel);
    unsigned char bytes[48] = {0};
    for (int k = 0; k < 12; k++) bytes[4 * k] = (unsigned char)(k % 3); /* little-endian */
    write_npy2d(mpath, "<i4", 3, 4, bytes, sizeof bytes);
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%sbeams: [{energy_MeV: 100}]\nmaterial_map: %s\n"
             "materials: [water, lung, bone_cortical_icrp]\n", grid34, mrel);
    load_result r;
    load_text_kept(yaml, &r);
    unlink(mpath);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    cr_assert_eq(r.cfg.nmaterials, 3);
    const smx__maps *m = smx__config_maps(&r.cfg);
    cr_assert_not_null(m);
    for (int k = 0; k < 12; k++) cr_expect_eq(m->mat.data[k], k % 3);
    cr_expect_null(m->den.data);
    smx_config_free(&r.cfg);
}

Test(config, reject_zero_density)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "density_g_cm3: 0\n",
                 "2:16", "density_g_cm3", "out of range: 0 (expected a number >= 0.0005 and <= 30");
}

Test(config, reject_density_above_30)
{
    expect_error("density_g_cm3: 31\n"
                 "beams: [{energy_MeV: 100}]\n",
                 "1:16", "density_g_cm3", "out of range: 31");
}

Test(config, reject_slab_density_zero)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs: [{z_mm: [0, 10], material: lung, density_g_cm3: 0}]\n",
                 "2:56", "slabs[0].density_g_cm3", "out of range: 0");
}

Test(config, reject_unknown_material_in_slab)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs:\n"
                 "  - {z_mm: [20, 40], material: lung}\n"
                 "  - {z_mm: [50, 60], material: unobtainium}\n",
                 "4:32", "slabs[1].material", "unknown material \"unobtainium\"");
}

Test(config, reject_overlapping_slabs_names_the_second)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs:\n"
                 "  - {z_mm: [20, 40], material: bone_cortical_icrp}\n"
                 "  - {z_mm: [50, 60], material: pmma}\n"
                 "  - {z_mm: [30, 50], material: lung}\n",
                 "5:12", "slabs[2].z_mm", "[30, 50) overlaps slabs[0] [20, 40)");
}

Test(config, accept_touching_slabs)
{
    load_result r;
    load_text("beams: [{energy_MeV: 100}]\n"
              "slabs: [{z_mm: [20, 40], material: lung}, {z_mm: [0, 20], material: pmma}]\n",
              &r);
    cr_assert_eq(r.st, SMX_OK, "%s", r.err);
    cr_assert_eq(r.cfg.nslabs, 2);
}

Test(config, reject_slab_entirely_beyond_grid)
{
    expect_error("grid: {z_mm: [0, 100]}\n"
                 "beams: [{energy_MeV: 100}]\n"
                 "slabs:\n"
                 "  - {z_mm: [100, 140], material: lung}\n",
                 "4:12", "slabs[0].z_mm", "slab entirely beyond the grid");
}

Test(config, reject_slab_without_a_cell_centre)
{
    expect_error("grid: {z_mm: [0, 100], nz: 10}\n"
                 "beams: [{energy_MeV: 100}]\n"
                 "slabs: [{z_mm: [6, 14], material: lung}]\n",
                 "3:16", "slabs[0].z_mm", "no cell centre in [6, 14)");
}

Test(config, reject_slab_bad_interval)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs: [{z_mm: [10, 5], material: lung}]\n",
                 "2:16", "slabs[0].z_mm", "bad depth interval [10, 5]");
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs: [{z_mm: [-1, 5], material: lung}]\n",
                 "2:16", "slabs[0].z_mm", "0 <= a < b");
}

Test(config, reject_slab_missing_keys)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs: [{z_mm: [0, 10]}]\n",
                 "2:9", "slabs[0].material", "missing required key");
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs:\n"
                 "  - material: lung\n",
                 "3:5", "slabs[0].z_mm", "missing required key");
}

Test(config, reject_unknown_slab_key)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs: [{z_mm: [0, 10], material: lung, density: 1}]\n",
                 "2:41", "slabs[0].density", "unknown key (expected one of z_mm, material, "
                 "density_g_cm3)");
}

Test(config, reject_slabs_with_material_map)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "slabs: [{z_mm: [0, 10], material: lung}]\n"
                 "material_map: phantom.npy\n"
                 "materials: [water, lung]\n",
                 "3:15", "material_map", "not allowed together with slabs");
}

Test(config, reject_materials_without_map)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "materials: [water, lung]\n",
                 "2:12", "materials", "only allowed with material_map");
}

Test(config, reject_density_map_without_map)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "density_map: density.npy\n",
                 "2:14", "density_map", "only allowed with material_map");
}

Test(config, reject_map_without_materials)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "material_map: phantom.npy\n",
                 "2:15", "material_map", "needs the materials list");
}

Test(config, reject_unknown_name_in_materials)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "material_map: phantom.npy\n"
                 "materials: [water, unobtainium]\n",
                 "3:20", "materials[1]", "unknown material \"unobtainium\"");
}

Test(config, reject_empty_materials)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "material_map: phantom.npy\n"
                 "materials: []\n",
                 "3:12", "materials", "empty list");
}

Test(config, reject_missing_map_file)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "material_map: smx_test_cfgmap_does_not_exist.npy\n"
                 "materials: [water]\n",
                 "2:15", "material_map",
                 "/tmp/smx_test_cfgmap_does_not_exist.npy: cannot open");
}

/* Runs expect_error on grid34 + beams + the given map lines, with the map
 * written beforehand and removed afterwards. */
static void expect_map_error(const char *mpath, const char *lines, const char *linecol,
                             const char *key, const char *phrase)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%sbeams: [{energy_MeV: 100}]\n%s", grid34, lines);
    expect_error(yaml, linecol, key, phrase);
    unlink(mpath);
}

Test(config, reject_map_shape_mismatch)
{
    char mpath[128], mrel[96], lines[512], phrase[256];
    map_path("shape", mpath, mrel);
    unsigned char v[15] = {0};
    write_u8_map(mpath, 3, 5, v);
    snprintf(lines, sizeof lines, "material_map: %s\nmaterials: [water]\n", mrel);
    snprintf(phrase, sizeof phrase, "%s: shape (3, 5) does not match the grid (expected (nz, "
             "nx) = (3, 4)", mpath);
    expect_map_error(mpath, lines, "3:15", "material_map", phrase);
}

Test(config, reject_map_index_out_of_range)
{
    char mpath[128], mrel[96], lines[512];
    map_path("index", mpath, mrel);
    unsigned char v[12];
    memcpy(v, map34, sizeof v);
    v[1 * 4 + 2] = 2; /* [z=1][x=2] */
    v[2 * 4 + 3] = 7; /* later: not reported */
    write_u8_map(mpath, 3, 4, v);
    snprintf(lines, sizeof lines, "material_map: %s\nmaterials: [water, lung]\n", mrel);
    expect_map_error(mpath, lines, "3:15", "material_map",
                     "index 2 at [z][x] = [1][2] is out of range (expected 0 <= index < 2");
}

Test(config, reject_map_with_float_dtype)
{
    char mpath[128], mrel[96], lines[512];
    map_path("float", mpath, mrel);
    double v[12] = {0};
    write_f8_map(mpath, 3, 4, v);
    snprintf(lines, sizeof lines, "material_map: %s\nmaterials: [water]\n", mrel);
    expect_map_error(mpath, lines, "3:15", "material_map", "wrong dtype '<f8'");
}

Test(config, reject_map_that_is_not_npy)
{
    char mpath[128], mrel[96], lines[512];
    map_path("text", mpath, mrel);
    FILE *f = fopen(mpath, "w");
    cr_assert_not_null(f);
    fputs("0,0,0,0\n", f);
    fclose(f);
    snprintf(lines, sizeof lines, "material_map: %s\nmaterials: [water]\n", mrel);
    expect_map_error(mpath, lines, "3:15", "material_map", "not a .npy file (bad magic)");
}

Test(config, reject_density_map_nonpositive_value)
{
    char mpath[128], mrel[96], dpath[128], drel[96], lines[512];
    map_path("dmat", mpath, mrel);
    map_path("dneg", dpath, drel);
    write_u8_map(mpath, 3, 4, map34);
    double den[12];
    for (int k = 0; k < 12; k++) den[k] = 1.0;
    den[0 * 4 + 1] = 0.0;  /* [z=0][x=1] */
    den[2 * 4 + 0] = -1.0; /* later */
    write_f8_map(dpath, 3, 4, den);
    snprintf(lines, sizeof lines, "material_map: %s\nmaterials: [water, lung]\n"
             "density_map: %s\n", mrel, drel);
    expect_map_error(mpath, lines, "5:14", "density_map",
                     "density 0 g/cm3 at [z][x] = [0][1] is out of range (expected finite "
                     "values, 0.0005 <= density <= 30");
    unlink(dpath);
}

Test(config, reject_density_map_nan_and_shape)
{
    char mpath[128], mrel[96], dpath[128], drel[96], lines[512];
    map_path("dmat2", mpath, mrel);
    map_path("dnan", dpath, drel);
    write_u8_map(mpath, 3, 4, map34);
    double den[12];
    for (int k = 0; k < 12; k++) den[k] = 1.0;
    den[7] = NAN;
    write_f8_map(dpath, 3, 4, den);
    snprintf(lines, sizeof lines, "material_map: %s\nmaterials: [water, lung]\n"
             "density_map: %s\n", mrel, drel);
    expect_map_error(mpath, lines, "5:14", "density_map", "at [z][x] = [1][3]");
    write_u8_map(mpath, 3, 4, map34);
    write_f8_map(dpath, 4, 3, den);
    expect_map_error(mpath, lines, "5:14", "density_map", "shape (4, 3) does not match");
    unlink(dpath);
}

Test(config, reject_density_map_integer_dtype)
{
    char mpath[128], mrel[96], dpath[128], drel[96], lines[512];
    map_path("dmat3", mpath, mrel);
    map_path("dint", dpath, drel);
    write_u8_map(mpath, 3, 4, map34);
    write_u8_map(dpath, 3, 4, map34);
    snprintf(lines, sizeof lines, "material_map: %s\nmaterials: [water, lung]\n"
             "density_map: %s\n", mrel, drel);
    expect_map_error(mpath, lines, "5:14", "density_map", "wrong dtype '|u1' (expected <f8 or <f4");
    unlink(dpath);
}

Test(config, failed_map_check_leaves_config_untouched)
{
    char mpath[128], mrel[96], lines[512];
    map_path("untouched", mpath, mrel);
    unsigned char v[12] = {0, 5};
    write_u8_map(mpath, 3, 4, v);
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%sbeams: [{energy_MeV: 100}]\nmaterial_map: %s\n"
             "materials: [water]\n", grid34, mrel);
    (void)lines;
    load_result r;
    load_text(yaml, &r);
    unlink(mpath);
    cr_assert_eq(r.st, SMX_ECONFIG);
    cr_assert_str_eq(r.cfg.material_map, "");
    cr_assert_eq(r.cfg.nmaterials, 0);
    cr_assert_eq(r.cfg.nx, 80);
}

Test(config, reject_bad_straggling)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport: {straggling: landau}\n",
                 "2:25", "transport.straggling",
                 "unknown value \"landau\" (expected one of bohr, none)");
}

Test(config, reject_bad_nuclear)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport: {nuclear: geant4}\n",
                 "2:22", "transport.nuclear",
                 "unknown value \"geant4\" (expected one of icru63, none)");
}

Test(config, reject_bad_streaming)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "transport:\n"
                 "  streaming: upwind\n",
                 "3:14", "transport.streaming",
                 "unknown value \"upwind\" (expected one of centroid, shift_deposit)");
}

/* ---- smx_config_check on the new fields ----------------------------------- */

static void check_config_base(smx_config *c)
{
    smx_config_init(c);
    c->nbeams = 1;
    c->beams[0] = (smx_beam){.energy_MeV = 100, .protons = 1e9};
}

static void expect_check(const smx_config *c, const char *prefix, const char *phrase)
{
    char err[512] = "";
    cr_assert_eq(smx_config_check(c, err, sizeof err), SMX_ECONFIG, "%s", err);
    cr_assert_eq(strncmp(err, prefix, strlen(prefix)), 0, "expected '%s' in '%s'", prefix, err);
    cr_assert_not_null(strstr(err, phrase), "expected '%s' in '%s'", phrase, err);
}

Test(config, check_accepts_slabs_and_maps)
{
    smx_config c;
    check_config_base(&c);
    c.density_g_cm3 = 1.1;
    c.nslabs = 1;
    c.slabs[0] = (smx_slab){.z_min_mm = 10, .z_max_mm = 20, .material = "lung"};
    char err[256] = "";
    cr_assert_eq(smx_config_check(&c, err, sizeof err), SMX_OK, "%s", err);
    check_config_base(&c);
    snprintf(c.material_map, sizeof c.material_map, "/nonexistent/map.npy"); /* not read */
    c.nmaterials = 1;
    snprintf(c.materials[0], sizeof c.materials[0], "water");
    cr_assert_eq(smx_config_check(&c, err, sizeof err), SMX_OK, "%s", err);
}

Test(config, check_rejects_new_fields)
{
    smx_config c;
    check_config_base(&c);
    c.density_g_cm3 = -1;
    expect_check(&c, "density_g_cm3: out of range: -1", "(expected 0.0005 <= density_g_cm3 <= 30");

    check_config_base(&c);
    c.nslabs = 2;
    c.slabs[0] = (smx_slab){.z_min_mm = 10, .z_max_mm = 20, .material = "lung"};
    c.slabs[1] = (smx_slab){.z_min_mm = 15, .z_max_mm = 25, .material = "pmma"};
    expect_check(&c, "slabs[1].z_mm: ", "overlaps slabs[0]");

    c.slabs[1] = (smx_slab){.z_min_mm = 25, .z_max_mm = 35, .material = "kryptonite"};
    expect_check(&c, "slabs[1].material: ", "unknown material");

    c.slabs[1] = (smx_slab){.z_min_mm = 25, .z_max_mm = 35, .material = "pmma",
                            .density_g_cm3 = 40};
    expect_check(&c, "slabs[1].density_g_cm3: ", "out of range: 40");

    c.slabs[1] = (smx_slab){.z_min_mm = 200, .z_max_mm = 300, .material = "pmma"};
    expect_check(&c, "slabs[1].z_mm: ", "slab entirely beyond the grid");

    c.nslabs = SMX_MAX_SLABS + 1;
    expect_check(&c, "slabs: ", "too many slabs");

    check_config_base(&c);
    c.nslabs = 1;
    c.slabs[0] = (smx_slab){.z_min_mm = 10, .z_max_mm = 20, .material = "lung"};
    snprintf(c.material_map, sizeof c.material_map, "map.npy");
    c.nmaterials = 1;
    snprintf(c.materials[0], sizeof c.materials[0], "water");
    expect_check(&c, "material_map: ", "not allowed together with slabs");

    c.nslabs = 0;
    c.nmaterials = 0;
    expect_check(&c, "materials: ", "needs the materials list");

    check_config_base(&c);
    c.nmaterials = 1;
    snprintf(c.materials[0], sizeof c.materials[0], "water");
    expect_check(&c, "materials: ", "only allowed with material_map");

    check_config_base(&c);
    snprintf(c.density_map, sizeof c.density_map, "d.npy");
    expect_check(&c, "density_map: ", "only allowed with material_map");

    check_config_base(&c);
    c.straggling = (smx_straggling)2;
    expect_check(&c, "transport.straggling: ", "expected one of bohr, none");
    check_config_base(&c);
    c.nuclear = (smx_nuclear)-1;
    expect_check(&c, "transport.nuclear: ", "expected one of icru63, none");
    check_config_base(&c);
    c.streaming = (smx_streaming)9;
    expect_check(&c, "transport.streaming: ", "expected one of centroid, shift_deposit");
}

Test(config, reject_unknown_accumulation_and_scatter)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "run:\n"
                 "  accumulation: quick\n",
                 "3:17", "run.accumulation", "quick");
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "run:\n"
                 "  scatter: fft\n",
                 "3:12", "run.scatter", "fft");
}

Test(config, reject_negative_device)
{
    expect_error("beams: [{energy_MeV: 100}]\n"
                 "run:\n"
                 "  device: -3\n",
                 "3:11", "run.device", "-3");
}
