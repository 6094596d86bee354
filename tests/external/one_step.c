/* One transport step of a 70 MeV pencil beam through the public API only:
 * what a program linked against the installed library does. */
#include <math.h>
#include <stdio.h>

#include <smatrix2d/smatrix2d.h>

int main(void)
{
    smx_config c;
    smx_config_init(&c);
    c.nx = 16, c.x_min_mm = -8, c.x_max_mm = 8;
    c.nz = 20, c.z_max_mm = 20;
    c.ntheta = 11, c.theta_min_deg = -10, c.theta_max_deg = 10;
    c.e_min_MeV = 1, c.e_max_MeV = 70;
    c.max_steps = 1;
    c.nbeams = 1;
    c.beams[0] = (smx_beam){.energy_MeV = 70, .protons = 1e9};
    char err[512] = "";
    smx_run *r = NULL;
    smx_status st = smx_run_create(&c, &r, err, sizeof err);
    if (st == SMX_OK) st = smx_run_execute(r, NULL, NULL, err, sizeof err);
    if (st != SMX_OK) {
        fprintf(stderr, "one_step: %s: %s\n", smx_status_name(st), err);
        smx_run_free(r);
        return 1;
    }
    const smx_result *res = smx_run_result(r);
    double e = 0;
    for (int k = 0; k < res->nz * res->nx; k++) e += res->edep_MeV_per_proton[k];
    printf("smatrix2d %s, backend %s: %d step, %.4f MeV per proton deposited\n", smx_version(),
           res->backend, res->steps, e);
    int ok = res->steps == 1 && e > 0.1 && e < 10 && isfinite(e);
    smx_run_free(r);
    return ok ? 0 : 1;
}
