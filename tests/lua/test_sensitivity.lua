-- test_sensitivity.lua: sp.sensitivity on a tiny population: Morris screening
-- separates an input the outputs depend on from one they cannot depend on,
-- Sobol indices with their intervals, the tables, files and the report page,
-- check mode, and the errors with the scenario line.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()
local work = T.workdir()

local pop = sp.population.beijing{ households = 1000, year = 2019, seed = 3 }
local base = sp.package{ name = "Status quo" }
local packages = { base,
  base:with{ name = "V5", sp.voucher{ face = 1800, start = "2020-03", months = 1,
                                      claim = "targeted", filter = "true" } },
  base:with{ name = "V4", sp.voucher{ face = 2000, start = "2020-03", months = 6,
                                      claim = "targeted", filter = "true" } } }
-- label_window moves the one-month voucher (V5) much more than the
-- six-month one; car_purchase_prob hardly moves either (no car measure; car
-- purchases are not in `spending`): its effects are rounding-sized.
local exp = sp.experiment{ population = pop, start = "2020-01", months = 8, seed = 5, threads = 1,
  packages = packages,
  params = { label_window = sp.uniform(0.5, 6), mpc_poor_nhtm = sp.normal(0.1, 0.05),
             car_purchase_prob = sp.uniform(0.2, 0.5) } }

local function ratio(res, p, face)
  local ds, n = 0, 0
  for m = 1, 8 do
    ds = ds + res:value(p, 1, m, "all", "spending") - res:value(1, 1, m, "all", "spending")
    n = n + res:value(p, 1, m, "all", "vouchers_claimed")
  end
  return ds / (n * face)
end
local outputs = { V5 = function(r) return ratio(r, "V5", 1800) end,
                  V4 = function(r) return ratio(r, "V4", 2000) end }

T.case("morris: influential inputs rank far above an input without influence", function()
  local s = sp.sensitivity{ experiment = exp, method = "morris", n = 6, outputs = outputs }
  T.eq(s.method, "morris", "method")
  T.eq(s.evaluations, 6 * 4, "r (k + 1) evaluations")
  T.eq(table.concat(s.outputs, ","), "V4,V5", "outputs, sorted")
  T.eq(#s.inputs, 3, "the experiment's distributions")
  local v5, v4 = s:indices("V5"), s:indices(1) -- outputs sorted: 1 is V4
  for _, ix in ipairs{ v5, v4 } do -- below a millionth of the top input's
    assert(ix.car_purchase_prob.mu_star < 1e-6 * ix.mpc_poor_nhtm.mu_star, ix.car_purchase_prob.mu_star)
  end
  assert(v5.label_window.mu_star > 0.1, "label_window moves V5: " .. v5.label_window.mu_star)
  assert(v5.label_window.mu_star > v5.mpc_poor_nhtm.mu_star, "label_window first for V5")
  assert(v4.mpc_poor_nhtm.mu_star > 0, "the MPC moves V4")
  assert(v5.label_window.mu_star > 1.2 * v4.label_window.mu_star, "the short voucher depends on the label more")
  local t = s:table("V5")
  T.eq(t:nrows(), 3, "one row per input")
  T.eq(t:value("label_window", "mu*"), v5.label_window.mu_star, "table and indices agree")
  T.matches(tostring(s), "^sensitivity: morris, 3 inputs x 2 outputs, 24 evaluations")
  assert(s:report(work .. "/morris"))
  local html = T.read(work .. "/morris.html")
  T.has(html, "<svg", "tornado chart")
  T.has(html, "label_window")
  assert(s:write(work .. "/morris"))
  assert(T.exists(work .. "/morris_V5.csv") and T.exists(work .. "/morris_V4.md"))
end)

T.case("sobol: the influential input carries the variance, one without influence none", function()
  local s = sp.sensitivity{ experiment = exp, method = "sobol", n = 64, bootstrap = 50,
                            outputs = { V5 = outputs.V5 } }
  T.eq(s.evaluations, 64 * 5, "N (k + 2) evaluations")
  local ix = s:indices("V5")
  assert(math.abs(ix.car_purchase_prob.ST) < 1e-6, "no influence: ST " .. ix.car_purchase_prob.ST)
  assert(math.abs(ix.car_purchase_prob.S1) < 1e-6, "no influence: S1 " .. ix.car_purchase_prob.S1)
  assert(ix.label_window.ST > 0.5, "label_window carries most of V5's variance: " .. ix.label_window.ST)
  assert(ix.label_window.ST_lo <= ix.label_window.ST and ix.label_window.ST <= ix.label_window.ST_hi)
  local t = s:table()
  T.eq(t:col_labels()[4], "ST", "columns")
  assert(s:report(work .. "/sobol.html", { title = "V5 by Sobol" }))
  T.has(T.read(work .. "/sobol.html"), "V5 by Sobol")
end)

local function expect(code, ...)
  local msg = T.error_of("scen.lua", "local sp, exp, outputs, pop, packages = ...\n\n" .. code, sp, exp,
                         outputs, pop, packages)
  T.has(msg, "scen.lua:3: ", "position")
  for _, part in ipairs({ ... }) do T.has(msg, part) end
  return msg
end

T.case("errors name the key and value, with the scenario line", function()
  expect("sp.sensitivity{ experiment = exp, method = 'fast', outputs = outputs }",
         "sp.sensitivity: 'method' must be \"morris\" or \"sobol\", got \"fast\"")
  expect("sp.sensitivity{ experiment = exp, outputs = outputs }", "'method' is required")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', outputs = { a = 1 } }",
         "output 'a' must be a function(res) returning a number, got number")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', outputs = {} }", "'outputs' names no output")
  expect("sp.sensitivity{ experiment = exp, method = 'morris' }", "'outputs' is required")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', levels = 3, outputs = outputs }",
         "'levels' must be even, got 3")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', bootstrap = 100, outputs = outputs }",
         "'bootstrap' applies to method \"sobol\" only")
  expect("sp.sensitivity{ experiment = exp, method = 'sobol', levels = 4, outputs = outputs }",
         "'levels' applies to method \"morris\" only")
  expect("sp.sensitivity{ experiment = exp, method = 'sobol', bootstrap = 5, outputs = outputs }",
         "'bootstrap' must be 0 or at least 10, got 5")
  expect("sp.sensitivity{ experiment = exp, method = 'sobol', n = 1, outputs = outputs }",
         "'n' must be between 2 and 1000000, got 1")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', outputs = outputs, seeds = 1 }",
         "unknown key 'seeds'")
  expect("sp.sensitivity{ experiment = sp.experiment{ population = pop, packages = packages }, "
         .. "method = 'morris', outputs = outputs }",
         "the experiment declares no parameter with a distribution")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', n = 2, outputs = { V5 = function(res) "
         .. "return nil end } }", "output 'V5': the function must return a number, got nil")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', outputs = 5 }",
         "'outputs' must be a table of name = function(res), got number")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', outputs = { outputs.V5 } }",
         "'outputs' keys must be names, got number")
  expect("sp.sensitivity{ experiment = exp, method = 'morris', outputs = { [string.rep('x', 60)] = outputs.V5 } }",
         "is longer than 47 characters")
  expect("sp.sensitivity{ method = 'morris', outputs = outputs }", "sp.sensitivity: 'experiment' is required")
