-- 06_action_plan_full.lua: Beijing's 2020 plan to promote new consumption, with
-- the measures beyond cars and vouchers, as one package and measure by measure.
--
-- What it does
--   Runs, over 36 months from January 2020 (2020-2022), on the same households
--   and random draws (common random numbers):
--     Status quo              the individual plate lottery, no measure (the baseline);
--     Whole plan 2020         every measure below in one package;
--     and one package per measure, each the status quo plus that measure alone,
--     so the headline table gives each measure's own cost, change in spending
--     and multiplier beside the whole plan's:
--       Vouchers              the June and August 2020 coupons (scenario 05);
--       Scrappage             China III and older cars replaced in July-December 2020;
--       Plate reform          the 2020 extra NEV quota and family rules from 2021;
--       Consumption season    discounts at participating shops, 6-20 June 2020;
--       Night economy         an extra evening hour at covered venues, July-December 2020;
--       Appliance trade-in    Beijing's energy-saving subsidy in 2020 (13% / 8%, 800 yuan);
--       Home-improvement credit  bank credit for home improvement, June-December 2020;
--       Used-car export       easier transfer of China IV/V cars out of Beijing, from June 2020;
--       Neighbourhood outlets 600 new convenience outlets serving 10% of households, from June 2020.
--   Prints and writes, under <out>/06_action_plan_full/:
--     summary.csv/.md                        cost, change in spending, multiplier, leverage,
--                                            cars, per package (every measure, the plan);
--     spending_change_by_category.csv/.md    the plan's change by category and quarter;
--     spending_change_by_income.csv/.md      ... by income quintile and year;
--     spending_change_by_consumption.csv/.md ... by consumption tercile and year;
--     summary_by_consumption.csv/.md         the headline by consumption tercile;
--     replacements_change.csv/.md            car replacements against the status quo, per package and year;
--     used_cars_exported_change.csv/.md      replaced cars sold out of Beijing, the same;
--     report.html, manifest.json
--
-- How to run it
--   spendsim run scenarios/06_action_plan_full.lua
--   spendsim run scenarios/06_action_plan_full.lua --set households=10000 --set replicates=2
--
-- Notes for analysts
--   The designs of the consumption season, the night economy, the appliance
--   trade-in window and the credit product are assumptions standing for what the
--   2020 plan announced (data/new_measures_evidence.md; docs/model.md sections 8-11
--   give each mechanism and its sources): the season's 10% discount is merchant
--   funded; the credit carries no interest subsidy. The used-car design (docs/model.md
--   section 12) assumes that opening more destination markets raises the resale value of
--   China IV and V cars of 6-12 years by 10% and saves 1,000 yuan of transaction costs,
--   with no transfer subsidy (government cost zero), and that 65% of those cars replaced
--   leave Beijing (the status quo's 60% plus N21's +5 points). The outlets (section 13)
--   stand for the rise in chain convenience stores from 282 to 310 per million residents
--   (2020-2021, data/new_measures_evidence.md section 6: about 600 stores for 21.9 million
--   residents), each serving about 1,400 households (10% of households in all), with an
--   assumed 100,000 yuan of subsidy per outlet within 50 million yuan; most of their sales
--   are diverted from other shops (outlet_diversion, drawn per replicate), so the
--   multiplier credits that subsidy with the outlets' whole small effect. Measure-by-measure packages add
--   one measure to the status quo, so their effects need not add up to the whole
--   plan's (measures interact through the same households' budgets and timing).
--   Car purchases are durable spending apart from the eight categories: the
--   summary reports extra cars and car spending apart.

local sp = require "spendsim"

local P = sp.params{
  households = 50000, -- sample households (weights scale them to Beijing)
  replicates = 3,     -- independent repetitions averaged in the tables
  months = 36,        -- months simulated from January 2020
  seed = 2020,        -- random seed of the population and the experiment
}

local shops = { "food", "clothing", "household_goods", "other" }

-- The June and August 2020 vouchers (scenarios/02_vouchers.lua, 05_action_plan.lua).
local vouchers = {
  sp.voucher{ name = "Beijing June 80-20", face = 20, threshold = 80, coupons = 3, supply = 2e6,
              claim = "first_come", start = "2020-06-06", days = 14, categories = shops,
              gov_share = 0.5, merchant_share = 0.5 },
}
for _, v in ipairs { { 40, 10, 2 }, { 80, 20, 1 }, { 160, 40, 1 } } do
  vouchers[#vouchers + 1] = sp.voucher{
    name = string.format("Beijing August %d-%d", v[1], v[2]), threshold = v[1], face = v[2],
    coupons = v[3], start = "2020-08-08", days = 14, claim = "first_come", categories = shops,
    supply = 5e5, gov_share = 2 / 3, merchant_share = 1 / 3 }
