/* labels.c: the report's words by language (see labels.h).
 *
 * Chinese names follow the National Bureau of Statistics where it has them:
 * the eight consumption categories of its household survey (食品烟酒, 衣着,
 * 居住, 生活用品及服务, 交通通信, 教育文化娱乐, 医疗保健, 其他用品及服务) and
 * its income quintile groups (低收入组 ... 高收入组). */
#include "labels.h"

#include <stdio.h>
#include <string.h>

typedef struct entry {
    const char *en, *zh;
} entry;

static const entry zh[] = {
    /* categories (core/category.c) and the total row */
    {"food", "食品烟酒"},
    {"clothing", "衣着"},
    {"housing", "居住"},
    {"household_goods", "生活用品及服务"},
    {"transport", "交通通信"},
    {"education", "教育文化娱乐"},
    {"health", "医疗保健"},
    {"other", "其他用品及服务"},
    {"total", "合计"},
    /* group dimensions (core/group.c) and row headers */
    {"all", "全体"},
    {"quintile", "收入五分位组"},
    {"area", "城乡"},
    {"car_owner", "是否有车"},
    {"liquidity", "流动性类型"},
    {"income_decile", "收入十分位组"},
    {"consumption_tercile", "消费三分位组"},
    {"consumption_quintile", "消费五分位组"},
    {"consumption_decile", "消费十分位组"},
    {"package", "方案"},
    {"category", "消费类别"},
    {"package / group", "方案 / 组别"},
    {"statistic", "统计量"},
    /* groups */
    {"Q1", "低收入组"},
    {"Q2", "中等偏下收入组"},
    {"Q3", "中等收入组"},
    {"Q4", "中等偏上收入组"},
    {"Q5", "高收入组"},
    {"urban", "城镇"},
    {"rural", "农村"},
    {"car owner", "有车家庭"},
    {"no car", "无车家庭"},
    {"poor HtM", "贫困型月光户"},
    {"wealthy HtM", "富裕型月光户"},
    {"poor non-HtM", "贫困型非月光户"},
    {"wealthy non-HtM", "富裕型非月光户"},
    {"D1", "收入第1十分位组"}, {"D2", "收入第2十分位组"}, {"D3", "收入第3十分位组"},
    {"D4", "收入第4十分位组"}, {"D5", "收入第5十分位组"}, {"D6", "收入第6十分位组"},
    {"D7", "收入第7十分位组"}, {"D8", "收入第8十分位组"}, {"D9", "收入第9十分位组"},
    {"D10", "收入第10十分位组"},
    {"CT1", "消费第1三分位组"}, {"CT2", "消费第2三分位组"}, {"CT3", "消费第3三分位组"},
    {"CQ1", "消费第1五分位组"}, {"CQ2", "消费第2五分位组"}, {"CQ3", "消费第3五分位组"},
    {"CQ4", "消费第4五分位组"}, {"CQ5", "消费第5五分位组"},
    {"CD1", "消费第1十分位组"}, {"CD2", "消费第2十分位组"}, {"CD3", "消费第3十分位组"},
    {"CD4", "消费第4十分位组"}, {"CD5", "消费第5十分位组"}, {"CD6", "消费第6十分位组"},
    {"CD7", "消费第7十分位组"}, {"CD8", "消费第8十分位组"}, {"CD9", "消费第9十分位组"},
    {"CD10", "消费第10十分位组"},
    /* metrics (core/results.c) */
    {"spending", "居民消费"},
    {"households", "户数"},
    {"persons", "人数"},
    {"cars", "汽车保有量"},
    {"vouchers_claimed", "领取消费券"},
    {"vouchers_redeemed", "核销消费券"},
    {"vouchers_expired", "过期消费券"},
    {"coupon_value", "用券交易额"},
    {"government_cost", "政府成本"},
    {"merchant_cost", "商户成本"},
    {"car_purchases", "购车量"},
    {"car_value", "购车金额"},
    {"nev_purchases", "新能源车购买量"},
    {"replacements", "换购量"},
    {"first_cars", "新增购车量"},
    {"cars_scrapped", "报废汽车"},
    {"scrappage_subsidy", "报废更新补贴"},
    {"subsidised_cars", "获补贴购车量"},
    {"purchase_subsidy", "购车补贴"},
    {"cash_transfers", "现金补助"},
    {"appliance_subsidy", "家电以旧换新补贴"},
    {"interest_subsidy", "贴息"},
    /* headline columns (core/table.c, sp_results_summary) */
    {"government cost (yuan)", "政府成本（元）"},
    {"merchant cost (yuan)", "商户成本（元）"},
    {"change in spending (yuan)", "消费变化（元）"},
    {"causal multiplier", "因果乘数"},
    {"gross leverage", "总杠杆率"},
    {"cost per extra yuan", "每新增一元消费的成本"},
    {"coupons claimed", "领取券数"},
    {"coupons redeemed", "核销券数"},
    {"coupons expired", "过期券数"},
    {"extra cars", "新增购车（辆）"},
    {"change in car spending (yuan)", "购车支出变化（元）"},
    {"cars pulled forward", "提前购车（辆）"},
    {"budget (yuan)", "预算（元）"},
    {"budget used", "预算使用率"},
    {"totals over the horizon", "整个时段合计"},
    /* unit pieces (sp_label_unit) */
    {"yuan", "元"},
    {"coupons", "张"},
    {"items", "件"},
    {"loans", "笔"},
    /* chart titles (core/report.c) */
    {"Monthly change in household spending, by package", "居民消费的月度变化（按方案）"},
    {"Monthly change in car purchases, by package", "购车量的月度变化（按方案）"},
    {"monthly change in spending per person, by category", "人均消费的月度变化（按消费类别）"},
    {"monthly change in spending per person, by income quintile", "人均消费的月度变化（按收入五分位组）"},
    /* the page (core/writers/html.c) */
    {"spendsim report", "spendsim 报告"},
    {"Overview", "概要"},
    {"Summary", "汇总"},
    {"Summary by package", "各方案汇总"},
    {"Charts", "图表"},
    {"Tables", "表格"},
    {"Warnings", "提示"},
    {"Parameters", "参数"},
    {"Model parameters", "模型参数"},
    {"Parameters as used", "本次使用的参数"},
    {"Parameter", "参数"},
    {"Value", "取值"},
    {"Scenario", "情景脚本"},
    {"Provenance", "来源"},
    {"Where these results come from", "结果的来源"},
    {"Item", "项目"},
    {"None recorded.", "无记录。"},
    {"No rows.", "无数据行。"},
    {"No data", "无数据"},
    {"Data", "数据"},
    {"value", "数值"},
    {"File ", "文件 "},
    {"No file name recorded.", "未记录文件名。"},
    {"(no scenario script recorded)", "（未记录情景脚本）"},
    {"drawn per replicate", "每次重复随机抽取"},
    {"Mean of ", ""},
    {" replicates; 90% interval in brackets.", " 次重复的均值；括号内为 90% 区间。"},
    {"Lines: mean of ", "折线："},
    {" replicates; shaded: 90% interval.", " 次重复的均值；阴影：90% 区间。"},
    {"Written by spendsim. This page is self-contained: it needs no network and runs no scripts.",
     "由 spendsim 生成。本页面自成一体：无需联网，不运行脚本。"},
};

