-- 05_action_plan.lua: Beijing's 2020 consumption package, as a whole, against
-- the status quo.
--
-- What it does
--   Runs two packages over 36 months from January 2020 (2020-2022):
--     Status quo         Beijing's individual plate lottery and NEV queue
--                        (2014-2020 rules) throughout, no measure: the baseline;
--     Action plan 2020   what Beijing did, in one package:
--                          * the June and August 2020 consumption vouchers
--                            (designs as in scenarios/02_vouchers.lua);
--                          * a scrappage subsidy for China III and older cars
--                            replaced in July-December 2020 (assumed amounts,
--                            see the notes);
--                          * the one-off 20,000 NEV plates for car-less families
--                            (allocated 2020-09);
--                          * from January 2021 the family plate regime (family
--                            points, 60 % of the NEV quota first to families).
--   Prints and writes, under <out>/05_action_plan/:
--     summary.csv/.md                      the headline table: government and merchant
--                                          cost, change in spending, causal multiplier,
--                                          gross leverage, extra cars, cars pulled forward;
--     spending_change_by_category.csv/.md  change in household spending by category
--                                          and quarter (yuan, city);
--     spending_change_by_quintile.csv/.md  change in spending by income quintile and
--                                          year (yuan, city);
--     car_purchases_by_quarter.csv/.md     cars bought, both packages;
--     car_purchases_change.csv/.md         their change by quarter;
--     plates_action_plan.csv/.md           plate statistics by month under the plan;
--     report.html                          the self-contained HTML report;
--     manifest.json                        provenance and the files written.
--
-- How to run it
--   spendsim run scenarios/05_action_plan.lua
--   spendsim run scenarios/05_action_plan.lua --set households=20000 --set replicates=2
--   spendsim check scenarios/05_action_plan.lua
--
-- Notes for analysts
--   The measures act through different channels: vouchers on the eight
--   consumption categories (docs/model.md section 3), the scrappage subsidy on car
--   replacements (section 6), the plates on first cars (section 4). Car
--   purchases are durable spending outside the eight categories: the
--   spending tables do not include them; the summary reports extra cars and
--   the change in car spending apart.
--   Assumptions. Beijing's 2020 schedule for scrapping China III cars is not in
--   our sources (data/README.md lists it as a gap); the amounts here are the
--   national 2024 trade-in rules (10,000 yuan when the new car is an NEV, 7,000
--   for a fuel car; data/scrappage_tradein_programs.csv), paid from July to
--   December 2020 without a budget cap. The voucher designs and their
--   assumptions are those of scenarios/02_vouchers.lua. The extra quota's
--   allocation month (September 2020) is assumed. The plan's regime applies
--   the individual rules to December 2020 and the family rules from 2021-01.
--   Every package sees the same households and random draws (common random
--   numbers): the differences carry little noise even at small samples. The
--   change in 2021-2022 comes from the plates and from the dip after the
--   scrappage programme (purchases pulled forward).

local sp = require "spendsim"

local P = sp.params{
  households = 100000, -- sample households (weights scale them to Beijing)
  replicates = 5,      -- independent repetitions averaged in the tables
  months = 36,         -- months simulated from January 2020
  seed = 2020,         -- random seed of the population and the experiment
}

-- Catering and offline shopping, as the 2020 packages were accepted.
local shops = { "food", "clothing", "household_goods", "other" }

local status_quo = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }

-- June 2020 (scenarios/02_vouchers.lua (b)): three coupons of 80-20, 2 million
-- packages, first come, 14 days, merchants pay half.
local june = sp.voucher{ name = "Beijing June 80-20", face = 20, threshold = 80, coupons = 3,
                         supply = 2e6, claim = "first_come", start = "2020-06-06", days = 14,
                         categories = shops, gov_share = 0.5, merchant_share = 0.5 }

-- August 2020 (scenarios/02_vouchers.lua (c)): 2 x (40-10) + (80-20) + (160-40),
-- 500,000 packages of each coupon type, merchants pay a third.
local function august(name, threshold, face, coupons)
  return sp.voucher{ name = name, threshold = threshold, face = face, coupons = coupons,
                     start = "2020-08-08", days = 14, claim = "first_come",
                     categories = shops, supply = 5e5, gov_share = 2 / 3,
                     merchant_share = 1 / 3 }
end

local plan = sp.package{ name = "Action plan 2020",
  june,
  august("Beijing August 40-10", 40, 10, 2),
  august("Beijing August 80-20", 80, 20, 1),
  august("Beijing August 160-40", 160, 40, 1),
  -- Scrappage of China III and older cars (assumed amounts, see the notes).
  sp.scrappage{ name = "Scrap China III", start = "2020-07", ["end"] = "2020-12",
                amount_nev = 10000, amount_ice = 7000, filter = "emission <= 3" },
  -- The 2020 extra NEV quota for car-less families.
  sp.plates.extra_quota{ name = "2020 extra NEV quota", month = "2020-09", plates = 20000 },
  -- Individual rules to December 2020, family rules from January 2021.
  sp.plates.family_lottery{ name = "Family regime from 2021", from = "2021-01" },
}

local population = sp.population.beijing{ households = P.households, year = 2019,
                                          seed = P.seed }
local results = sp.experiment{
  population = population,
  packages = { status_quo, plan },
  start = "2020-01",
  months = P.months,
  replicates = P.replicates,
  seed = P.seed,
}:run()

local out = "05_action_plan/"

-- Headline table: one row per package.
local summary = results:summary()
print(summary)
assert(summary:write(out .. "summary", { "csv", "md" }))

-- Change in spending by category (the eight and the total), by quarter.
local by_category = results:table{ rows = "category", package = plan.name, diff = true,
                                   by = "quarter", unit = "total" }
print(by_category)
assert(by_category:write(out .. "spending_change_by_category", { "csv", "md" }))

-- Change in total spending by per-capita income quintile, by year.
local by_quintile = results:table{ rows = "quintile", metric = "spending", package = plan.name,
                                   diff = true, by = "year", unit = "total" }
print(by_quintile)
assert(by_quintile:write(out .. "spending_change_by_quintile", { "csv", "md" }))

-- Cars bought, and their change, by quarter.
local cars = results:table{ rows = "package", metric = "car_purchases", by = "quarter",
                            unit = "total" }
print(cars)
assert(cars:write(out .. "car_purchases_by_quarter", { "csv", "md" }))
assert(results:table{ rows = "package", metric = "car_purchases", by = "quarter", unit = "total",
                      diff = true }:write(out .. "car_purchases_change", { "csv", "md" }))

-- Plate allocation under the plan, by month.
assert(results:plates{ package = plan.name }:write(out .. "plates_action_plan", { "csv", "md" }))

-- The self-contained HTML report (headline table, charts with interval bands,
-- parameters, this script, provenance); open it in any browser, offline.
assert(results:report(out .. "report", { title = "Beijing 2020 action plan against the status quo" }))
