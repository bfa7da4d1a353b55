/* budget.c: package budgets and oversupply warnings (budget.h). */
#include "budget.h"

#include <stdio.h>
#include <stdlib.h>

double sp_package_budget(const sp_package *p)
{
    double sum = 0;
    for (int k = 0; p && k < p->nmeasures; k++) {
        const sp_measure *m = &p->measures[k];
        if (m->ops->budget)
            sum += m->ops->budget(sp_measure_def(m));
    }
    return sum;
}

int sp_budget_record(sp_results *res, const sp_package *const *packages, int npackages,
                     const sp_population *pop, sp_err *err)
{
    if (!res || npackages != res->npackages || !pop)
        return sp_err_set(err, SP_EINVAL, "budgets need results, their packages and a population");
    double *b = calloc((size_t)npackages, sizeof *b);
    if (!b)
        return sp_err_set(err, SP_ENOMEM, "out of memory for budgets");
    free(res->budgets);
    res->budgets = b;
    for (int p = 0; p < npackages; p++) {
        const sp_package *pk = packages[p];
        b[p] = sp_package_budget(pk);
        for (int k = 0; pk && k < pk->nmeasures; k++) {
            const sp_measure *m = &pk->measures[k];
            if (!m->ops->oversupply)
                continue;
            char msg[512], line[768];
            int rc = m->ops->oversupply(m, pop, msg, sizeof msg, err);
            if (rc < 0)
                return rc;
            if (rc == 0)
                continue;
            snprintf(line, sizeof line, "package '%s', measure '%s': %s", pk->name, m->name, msg);
            if ((rc = sp_results_add_warning(res, line, err)) != SP_OK)
                return rc;
        }
    }
    return SP_OK;
}
