-- 08_covid_2020.lua: Beijing 2019-2021 projected on the published macro path
-- (income, prices by category and the COVID shock), with the June 2020
-- voucher package acting on top of it.
--
-- What it does
--   Runs two packages over 2019-01 .. 2021-12 with macro = sp.macro.beijing{}:
--     Status quo     no measure: spending follows the path (docs/model.md 2.1);
--     Beijing June   the June 2020 catering/shopping package of 02_vouchers.lua.
--   Runs the status quo again on the path without the shock
--   (sp.macro.beijing{ shocks = false }: the same income and prices).
--   Prints and writes, under <out>/08_covid_2020/:
--     per_capita_by_year.csv/.md      spending per person by category and year
--                                     (recorded: 43,038 / 38,903 / 43,640 yuan);
--     shock_by_quarter.csv/.md        spending by quarter, with and without the shock;
--     voucher_change_by_month.csv/.md the voucher's change in spending, by month.
--
-- How to run it
--   spendsim run scenarios/08_covid_2020.lua
--   spendsim run scenarios/08_covid_2020.lua --set households=5000
--
-- Notes for analysts
--   The path is experiment-level: every package shares it, so the voucher's
--   effect is a difference against the status quo on the same path (common
--   random numbers: exact zeros outside the voucher's months and its
--   after-effects). The default path ends in 2023-12; an experiment running
--   past it is an error. Without `macro`, experiments use the 2019 growth
--   trend, as every other scenario does.

local sp = require "spendsim"

local P = sp.params{
  households = 20000, -- sample households (weights scale them to Beijing)
  seed = 2020,        -- random seed of the population and the experiment
}

local pop = sp.population.beijing{ households = P.households, year = 2019, seed = P.seed }
local shops = { "food", "clothing", "household_goods", "other" }
local status_quo = sp.package{ name = "Status quo" }
local june = status_quo:with{ name = "Beijing June",
  sp.voucher{ name = "Beijing June 80-20", face = 20, threshold = 80, coupons = 3,
              supply = 2e6, claim = "first_come", start = "2020-06-06", days = 14,
              categories = shops, gov_share = 0.5, merchant_share = 0.5 },
}

local function run(packages, macro)
  return sp.experiment{ population = pop, packages = packages, start = "2019-01", months = 36,
                        replicates = 1, seed = P.seed, macro = macro }:run()
end

local res = run({ status_quo, june }, sp.macro.beijing{})
local no_shock = run({ status_quo }, sp.macro.beijing{ shocks = false })

local by_year = res:table{ rows = "category", by = "year", unit = "per_capita" }
print(by_year)
assert(by_year:write("08_covid_2020/per_capita_by_year", { "csv", "md" }))

local q = res:table{ rows = "category", by = "quarter", unit = "per_capita" }
local q0 = no_shock:table{ rows = "category", by = "quarter", unit = "per_capita" }
print(q)
print(q0)
assert(q:write("08_covid_2020/shock_by_quarter", { "csv", "md" }))
assert(q0:write("08_covid_2020/no_shock_by_quarter", { "csv", "md" }))

local change = res:table{ rows = "package", metric = "spending", by = "month", unit = "total",
                          diff = true }
print(change)
assert(change:write("08_covid_2020/voucher_change_by_month", { "csv", "md" }))
