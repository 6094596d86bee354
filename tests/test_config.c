/* The YAML configuration loader and the configuration checks
 * (docs/config.md): defaults, a full round trip, and one test per kind of
 * rejected input, each asserting the status and the message
 * "FILE:LINE:COL: KEY: MESSAGE (expected WHAT)". */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smatrix2d/smatrix2d.h"

typedef struct {
    smx_status st;
    char path[64];
    char err[1024];
    smx_config cfg;
} load_result;

/* Writes yaml to a fresh temporary file, loads it on top of the defaults,
 * removes the file. */
static void load_text(const char *yaml, load_result *r)
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
    cr_assert_eq(c.nbeams, 0);
    cr_assert_float_eq(c.step_mm, 0.0, 0);
    cr_assert_eq(c.splitting, SMX_SPLIT_LIE);
    cr_assert_eq(c.scattering, SMX_SCATTER_DIFFERENTIAL_MOLIERE);
    cr_assert_eq(c.max_steps, 100000);
    cr_assert_float_eq(c.max_angle_deg, 90.0, 0);
    cr_assert_str_eq(c.backend, "openmp");
    cr_assert_eq(c.precision, SMX_PRECISION_FLOAT32);
    cr_assert_eq(c.device, 0);
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
              "  threads: 4\n",
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
                 "2:18", "grid.energy.bins", "expected auto or an integer >= 2");
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
                 "2:16", "run.threads", "expected an integer >= 0");
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
                 "2:32", "beams[0].protons", "expected a number > 0");
}

Test(config, reject_negative_spread)
{
    expect_error("beams:\n"
                 "  - {energy_MeV: 100, energy_spread_MeV: -1}\n",
                 "2:42", "beams[0].energy_spread_MeV", "expected a number >= 0");
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
    cr_assert_not_null(strstr(err, "expected auto or an integer >= 2"), "%s", err);
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
