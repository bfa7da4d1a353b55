-- test_analysis.lua: sp.sweep, sp.solve and sp.decompose (issue 13 items 3, 4,
-- 7): points identical to separate experiments with the same seed, a solve with
-- a known answer, Shapley values that add up to the package's effect, and the
-- errors with the scenario line.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()
local work = T.workdir()

local pop = sp.population.beijing{ households = 2000, year = 2019, seed = 21 }
local sq = sp.package{ name = "Status quo" }
local function plan_of(amount, face)
  return sq:with{ name = "Plan",
    sp.cash_transfer{ name = "cash", start = "2020-03", amount = amount },
    sp.voucher{ name = "coupons", face = face, threshold = 40, start = "2020-03", days = 14,
                categories = { "food" } } }
end
local plan = plan_of(1000, 10)
local settings = { start = "2020-01", months = 4, replicates = 2, seed = 5, threads = 1 }
local function experiment(packages, params)
  return sp.experiment{ population = pop, packages = packages, start = settings.start,
                        months = settings.months, replicates = settings.replicates,
                        seed = settings.seed, threads = settings.threads, params = params }
end
local exp = experiment({ sq, plan })

-- Every cell of two results for a few metrics, bit for bit.
local metrics = { "spending", "food", "government_cost", "cash_transfers", "vouchers_redeemed",
                  "households" }
local function same_results(a, b, what)
  for p = 1, 2 do
    for r = 1, settings.replicates do
      for m = 1, settings.months do
        for _, metric in ipairs(metrics) do
          for _, g in ipairs({ "all", "Q1", "Q5" }) do
            local x, y = a:value(p, r, m, g, metric), b:value(p, r, m, g, metric)
            if x ~= y then
              error(string.format("%s: %s %s p%d r%d m%d: %.17g ~= %.17g", what, metric, g, p, r,
                                  m, x, y), 2)
            end
          end
        end
      end
    end
  end
end

-- The message of the error raised on line 3 of scen.lua.
local function expect(code, ...)
  local msg = T.error_of("scen.lua", "local sp, exp, pop, sq, plan = ...\n\n" .. code, sp, exp,
                         pop, sq, plan)
  T.has(msg, "scen.lua:3: ", "position")
  for _, part in ipairs({ ... }) do T.has(msg, part) end
  return msg
end

-- sweeps ---------------------------------------------------------------------

T.case("a swept parameter is fixed at the point's value, even at its default, never drawn", function()
  -- uncertainty is on by default and replicates = 2, so mpc_poor_htm has a default
  -- distribution; a point at its default value (0.5) must fix it, not leave it drawn.
  local sw = sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 0.5, 0.3 } } }
  for i = 1, 2 do
    for _, drawn in ipairs(sw:results(i):parameters()) do
      T.eq(drawn.mpc_poor_htm, nil, "point " .. i .. ": mpc_poor_htm not drawn")
      assert(drawn.mpc_wealthy_htm ~= nil, "the other response parameters are still drawn")
    end
  end
  local direct = experiment({ sq, plan }, { mpc_poor_htm = 0.5 }):run()
  T.eq(#direct:parameters(), settings.replicates, "one draw table per replicate")
  for _, drawn in ipairs(direct:parameters()) do T.eq(drawn.mpc_poor_htm, nil, "a value given is not drawn") end
  same_results(sw:results(1), direct, "point at the default = the parameter given as a value")
end)

