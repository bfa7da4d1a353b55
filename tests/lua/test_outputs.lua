-- test_outputs.lua: what a run writes. The same scenario run twice with the
-- same seed writes identical tables, reports and manifests (apart from the
-- date); every output directory carries a manifest.json with the provenance
-- (version, git revision, scenario and its SHA-256, seed, replicates,
-- population, date) and the files written; the HTML report is self-contained
-- and its charts say what they plot (metric, unit, series); a scenario run
-- with check writes nothing.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local work = T.workdir()

local scenario = [[
local sp = require "spendsim"
local P = sp.params{ households = 2000, replicates = 3 }
local pop = sp.population.beijing{ households = P.households, seed = 3 }
local base = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }
local plan = base:with{ name = "Vouchers",
  sp.voucher{ start = "2020-04", days = 7, face = 10, threshold = 40, coupons = 5, supply = 1e6 } }
local res = sp.experiment{ population = pop, packages = { base, plan }, start = "2020-01",
                           months = 6, replicates = P.replicates, seed = 9,
                           params = { mpc_wealthy_htm = sp.uniform(0.3, 0.5),
                                      label_window = sp.uniform(1, 3),
                                      mpc_poor_nhtm = sp.uniform(0.05, 0.15),
                                      substitution_share = sp.uniform(0, 0.2) } }:run()
assert(res:table{ rows = "package", by = "month", unit = "total", diff = true }
         :write("tables/by_month", { "csv", "csv_long", "md", "json" }))
assert(res:summary():write("tables/summary", "csv"))
assert(res:report("report/experiment", { title = "Reproducibility" }))
]]
T.write(work .. "/scen.lua", scenario)

local function run(out, ...)
  local args = { "run", "scen.lua", "--out", out, ... }
  local rc, _, err = T.cli(args, work)
  T.eq(rc, 0, "exit status (" .. err .. ")")
end

local function without_date(text)
  local t = text:gsub('[^\n]*"date"[^\n]*\n', "")
  local n
  t, n = t:gsub('<tr><th scope="row">date</th><td>[^<]*</td></tr>', "")
  return t, n
end

T.case("same seed, same outputs apart from the date", function()
  run("a")
  run("b", "--threads", "1")
  for _, f in ipairs({ "tables/by_month.csv", "tables/by_month.long.csv", "tables/by_month.md",
                       "tables/by_month.json", "tables/summary.csv" }) do
    T.eq(T.read(work .. "/b/" .. f), T.read(work .. "/a/" .. f), f)
  end
  for _, f in ipairs({ "tables/manifest.json", "report/manifest.json", "report/experiment.html" }) do
    local a, b = T.read(work .. "/a/" .. f), T.read(work .. "/b/" .. f)
    T.has(a, "date", f .. " names its date")
    local wa, na = without_date(a)
    local wb = without_date(b)
    if f:match("%.html$") then T.eq(na, 1, "the report's date row is found") end
    T.eq(wb, wa, f .. " apart from the date")
  end
end)

