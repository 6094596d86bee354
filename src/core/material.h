/* A medium: PSTAR stopping power and CSDA range with log-log
 * interpolation, and the lengths that set multiple scattering. */
#ifndef SMX_CORE_MATERIAL_H
#define SMX_CORE_MATERIAL_H

#include "smatrix2d/smatrix2d.h"

#define SMX_MATERIAL_MAX_ELEMENTS 16

typedef struct smx_material {
    char name[SMX_NAME_LEN];
    double density_g_cm3;
    double I_eV;
    double X0_g_cm2;             /* radiation length (PDG) */
    double XS_g_cm2;             /* Gottschalk scattering length */
    int n;                       /* table rows */
    double lnE[160], lnS[160], lnR[160]; /* ln MeV, ln MeV cm2/g, ln g/cm2 */
    /* Elemental composition (compositions.csv, elements.csv), used by the
     * nuclear and straggling models: atomic number, atomic weight (g/mol)
     * and mass fraction of each element. */
    int nelem;
    int elem_Z[SMX_MATERIAL_MAX_ELEMENTS];
    double elem_A[SMX_MATERIAL_MAX_ELEMENTS], elem_w[SMX_MATERIAL_MAX_ELEMENTS];
} smx_material;

#define SMX_PSTAR_EMIN_MEV 1e-3
#define SMX_PSTAR_EMAX_MEV 1e4

/* The text of an embedded data/ file (NUL-terminated), NULL when there
 * is none by that name. */
const char *smx__embedded_text(const char *name);

/* 1 when the embedded materials.csv has this name. */
int smx__material_known(const char *name);

/* Loads a material by name from the embedded data (materials.csv, PSTAR). */
smx_status smx__material_load(const char *name, smx_material *m, char *err, size_t errlen);
double smx__stopping_power(const smx_material *m, double E_MeV); /* MeV cm2/g */
double smx__csda_range(const smx_material *m, double E_MeV);     /* g/cm2 */
double smx__energy_at_range(const smx_material *m, double R_g_cm2); /* MeV, 0 below the table */

#endif