T.case("each point of a sweep equals a separate experiment with the same seed", function()
  local sw = sp.sweep{ experiment = exp,
                       over = { ["Plan/cash.amount"] = { 500, 2000 }, mpc_poor_htm = { 0.3, 0.6 } } }
  T.eq(#sw, 4, "points")
  local pts = sw:points()
  for i = 1, #sw do
    local amount, mpc = pts[i]["Plan/cash.amount"], pts[i].mpc_poor_htm
    local alone = experiment({ sq, plan_of(amount, 10) }, { mpc_poor_htm = mpc }):run()
    same_results(sw:results(i), alone, "point " .. i)
  end
  -- the grid: names in alphabetical order, the last varying fastest
  T.eq(pts[1]["Plan/cash.amount"], 500, "point 1")
  T.eq(pts[2].mpc_poor_htm, 0.6, "point 2")
  T.eq(pts[3]["Plan/cash.amount"], 2000, "point 3")
end)

T.case("the function form builds each point's experiment", function()
  local sw = sp.sweep{ over = { face = { 5, 20 } },
                       experiment = function(point) return experiment({ sq, plan_of(1000, point.face) }) end }
  for i, face in ipairs({ 5, 20 }) do
    same_results(sw:results(i), experiment({ sq, plan_of(1000, face) }):run(), "face " .. face)
  end
  -- the same point through the measure key of an experiment value
  local by_key = sp.sweep{ experiment = exp, over = { ["Plan/coupons.face"] = { 5, 20 } } }
  for i = 1, 2 do same_results(sw:results(i), by_key:results(i), "key point " .. i) end
end)

T.case("a sweep's table holds the swept values and the result at each point", function()
  local sw = sp.sweep{ experiment = exp, over = { ["Plan/cash.amount"] = { 500, 1000, 2000 } } }
  local t = sw:table{ metric = "cash_transfers", diff = false }
  local label = "Plan/cash.amount=1000"
  T.eq(t:value(label, "Plan/cash.amount"), 1000, "swept value")
  -- cash transfers paid = amount x households (everyone is paid once)
  local hh = sw:results(2):value(2, 1, 1, "all", "households")
  local paid = t:value(label, "value")
  assert(math.abs(paid - 1000 * hh) <= 1e-6 * paid, "paid " .. paid .. " vs " .. 1000 * hh)
  -- a window: spending change in March only equals the monthly cell difference
  local w = sw:table{ metric = "spending", from = "2020-03", to = "2020-03" }
  local r = sw:results(3)
  local d = 0
  for rep = 1, 2 do d = d + r:value(2, rep, 3, "all", "spending") - r:value(1, rep, 3, "all", "spending") end
  local v = w:value("Plan/cash.amount=2000", "value")
  assert(math.abs(v - d / 2) <= 1e-9 * math.abs(v), "window " .. v .. " vs " .. d / 2)
  T.eq(select(2, pcall(sw.table, sw, { metric = "spending", from = "2019-01" })):match("outside") ~= nil,
       true, "window outside the horizon")
end)

T.case("a sweep writes a report with its line chart", function()
  local sw = sp.sweep{ experiment = exp, over = { ["Plan/cash.amount"] = { 500, 1000, 2000 } } }
  local path = work .. "/sweep.html"
  assert(sw:report(path, { title = "Cash sweep", metric = "spending" }))
  local html = T.read(path)
  T.has(html, "Cash sweep")
  T.has(html, "<svg", "chart")
  T.has(html, "Plan/cash.amount=1000", "table row")
end)

T.case("sweep errors name the problem and the scenario line", function()
  expect("sp.sweep{ experiment = exp, over = { nonsense = { 1, 2 } } }",
         "sp.sweep: 'nonsense' is neither a model parameter", "Plan/cash.<key>")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = {} } }",
         "sp.sweep: over.mpc_poor_htm is empty")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 0.3, 'high' } } }",
         "over.mpc_poor_htm[2] must be a number, got string")
  expect("sp.sweep{ experiment = exp }", "'over' is required")
  expect("sp.sweep{ over = { x = { 1 } } }", "'experiment' is required")
  expect("sp.sweep{ experiment = 3, over = { x = { 1 } } }", "'experiment' must be an experiment")
  expect("sp.sweep{ experiment = exp, over = { ['Plan/cash.months'] = { 1, 2 } } }",
         "key 'months' of cash_transfer \"cash\" cannot be set", "not set (nil)")
  expect("sp.sweep{ experiment = exp, over = { ['Plan/cash.start'] = { 1 } } }", "not a number")
  expect("sp.sweep{ experiment = exp, over = { ['Plan/cash.nokey'] = { 1 } } }", "no such field")
  -- the changed measure is validated again: the same error as its constructor
  expect("sp.sweep{ experiment = exp, over = { ['Plan/cash.amount'] = { 100, -5 } } }",
         "point 2 (Plan/cash.amount=-5)", "amount")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 7 } } }", "mpc_poor_htm")
  expect("sp.sweep{ experiment = function(p) return 1 end, over = { x = { 1 } } }",
         "must return an experiment")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 0.5 } }, turbo = true }",
         "unknown key 'turbo'")