end

local scrappage = sp.scrappage{ name = "Scrap China III", start = "2020-07", ["end"] = "2020-12",
                                amount_nev = 10000, amount_ice = 7000, filter = "emission <= 3" }
local extra = sp.plates.extra_quota{ name = "2020 extra NEV quota", month = "2020-09",
                                     plates = 20000 }
local season = sp.promotion{ name = "Consumption season", start = "2020-06-06",
                             ["end"] = "2020-06-20", discount = 0.10,
                             categories = { "clothing", "household_goods" },
                             gov_share = 0, merchant_share = 1 }
local night = sp.night_economy{ name = "Night Beijing", start = "2020-07", months = 6, hours = 1 }
local appliances = sp.appliance_tradein{ name = "Energy-saving appliances", start = "2020-01",
                                         months = 12, rate_grade1 = 0.13, rate_grade2 = 0.08,
                                         cap = 800 }
local credit = sp.consumer_credit{ name = "Home-improvement credit", start = "2020-06",
                                   ["end"] = "2020-12", purpose = "home_improvement",
                                   limit = 50000, rate = 0.05, term = 24 }

local used_cars = sp.used_car_export{ name = "Used-car export", start = "2020-06", ["end"] = "2022-12",
                                      standards = { "IV", "V" }, min_age = 6, max_age = 12,
                                      value_gain = 0.10, transaction_cost = 1000, export_share = 0.65 }
local outlets = sp.community_outlets{ name = "Neighbourhood outlets", start = "2020-06",
                                      ["end"] = "2022-12", outlets = 600, coverage = 0.10,
                                      categories = { "food", "household_goods" }, capture = 0.05,
                                      subsidy = 1e5, budget = 5e7 }

local status_quo = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }

local whole = { name = "Whole plan 2020", scrappage, extra, season, night, appliances, credit,
                used_cars, outlets,
                sp.plates.family_lottery{ name = "Family regime from 2021", from = "2021-01" } }
for _, v in ipairs(vouchers) do whole[#whole + 1] = v end
local plan = sp.package(whole)

local only_vouchers = { name = "Vouchers" }
for _, v in ipairs(vouchers) do only_vouchers[#only_vouchers + 1] = v end

local packages = {
  status_quo, plan,
  status_quo:with(only_vouchers),
  status_quo:with{ name = "Scrappage", scrappage },
  sp.package{ name = "Plate reform", extra,
              sp.plates.family_lottery{ name = "Family regime from 2021", from = "2021-01" } },
  status_quo:with{ name = "Consumption season", season },
  status_quo:with{ name = "Night economy", night },
  status_quo:with{ name = "Appliance trade-in", appliances },
  status_quo:with{ name = "Home-improvement credit", credit },
  status_quo:with{ name = "Used-car export", used_cars },
  status_quo:with{ name = "Neighbourhood outlets", outlets },
}

local results = sp.experiment{
  population = sp.population.beijing{ households = P.households, year = 2019, seed = P.seed },
  packages = packages, start = "2020-01", months = P.months, replicates = P.replicates,
  seed = P.seed,
}:run()

local out = "06_action_plan_full/"

-- Headline: each measure alone and the whole plan.
local summary = results:summary()
print(summary)
assert(summary:write(out .. "summary", { "csv", "md" }))

local by_category = results:table{ rows = "category", package = plan.name, diff = true,
                                   by = "quarter", unit = "total" }
print(by_category)
assert(by_category:write(out .. "spending_change_by_category", { "csv", "md" }))

assert(results:table{ rows = "quintile", metric = "spending", package = plan.name, diff = true,
                      by = "year", unit = "total" }:write(out .. "spending_change_by_income",
                                                          { "csv", "md" }))
assert(results:table{ rows = "consumption_tercile", metric = "spending", package = plan.name,
                      diff = true, by = "year", unit = "total" }
       :write(out .. "spending_change_by_consumption", { "csv", "md" }))

-- Used cars: replacements and cars sold out of Beijing, against the status quo.
for _, metric in ipairs { "replacements", "used_cars_exported" } do
  assert(results:table{ rows = "package", metric = metric, diff = true, by = "year", unit = "total" }
         :write(out .. metric .. "_change", { "csv", "md" }))
end

local by_tercile = results:summary{ by = "consumption_tercile" }
print(by_tercile)
assert(by_tercile:write(out .. "summary_by_consumption", { "csv", "md" }))

assert(results:report(out .. "report", { title = "Beijing's 2020 plan, whole and measure by measure" }))
