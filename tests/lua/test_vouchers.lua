-- test_vouchers.lua: sp.voucher, packages of measures (sp.package, package:with),
-- voucher metrics, res:summary() and scenario 02 at a tiny size.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()
local work = T.workdir()

local shops = { "food", "clothing", "household_goods", "other" }
local pop = sp.population.beijing{ households = 2000, year = 2019, seed = 21 }

-- The message of the error raised on line 3 of scen.lua (two header lines),
-- which must carry that position and every given part.
local function expect(code, ...)
  local msg = T.error_of("scen.lua", "local sp, pop = ...\n\n" .. code, sp, pop)
  T.has(msg, "scen.lua:3: ", "position")
  for _, part in ipairs({ ... }) do T.has(msg, part) end
  return msg
end

-- errors -------------------------------------------------------------------

T.case("threshold below face", function()
  expect("sp.voucher{ face = 10, threshold = 5, start = '2020-06' }",
         "sp.voucher: threshold 5 is below the face value 10")
end)

T.case("negative supply", function()
  expect("sp.voucher{ face = 10, threshold = 40, start = '2020-06', supply = -1 }",
         "sp.voucher: supply must be 0 (unlimited) or positive, got -1")
end)

T.case("unknown category names it and lists the valid ones", function()
  expect("sp.voucher{ face = 10, start = '2020-06', categories = { 'food', 'shoes' } }",
         "sp.voucher: unknown category 'shoes'", "food", "household_goods", "other", "all")
  expect("sp.voucher{ face = 10, start = '2020-06', categories = 'everything' }",
         "unknown category 'everything'")
  expect("sp.voucher{ face = 10, start = '2020-06', categories = {} }", "'categories' is empty")
end)

T.case("bad windows", function()
  expect("sp.voucher{ face = 10, start = '2020-06', days = 0 }",
         "sp.voucher: 'days' must be at least 1, got 0", "end before it starts")
  expect("sp.voucher{ face = 10, start = '2020-06', days = -7 }", "'days'", "got -7")
  expect("sp.voucher{ face = 10, start = '2020-06', months = 0 }",
         "sp.voucher: 'months' must be at least 1, got 0")
  expect("sp.voucher{ face = 10, start = '2020-06', days = 14, months = 1 }",
         "'days' and 'months'")
  expect("sp.voucher{ face = 10, start = '2020-06', days = 40 }", "'days' must be at most 31")
  expect("sp.voucher{ face = 10, threshold = 40, start = '2020-06', months = 2 }",
         "threshold coupons need a window in days")
  expect("sp.voucher{ face = 10, start = '2020-06-31' }", "'start'", "1..28", "2020-06-31")
  expect("sp.voucher{ face = 10, start = '2020-6' }", "'start' must be \"YYYY-MM\"")
  expect("sp.voucher{ face = 10 }", "'start' is required")
end)

T.case("filter errors carry the column, its position and the scenario line", function()
  expect("sp.voucher{ face = 10, start = '2020-06', filter = 'incme_quintile <= 2' }",
         "sp.voucher: 'filter': unknown column 'incme_quintile' at position 1",
         "income_quintile")
  expect("sp.voucher{ face = 10, start = '2020-06', filter = 'income_quintile <= ' }",
         "sp.voucher: 'filter':", "position")
  expect("sp.voucher{ face = 10, start = '2020-06', claim = 'targeted' }",
         "needs a 'filter'")
end)

T.case("unknown keys and values", function()
  expect("sp.voucher{ face = 10, start = '2020-06', treshold = 40 }",
         "sp.voucher: unknown key 'treshold'", "threshold")
  expect("sp.voucher{ face = 10, start = '2020-06', claim = 'fcfs' }",
         "unknown 'claim' value 'fcfs'", "first_come", "lottery", "targeted")
  expect("sp.voucher{ face = '10', start = '2020-06' }", "'face' must be a number, got string")
  expect("sp.voucher{ face = 10, start = '2020-06', coupons = 0 }", "'coupons'", "got 0")
  expect("sp.voucher{ face = 10, start = '2020-06', gov_share = 0.5, merchant_share = 0.3 }",
         "must add up to 1")
end)

