-- test_data_out.lua: budgets, windows and data out through the Lua API and
-- the CLI. res:export writes the per-replicate tidy CSV, which Debian's
-- python3 loads (csv module; pandas too when importable) with the expected
-- row count and values equal to res:value; sp.table builds a table from Lua
-- values and writes it in safe mode; the window and table errors name the
-- key, the value and the scenario line; budget warnings reach the summary
-- and the CLI's stderr.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local work = T.workdir()
local sp = T.require_spendsim()

local pop = sp.population.beijing{ households = 1500, seed = 4 }
local base = sp.package{ name = "Status quo" }
local plan = base:with{ name = "Coupons, cash",
  sp.voucher{ start = "2020-03", days = 14, face = 10, threshold = 40, coupons = 5, budget = 2e8 },
  sp.cash_transfer{ start = "2020-04", budget = 1e8, filter = "income_quintile <= 2" } }
local res = sp.experiment{ population = pop, packages = { base, plan }, start = "2020-01",
                           months = 6, replicates = 3, seed = 5 }:run()

T.case("budget keys are read back and reported in the summary", function()
  local v = sp.voucher{ start = "2020-03", face = 10, coupons = 5, budget = 2e8 }
  T.eq(v.budget, 2e8, "voucher budget")
  T.eq(v.packages, 2e8 / 50, "packages the budget pays for")
  local c = sp.cash_transfer{ start = "2020-04", budget = 1e8 }
  T.eq(c.amount, nil, "amount shared out")
  T.eq(c.budget, 1e8, "transfer budget")
  local s = res:summary()
  local cols = s:col_labels()
  T.eq(cols[#cols - 1], "budget (yuan)", "budget column")
  T.eq(cols[#cols], "budget used", "budget used column")
  T.eq(s:value("Coupons, cash", "budget (yuan)"), 3e8, "package budget")
  local used = s:value("Coupons, cash", "budget used")
  assert(used > 0 and used <= 1, "budget used " .. used)
  assert(s:value("Status quo", "budget (yuan)") ~= s:value("Status quo", "budget (yuan)"), "NaN without")
end)

T.case("a window's summary is the sum of its months in the export", function()
  local path = work .. "/window.csv"
  assert(res:export(path, { metrics = { "government_cost" }, packages = { "Coupons, cash" },
                            from = "2020-03", to = "2020-05" }))
  local sum = {}
  for line in io.lines(path) do
    -- the package name holds a comma, so the CSV quotes it
    local rep, v = line:match('^"Coupons, cash",(%d+),[^,]+,all,government_cost,yuan,(.+)$')
    if rep then sum[tonumber(rep)] = (sum[tonumber(rep)] or 0) + tonumber(v) end
  end
  local s = res:summary{ from = "2020-03", to = "2020-05" }
  local mean = (sum[1] + sum[2] + sum[3]) / 3
  local got = s:value("Coupons, cash", "government cost (yuan)")
  assert(math.abs(got - mean) <= 1e-9 * math.abs(mean), ("window %.17g, months %.17g"):format(got, mean))
  T.has(s.title, "2020-03 to 2020-05", "window in the title")
  local t = res:table{ rows = "package", metric = "government_cost", by = "month", unit = "total",
                       from = "2020-03", to = "2020-05" }
  T.eq(t:ncols(), 3, "window columns")
  T.eq(t:col_labels()[1], "2020-03", "first column")
  local g = res:summary{ by = "quintile", from = "2020-04", to = "2020-04" }
  T.eq(g:nrows(), 2 * 5, "package x quintile rows")
end)

T.case("window and group errors name the key, the value and the line", function()
  local e = T.error_of("scen.lua", "local res = ...\nres:summary{ from = '2019-05' }", res)
  T.has(e, "scen.lua:2:", "line")
  T.has(e, "'from' month 2019-05 is outside the horizon 2020-01 to 2020-06", "message")
  e = T.error_of("scen.lua", "local res = ...\n\nres:table{ from = '2020-05', to = '2020-02' }", res)
  T.has(e, "scen.lua:3:", "line")
  T.has(e, "'from' month 2020-05 is after 'to' month 2020-02", "message")
  e = T.error_of("scen.lua", "local res = ...\nres:summary{ by = 'quintiles' }", res)
  T.has(e, "scen.lua:2: results:summary: unknown 'by' value 'quintiles'", "dimension")
  e = T.error_of("scen.lua", "local res = ...\nres:summary{ to = 'July' }", res)
  T.has(e, "scen.lua:2: results:summary: 'to' must be a month \"YYYY-MM\", got \"July\"", "month")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', { groups = { 'Q9' } })", res)
  T.has(e, "scen.lua:2: results:export: unknown groups[1] 'Q9'", "group")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', { metric = 'spending' })", res)
  T.has(e, "unknown key 'metric'", "key")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', { packages = 5 })", res)
  T.has(e, "scen.lua:2: results:export: 'packages' must be a list of names, got number", "list type")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', { metrics = {} })", res)
  T.has(e, "'metrics' is an empty list", "empty list")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', { packages = { 'Nope' } })", res)
  T.has(e, "unknown package 'Nope'", "package")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', { by = 'week' })", res)
  T.has(e, "unknown 'by' value 'week'", "period")
  e = T.error_of("scen.lua", "local res = ...\nres:export('', {})", res)
  T.has(e, "the path must be a non-empty string", "path")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', {}, 3)", res)
  T.has(e, "expected (path, options), got 3 arguments", "arguments")
  e = T.error_of("scen.lua", "local res = ...\nres:export('x.csv', { to = '2020-13' })", res)
  T.has(e, "'to' must be a month \"YYYY-MM\", got \"2020-13\"", "month")
  e = T.error_of("scen.lua", "local sp = ...\nsp.cash_transfer{ start = '2020-01' }", sp)
  T.has(e, "scen.lua:2: sp.cash_transfer: 'amount' is required without a 'budget'", "amount")
  e = T.error_of("scen.lua", "local sp = ...\nsp.voucher{ start = '2020-03', face = 10, budget = -1 }", sp)
  T.has(e, "scen.lua:2: sp.voucher:", "voucher budget line")
  T.has(e, "budget", "voucher budget")
end)

-- The export loaded by Debian's python3: row count and every value against
-- res:value (exact: written with 17 significant digits).
T.case("the export loads in python3 with the values of res:value", function()
  local path = work .. "/tidy.csv"
  local metrics = { "spending", "government_cost", "households" }
  assert(res:export(path, { metrics = metrics, groups = { "all", "quintile" } }))
  local expect = {}
  for _, p in ipairs(res:packages()) do
    for r = 1, res:replicates() do
      for m = 1, res:months() do
        for _, g in ipairs({ "all", "Q1", "Q2", "Q3", "Q4", "Q5" }) do
          for _, k in ipairs(metrics) do
            expect[#expect + 1] = string.format("%s|%d|%d|%s|%s|%.17g", p, r, m, g, k,
                                                res:value(p, r, m, g, k))
          end
        end
      end
    end
  end
  T.eq(#expect, 2 * 3 * 6 * 6 * 3, "cells")
  T.write(work .. "/expect.txt", table.concat(expect, "\n") .. "\n")
  T.write(work .. "/check.py", [[
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert list(rows[0].keys()) == ["package", "replicate", "month", "group", "metric", "unit", "value"], rows[0].keys()
months = sorted({r["month"] for r in rows})
expect = [l.rstrip("\n").split("|") for l in open(sys.argv[2])]
assert len(rows) == len(expect), (len(rows), len(expect))
got = {(r["package"], r["replicate"], str(months.index(r["month"]) + 1), r["group"], r["metric"]): float(r["value"]) for r in rows}
for p, rep, m, g, k, v in expect:
    assert got[(p, rep, m, g, k)] == float(v), (p, rep, m, g, k, got[(p, rep, m, g, k)], v)
units = {r["metric"]: r["unit"] for r in rows}
assert units == {"spending": "yuan", "government_cost": "yuan", "households": "households"}, units
try:
    import pandas
except ImportError:
    print("csv ok, %d rows (pandas not installed)" % len(rows))
    sys.exit(0)
df = pandas.read_csv(sys.argv[1])
assert len(df) == len(rows)
print("csv and pandas ok, %d rows" % len(rows))
]])
  local out = work .. "/py.out"
  local rc = T.sh(string.format("/usr/bin/python3 %s %s %s >%s 2>&1", T.q(work .. "/check.py"),
                                T.q(path), T.q(work .. "/expect.txt"), T.q(out)))
  print("# " .. (T.read(out) or ""):gsub("\n$", ""))
  T.eq(rc, 0, "python3 check")
end)

T.case("sp.table builds a table and its errors name the problem", function()
  local t = sp.table{ title = "Coupon designs", unit = "yuan", row_header = "design",
                      rows = { "40-10", "100-30" }, cols = { "cost", "extra spending" },
                      values = { { 1.5e8, 3.2e8 }, { 2.1e8, 0 / 0 } } }
  T.eq(t:nrows(), 2, "rows")
  T.eq(t:value("100-30", "cost"), 2.1e8, "value")
  T.eq(t.title, "Coupon designs", "title")
  T.has(tostring(t), "| 40-10  |", "markdown")
  -- one package given by name, as a string rather than a list
  local one = work .. "/one.csv"
  assert(res:export(one, { packages = "Status quo", by = "total" }))
  T.eq(T.read(one):match("\n(.-)\n"), "Status quo,1,total,all,spending,yuan," ..
       string.format("%.17g", (function() local s = 0 for m = 1, 6 do s = s + res:value(1, 1, m, "all", "spending") end return s end)()),
       "total line")
  local function err(code) return T.error_of("scen.lua", "local sp = ...\n" .. code, sp) end
  T.has(err("sp.table{ rows = {'a','b'}, cols = {'x'}, values = {{1},{2,3}} }"),
        "scen.lua:2: sp.table: values[2] has 2 values, 'cols' has 1 labels", "ragged")
  T.has(err("sp.table{ rows = {'a'}, cols = {'x'}, values = {{'1'}} }"),
        "scen.lua:2: sp.table: values[1][1] must be a number, got string", "non-numeric")
  T.has(err("sp.table{ rows = {'a'}, cols = {'x','y','x'}, values = {{1,2,3}} }"),
        "scen.lua:2: sp.table: cols[3] repeats the label \"x\" of cols[1]", "duplicate")
  T.has(err("sp.table{ rows = {'a'}, cols = {'x'}, values = {{1}, {2}} }"),
        "'values' has 2 rows, 'rows' has 1 labels", "rows")
  T.has(err("sp.table{ rows = {}, cols = {'x'}, values = {} }"), "'rows' is an empty list", "empty")
  T.has(err("sp.table{ rows = 'a', cols = {'x'}, values = {{1}} }"),
        "'rows' must be a list of labels (strings), got string", "rows type")
  T.has(err("sp.table{ rows = {'a'}, cols = {1}, values = {{1}} }"), "cols[1] must be a string, got number",
        "label type")
  T.has(err("sp.table{ rows = {'a'}, cols = {'x'} }"), "'values' must be a list of rows", "values")
  T.has(err("sp.table{ rows = {'a'}, cols = {'x'}, values = { 1 } }"),
        "values[1] must be a list of numbers, got number", "row type")
  T.has(err("sp.table{ rows = {'a'}, cols = {'x'}, values = {{1}}, units = 'y' }"),
        "unknown key 'units'", "key")
end)

-- The CLI in safe mode: sp.table written without --unsafe, the export beside
-- it, the warnings printed once on stderr and under the summary.
T.case("CLI: sp.table and the export in safe mode, warnings on stderr", function()
  T.write(work .. "/scen.lua", [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 800, seed = 2 }
local base = sp.package{ name = "Status quo" }
local plan = base:with{ name = "Oversupplied",
  sp.voucher{ start = "2020-02", face = 10, cap = 1, budget = 1e12 } }
local res = sp.experiment{ population = pop, packages = { base, plan }, start = "2020-01",
                           months = 3, seed = 1 }:run()
print(res:summary())
print(res:summary{ by = "quintile" })
assert(res:export("data/tidy.csv", { metrics = { "spending" } }))
local t = sp.table{ title = "By hand", rows = { "a" }, cols = { "x", "y" }, values = { { 1, 2 } } }
assert(t:write("tables/by_hand", { "csv", "md", "json" }))
]])
  local rc, out, err = T.cli({ "run", "scen.lua", "--out", "out" }, work)
  T.eq(rc, 0, "exit status (" .. err .. ")")
  local n = select(2, err:gsub("spendsim: warning: package 'Oversupplied', measure", ""))
  T.eq(n, 1, "one warning on stderr: " .. err)
  T.has(out, "Warning: package 'Oversupplied'", "warning under the summary")
  T.eq(T.read(work .. "/out/tables/by_hand.csv"), ",x,y\na,1,2\n", "csv written by the writers")
  local tidy = T.read(work .. "/out/data/tidy.csv")
  T.eq(select(2, tidy:gsub("\n", "")), 1 + 2 * 1 * 3, "export lines")
  T.has(T.read(work .. "/out/data/manifest.json") or "", "tidy.csv", "manifest lists the export")
end)

T.finish()