end)

-- goal-seek --------------------------------------------------------------------

T.case("solve: the transfer that pays a target amount (known answer)", function()
  local hh = exp:run():value(2, 1, 1, "all", "households")
  local target = 1.5e9
  local s = sp.solve{ experiment = exp, parameter = "Plan/cash.amount", lo = 100, hi = 5000,
                      target = target, tol = 1e-3,
                      result = { metric = "cash_transfers", diff = false } }
  assert(math.abs(s.value - target / hh) <= 1e-3, "value " .. s.value .. " vs " .. target / hh)
  assert(s.converged, "converged")
  assert(s.interval[1] <= s.value and s.value <= s.interval[2], "the interval holds the value")
  assert(s.interval[2] - s.interval[1] <= 1e-3 or s.result == target, "interval width")
  assert(s.iterations >= 1, "iterations")
  assert(math.abs(s.result - target) <= 1e-3 * hh, "achieved " .. s.result)
  -- the same through a Lua result function and the function form
  local f = sp.solve{ parameter = "amount", lo = 100, hi = 5000, target = target, tol = 1e-3,
                      experiment = function(p) return experiment({ sq, plan_of(p.amount, 10) }) end,
                      result = function(res) return res:value(2, 1, 3, "all", "cash_transfers") end }
  assert(math.abs(f.value - target / hh) <= 1e-3, "function form " .. f.value)
end)

T.case("solve errors: a target out of reach gives the reachable range", function()
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 100, hi = 200, "
         .. "target = 1e12, result = { metric = 'cash_transfers' } }",
         "sp.solve: target 1e+12 is outside what Plan/cash.amount in [100, 200] reaches: ")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 200, hi = 100, target = 1 }",
         "'lo' must be below 'hi'")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2 }",
         "'target' is required")
  expect("sp.solve{ experiment = exp, parameter = 'bogus', lo = 1, hi = 2, target = 0 }",
         "'bogus' is neither a model parameter")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = { metric = 'spendng' } }", "unknown metric 'spendng'")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = function(res) return 'x' end }", "must return a number")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = { from = '2020-04', to = '2020-02' } }", "'from' 2020-04 is after 'to' 2020-02")
end)

-- decomposition ----------------------------------------------------------------

local four = sq:with{ name = "Four",
  sp.cash_transfer{ name = "A", start = "2020-03", amount = 1000 },
  sp.cash_transfer{ name = "B", start = "2020-03", amount = 1000 },
  sp.voucher{ name = "nobody", face = 10, threshold = 40, start = "2020-03", days = 14,
              filter = "size > 50" },
  sp.voucher{ name = "coupons", face = 10, threshold = 40, start = "2020-03", days = 14,
              categories = { "food" } } }

