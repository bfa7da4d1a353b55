/* report.h: the HTML report of an experiment, composed from its results.
 *
 * sp_report_build decides what a report shows from the results alone (their
 * packages, metrics and groups; never a policy, a measure or a household), so
 * the CLI, the Lua module (res:report) and a C program write the same page:
 *
 *   overview    a short paragraph of the headline figures (the package with
 *               the largest change in spending: the change, the government
 *               cost and the causal multiplier, with their 90% intervals;
 *               the highest multiplier when another package has it),
 *               what the intervals cover (Monte Carlo noise only, or the
 *               parameters drawn per replicate too, named), and the results'
 *               warnings (budgets, designs outside the evidence);
 *   headline    sp_results_summary: one row per package;
 *   charts      the monthly change against the baseline (the first package):
 *                 1. household spending, by package         (metric "spending", yuan)
 *                 2. car purchases, by package              (metric "car_purchases", cars)
 *               then for each package after the baseline, at most
 *               max_packages of them, in order:
 *                 3. spending per person, by category       (the eight and the total)
 *                 4. spending per person, by income quintile (metric "spending", Q1..Q5)
 *   tables      the tables given in the options (copies), after the charts;
 *   parameters  every model parameter as given (%.6g), or "drawn per
 *               replicate" for those drawn from a distribution;
 *   scenario    its file name and text, as given in the options;
 *   provenance  as given in the options (the caller knows the scenario file,
 *               its hash and the date; the core does not).
 *
 * Numbers follow the tables' rules (table.h): differences within rounding
 * noise of their levels are exactly 0, ratios without a denominator NaN
 * ("n/a"). sp_report_write_html (core/writers/html.c) writes any well-formed
 * report, built or filled by hand: it sees the report's tables and strings
 * only.
 *
 * Language (labels.h): in Chinese every label the report shows is
 * translated: chart titles, units, row headers, the categories, groups and
 * headline columns in the tables and legends, the headings and notes of the
 * page, the overview. Package names, months and parameter names stay as
 * given; the charts' data-metric attributes keep the metric's name. */
#ifndef SP_REPORT_H
#define SP_REPORT_H

#include "labels.h"
#include "results.h"
#include "status.h"
#include "table.h"
#include "writers/writers.h"

/* A chart: the rows of `table` are its series (row_header says what they are:
 * "package", "category", "quintile"; row_labels name them), its columns the x
 * axis (col_labels: the periods), its values the lines and, with several
 * replicates, its 90% interval the band around each; table->unit is the
 * y axis ("change in yuan per person"). metric is the results metric plotted
 * (sp_metric_name: "spending", "car_purchases"; for category series
 * "spending", split by category), or NULL when not known. */
typedef struct sp_chart {
    const char *title;      /* NULL or "": the table's title */
    const sp_table *table;
    const char *metric;
} sp_chart;

struct sp_report_store; /* what sp_report_build allocated (report.c) */

/* Everything a self-contained HTML report shows. A report from
 * sp_report_build owns what it points to (through store); a report filled by
 * hand borrows it and leaves store NULL. */
typedef struct sp_report {
    const char *title;
    const sp_table *headline;        /* one row per package (sp_results_summary), or NULL */
    const sp_chart *charts;
    int ncharts;
    const sp_table *const *tables;   /* further tables shown as HTML tables */
    int ntables;
    const char *scenario_name;       /* file name of the scenario, or NULL */
    const char *scenario_text;       /* the scenario script, or NULL */
    const sp_kv *parameters;         /* model parameters as used */
    int nparameters;
    const sp_kv *provenance;
    int nprovenance;
    sp_lang lang;                    /* the page's fixed texts (labels.h) */
    const char *overview;            /* the summary paragraph, or NULL */
    const char *intervals;           /* what the intervals cover, or NULL */
    const char *const *warnings;     /* one line each */
    int nwarnings;
    struct sp_report_store *store;
} sp_report;

/* Options of sp_report_build. Strings and arrays are copied. */
typedef struct sp_report_opts {
    const char *title;          /* default "spendsim report" */
    const char *scenario_name;  /* default NULL: "No file name recorded." */
    const char *scenario_text;  /* default NULL: "(no scenario script recorded)" */
    const sp_kv *provenance;    /* default none */
    int nprovenance;
    int max_packages;           /* packages after the baseline with their own charts, 0..64; default 6 */
    sp_lang lang;               /* default SP_LANG_EN */
    int summary;                /* 1 (default): the headline table and the overview paragraph; 0: neither */
    const sp_table *const *tables; /* further tables, shown after the charts (copied), or NULL */
    int ntables;                /* 0..64 */
} sp_report_opts;

sp_report_opts sp_report_opts_default(void);

/* Composes the report of res as described above; o NULL means the defaults.
 * NULL with err on failure (no results, a bad option, out of memory). */
sp_report *sp_report_build(const sp_results *res, const sp_report_opts *o, sp_err *err);

/* The overview paragraph of res in lang from its headline table h
 * (sp_results_summary): the package with the largest change in household
 * spending against the baseline (in absolute value), its change, government
 * cost and causal multiplier, each with its 90% interval when there are
 * several replicates (left out when its bounds are equal as written), and
 * the highest causal multiplier when another package has it; numbers are
 * written as in the tables. A new string (the
 * caller frees it), or NULL with err. */
char *sp_report_overview(const sp_results *res, const sp_table *h, sp_lang lang, sp_err *err);

/* What the intervals of res cover, in lang: none (one replicate), Monte
 * Carlo noise only, or Monte Carlo noise and the parameters drawn per
 * replicate (named). A new string, or NULL with err. */
char *sp_report_intervals(const sp_results *res, sp_lang lang, sp_err *err);

/* Appends to t's title what the intervals of res cover, in short: " (one
 * replicate: no intervals)", " (intervals: Monte Carlo noise only, no
 * parameter drawn)" or " (intervals: Monte Carlo noise and the parameters
 * drawn per replicate: a, b)". res:summary() uses it. */
int sp_report_note_intervals(const sp_results *res, sp_table *t, sp_err *err);

/* Frees a report from sp_report_build. NULL, and a report filled by hand
 * (store NULL), are no-ops. */
void sp_report_free(sp_report *r);

/* Writes the report as one HTML file that works offline: inline CSS and
 * inline SVG charts, no scripts, fonts or images from elsewhere. Each chart
 * carries what it plots as data attributes (data-metric, data-unit,
 * data-rows, data-series; data-label on each line). Atomic: a failed write
 * leaves nothing. Implemented in core/writers/html.c. */
int sp_report_write_html(const sp_report *r, const char *path, sp_err *err);

#endif
