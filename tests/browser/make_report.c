/* make_report.c: writes the HTML report the browser test renders.
 *
 * usage: make_report OUT.html
 *
 * A small but real experiment: 3,000 Beijing households, a status-quo
 * baseline and a voucher package, 3 replicates, 12 months from 2020-01. The
 * report shows the headline summary, three charts of the monthly change
 * against the baseline (total spending by package; per-capita spending by
 * category for the voucher package; per-capita spending by income quintile),
 * the scenario as a short Lua snippet, a few parameters and provenance.
 * Exits 0 on success, 1 with a message on stderr otherwise. */
#include <stdio.h>

#include "spendsim.h"

static const char scenario[] =
    "local sp = require \"spendsim\"\n"
    "local pop = sp.population.beijing{ households = 3000, seed = 7 }\n"
    "local base = sp.package{ name = \"Status quo\" }\n"
    "local plan = base:with{ name = \"Voucher <food & goods>\",\n"
    "  sp.voucher{ start = \"2020-04\", face = 50, threshold = 200,\n"
    "              categories = { \"food\", \"household_goods\" }, coupons = 4 } }\n"
    "local res = sp.experiment{ population = pop, packages = { base, plan },\n"
    "  start = \"2020-01\", months = 12, replicates = 3, seed = 42 }:run()\n"
    "res:write(\"out/report\", { \"html\" })\n";

static int fail(const char *what, const sp_err *err)
{
    fprintf(stderr, "make_report: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_report OUT.html\n");
        return 2;
    }
    sp_err err;
    sp_err_clear(&err);
    int status = 1;
    sp_population *pop = NULL;
    sp_package *base = NULL, *plan = NULL;
    sp_results *res = NULL;
    sp_table *summary = NULL, *by_pkg = NULL, *by_cat = NULL, *by_q = NULL;

    sp_beijing_def bd = sp_beijing_def_default();
    bd.households = 3000;
    bd.seed = 7;
    if (!(pop = sp_beijing_build(&bd, &err))) {
        status = fail("population", &err);
        goto done;
    }
    if (!(base = sp_package_alloc("Status quo", &err)) ||
        !(plan = sp_package_derive(base, "Voucher <food & goods>", &err))) {
        status = fail("package", &err);
        goto done;
    }
    sp_voucher_def v = sp_voucher_def_default();
    v.face = 50;
    v.threshold = 200;
    v.categories = (1u << SP_CAT_FOOD) | (1u << SP_CAT_HOUSEHOLD_GOODS);
    v.start_month = sp_month_make(2020, 4);
    v.coupons_per_package = 4;
    if (sp_package_add_voucher(plan, "voucher", &v, &err) != SP_OK) {
        status = fail("voucher", &err);
        goto done;
    }
    sp_experiment_def d = sp_experiment_def_default();
    d.population = pop;
    d.packages[0] = base;
    d.packages[1] = plan;
    d.npackages = 2;
    d.start_month = sp_month_make(2020, 1);
    d.months = 12;
    d.replicates = 3;
    d.seed = 42;
    d.threads = 2;
    if (!(res = sp_experiment_run(&d, &err))) {
        status = fail("experiment", &err);
        goto done;
    }

    sp_query q = sp_query_default();
    q.by = SP_BY_MONTH;
    q.diff = 1;
    q.rows = SP_ROWS_PACKAGE;
    q.metric = SP_M_SPENDING;
    q.unit = SP_UNIT_TOTAL;
    by_pkg = sp_results_table(res, &q, &err);
    q = sp_query_default();
    q.by = SP_BY_MONTH;
    q.diff = 1;
    q.rows = SP_ROWS_CATEGORY;
    q.package = 1;
    q.unit = SP_UNIT_PER_CAPITA;
    if (by_pkg)
        by_cat = sp_results_table(res, &q, &err);
    q = sp_query_default();
    q.by = SP_BY_MONTH;
    q.diff = 1;
    q.rows = SP_ROWS_GROUP;
    q.dim = SP_DIM_QUINTILE;
    q.package = 1;
    q.metric = SP_M_SPENDING;
    q.unit = SP_UNIT_PER_CAPITA;
    if (by_cat)
        by_q = sp_results_table(res, &q, &err);
    if (by_q)
        summary = sp_results_summary(res, &err);
    if (!summary) {
        status = fail("tables", &err);
        goto done;
    }

    const sp_chart charts[3] = {
        {"Monthly change in total spending, by package", by_pkg},
        {"Monthly change in spending per person, by category (voucher package)", by_cat},
        {"Monthly change in spending per person, by income quintile (voucher package)", by_q},
    };
    const sp_kv params[] = {
        {"households (sample)", "3,000"},
        {"replicates", "3"},
        {"voucher face / threshold", "50 / 200 yuan"},
        {"voucher categories", "food, household goods"},
    };
    const sp_kv prov[] = {
        {"spendsim", SP_VERSION},
        {"git revision", SP_GIT_REV},
        {"scenario", "browser_test.lua"},
        {"seed", "42"},
        {"population", "Beijing 2019, 3,000 households, seed 7"},
        {"date", "2020-01-01 (fixed for the test)"},
    };
    sp_report r = {0};
    r.title = "spendsim report: voucher test experiment";
    r.headline = summary;
    r.charts = charts;
    r.ncharts = 3;
    r.scenario_name = "browser_test.lua";
    r.scenario_text = scenario;
    r.parameters = params;
    r.nparameters = (int)(sizeof params / sizeof params[0]);
    r.provenance = prov;
    r.nprovenance = (int)(sizeof prov / sizeof prov[0]);
    if (sp_report_write_html(&r, argv[1], &err) != SP_OK) {
        status = fail("report", &err);
        goto done;
    }
    status = 0;
done:
    sp_table_free(summary);
    sp_table_free(by_pkg);
    sp_table_free(by_cat);
    sp_table_free(by_q);
    sp_results_free(res);
    sp_package_free(plan);
    sp_package_free(base);
    sp_population_free(pop);
    return status;
}