T.case("Shapley values add up to the package's effect; symmetry; a null measure gets 0", function()
  local d = sp.decompose{ package = four, baseline = sq, population = pop, start = "2020-01",
                          months = 4, replicates = 2, seed = 5, threads = 1,
                          result = { metric = "spending" } }
  T.eq(#d.measures, 4, "players")
  assert(d.exact, "exact below the limit")
  T.eq(d.coalitions, 16, "coalitions")
  local sum = 0
  for _, v in ipairs(d.values) do sum = sum + v end
  -- the total is the package's own effect, from a plain experiment
  local t = experiment({ sq, four }):run():table{ rows = "package", metric = "spending",
                                                  by = "total", unit = "total", diff = true }
  local total = t:value("Four", "total")
  T.eq(d.v_none, 0, "the empty coalition is the baseline")
  assert(math.abs(d.total - total) <= 1e-9 * math.abs(total), d.total .. " vs " .. total)
  assert(math.abs(sum - total) <= 1e-9 * math.abs(total), "sum " .. sum .. " vs " .. total)
  T.eq(d.contributions.A, d.contributions.B, "symmetric measures")
  T.eq(d.contributions.nobody, 0, "null measure")
  assert(d.contributions.coupons > 0, "coupons add spending")
  T.has(tostring(d.table), "Shapley decomposition by measure (exact)")
end)

T.case("beyond exact_max the values are sampled, with standard errors", function()
  local d = sp.decompose{ experiment = experiment({ sq, four }), exact_max = 2, samples = 30,
                          result = { metric = "spending", unit = "per_household" } }
  assert(not d.exact, "sampled")
  T.eq(d.samples, 30, "samples")
  local sum = 0
  for _, v in ipairs(d.values) do sum = sum + v end
  assert(math.abs(sum - d.total) <= 1e-9 * math.abs(d.total), "sampled values add up")
  T.eq(d.contributions.nobody, 0, "null measure, sampled")
  assert(d.se[1] >= 0, "standard error")
end)

T.case("decompose errors name the problem and the scenario line", function()
  expect("sp.decompose{ experiment = sp.experiment{ population = pop, packages = { sq, "
         .. "sq:with{ name = 'One', sp.cash_transfer{ name = 'c', start = '2020-03', amount = 5 } } } } }",
         "sp.decompose: package \"One\" adds 1 measure to the baseline \"Status quo\" (c)",
         "needs at least 2")
  expect("sp.decompose{ package = plan, population = pop }", "'baseline' is required")
  expect("sp.decompose{ experiment = exp, population = pop }", "'experiment' or 'population'")
  expect("sp.decompose{ experiment = exp, result = { package = 'Plan' } }", "'package' is not used")
  expect("sp.decompose{ experiment = exp, exact_max = 99 }", "'exact_max' must be between 0 and 16")
end)

-- the sweep value, check mode, result functions ------------------------------

T.case("the sweep value: order, names, points, errors of its methods", function()
  local sw = sp.sweep{ experiment = exp, order = { "mpc_poor_htm", "Plan/cash.amount" },
                       over = { ["Plan/cash.amount"] = { 500, 2000 }, mpc_poor_htm = { 0.3 } } }
  T.eq(sw.names[1], "mpc_poor_htm", "order")
  T.eq(#sw, 2, "points")
  T.has(tostring(sw), "sweep: 2 points over mpc_poor_htm, Plan/cash.amount")
  T.has(select(2, pcall(sw.results, sw, 3)), "point must be between 1 and 2, got 3")
  T.has(select(2, pcall(sw.table, sw, { metrc = "spending" })), "unknown key 'metrc'")
  T.has(select(2, pcall(sw.table, sw, { package = "Nope" })), "unknown package 'Nope'")
  T.has(select(2, pcall(sw.report, sw, "")), "the path must be a non-empty string")
  T.has(select(2, pcall(function() return sw.nothing end)), "no field or method 'nothing'")
  local t = sw:table{ metric = "cash_transfers", diff = false, package = "Plan", unit = "per_household" }
  T.eq(t:value("mpc_poor_htm=0.3, Plan/cash.amount=2000", "value"), 2000, "per household")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 0.3 } }, order = { 'x' } }",
         "'order[1]' is not a name of 'over'")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 0.3 } }, order = { 'a', 'b' } }",
         "'order' must list the 1 names of 'over'")
  expect("sp.sweep{ experiment = exp, over = { [1] = { 0.3 } } }", "'over' keys must be names")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = 0.3 } }",
         "over.mpc_poor_htm must be a list of numbers")
  expect("sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 0/0 } } }", "must be a finite number")
end)

