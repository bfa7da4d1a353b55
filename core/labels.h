/* labels.h: the words of the report in each language it is written in.
 *
 * One table keyed by language: every fixed text of the HTML report
 * (headings, notes, captions), the names it shows of categories, groups,
 * group dimensions, metrics and headline columns, and the units. The key is
 * the English text itself, so English needs no entry and a text without a
 * translation reads in English rather than not at all. Units are composed
 * ("change in " + base unit + " per person") and translated piece by piece
 * (sp_label_unit). The core's tables keep their English labels (they are
 * the names the Lua API and the CSV files use); the report translates what
 * it shows (report.c). */
#ifndef SP_LABELS_H
#define SP_LABELS_H

#include <stddef.h>

typedef enum sp_lang { SP_LANG_EN = 0, SP_LANG_ZH = 1, SP_NLANG } sp_lang;

/* "en" and "zh" (also "zh-CN"): the language, or -1 when unknown. */
int sp_lang_find(const char *name);

/* The language's code as used in HTML's lang attribute: "en", "zh-CN". */
const char *sp_lang_code(sp_lang lang);

/* The text of `english` in lang: the translation, or english itself when
 * there is none (or lang is English or unknown). NULL stays NULL. */
const char *sp_label(sp_lang lang, const char *english);

/* 1 when lang has a translation of english. */
int sp_label_has(sp_lang lang, const char *english);

/* A unit as the tables write it ("yuan", "change in cars", "change in yuan
 * per person") in lang, into buf (n bytes, always terminated). Units of
 * another shape come back as they are. */
void sp_label_unit(sp_lang lang, const char *english, char *buf, size_t n);

#endif