T.case("package entries must be measures with unique names", function()
  expect("sp.package{ name = 'Plan', sp.voucher{ face = 10, start = '2020-06' }, 42 }",
         "sp.package: entry 2 is not a measure (got number)")
  expect("sp.package{ name = 'Plan', sp.package{ name = 'x' } }",
         "sp.package: entry 1 is not a measure (got package)")
  expect("local v = sp.voucher{ face = 10, start = '2020-06' }; sp.package{ name = 'Plan', v, v }", "measure named \"voucher 2020-06 cash 10\"")
  expect("sp.package{ name = 'x' }:with{ sp.voucher{ face = 10, start = '2020-06' } }",
         "package:with: 'name' is required")
  expect("sp.package{ name = 'x' }:with{ name = 'y', nmae = 'z' }",
         "package:with: unknown key 'nmae'")
end)

-- values --------------------------------------------------------------------

T.case("voucher fields, defaults and default names", function()
  local v = sp.voucher{ face = 10, threshold = 40, start = "2020-06" }
  T.eq(v.name, "voucher 2020-06 40-10", "default name")
  T.eq(v.kind, "voucher", "kind")
  T.eq(v.days, 14, "default window")
  T.eq(v.months, nil, "no months")
  T.eq(#v.categories, 8, "all categories")
  T.eq(v.claim, "first_come", "claim")
  T.eq(v.coupons, 1, "coupons")
  T.eq(v.cap, 1, "cap")
  T.eq(v.supply, 0, "unlimited")
  T.eq(v.gov_share, 1, "gov_share")
  T.eq(v.coverage, nil, "coverage from the parameters")
  T.has(tostring(v), "voucher: voucher 2020-06 40-10 (spend 40 get 10 off", "tostring")
  local c = sp.voucher{ face = 500, start = "2020-06-06", months = 2, gov_share = 0.25 }
  T.eq(c.name, "voucher 2020-06-06 cash 500", "cash name")
  T.eq(c.start, "2020-06-06", "start with day")
  T.eq(c.months, 2, "months")
  T.eq(c.merchant_share, 0.75, "merchant_share = 1 - gov_share")
  local w = sp.voucher{ name = "W", face = 5, threshold = 20, weeks = 2, categories = "food", start = "2020-06",
                        filter = "not car_owner", coverage = 0.5 }
  T.eq(w.days, 14, "weeks")
  T.eq(w.categories[1], "food", "single category")
  T.eq(w.filter, "not car_owner", "filter")
  T.eq(w.coverage, 0.5, "coverage")
end)

T.case("pkg:with builds on the base", function()
  local a = sp.voucher{ name = "A", face = 10, threshold = 40, start = "2020-03" }
  local b = sp.voucher{ name = "B", face = 20, threshold = 80, start = "2020-04" }
  local base = sp.package{ name = "Base", a }
  local plan = base:with{ name = "Plan", b }
  T.eq(plan.name, "Plan", "name")
  T.eq(#plan, 2, "#plan")
  local m = plan:measures()
  T.eq(m[1], "A", "base measure first")
  T.eq(m[2], "B", "new measure")
  T.eq(#base, 1, "base unchanged")
  T.eq(tostring(plan), "package: Plan (measures: A, B)", "tostring")
  T.eq(#base:with{ name = "Copy" }, 1, "with no new measures")
  T.eq(#sp.package{ name = "Empty" }:measures(), 0, "no measures")
end)

-- results ---------------------------------------------------------------------

local v = sp.voucher{ name = "Rush 40-10", face = 10, threshold = 40, coupons = 5, supply = 1.5e6,
                      start = "2020-02-10", days = 7, categories = shops }
local cash = sp.voucher{ name = "Cash 50", face = 50, supply = 1e6, claim = "targeted",
                         filter = "income_quintile <= 2", start = "2020-02", months = 1 }
local split = sp.voucher{ name = "Split", face = 20, threshold = 80, coupons = 3, supply = 5e5,
                          start = "2020-03", days = 14, categories = shops, gov_share = 0.5 }
local base = sp.package{ name = "Base", v }
local same = base:with{ name = "same" }
local twin = sp.package{ name = "Twin", v }
local sq = sp.package{ name = "Status quo" }
local plan = sq:with{ name = "Plan", v, split }
local targeted = sq:with{ name = "Targeted", cash }
local res = sp.experiment{ population = pop, packages = { base, same, twin, sq, plan, targeted },
                           start = "2020-01", months = 5, replicates = 2, seed = 8,
                           threads = 2 }:run()

T.case("a package identical to the baseline differs by exactly zero", function()
  for _, name in ipairs { "same", "Twin" } do
    for _, rows in ipairs { "category", "package", "quintile" } do
      local d = res:table{ rows = rows, package = name, diff = true, by = "month", unit = "total" }
      for r = 1, d:nrows() do
        if rows ~= "package" or d:row_labels()[r] == name then
          for c = 1, d:ncols() do T.eq(d:get(r, c), 0.0, name .. " " .. rows .. " " .. r .. "," .. c) end
        end
      end
    end
  end
  -- and the voucher did something: the status quo differs from the base
  local d = res:table{ rows = "category", package = "Status quo", diff = true, by = "month" }
  assert(d:value("total", "2020-02") < 0, "no voucher: less spending than the base")
end)

T.case("summary: one row per package, multiplier and leverage columns", function()
  local s = res:summary()
  T.eq(s:nrows(), 6, "rows")
  T.eq(s.row_header, "package", "row header")
  local rows = s:row_labels()
  T.eq(rows[1], "Base", "first row")
  T.eq(rows[6], "Targeted", "last row")
  local cols = {}
  for k, c in ipairs(s:col_labels()) do cols[c] = k end
  assert(cols["causal multiplier"], "causal multiplier column")
  assert(cols["gross leverage"], "gross leverage column")
  assert(cols["government cost (yuan)"], "government cost column")
  T.eq(s:value("same", "change in spending (yuan)"), 0.0, "same: no change")
  local gov = s:value("Plan", "government cost (yuan)")
  assert(gov > 0, "Plan costs the government something")
  local mult = s:value("Plan", "causal multiplier")
  assert(mult == mult and mult ~= 0, "multiplier is a number: " .. tostring(mult))
  assert(s:value("Plan", "gross leverage") > 1, "leverage > 1 for threshold coupons")
  -- the summary agrees with the metric tables
  local t = res:table{ rows = "package", metric = "government_cost", by = "total", unit = "total" }
  local g = t:value("Plan", t:col_labels()[1])
  assert(math.abs(g - gov) <= 1e-9 * gov, "government cost " .. g .. " vs " .. gov)
  local m = res:table{ rows = "package", metric = "merchant_cost", by = "total", unit = "total" }
  assert(m:value("Plan", m:col_labels()[1]) > 0, "merchants pay half of Split")
  assert(s:write(work .. "/summary", { "csv", "md" }))
  T.has(T.read(work .. "/summary.csv"), "causal multiplier", "csv")
end)

T.case("summary and tables by consumption level and income decile", function()
  local all = res:summary()
  for _, dim in ipairs { "consumption_tercile", "consumption_quintile", "consumption_decile",
                         "income_decile", "quintile" } do
    local s = res:summary{ by = dim }
    local n = ({ consumption_tercile = 3, consumption_quintile = 5, consumption_decile = 10,
                 income_decile = 10, quintile = 5 })[dim]
    T.eq(s:nrows(), 6 * n, dim .. " rows")
    T.eq(s.row_header, "package / group", "row header")
    -- the groups' changes in spending and costs add up to the whole population's
    local rows, ds, gov = s:row_labels(), 0, 0
    for r = 1, s:nrows() do
      if rows[r]:sub(1, 7) == "Plan / " then
        ds = ds + s:get(r, 3)
        gov = gov + s:get(r, 1)
      end
    end
    local want = all:value("Plan", "change in spending (yuan)")
    assert(math.abs(ds - want) <= 1e-6 * math.abs(want), dim .. ": change " .. ds .. " vs " .. want)
    assert(math.abs(gov - all:value("Plan", "government cost (yuan)")) <= 1e-6 * gov, dim .. ": cost")
  end
  T.eq(res:summary{ by = "consumption_tercile" }:row_labels()[1], "Base / CT1", "label")
  T.eq(res:summary{ by = "all" }:nrows(), 6, "by all: one row per package")
  local t = res:table{ rows = "consumption_decile", by = "total", unit = "per_household" }
  T.eq(t:nrows(), 10, "consumption deciles")
  T.eq(t:row_labels()[10], "CD10", "decile label")
  assert(t:get(10, 1) > 2 * t:get(1, 1), "top consumption decile spends more than twice the bottom")
  local d = res:table{ rows = "income_decile", by = "total", unit = "per_capita" }
  T.eq(d:row_labels()[1], "D1", "income decile label")
  assert(d:get(10, 1) > d:get(1, 1), "top income decile spends more per person")
end)

T.case("voucher metrics by package and by group", function()
  for _, metric in ipairs { "vouchers_claimed", "vouchers_redeemed", "vouchers_expired",
                            "coupon_value", "government_cost", "merchant_cost" } do
    local t = res:table{ rows = "package", metric = metric, by = "month", unit = "total" }
    T.eq(t:nrows(), 6, metric .. " rows")
    T.eq(t:value("Status quo", "2020-02"), 0.0, metric .. " without measures")
    local q = res:table{ rows = "quintile", metric = metric, package = "Plan", by = "total" }
    T.eq(q:nrows(), 5, metric .. " quintiles")
  end
  local c = res:table{ rows = "package", metric = "vouchers_claimed", by = "month", unit = "total" }
  local claimed = c:value("Base", "2020-02")
  assert(claimed > 0 and claimed <= 1.5e6 * 5 + 1e-6, "claimed within supply: " .. claimed)
  T.eq(c:value("Base", "2020-01"), 0.0, "nothing before the start")
  -- a targeted voucher reaches its target group only
  local q = res:table{ rows = "quintile", metric = "vouchers_claimed", package = "Targeted",
                       by = "total", unit = "total" }
  assert(q:get(1, 1) > 0 and q:get(2, 1) > 0, "Q1 and Q2 claim")
  for r = 3, 5 do T.eq(q:get(r, 1), 0.0, "Q" .. r .. " does not claim") end
  -- differences of voucher metrics against the baseline package
  local d = res:table{ rows = "package", metric = "vouchers_claimed", diff = true, by = "total",
                       unit = "total" }
  T.eq(d:value("same", d:col_labels()[1]), 0.0, "diff of identical package")
end)

-- scenario 02 ---------------------------------------------------------------------

T.case("scenario 02 runs at a tiny size and writes its files", function()
  local scen = T.args.src .. "/scenarios/02_vouchers.lua"
  local rc, out, err = T.cli { "run", scen, "--out", "o2", "--set", "households=3000",
                               "--set", "replicates=2", "--threads", "2" }
  T.eq(rc, 0, "exit status: " .. err)
  T.has(out, "Headline results", "summary printed")
  T.has(out, "Beijing August", "packages")
  for _, f in ipairs { "summary.csv", "summary.md", "spending_change_by_month.csv",
                       "spending_change_by_month.md" } do
    assert(T.exists(work .. "/o2/02_vouchers/" .. f), f .. " written")
  end
  local csv = T.read(work .. "/o2/02_vouchers/summary.csv")
  for _, p in ipairs { "Status quo", "Hangzhou design", "Beijing June", "Beijing August",
                       "Cash, targeted" } do
    T.has(csv, p, "summary row")
  end
  local rc2, out2, err2 = T.cli { "check", scen }
  T.eq(rc2, 0, "check exit status: " .. err2)
  T.has(out2, "(check: not simulated) Headline results", "check mode marks the summary")
end)

T.finish()