T.case("a result function gives the same decomposition as the result table", function()
  local e = experiment({ sq, four })
  local by_table = sp.decompose{ experiment = e, result = { metric = "spending" } }
  local by_fn = sp.decompose{ experiment = e, result = function(res)
    return res:table{ rows = "package", metric = "spending", by = "total", unit = "total",
                      diff = true }:get(2, 1)
  end }
  T.eq(by_fn.experiments, 16, "one experiment per coalition with a function")
  for i = 1, 4 do
    local a, b = by_table.values[i], by_fn.values[i]
    assert(math.abs(a - b) <= 1e-9 * math.abs(by_table.total), a .. " vs " .. b)
  end
  expect("sp.decompose{ experiment = exp, result = function(res) error('boom') end }", "boom")
end)

T.case("solve: max_iter reached, and errors inside the evaluations", function()
  local s = sp.solve{ experiment = exp, parameter = "Plan/cash.amount", lo = 100, hi = 5000,
                      target = 1.5e9, tol = 1e-9, max_iter = 1,
                      result = { metric = "cash_transfers", diff = false } }
  T.eq(s.converged, false, "not converged")
  T.eq(s.iterations, 1, "iterations")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = -100, hi = 100, target = 0 }",
         "at Plan/cash.amount = -100: Plan/cash.amount = -100:")
  expect("sp.solve{ parameter = 'a', lo = 1, hi = 2, target = 0, experiment = function(p) error('no experiment') end }",
         "at a = 1:", "no experiment")
end)

T.case("spendsim check validates sweeps, solves and decompositions without running them", function()
  local scen = work .. "/check.lua"
  local head = [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 500, year = 2019, seed = 1 }
local sq = sp.package{ name = "Status quo" }
local plan = sq:with{ name = "Plan",
  sp.cash_transfer{ name = "cash", start = "2020-03", amount = 1000 },
  sp.cash_transfer{ name = "more", start = "2020-03", amount = 10 } }
local exp = sp.experiment{ population = pop, packages = { sq, plan }, start = "2020-01", months = 3 }
]]
  T.write(scen, head .. [[
local sw = sp.sweep{ experiment = exp, over = { ["Plan/cash.amount"] = { 1, 2 } } }
assert(sw:table{ metric = "spending" }:get(1, 2) == 0, "zero results in check mode")
assert(sw:report("sw"))
local s = sp.solve{ experiment = exp, parameter = "Plan/cash.amount", lo = 1, hi = 2, target = 5 }
assert(s.value == 1 and s.iterations == 0)
local d = sp.decompose{ experiment = exp }
assert(#d.measures == 2 and d.values[1] == 0)
print("checked")
]])
  local rc, out, err = T.cli { "check", scen }
  T.eq(rc, 0, "check: " .. err)
  T.has(out, "checked")
  T.write(scen, head .. "sp.sweep{ experiment = exp, over = { ['Plan/cash.amount'] = { -1 } } }\n")
  rc, out, err = T.cli { "check", scen }
  T.eq(rc, 1, "a bad point in check mode")
  T.has(err, "check.lua:8: sp.sweep: point 1 (Plan/cash.amount=-1)")
  T.write(scen, head .. "sp.decompose{ experiment = sp.experiment{ population = pop, packages = { sq, sq:with{ name = 'One', sp.cash_transfer{ name = 'c', start = '2020-03', amount = 5 } } } } }\n")
  rc, out, err = T.cli { "check", scen }
  T.eq(rc, 1, "one measure in check mode")
  T.has(err, "check.lua:8: sp.decompose: package \"One\" adds 1 measure")
end)

