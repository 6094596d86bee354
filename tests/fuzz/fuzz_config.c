/* libFuzzer harness for the YAML configuration loader: every input is
 * written to config.yaml in the harness's private folder and loaded with
 * smx_config_load on top of smx_config_init's defaults. The folder also
 * holds small maps, all of shape (nz, nx) = (2, 3): map.npy (|u1 indices
 * 0/1), map_i4.npy (<i4 indices 0..2), density.npy (<f8 densities) and
 * density_bad.npy (<f4, with a 0 and a NaN), so inputs with
 * "material_map: map.npy" reach the map checks (the seeds in
 * tests/corpus/config do).
 *
 * Contract checked besides the sanitizers' findings: a load that returns
 * SMX_OK passes smx_config_check (the same checks without positions) and
 * records the file; a failed load leaves the caller's struct untouched and
 * says why in err. smx_config owns no heap memory (no free function), so
 * nothing is freed here; -detect_leaks covers the loader's own. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, in fuzz_tmp.h */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_tmp.h"
#include "smatrix2d/smatrix2d.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A version 1.0 .npy of shape (2, 3) with the given descr and raw data. */
static void write_map(const char *name, const char *descr, const void *raw, size_t n)
{
    unsigned char buf[256];
    char dict[118];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
                       "'shape': (2, 3), }", descr);
    size_t hlen = 128 - 10; /* preamble + header = 128 bytes */
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)hlen;
    buf[9] = 0;
    memset(buf + 10, ' ', hlen);
    memcpy(buf + 10, dict, (size_t)len);
    buf[127] = '\n';
    memcpy(buf + 128, raw, n);
    fuzz_tmp_write(name, buf, 128 + n);
}

static void write_maps(void)
{
    static int done;
    if (done) return;
    done = 1;
    const unsigned char u1[6] = {0, 1, 0, 1, 1, 0};
    write_map("map.npy", "|u1", u1, sizeof u1);
    unsigned char i4[24] = {0};
    for (int k = 0; k < 6; k++) i4[4 * k] = (unsigned char)(k % 3);
    write_map("map_i4.npy", "<i4", i4, sizeof i4);
    unsigned char f8[48];
    for (int k = 0; k < 6; k++) {
        double v = 0.5 + 0.25 * k;
        uint64_t u;
        memcpy(&u, &v, sizeof u);
        for (int b = 0; b < 8; b++) f8[8 * k + b] = (unsigned char)(u >> (8 * b));
    }
    write_map("density.npy", "<f8", f8, sizeof f8);
    /* <f4 densities, one of them 0 and one NaN: rejected by the value check */
    const float bad[6] = {1.0f, 0.0f, 2.5f, 1.0f, NAN, 1.0f};
    unsigned char f4[24];
    for (int k = 0; k < 6; k++) {
        uint32_t u;
        memcpy(&u, &bad[k], sizeof u);
        for (int b = 0; b < 4; b++) f4[4 * k + b] = (unsigned char)(u >> (8 * b));
    }
    write_map("density_bad.npy", "<f4", f4, sizeof f4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_maps();
    const char *path = fuzz_tmp_write("config.yaml", data, size);
    smx_config cfg, before;
    smx_config_init(&cfg);
    memcpy(&before, &cfg, sizeof cfg);
    char err[2048];
    err[0] = '\0';
    smx_status st = smx_config_load(path, &cfg, err, sizeof err);
    if (fuzz_verbose()) fprintf(stderr, "  %s %s\n", smx_status_name(st), err);
    if (st == SMX_OK) {
        char err2[2048];
        err2[0] = '\0';
        smx_status st2 = smx_config_check(&cfg, err2, sizeof err2);
        FUZZ_REQUIRE(st2 == SMX_OK, "smx_config_load accepted the file but smx_config_check "
                     "says %s: %s", smx_status_name(st2), err2);
        FUZZ_REQUIRE(!strcmp(cfg.source_path, path), "source_path \"%s\"", cfg.source_path);
        FUZZ_REQUIRE(cfg.nbeams >= 1 && cfg.nbeams <= SMX_MAX_BEAMS, "nbeams %d", cfg.nbeams);
        smx_config_free(&cfg);
    } else {
        FUZZ_REQUIRE(!memcmp(&cfg, &before, sizeof cfg), "status %s but the struct changed",
                     smx_status_name(st));
        FUZZ_REQUIRE(err[0] != '\0', "status %s without a message", smx_status_name(st));
    }
    return 0;
}
