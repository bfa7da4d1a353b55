-- 09_analysis.lua: the analysts' questions as operations: a sweep, a
-- goal-seek and a decomposition of one package (docs/user-guide.md,
-- chapters 10-12).
--
-- What it does
--   One package against the status quo over June to December 2020:
--     coupons   Beijing-type "spend 40, get 10 off" coupons, 2 million packages
--               of four, first come, two weeks from 2020-07-06 (food, clothing,
--               household goods, other);
--     cash      500 yuan to each household of the two lowest income quintiles
--               in 2020-07.
--   Then asks three questions about the extra household spending in 2020H2
--   (July to December, city total, yuan):
--     1. sweep:     how does it move with the MPC of poor hand-to-mouth
--                   households (mpc_poor_htm) and with the coupon supply?
--     2. solve:     what cash amount makes the package add 1.5 billion yuan?
--     3. decompose: how much of the package's effect does each measure bring
--                   (Shapley values over its measures)?
--   Prints the tables and writes, under <out>/09_analysis/:
--     sweep.md/.csv, sweep.html   the sweep's table and report (line chart);
--     decomposition.md/.csv       the Shapley values.
--
-- How to run it
--   spendsim run scenarios/09_analysis.lua
--   spendsim run scenarios/09_analysis.lua --set households=5000 --set replicates=2
--
-- Notes for analysts
--   Every point, every solver step and every coalition runs with the same seed:
--   common random numbers, so differences between points are the effect of
--   what changed, not noise, and the goal-seek objective is a deterministic
--   function of the amount. Names: model parameters as in sp.params, measure
--   keys as "package/measure.key" (docs/lua-api.md, "Analysis operations").

local sp = require "spendsim"

local P = sp.params{
  households = 20000, -- sample households (weights scale them to Beijing)
  replicates = 4,     -- independent repetitions averaged in the tables
  seed = 2020,        -- random seed of the population and the experiment
}

local pop = sp.population.beijing{ households = P.households, year = 2019, seed = P.seed }
local status_quo = sp.package{ name = "Status quo" }
local plan = status_quo:with{ name = "Plan",
  sp.voucher{ name = "coupons", face = 10, threshold = 40, coupons = 4, supply = 2e6,
              claim = "first_come", start = "2020-07-06", days = 14,
              categories = { "food", "clothing", "household_goods", "other" } },
  sp.cash_transfer{ name = "cash", start = "2020-07", amount = 500, filter = "income_quintile <= 2" },
}
local exp = sp.experiment{ population = pop, packages = { status_quo, plan }, start = "2020-06",
                           months = 7, replicates = P.replicates, seed = P.seed }
local h2 = { metric = "spending", from = "2020-07", to = "2020-12" }

-- 1. A sweep over a model parameter and a measure key: 3 x 3 points.
local sw = sp.sweep{ experiment = exp, order = { "mpc_poor_htm", "Plan/coupons.supply" },
                     over = { mpc_poor_htm = { 0.2, 0.4, 0.6 },
                              ["Plan/coupons.supply"] = { 1e6, 2e6, 4e6 } } }
local t = sw:table(h2)
print(t)
t:write("09_analysis/sweep", { "md", "csv" })
sw:report("09_analysis/sweep", { title = "Extra spending in 2020H2 by hand-to-mouth MPC and coupon supply",
                                 metric = "spending", from = "2020-07", to = "2020-12" })

-- 2. Goal-seek: the cash amount at which the package adds 1.5 billion yuan.
local s = sp.solve{ experiment = exp, parameter = "Plan/cash.amount", lo = 100, hi = 3000,
                    target = 1.5e9, result = h2, tol = 0.01 }
print(string.format("cash amount for 1.5e9 yuan of extra spending in 2020H2: %.2f yuan "
                    .. "(reached %.6g; %d iterations, interval [%.4f, %.4f])",
                    s.value, s.result, s.iterations, s.interval[1], s.interval[2]))

-- 3. The package's effect by measure.
local d = sp.decompose{ experiment = exp, result = h2 }
print(d.table)
d.table:write("09_analysis/decomposition", { "md", "csv" })