T.case("integer keys, derived keys, groups and packages of a result, closed handles", function()
  -- an int in the definition: the coupons' window in days
  local sw = sp.sweep{ experiment = exp, over = { ["Plan/coupons.days"] = { 7 } } }
  local seven = sq:with{ name = "Plan",
    sp.cash_transfer{ name = "cash", start = "2020-03", amount = 1000 },
    sp.voucher{ name = "coupons", face = 10, threshold = 40, start = "2020-03", days = 7,
                categories = { "food" } } }
  same_results(sw:results(1), experiment({ sq, seven }):run(), "days = 7")
  expect("sp.sweep{ experiment = exp, over = { ['Plan/coupons.days'] = { 7.5 } } }",
         "Plan/coupons.days = 7.5: must be an integer")
  -- a derived field: months of a span given by its end
  local scr = sq:with{ name = "Cars", sp.scrappage{ name = "scr", start = "2020-02", ["end"] = "2020-03",
                                                  amount = 5000 } }
  local e2 = experiment({ sq, scr })
  local msg = T.error_of("scen.lua", "local sp, e = ...\n\nsp.sweep{ experiment = e, over = { ['Cars/scr.months'] = { 1 } } }", sp, e2)
  T.has(msg, "scen.lua:3: sp.sweep: 'Cars/scr.months': key 'months' of scrappage \"scr\" cannot be set")
  T.has(msg, "derived from other values")
  -- a group and a named package in a result
  local s = sp.sweep{ experiment = exp, over = { ["Plan/cash.amount"] = { 1000 } } }
  local q1 = s:table{ metric = "cash_transfers", diff = false, group = "Q1", package = "Plan" }
  local r = s:results(1)
  local want = 0
  for m = 1, settings.months do for rep = 1, 2 do want = want + r:value(2, rep, m, "Q1", "cash_transfers") end end
  assert(math.abs(q1:value("Plan/cash.amount=1000", "value") - want / 2) <= 1e-9 * want, "Q1 transfers")
  assert(s:table():nrows() == 1, "default view")
  local solved = sp.solve{ experiment = exp, parameter = "Plan/cash.amount", lo = 100, hi = 5000,
                           target = 0, result = { metric = "cash_transfers", package = "Status quo", diff = false } }
  T.eq(solved.value, 100, "the baseline pays nothing: the lower end is the answer")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = { package = 'Nope' } }", "result: unknown package 'Nope' (valid: Status quo, Plan)")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = { group = 'Q9' } }", "unknown group 'Q9'")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = { from = '2021-01' } }", "from 2021-01 is outside the reported months")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = { from = '2020-13' } }", "'from'")
  expect("sp.solve{ experiment = exp, parameter = 'Plan/cash.amount', lo = 1, hi = 2, target = 0, "
         .. "result = 5 }", "'result' must be a table")
  expect("sp.sweep{ experiment = exp, over = 5 }", "'over' must be a table")
  expect("sp.sweep{ experiment = exp, over = {} }", "'over' is empty")
  -- closed handles are reported, never used
  local e3
  do
    local p2 <close> = sp.population.beijing{ households = 300, year = 2019, seed = 3 }
    e3 = sp.experiment{ population = p2, packages = { sq, plan }, start = "2020-01", months = 2 }
  end
  T.has(select(2, pcall(sp.sweep, { experiment = e3, over = { mpc_poor_htm = { 0.3 } } })),
        "the experiment's population was closed")
  local closed = sp.sweep{ experiment = exp, over = { mpc_poor_htm = { 0.3 } } }
  T.eq(getmetatable(closed), "spendsim", "metatable locked")
  -- a report that cannot be written returns nil and a message
  T.write(work .. "/afile", "x")
  local ok, err = closed:report(work .. "/afile/sub/sweep")
  T.eq(ok, nil, "report into a file's path")
  assert(type(err) == "string" and #err > 0, "message")
  assert(closed:report(work .. "/named.html"), "a path ending in .html")
end)

T.case("a sweep whose results would not fit the memory limit stops before running", function()
  local scen = work .. "/mem.lua"
  T.write(scen, [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 500, year = 2019, seed = 1 }
local sq = sp.package{ name = "Status quo" }
local exp = sp.experiment{ population = pop, packages = { sq, sq:with{ name = "B" } }, start = "2020-01", months = 3 }
local v = {}
for i = 1, 2000 do v[i] = 0.2 + i * 1e-4 end
sp.sweep{ experiment = exp, over = { mpc_poor_htm = v } }
]])
  local rc, _, err = T.cli { "run", scen, "--max-memory", "100M" }
  T.eq(rc, 1, "exit status")
  T.has(err, "mem.lua:7: sp.sweep: the results of every point: needs")
end)

T.finish()
