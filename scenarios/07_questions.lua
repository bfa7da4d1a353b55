-- 07_questions.lua: three questions analysts asked about Beijing's 2020 plan,
-- answered with budgets, windows, a sweep and a goal-seek.
--
-- What it does
--   1. Which gives more consumption per yuan in 2020H2: 500 million yuan of
--      coupons, of cash to the two lowest income quintiles, or of scrappage
--      subsidies? Three packages with `budget = 5e8` against the status quo;
--      the headline over July-December 2020 (`res:summary{ from =, to = }`) and
--      by income quintile.
--   2. How does the coupon multiplier change if 20% or 40% of households live
--      hand to mouth? A sweep over the hand-to-mouth share of the population
--      (`sp.population.beijing{ liquidity = ... }`, the poor/wealthy split of
--      the embedded population kept), the same coupons at each point.
--   3. What is the smallest budget that adds 300 million yuan of spending in
--      2020H2? A goal-seek (`sp.solve`, Brent's method) on the budget of each
--      instrument: the extra spending rises with the budget, so the root is the
--      smallest budget that reaches the target; an instrument that cannot reach
--      it says what it reaches.
--   Prints the answers and writes, under <out>/07_questions/:
--     per_yuan.csv/.md          question 1: cost, budget used, change in spending
--                               and car spending, multiplier, per package (2020H2);
--     per_yuan_by_quintile.csv/.md  the same by income quintile;
--     htm_sweep.csv/.md         question 2: extra spending, coupon cost and the
--                               multiplier at each hand-to-mouth share;
--     htm_sweep.html            the sweep's chart;
--     smallest_budget.csv/.md   question 3: the budget found for each instrument;
--     report.html               the report of question 1's experiment.
--
-- How to run it
--   spendsim run scenarios/07_questions.lua
--   spendsim run scenarios/07_questions.lua --set households=5000 --set replicates=2
--   spendsim check scenarios/07_questions.lua
--
-- Notes for analysts
--   Designs. Coupons: Beijing-type "spend 40, get 10 off", four per package,
--   first come, two weeks from 2020-07-06, in food, clothing, household goods and
--   other (scenario 02); the government pays the whole face value, so 500 million
--   yuan buys 12.5 million packages (more than the households can claim: the
--   summary warns). Cash: the budget shared equally over the households of
--   income quintiles 1-2 in July 2020. Scrappage: 10,000 yuan for a new NEV, 7,000
--   for a fuel car, for an owner who scraps a China III or older car, July to
--   December 2020 (the national 2024 amounts; scenario 05), first come until the
--   budget is spent.
--   Per yuan. "Causal multiplier" is the change in household spending (the eight
--   categories, not cars) divided by the government cost actually paid; coupons
--   that expire unredeemed cost nothing, so a coupon budget is rarely used up.
--   Car purchases are durable spending apart: the scrappage programme's change in
--   car spending is in its own column.
--   Intervals. With several replicates the response parameters are drawn per
--   replicate (docs/model.md section 16), so the intervals carry parameter
--   uncertainty as well as sampling noise. Every package, point and solver step
--   runs on the same seed (common random numbers).

local sp = require "spendsim"

local P = sp.params{
  households = 20000, -- sample households (weights scale them to Beijing)
  replicates = 4,     -- independent repetitions (intervals)
  seed = 2020,        -- random seed of the population and the experiment
  budget = 5e8,       -- question 1: each instrument's budget, yuan
  target = 3e8,       -- question 3: extra spending to reach in 2020H2, yuan
}

local out = "07_questions/"
local h2 = { from = "2020-07", to = "2020-12" }
local shops = { "food", "clothing", "household_goods", "other" }

local status_quo = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }
local function coupons(budget)
  return sp.voucher{ name = "coupons", face = 10, threshold = 40, coupons = 4, gov_share = 1,
                     claim = "first_come", start = "2020-07-06", days = 14,
                     categories = shops, budget = budget }
end
local function cash(budget)
  return sp.cash_transfer{ name = "cash", start = "2020-07", budget = budget,
                           filter = "income_quintile <= 2" }
end
local function scrappage(budget)
  return sp.scrappage{ name = "scrappage", start = "2020-07", ["end"] = "2020-12",
                       amount_nev = 10000, amount_ice = 7000, filter = "emission <= 3",
                       budget = budget }
end
local packages = {
  status_quo,
  status_quo:with{ name = "Coupons", coupons(P.budget) },
  status_quo:with{ name = "Cash to Q1-Q2", cash(P.budget) },
  status_quo:with{ name = "Scrappage", scrappage(P.budget) },
}

local population = sp.population.beijing{ households = P.households, year = 2019, seed = P.seed }
local function experiment(pop, pkgs)
  return sp.experiment{ population = pop, packages = pkgs, start = "2020-06", months = 7,
                        replicates = P.replicates, seed = P.seed }
end

