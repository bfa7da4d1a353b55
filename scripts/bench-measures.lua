-- bench-measures.lua: the cost of the promotion, night-economy, used-car export and
-- neighbourhood-outlet measures when they act, against the status quo, on one thread. Each package runs alone in
-- its own experiment (households x months, no warm-up), three times; the best
-- CPU time (os.clock) per household-month is printed, and the difference
-- against the status quo is the measure's cost. Needs --unsafe (os.clock):
--   build/spendsim run --unsafe --threads 1 scripts/bench-measures.lua [--set households=N]
local sp = require "spendsim"
local P = sp.params{ households = 200000, months = 12 }
local pop = sp.population.beijing{ households = P.households, seed = 7 }
local sq = sp.package{ name = "Status quo" }
local all_year = { "2020-01-01", "2020-12-31" }
local cases = {
  { "status quo", sq },
  { "promotion, all categories, all year", sq:with{ name = "Promotion",
      sp.promotion{ start = all_year[1], ["end"] = all_year[2], discount = 0.1, categories = "all",
                    gov_share = 0.5 } } },
  { "promotion, clothing 618 only", sq:with{ name = "618",
      sp.promotion{ start = "2020-06-01", ["end"] = "2020-06-18", discount = 0.2,
                    categories = "clothing" } } },
  { "night economy, all categories, all year", sq:with{ name = "Night",
      sp.night_economy{ start = "2020-01", months = 12, hours = 2, categories = "all" } } },
  { "used-car export, China IV/V 6-12 years, all year", sq:with{ name = "Used cars",
      sp.used_car_export{ start = "2020-01", months = 12, standards = { "IV", "V" }, min_age = 6,
                          max_age = 12, value_gain = 0.1, transaction_cost = 1000 } } },
  { "used-car export, every owner, with subsidy", sq:with{ name = "Used cars, all",
      sp.used_car_export{ start = "2020-01", months = 12, standards = { "II", "III", "IV", "V", "VI" },
                          min_age = 0, max_age = 0, value_gain = 0.1, subsidy = 3000, budget = 1e12 } } },
  { "outlets, 10% of households, all year", sq:with{ name = "Outlets",
      sp.community_outlets{ start = "2020-01", months = 12, outlets = 600, coverage = 0.1 } } },
  { "outlets, every household, all year", sq:with{ name = "Outlets, all",
      sp.community_outlets{ start = "2020-01", months = 12, outlets = 6000, coverage = 1 } } },
}
local base
for _, c in ipairs(cases) do
  local best = math.huge
  for _ = 1, 3 do
    local t0 = os.clock()
    sp.experiment{ population = pop, packages = { c[2] }, start = "2020-01", months = P.months,
                   replicates = 1, seed = 1, threads = 1, params = { night_net_share = 0.2, outlet_diversion = 0.9 } }:run()
    best = math.min(best, os.clock() - t0)
  end
  local ns = best * 1e9 / (P.households * P.months)
  base = base or ns
  print(string.format("%-42s %6.1f ns per household-month (%+5.1f)", c[1], ns, ns - base))
end
