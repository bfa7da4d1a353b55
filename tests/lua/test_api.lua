-- test_api.lua: the Lua API as a module of a stock lua5.4 (require "spendsim"):
-- constructors, handles, results, tables and writing.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()
local work = T.workdir()

local pop = sp.population.beijing{ households = 1000, year = 2019, seed = 11 }
local sq = sp.package{ name = "Status quo" }
local alt = sp.package{ name = "Copy" }
local res = sp.experiment{ population = pop, packages = { sq, alt }, start = "2019-01",
                           months = 7, replicates = 2, seed = 3, threads = 1 }:run()

T.case("version", function()
  T.eq(sp.version, "0.1.0", "sp.version")
  T.eq(type(sp.git_revision), "string", "sp.git_revision")
end)

T.case("population size and weights", function()
  T.eq(pop:size(), 1000, "pop:size()")
  T.eq(#pop, 1000, "#pop")
  assert(math.abs(pop:represented() - 8230792) < 1, "represented: " .. pop:represented())
  T.matches(tostring(pop), "^population: 1000 households", "tostring")
end)

T.case("population summary", function()
  local s = pop:summary()
  T.eq(s.sample, 1000, "sample")
  assert(math.abs(s.households - 8230792) < 10, "households")
  for _, k in ipairs { "mean_size", "income_pc_urban", "income_pc_rural", "consumption_pc_urban",
                       "consumption_pc_rural", "private_cars", "quintile_ratio_urban",
                       "plate_applicants", "nev_queue" } do
    T.eq(type(s[k]), "number", k)
  end
  local total = 0
  for _, c in ipairs { "food", "clothing", "housing", "household_goods", "transport",
                       "education", "health", "other" } do
    total = total + assert(s.shares[c], c)
  end
  assert(math.abs(total - 1) < 1e-9, "shares sum to " .. total)
  local liq = 0
  for _, k in ipairs { "poor_htm", "wealthy_htm", "poor_nhtm", "wealthy_nhtm" } do
    liq = liq + assert(s.liquidity[k], k)
  end
  assert(math.abs(liq - 1) < 1e-6, "liquidity shares sum to " .. liq)
end)

T.case("package name", function()
  T.eq(sq.name, "Status quo", "pkg.name")
  T.eq(tostring(sq), "package: Status quo", "tostring")
end)

T.case("results shape", function()
  T.eq(res:months(), 7, "months")
  T.eq(res:replicates(), 2, "replicates")
  T.eq(res:start(), "2019-01", "start")
  local names = res:packages()
  T.eq(#names, 2, "#packages")
  T.eq(names[1], "Status quo", "packages[1]")
  T.eq(names[2], "Copy", "packages[2]")
  assert(res:value("Status quo", 1, 1, "all", "spending") > 0, "spending > 0")
  T.eq(res:value(1, 2, 7, "Q1", "food"), res:value("Status quo", 2, 7, "Q1", "food"), "by index")
end)

T.case("identical packages differ by exactly zero (common random numbers)", function()
  local d = res:table{ rows = "category", package = "Copy", diff = true, by = "month" }
  for r = 1, d:nrows() do
    for c = 1, d:ncols() do T.eq(d:get(r, c), 0.0, "diff " .. r .. "," .. c) end
  end
end)

T.case("category table", function()
  local t = res:table{}
  T.eq(t:nrows(), 9, "nrows (8 categories + total)")
  T.eq(t:ncols(), 3, "ncols (7 months = 3 quarters)")
  local rows, cols = t:row_labels(), t:col_labels()
  T.eq(rows[1], "food", "row 1")
  T.eq(rows[9], "total", "row 9")
  T.eq(cols[1], "2019Q1", "col 1")
  T.eq(cols[3], "2019Q3", "col 3")
  T.eq(t:value("food", "2019Q2"), t:get(1, 2), "value vs get")
  local sum = 0
  for r = 1, 8 do sum = sum + t:get(r, 1) end
  assert(math.abs(sum - t:get(9, 1)) < 1e-6 * sum, "total = sum of categories")
  T.eq(type(t.title), "string", "title")
  T.has(t.unit, "per person", "unit")
  T.has(tostring(t), "| food", "markdown")
end)

T.case("group rows, units and periods", function()
  local q = res:table{ rows = "quintile", metric = "spending", by = "year", unit = "total" }
  T.eq(q:nrows(), 5, "quintiles")
  T.eq(q:ncols(), 1, "one year")
  T.eq(q:row_labels()[1], "Q1", "Q1")
  local hh = res:table{ rows = "area", metric = "households", by = "total", unit = "total" }
  T.eq(hh:nrows(), 2, "areas")
  local total = hh:get(1, 1) + hh:get(2, 1)
  assert(math.abs(total - pop:represented()) < 1e-6 * total, "households by area: " .. total)
  local p = res:table{ rows = "package", metric = "food", group = "urban", by = "month" }
  T.eq(p:nrows(), 2, "package rows")
  T.eq(p:ncols(), 7, "months")
  local cum = res:table{ rows = "all", metric = "spending", by = "month", cumulative = true }
  assert(cum:get(1, 7) > cum:get(1, 1), "cumulative grows")
end)

T.case("write with formats, creating parent directories", function()
  local t = res:table{}
  local base = work .. "/sub/dir/cat"
  assert(t:write(base, { "csv", "md", "json" }))
  for _, ext in ipairs { "csv", "md", "json" } do
    assert(T.exists(base .. "." .. ext), ext .. " written")
  end
  T.has(T.read(base .. ".csv"), "food", "csv content")
  T.has(T.read(base .. ".md"), "| food", "md content")
  assert(t:write(work .. "/single", "csv"))
  assert(T.exists(work .. "/single.csv") and not T.exists(work .. "/single.md"), "only csv")
end)

T.case("relative paths resolve against the current directory", function()
  local code = string.format([[
    package.cpath = %q .. "/?.so;" .. package.cpath
    local sp = require "spendsim"
    local p = sp.population.beijing{ households = 20 }
    local r = sp.experiment{ population = p, packages = { sp.package{ name = "A" } },
                             months = 1, threads = 1 }:run()
    assert(r:table{}:write("rel/t", "csv"))]], T.args.module)
  local rc = T.sh(string.format("cd %s && %s -e %s", T.q(work), T.q(assert(T.args.lua)),
                                T.q(code)))
  T.eq(rc, 0, "exit status")
  assert(T.exists(work .. "/rel/t.csv"), "rel/t.csv under the current directory")
end)

T.case("write failure returns nil and a message", function()
  local t = res:table{}
  T.write(work .. "/afile", "x")
  local ok, msg = t:write(work .. "/afile/below/t", "csv")
  T.eq(ok, nil, "result")
  T.eq(type(msg), "string", "message")
  T.has(msg, "afile", "message names the path")
end)

T.case("handles close idempotently", function()
  local p = sp.population.beijing{ households = 50 }
  local e = sp.experiment{ population = p, packages = { sp.package{ name = "A" } }, months = 1 }
  do
    local q <close> = p
  end
  local mt = getmetatable(p)
  T.eq(mt, "spendsim", "metatable is protected")
  local ok, err = pcall(function() return p:size() end)
  assert(not ok, "closed population raises")
  T.has(err, "closed", "closed message")
  ok, err = pcall(function() return e:run() end)
  assert(not ok, "running on a closed population raises")
  T.has(err, "population was closed", "message")
  collectgarbage()
  collectgarbage()
end)

T.case("results outlive the script's references", function()
  local r
  do
    local p = sp.population.beijing{ households = 64, seed = 2 }
    r = sp.experiment{ population = p, packages = { sp.package{ name = "A" } },
                       months = 2, threads = 1 }:run()
  end
  collectgarbage()
  collectgarbage()
  assert(r:table{}:get(9, 1) > 0, "table from results after collection")
end)

T.case("params defaults without a CLI", function()
  local P = sp.params{ households = 10, label = "x", flag = false, rate = 0.5 }
  T.eq(P.households, 10, "integer")
  T.eq(P.label, "x", "string")
  T.eq(P.flag, false, "boolean")
  T.eq(P.rate, 0.5, "float")
  local Q = sp.params{ months = 3 }
  T.eq(Q.months, 3, "second call")
  T.eq(Q.households, 10, "merged")
end)

T.case("promotion and night economy: values, runs, the net-new share drawn by default", function()
  local promo = sp.promotion{ name = "Double 11", start = "2019-11-11", days = 1,
                              discount = 0.1, categories = { "clothing", "household_goods" },
                              gov_share = 0.5 }
  T.eq(promo.kind, "promotion", "kind")
  T.eq(promo.start, "2019-11-11", "start")
  T.eq(promo["end"], "2019-11-11", "end")
  T.eq(promo.discount.clothing, 0.1, "discount")
  T.eq(promo.merchant_share, 0.5, "merchant share completes the government's")
  T.eq(promo.announced, true, "announced by default")
  T.has(tostring(promo), "promotion: Double 11 (2019-11-11 to 2019-11-11; clothing 10% off", "tostring")
  local season = sp.promotion{ start = "2019-06-06", ["end"] = "2019-10", discount = { food = 0.05 },
                               elasticity = { food = -0.6 }, announced = false }
  T.eq(season["end"], "2019-10-31", "a month as the end is its last day")
  T.eq(season.elasticity.food, -0.6, "elasticity")
  local night = sp.night_economy{ start = "2019-03", months = 4, hours = 2,
                                  categories = { "food", "education" } }
  T.eq(night.kind, "night_economy", "kind")
  T.eq(night.categories[2], "education", "categories")
  T.has(tostring(night), "2 extra hours at food, education venues", "tostring")
  local plan = sq:with{ name = "Plan", promo, season, night }
  local r = sp.experiment{ population = pop, packages = { sq, plan }, start = "2019-01", months = 12,
                           replicates = 3, seed = 3, threads = 1 }:run()
  local draws = r:parameters()
  T.eq(#draws, 3, "one draw per replicate")
  for _, d in ipairs(draws) do
    assert(d.night_net_share >= 0.1 and d.night_net_share <= 0.3, "drawn from uniform(0.1, 0.3)")
  end
  assert(draws[1].night_net_share ~= draws[2].night_net_share, "replicates differ")
  local gov = r:value("Plan", 1, 11, "all", "discount_government")
  local merchant = r:value("Plan", 1, 11, "all", "discount_merchant")
  assert(gov > 0 and math.abs(gov - merchant) <= 1e-9 * gov, "half and half")
  assert(r:value("Plan", 1, 4, "all", "night_shifted") > 0, "evening spending shifted")
  T.eq(r:value("Status quo", 1, 4, "all", "night_spending"), 0.0, "no measure, no night metric")
  local fixed = sp.experiment{ population = pop, packages = { sq, plan }, start = "2019-01",
                               months = 3, replicates = 2, seed = 3, threads = 1,
                               params = { night_net_share = 0.25 } }:run()
  local given = fixed:parameters()
  T.eq(#given, 2, "the other uncertain parameters are drawn by default")
  T.eq(given[1].night_net_share, nil, "a value given by the scenario is not drawn")
  assert(given[1].mpc_poor_htm >= 0.4 and given[1].mpc_poor_htm <= 0.6, "a default distribution")
  local off = sp.experiment{ population = pop, packages = { sq, plan }, start = "2019-01",
                             months = 3, replicates = 2, seed = 3, threads = 1,
                             uncertainty = false }:run()
  T.eq(#off:parameters(), 0, "uncertainty = false draws nothing by default")
  T.has(tostring(fixed:summary()), "(intervals: Monte Carlo noise and the parameters drawn per "
        .. "replicate: mpc_poor_htm, ", "the summary says what its intervals cover")
  T.has(tostring(off:summary()), "(intervals: Monte Carlo noise only, no parameter drawn)",
        "Monte Carlo only")
  local one = sp.experiment{ population = pop, packages = { sq, plan }, start = "2019-01",
                             months = 3, replicates = 1, seed = 3, threads = 1 }:run()
  T.eq(#one:parameters(), 0, "one replicate: the calibrated central values")
  T.has(tostring(one:summary()), "(one replicate: no intervals)", "one replicate")
end)

T.case("threads do not change results", function()
  local function run(n)
    return sp.experiment{ population = pop, packages = { sq }, months = 3, seed = 9,
                          threads = n }:run():table{ by = "month" }
  end
  local a, b = run(1), run(3)
  for r = 1, a:nrows() do
    for c = 1, a:ncols() do T.eq(a:get(r, c), b:get(r, c), "cell " .. r .. "," .. c) end
  end
end)

T.finish()