-- 1. Consumption per yuan in 2020H2 ------------------------------------------------
local exp = experiment(population, packages)
local res = exp:run()
local per_yuan = res:summary(h2)
print("1. 500 million yuan each, July-December 2020")
print(per_yuan)
assert(per_yuan:write(out .. "per_yuan", { "csv", "md" }))
local by_q = res:summary{ from = h2.from, to = h2.to, by = "quintile" }
assert(by_q:write(out .. "per_yuan_by_quintile", { "csv", "md" }))
assert(res:report(out .. "report", { title = "Consumption per yuan in 2020H2", tables = { per_yuan } }))
local best, best_m = nil, -math.huge
for _, name in ipairs { "Coupons", "Cash to Q1-Q2", "Scrappage" } do
  local m = per_yuan:value(name, "causal multiplier")
  if m == m and m > best_m then best, best_m = name, m end -- m == m: not NaN
end
if best then
  print(string.format("Most household spending per yuan of government cost in 2020H2: %s (%.2f)",
                      best, best_m))
end

-- 2. The coupon multiplier against the hand-to-mouth share --------------------------
-- The embedded population's shares (CHFS; docs/lua-api.md, sp.population.beijing):
-- 0.435 hand to mouth, of which poor 0.068 and wealthy 0.367; 0.565 not, of which
-- poor 0.066 and wealthy 0.499. A point keeps those splits and moves the total.
local function liquidity(htm)
  return { poor_htm = htm * 0.068 / 0.435, wealthy_htm = htm * 0.367 / 0.435,
           poor_nhtm = (1 - htm) * 0.066 / 0.565, wealthy_nhtm = (1 - htm) * 0.499 / 0.565 }
end
local sw = sp.sweep{
  over = { htm_share = { 0.2, 0.3, 0.4 } },
  experiment = function(point)
    local pop = sp.population.beijing{ households = P.households, year = 2019, seed = P.seed,
                                       liquidity = liquidity(point.htm_share) }
    return experiment(pop, { status_quo, status_quo:with{ name = "Coupons", coupons(P.budget) } })
  end,
}
local rows, values = {}, {}
for i, point in ipairs(sw:points()) do
  local s = sw:results(i):summary(h2)
  rows[i] = string.format("%.0f%% hand to mouth", 100 * point.htm_share)
  values[i] = { point.htm_share, s:value("Coupons", "change in spending (yuan)"),
                s:value("Coupons", "government cost (yuan)"), s:value("Coupons", "causal multiplier") }
end
local htm = sp.table{ title = "Coupons (500 million yuan budget), 2020H2, by the hand-to-mouth share",
                      unit = "yuan; multiplier", row_header = "population",
                      rows = rows, cols = { "hand-to-mouth share", "change in spending (yuan)",
                                            "government cost (yuan)", "causal multiplier" },
                      values = values }
print("\n2. The coupon multiplier and the hand-to-mouth share")
print(htm)
assert(htm:write(out .. "htm_sweep", { "csv", "md" }))
assert(sw:report(out .. "htm_sweep", { title = "Extra spending in 2020H2 by the hand-to-mouth share",
                                       metric = "spending", package = "Coupons",
                                       from = h2.from, to = h2.to }))

-- 3. The smallest budget that adds the target ------------------------------------------
local found_rows, found = {}, {}
for _, inst in ipairs { { "Coupons", "coupons" }, { "Cash to Q1-Q2", "cash" },
                        { "Scrappage", "scrappage" } } do
  local pkg, measure = inst[1], inst[2]
  local one = experiment(population, { status_quo, status_quo:with{ name = pkg,
    ({ coupons = coupons, cash = cash, scrappage = scrappage })[measure](P.budget) } })
  local ok, s = pcall(sp.solve, { experiment = one, parameter = pkg .. "/" .. measure .. ".budget",
                                  lo = 1e7, hi = 1e10, target = P.target, tol = 1e5,
                                  result = { metric = "spending", package = pkg, from = h2.from,
                                             to = h2.to } })
  found_rows[#found_rows + 1] = pkg
  if ok then
    found[#found + 1] = { s.value, s.result, s.iterations }
    print(string.format("%s: a budget of %.0f yuan adds %.0f yuan (%d iterations, interval %.0f..%.0f)",
                        pkg, s.value, s.result, s.iterations, s.interval[1], s.interval[2]))
  else
    found[#found + 1] = { 0 / 0, 0 / 0, 0 }
    print(string.format("%s: %s", pkg, tostring(s):gsub("^.-sp%.solve: ", "")))
  end
end
local smallest = sp.table{ title = string.format("Smallest budget adding %.0f yuan of spending in 2020H2",
                                                P.target),
                           unit = "yuan", row_header = "instrument", rows = found_rows,
                           cols = { "budget (yuan)", "extra spending reached (yuan)", "iterations" },
                           values = found }
print("\n3. The smallest budget")
print(smallest)
assert(smallest:write(out .. "smallest_budget", { "csv", "md" }))