T.case("manifest carries the provenance and the files", function()
  local m = T.read(work .. "/a/tables/manifest.json")
  for _, key in ipairs({ '"spendsim"', '"git_revision"', '"scenario": "scen.lua"', '"scenario_sha256"',
                         '"seed": "9"', '"replicates": "3"', '"population"', '"date"',
                         '"parameters_drawn_per_replicate": "label_window, mpc_poor_nhtm, mpc_wealthy_htm, substitution_share, mpc_poor_htm, ' }) do
    T.has(m, key, "manifest")
  end
  for _, f in ipairs({ "by_month.csv", "by_month.long.csv", "by_month.md", "by_month.json", "summary.csv" }) do
    T.has(m, '"' .. f .. '"', "manifest files")
  end
  local sha = T.read(work .. "/a/report/manifest.json"):match('"scenario_sha256": "(%x+)"')
  T.eq(#sha, 64, "sha-256 length")
end)

T.case("another seed gives other tables", function()
  run("c", "--seed", "10")
  T.eq(T.read(work .. "/c/tables/by_month.csv") ~= T.read(work .. "/a/tables/by_month.csv"), true,
       "tables differ for another seed")
end)

T.case("the report is self-contained", function()
  local html = T.read(work .. "/a/report/experiment.html")
  T.has(html, 'id="headline"', "headline")
  T.has(html, 'id="provenance"', "provenance")
  T.has(html, 'id="scenario"', "scenario")
  T.eq(html:find("<script", 1, true), nil, "no script")
  T.eq(html:find("http://", 1, true) or html:find("https://", 1, true), nil, "no remote references")
  local charts = select(2, html:gsub('class="chart"', ""))
  T.eq(charts >= 4, true, "charts: " .. charts)
end)

T.case("the report's charts say what they plot", function()
  local html = T.read(work .. "/a/report/experiment.html")
  T.has(html, 'data-metric="spending" data-unit="change in yuan" data-rows="package"', "spending chart")
  T.has(html, 'data-metric="car_purchases" data-unit="change in cars" data-rows="package"', "car chart")
  T.has(html, 'data-metric="spending" data-unit="change in yuan per person" data-rows="category"',
        "category chart")
  T.has(html, 'data-metric="spending" data-unit="change in yuan per person" data-rows="quintile"',
        "quintile chart")
  T.eq(html:find("cars per person", 1, true), nil, "no chart of car purchases per person")
end)

T.case("check writes nothing", function()
  local rc = T.cli({ "check", "scen.lua", "--out", "d" }, work)
  T.eq(rc, 0, "check exit status")
  T.eq(T.exists(work .. "/d"), false, "no output directory")
end)

T.case("report options and design warnings from the program", function()
  T.write(work .. "/deep.lua", [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 1500, seed = 3 }
local base = sp.package{ name = "Status quo" }
local plan = base:with{ name = "Deep",
  sp.voucher{ name = "deep", start = "2020-04", days = 7, face = 30, threshold = 40, coupons = 2 } }
local res = sp.experiment{ population = pop, packages = { base, plan }, start = "2020-01",
                           months = 6, replicates = 2, seed = 9 }:run()
local q = res:table{ rows = "quintile", package = "Deep", diff = true, by = "quarter" }
assert(res:report("zh", { lang = "zh", tables = { q } }))
assert(res:report("plain", { summary = false }))
print(res:summary():nrows())
]])
  local rc, _, err = T.cli({ "run", "deep.lua", "--out", "deep" }, work)
  T.eq(rc, 0, "exit status (" .. err .. ")")
  local _, n = err:gsub("spendsim: warning: voucher 'deep' %(package Deep%): discount 0.75", "")
  T.eq(n, 1, "the design warning is printed once: " .. err)
  local zh = T.read(work .. "/deep/zh.html")
  for _, s in ipairs({ '<html lang="zh-CN">', "食品烟酒", "低收入组", "因果乘数", "概要",
                       'id="table-1"', "discount 0.75", "2 次重复的 90% 区间" }) do
    T.has(zh, s, "zh report")
  end
  local plain = T.read(work .. "/deep/plain.html")
  assert(not plain:find('id="headline"', 1, true), "summary = false leaves the headline out")
  assert(not plain:find('id="summary-text"', 1, true), "and the overview paragraph")
  T.has(plain, 'id="intervals-note"', "the note on intervals stays")
  T.has(plain, '<html lang="en">', "English by default")
  rc, _, err = T.cli({ "run", "deep.lua", "--out", "deep_zh", "--lang", "zh" }, work)
  T.eq(rc, 0, "exit status with --lang zh (" .. err .. ")")
  T.has(T.read(work .. "/deep_zh/plain.html"), '<html lang="zh-CN">', "--lang zh: reports in Chinese")
  rc, _, err = T.cli({ "run", "deep.lua", "--out", "deep_fr", "--lang", "fr" }, work)
  T.eq(rc, 2, "--lang fr is bad usage")
  T.has(err, "--lang expects en or zh, got 'fr'", "the message")
end)

T.finish()