end)

T.case("handle: fields, bad paths, a failed write, closed", function()
  local s = sp.sensitivity{ experiment = exp, method = "morris", n = 2, outputs = { ["V5 / yuan"] = outputs.V5 } }
  T.eq(s.n, 2, "n")
  local ok, msg = pcall(function() return s.colour end)
  assert(not ok)
  T.has(msg, "sensitivity: no field or method 'colour'")
  ok, msg = pcall(s.write, s, "")
  assert(not ok)
  T.has(msg, "the path must be a non-empty string")
  ok, msg = pcall(s.report, s, "")
  assert(not ok)
  T.has(msg, "sensitivity:report: the path must be a non-empty string, got \"\"")
  assert(s:write(work .. "/names"))
  assert(T.exists(work .. "/names_V5___yuan.csv"), "other characters become '_'")
  T.write(work .. "/plain", "a file, not a directory")
  ok, msg = s:report(work .. "/plain/x")
  assert(ok == nil and type(msg) == "string", "a failed write returns nil, message")
  ok, msg = s:write(work .. "/plain/x")
  assert(ok == nil and type(msg) == "string")
  do local closing <close> = s end
  T.eq(tostring(s), "sensitivity (closed)", "closed")
  ok, msg = pcall(s.table, s)
  assert(not ok)
  T.has(msg, "the sensitivity is closed")
end)

T.case("table and indices: an unknown output is named with the valid ones", function()
  local s = sp.sensitivity{ experiment = exp, method = "morris", n = 2, outputs = outputs }
  local ok, msg = pcall(s.table, s, "V6")
  assert(not ok)
  T.has(msg, "sensitivity:table: unknown output 'V6' (valid: V4, V5)")
  ok, msg = pcall(s.indices, s, 3)
  assert(not ok)
  T.has(msg, "output 3 out of range 1..2")
end)

T.case("check mode runs nothing", function()
  local dir = work .. "/check"
  T.sh("mkdir -p " .. T.q(dir))
  T.write(dir .. "/scen.lua", [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 300, year = 2019, seed = 3 }
local b = sp.package{ name = "Status quo" }
local exp = sp.experiment{ population = pop, packages = { b }, start = "2020-01", months = 2,
                           params = { label_window = sp.uniform(1, 4) } }
local s = sp.sensitivity{ experiment = exp, method = "sobol", n = 8,
                          outputs = { y = function(res) return 1 end } }
assert(s.evaluations == 0)
assert(s:report("s"))
assert(s:write("s"))
]])
  local rc, _, err = T.cli({ "check", "scen.lua" }, dir)
  T.eq(rc, 0, "exit status (" .. err .. ")")
  assert(not T.exists(dir .. "/s.html"), "nothing written")
end)

T.case("the worked example (scripts/sensitivity_example.lua) runs at a tiny size", function()
  local scen = T.args.src .. "/scripts/sensitivity_example.lua"
  local rc, out, err = T.cli { "run", scen, "--out", "o", "--set", "households=500",
                               "--set", "morris_n=2", "--set", "sobol_n=4", "--threads", "1" }
  T.eq(rc, 0, "exit status: " .. err)
  T.has(out, "sensitivity: morris, 6 inputs x 2 outputs, 14 evaluations")
  T.has(out, "sensitivity: sobol, 6 inputs x 2 outputs, 32 evaluations")
  for _, f in ipairs{ "morris.html", "sobol.html", "morris_V1_multiplier.csv", "sobol_V5_spending_per_yuan.md" } do
    assert(T.exists(work .. "/o/sensitivity/" .. f), f)
  end
end)

T.finish()
