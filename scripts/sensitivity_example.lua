-- sensitivity_example.lua: which behavioural parameters drive the coupon
-- multiplier (V1 design) and the spending per yuan of a one-month instalment
-- (V5 design)? Morris screening, then Sobol indices, with sp.sensitivity.
--
-- Run: build/spendsim run scripts/sensitivity_example.lua --out out
--      (--set households=N --set morris_n=R --set sobol_n=N for another size)
--
-- The inputs are the parameters declared as distributions in the
-- experiment's params (ranges around the defaults of docs/model.md); each
-- design point fixes them and runs the experiment with its seed (common
-- random numbers). Writes out/sensitivity/{morris,sobol}.html (tornado
-- charts) and the index tables out/sensitivity/{morris,sobol}_<output>.{csv,md}.
local sp = require "spendsim"
local P = sp.params{ households = 2000, morris_n = 10, sobol_n = 64 }

local shops = { "food", "clothing", "household_goods", "other" }
local pop = sp.population.beijing{ households = P.households, year = 2019, seed = 3 }
local base = sp.package{ name = "Status quo" }
local MONTHS = 12
local exp = sp.experiment{
  population = pop, start = "2020-01", months = MONTHS, seed = 11,
  packages = {
    base,
    base:with{ name = "V1", sp.voucher{ face = 10, threshold = 40, coupons = 5, supply = 1.5e6,
                                        claim = "first_come", start = "2020-04", days = 7,
                                        categories = shops } },
    base:with{ name = "V5", sp.voucher{ face = 1800, start = "2020-08", months = 1,
                                        claim = "targeted", filter = "true" } },
  },
  params = {
    voucher_coverage   = sp.uniform(0.08, 0.3),  -- default 0.15
    topup_ratio_median = sp.uniform(2, 5),       -- default 3.5
    notch_overshoot    = sp.uniform(0, 0.3),     -- default 0.1
    label_window       = sp.uniform(1, 6),       -- default 3 months
    mpc_poor_htm       = sp.normal(0.5, 0.1),    -- default 0.50
    mpc_wealthy_nhtm   = sp.normal(0.12, 0.04),  -- default 0.12
  },
}

local function sum(res, p, metric)
  local s = 0
  for m = 1, MONTHS do s = s + res:value(p, 1, m, "all", metric) end
  return s
end
local outputs = {
  ["V1 multiplier"] = function(res)
    return (sum(res, "V1", "spending") - sum(res, "Status quo", "spending"))
           / sum(res, "V1", "government_cost")
  end,
  ["V5 spending per yuan"] = function(res)
    return (sum(res, "V5", "spending") - sum(res, "Status quo", "spending"))
           / (1800 * sum(res, "V5", "vouchers_claimed"))
  end,
}

local morris = sp.sensitivity{ experiment = exp, method = "morris", n = P.morris_n, outputs = outputs }
print(morris)
for _, o in ipairs(morris.outputs) do print(morris:table(o)) end
assert(morris:report("sensitivity/morris", { title = "Morris screening: V1 and V5 designs" }))
assert(morris:write("sensitivity/morris"))

local sobol = sp.sensitivity{ experiment = exp, method = "sobol", n = P.sobol_n, outputs = outputs }
print(sobol)
for _, o in ipairs(sobol.outputs) do print(sobol:table(o)) end
assert(sobol:report("sensitivity/sobol", { title = "Sobol indices: V1 and V5 designs" }))
assert(sobol:write("sensitivity/sobol"))