#define NZH (sizeof zh / sizeof zh[0])

int sp_lang_find(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "en") == 0)
        return SP_LANG_EN;
    if (strcmp(name, "zh") == 0 || strcmp(name, "zh-CN") == 0)
        return SP_LANG_ZH;
    return -1;
}

const char *sp_lang_code(sp_lang lang)
{
    return lang == SP_LANG_ZH ? "zh-CN" : "en";
}

static const char *find(sp_lang lang, const char *english)
{
    if (lang != SP_LANG_ZH || !english)
        return NULL;
    for (size_t k = 0; k < NZH; k++)
        if (strcmp(zh[k].en, english) == 0)
            return zh[k].zh;
    return NULL;
}

const char *sp_label(sp_lang lang, const char *english)
{
    const char *t = find(lang, english);
    return t ? t : english;
}

int sp_label_has(sp_lang lang, const char *english)
{
    return lang == SP_LANG_EN || find(lang, english) != NULL;
}

void sp_label_unit(sp_lang lang, const char *english, char *buf, size_t n)
{
    if (n == 0)
        return;
    const char *s = english ? english : "";
    if (lang != SP_LANG_ZH) {
        snprintf(buf, n, "%s", s);
        return;
    }
    static const char change[] = "change in ", per_hh[] = " per household", per_p[] = " per person";
    int diff = strncmp(s, change, sizeof change - 1) == 0;
    if (diff)
        s += sizeof change - 1;
    size_t len = strlen(s);
    const char *per = NULL, *per_zh = "";
    if (len > sizeof per_hh - 1 && strcmp(s + len - (sizeof per_hh - 1), per_hh) == 0)
        per = per_hh, per_zh = "/户";
    else if (len > sizeof per_p - 1 && strcmp(s + len - (sizeof per_p - 1), per_p) == 0)
        per = per_p, per_zh = "/人";
    char base[64];
    snprintf(base, sizeof base, "%.*s", (int)(per ? len - strlen(per) : len), s);
    /* base units that are also metric names read as units here */
    const char *u = strcmp(base, "cars") == 0         ? "辆"
                    : strcmp(base, "households") == 0 ? "户"
                    : strcmp(base, "persons") == 0    ? "人"
                                                      : find(lang, base);
    if (!u) { /* not a unit we know: as it is */
        snprintf(buf, n, "%s", english ? english : "");
        return;
    }
    if (!diff)
        snprintf(buf, n, "%s%s", u, per_zh);
    else
        snprintf(buf, n, "%s（%s%s）", per == per_p ? "人均变化" : per ? "户均变化" : "变化", u, per_zh);
}
