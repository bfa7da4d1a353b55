-- 10_budgets.lua: the same public money, 500 million yuan, as consumption
-- vouchers or as cash to the two lowest income quintiles: which gives more
-- consumption per yuan in the second half of 2020, and for whom?
--
-- What it does
--   Runs three packages over 2020 (January to December) on the Beijing population:
--     Status quo        the plate lottery only (the baseline);
--     Coupons 5e8       Hangzhou-style coupons (spend 40 get 10 off, five a package,
--                       valid two weeks from 2020-07-01) with a budget of 5e8 yuan:
--                       the supply is what the budget pays for, 10 million packages;
--     Cash Q1-Q2 5e8    a cash transfer in 2020-07 whose 5e8 yuan budget is shared
--                       out over the households of income quintiles 1 and 2.
--   Prints the headline table of 2020-07..2020-12 (with each package's budget and
--   the share used) and the same by income quintile, and writes under <out>:
--     data/tidy.csv            every replicate, month 2020-07..12, group (all and
--                              the quintiles), metric (spending, government cost):
--                              for pandas or R;
--     tables/per_yuan.csv/.md  a table built from the summary's figures with sp.table.
--   spendsim warns (stderr and under the summary) that the coupons' supply exceeds
--   what eligible households can claim.
--
-- How to run it
--   spendsim run scenarios/10_budgets.lua
--   spendsim run scenarios/10_budgets.lua --set households=5000 --set replicates=2
--
-- Notes for analysts
--   The budget is never exceeded (docs/model.md section 7.1); a coupon budget is
--   rarely spent in full, since fewer households try to claim than may, and many
--   threshold coupons expire. The window's figures are sums of its months.
local sp = require "spendsim"
local P = sp.params{ households = 20000, replicates = 5 }

local pop = sp.population.beijing{ households = P.households, seed = 7 }
local base = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }
local coupons = base:with{ name = "Coupons 5e8",
  sp.voucher{ start = "2020-07", days = 14, face = 10, threshold = 40, coupons = 5, budget = 5e8 } }
local cash = base:with{ name = "Cash Q1-Q2 5e8",
  sp.cash_transfer{ start = "2020-07", budget = 5e8, filter = "income_quintile <= 2" } }
local res = sp.experiment{ population = pop, packages = { base, coupons, cash }, start = "2020-01",
                           months = 12, replicates = P.replicates, seed = 42 }:run()

local s = res:summary{ from = "2020-07", to = "2020-12" }
print(s)
print(res:summary{ from = "2020-07", to = "2020-12", by = "quintile" })
assert(res:export("data/tidy.csv", { metrics = { "spending", "government_cost" },
                                     groups = { "all", "quintile" }, from = "2020-07" }))

local rows, values = {}, {}
for _, p in ipairs({ "Coupons 5e8", "Cash Q1-Q2 5e8" }) do
  rows[#rows + 1] = p
  values[#values + 1] = { s:value(p, "government cost (yuan)"), s:value(p, "change in spending (yuan)"),
                          s:value(p, "causal multiplier") }
end
local t = sp.table{ title = "Consumption per yuan, 2020H2", unit = "yuan, ratio", row_header = "package",
                    rows = rows, cols = { "cost", "extra spending", "multiplier" }, values = values }
print(t)
assert(t:write("tables/per_yuan", { "csv", "md" }))
