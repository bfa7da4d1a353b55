-- check-used-cars-outlets.lua: the model's figures for targets N21, N22, N24 and N25
-- (docs/validation.md), with scenario 06's 2020 designs of sp.used_car_export and
-- sp.community_outlets, on the embedded Beijing population, one experiment per seed so that
-- each figure comes with its spread over replicates (mean, min and max over the seeds):
--   build/spendsim run scripts/check-used-cars-outlets.lua [--set households=N --set seeds=K]
local sp = require "spendsim"
local P = sp.params{ households = 50000, seeds = 5 }
local pop = sp.population.beijing{ households = P.households, year = 2019, seed = 2020 }
local sq = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }
local used = sq:with{ name = "Used-car export",
  sp.used_car_export{ start = "2020-06", ["end"] = "2022-12", standards = { "IV", "V" }, min_age = 6,
                      max_age = 12, value_gain = 0.10, transaction_cost = 1000, export_share = 0.65 } }
local outlets = sq:with{ name = "Outlets",
  sp.community_outlets{ start = "2020-06", ["end"] = "2022-12", outlets = 600, coverage = 0.10,
                        categories = { "food", "household_goods" }, capture = 0.05, subsidy = 1e5,
                        budget = 5e7 } }

local function total(res, metric, pkg, from, to)
  local t = res:table{ rows = "package", metric = metric, by = "month", unit = "total" }
  local s = 0
  for c = from, to do s = s + t:value(pkg, t:col_labels()[c]) end
  return s
end

local n21, n22, n24, n25, extra = {}, {}, {}, {}, {}
for k = 1, P.seeds do
  local res = sp.experiment{ population = pop, packages = { sq, used, outlets }, start = "2020-01",
                             months = 36, replicates = 1, seed = 100 + k }:run()
  -- N21: share of replaced cars sold out of Beijing, 2020-06..2022-12, package minus status quo
  local s1 = total(res, "used_cars_exported", used.name, 6, 36) / total(res, "replacements", used.name, 6, 36)
  local s0 = total(res, "used_cars_exported", sq.name, 6, 36) / total(res, "replacements", sq.name, 6, 36)
  n21[k] = 100 * (s1 - s0)
  extra[k] = total(res, "replacements", used.name, 6, 36) - total(res, "replacements", sq.name, 6, 36)
  -- N22: used cars put on the market (one per replacement) / new cars bought, status quo 2020
  n22[k] = total(res, "replacements", sq.name, 1, 12) / total(res, "car_purchases", sq.name, 1, 12)
  -- N24, N25: diverted share of the outlets' sales; net change of the served households'
  -- covered spending (sales / capture)
  local sales = total(res, "outlet_sales", outlets.name, 6, 36)
  n24[k] = total(res, "outlet_diverted_sales", outlets.name, 6, 36) / sales
  n25[k] = 100 * total(res, "outlet_net_new", outlets.name, 6, 36) / (sales / 0.05)
end

local function show(name, v, unit)
  local s, lo, hi = 0, math.huge, -math.huge
  for _, x in ipairs(v) do s, lo, hi = s + x, math.min(lo, x), math.max(hi, x) end
  print(string.format("%-58s %8.3f%s  [%.3f, %.3f] over %d seeds", name, s / #v, unit, lo, hi, #v))
end
show("N21 rise in the share of replaced cars leaving Beijing (pp)", n21, "")
show("    extra replacements 2020-06..2022-12 (cars)", extra, "")
show("N22 replacements / new-car purchases, status quo 2020", n22, "")
show("N24 diverted share of the new outlets' sales", n24, "")
show("N25 net change of served households' covered spending (%)", n25, "%")
