/* make_report.c: writes the HTML report the browser test renders.
 *
 * usage: make_report OUT.html [zh]
 *
 * A small but real experiment: 3,000 Beijing households, a status-quo
 * baseline and a voucher package, 3 replicates, 12 months from 2020-01. The
 * report is the one res:report writes, composed by the same core call
 * (sp_report_build, core/report.h): the headline summary, four charts of the
 * monthly change against the baseline (total spending by package; car
 * purchases by package; for the voucher package, spending per person by
 * category and by income quintile), the model parameters, the scenario as a
 * short Lua snippet and a fixed provenance (check_report.py knows them).
 * With "zh" the report is in Chinese (labels.h), as res:report(path,
 * { lang = "zh" }) writes it.
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
    "res:report(\"out/report\")\n";

static int fail(const char *what, const sp_err *err)
{
    fprintf(stderr, "make_report: %s: %s\n", what, err->msg);
    return 1;
}

/* The report of res, composed by the core as res:report composes it, with a
 * fixed provenance (no clock), written to path. 0, or 1 with a message. */
static int write_report(const sp_results *res, const char *path, sp_lang lang)
{
    const sp_kv prov[] = {
        {"spendsim", SP_VERSION},
        {"git revision", SP_GIT_REV},
        {"scenario", "browser_test.lua"},
        {"seed", "42"},
        {"population", "Beijing 2019, 3,000 households, seed 7"},
        {"date", "2020-01-01 (fixed for the test)"},
    };
    sp_report_opts o = sp_report_opts_default();
    o.title = "spendsim report: voucher test experiment";
    o.scenario_name = "browser_test.lua";
    o.scenario_text = scenario;
    o.provenance = prov;
    o.nprovenance = (int)(sizeof prov / sizeof prov[0]);
    o.lang = lang;
    sp_err err;
    sp_err_clear(&err);
    sp_report *r = sp_report_build(res, &o, &err);
    int rc = r ? sp_report_write_html(r, path, &err) : err.code;
    sp_report_free(r);
    return rc == SP_OK ? 0 : fail("report", &err);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3 || (argc == 3 && sp_lang_find(argv[2]) < 0)) {
        fprintf(stderr, "usage: make_report OUT.html [en|zh]\n");
        return 2;
    }
    sp_lang lang = argc == 3 ? (sp_lang)sp_lang_find(argv[2]) : SP_LANG_EN;
    sp_err err;
    sp_err_clear(&err);
    int status = 1;
    sp_population *pop = NULL;
    sp_package *base = NULL, *plan = NULL;
    sp_results *res = NULL;

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

    if (write_report(res, argv[1], lang) != 0)
        goto done;
    status = 0;
done:
    sp_results_free(res);
    sp_package_free(plan);
    sp_package_free(base);
    sp_population_free(pop);
    return status;
}
