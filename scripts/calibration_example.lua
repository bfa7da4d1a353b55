-- calibration_example.lua: the project's own calibration of V1, V4, V5, V7
-- and V10 (docs/validation.md) reproduced with sp.calibrate.
--
-- Run: build/spendsim run scripts/calibration_example.lua --out out
--      (--set households=N --set replicates=R --set max_iter=K for another size)
--
-- One experiment holds the five validation designs as packages beside a
-- status-quo baseline (the individual plate lottery), so one run gives all
-- five targets. The four parameters the project tuned by hand for them
-- (voucher_coverage for V1, label_window for V4/V5, subsidy_beta for V7,
-- car_price_share for V10) start away from their defaults, and sp.calibrate
-- brings every target back into its band (data/validation_targets.csv).
-- The fit uses a small population and few replicates: it reproduces that
-- the defaults' neighbourhood puts all five targets inside their bands, not
-- the figures of docs/validation.md (those use 20,000-50,000 households).
-- Writes out/calibration/validation_{fit,residuals,trace}.{csv,md}.
local sp = require "spendsim"
local P = sp.params{ households = 4000, replicates = 2, max_iter = 60 }

local shops = { "food", "clothing", "household_goods", "other" }
local pop = sp.population.beijing{ households = P.households, year = 2019, seed = 3 }
local base = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }
local packages = {
  base,
  -- V1 Hangzhou 2020: five "spend 40, get 10" coupons, 1.5 million packages, one week
  base:with{ name = "V1", sp.voucher{ face = 10, threshold = 40, coupons = 5, supply = 1.5e6,
                                      claim = "first_come", start = "2020-04", days = 7,
                                      categories = shops } },
  -- V4 Japan 1999-like: 2,000 yuan, six months, households of 3 or more
  base:with{ name = "V4", sp.voucher{ face = 2000, start = "2020-03", months = 6,
                                      categories = shops, claim = "targeted",
                                      filter = "size >= 3" } },
  -- V5 Hong Kong 2021-like: a one-month instalment of 1,800 yuan to everyone
  base:with{ name = "V5", sp.voucher{ face = 1800, start = "2020-08", months = 1,
                                      claim = "targeted", filter = "true" } },
  -- V7 US CARS mapped to Beijing: 16% of the price, July-August 2020
  base:with{ name = "V7", sp.scrappage{ share = 0.16, start = "2020-07", ["end"] = "2020-08",
                                        filter = "car_age >= 120 or emission <= 3" } },
  -- V10 China 2010 old-for-new: 6.41/49.6 of the price within 5,000-18,000 yuan, ten months
  base:with{ name = "V10", sp.scrappage{ share = 6.41 / 49.6, floor = 5000, cap = 18000,
                                         start = "2020-01", ["end"] = "2020-10",
                                         filter = "emission <= 3" } },
}
local MONTHS = 14 -- 2020-01 .. 2021-02
local exp = sp.experiment{ population = pop, packages = packages, start = "2020-01",
                           months = MONTHS, replicates = P.replicates, seed = 11 }

-- Sums of a metric of package p over months m0..m1 and all replicates.
local function sum(res, p, metric, m0, m1)
  local s = 0
  for r = 1, res:replicates() do
    for m = m0, m1 do s = s + res:value(p, r, m, "all", metric) end
  end
  return s
end
local function extra(res, p, metric, m0, m1)
  return sum(res, p, metric, m0, m1) - sum(res, "Status quo", metric, m0, m1)
end
local function per_value(p, face) -- extra spending / face value handed out
  return function(res)
    return extra(res, p, "spending", 1, MONTHS) / (face * sum(res, p, "vouchers_claimed", 1, MONTHS))
  end
end

local fit = sp.calibrate{
  experiment = exp,
  params = {
    voucher_coverage = { 0.05, 0.6, 0.4 },  -- default 0.15
    label_window     = { 0.5, 12, 8 },      -- default 3 months
    subsidy_beta     = { 2, 50, 35 },       -- default 16
    car_price_share  = { 0.3, 1.5, 1.0 },   -- default 0.65
  },
  targets = {
    { name = "V1 multiplier", band = { 2.5, 6.0 },
      value = function(res) return extra(res, "V1", "spending", 1, MONTHS)
                                   / sum(res, "V1", "government_cost", 1, MONTHS) end },
    { name = "V4 spending per yuan", band = { 0.10, 0.35 }, value = per_value("V4", 2000) },
    { name = "V5 spending per yuan", band = { 0.80, 1.01 }, value = per_value("V5", 1800) },
    { name = "V7 additionality", band = { 0.45, 0.60 },
      value = function(res) return extra(res, "V7", "car_purchases", 7, 8)
                                   / sum(res, "V7", "subsidised_cars", 7, 8) end },
    { name = "V10 subsidy per vehicle", band = { 12000, 16000 },
      value = function(res) return sum(res, "V10", "scrappage_subsidy", 1, 10)
                                   / sum(res, "V10", "subsidised_cars", 1, 10) end },
  },
  max_iter = P.max_iter,
}

print(fit)
print(fit:table("fit"))
print(fit:table("residuals"))
assert(fit:write("calibration/validation"))
