-- test_calibrate.lua: sp.calibrate on a tiny population: recovery of the
-- parameters that generated synthetic targets, the result's fields, tables and
-- files, check mode, and the errors (a target without a band, and the others)
-- with the scenario line.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()
local work = T.workdir()

local pop = sp.population.beijing{ households = 1500, year = 2019, seed = 3 }
local base = sp.package{ name = "Status quo" }
local exp = sp.experiment{ population = pop, start = "2020-01", months = 10, seed = 5, threads = 1,
  packages = { base,
    base:with{ name = "V5", sp.voucher{ face = 1800, start = "2020-03", months = 1,
                                        claim = "targeted", filter = "true" } },
    base:with{ name = "V4", sp.voucher{ face = 2000, start = "2020-03", months = 6,
                                        claim = "targeted", filter = "true" } } } }

-- extra spending over the horizon / value of the vouchers handed out
local function ratio(res, p, face)
  local ds, n = 0, 0
  for m = 1, 10 do
    ds = ds + res:value(p, 1, m, "all", "spending") - res:value(1, 1, m, "all", "spending")
    n = n + res:value(p, 1, m, "all", "vouchers_claimed")
  end
  return ds / (n * face)
end
local fns = { V5 = function(r) return ratio(r, "V5", 1800) end,
              V4 = function(r) return ratio(r, "V4", 2000) end }

-- The targets the model gives at (label_window, mpc_poor_nhtm) = (2, 0.1):
-- one evaluation at the start, max_iter = 1, reading the trace's first row.
local function values_at(lw, mpc)
  local c = sp.calibrate{ experiment = exp,
    params = { label_window = { 0.5, 12, lw }, mpc_poor_nhtm = { 0.01, 0.6, mpc } },
    targets = { { name = "V5", value = fns.V5, band = { 0, 1 } },
                { name = "V4", value = fns.V4, band = { 0, 1 } } }, max_iter = 1 }
  return c.trace[1].values
end

T.case("recovers the parameters that generated the targets", function()
  local truth = values_at(2.0, 0.1)
  local targets = {}
  for _, k in ipairs{ "V5", "V4" } do -- bands of +-0.5% around the generated values
    targets[#targets + 1] = { name = k, value = fns[k], band = { truth[k] * 0.995, truth[k] * 1.005 } }
  end
  local c = sp.calibrate{ experiment = exp, targets = targets, max_iter = 80,
    params = { label_window = { 0.5, 12, 6 }, mpc_poor_nhtm = { 0.01, 0.6, 0.3 } } }
  print(string.format("# recovered label_window %.5f (truth 2), mpc_poor_nhtm %.5f (truth 0.1), "
                      .. "%d iterations, %d evaluations", c.fitted.label_window,
                      c.fitted.mpc_poor_nhtm, c.iterations, c.evaluations))
  -- stated tolerance: 1% of the true values
  assert(math.abs(c.fitted.label_window - 2.0) < 0.02, c.fitted.label_window)
  assert(math.abs(c.fitted.mpc_poor_nhtm - 0.1) < 0.001, c.fitted.mpc_poor_nhtm)
  T.eq(c.residuals.V5, 0, "V5 inside its band")
  T.eq(c.residuals.V4, 0, "V4 inside its band")
  T.eq(c.start.label_window, 6, "start kept")
  T.eq(#c.trace, c.evaluations, "one trace row per evaluation")
  local best = math.huge
  for _, row in ipairs(c.trace) do
    assert(row.params.label_window >= 0.5 and row.params.label_window <= 12, "inside the range")
    best = math.min(best, row.loss)
  end
  T.eq(best, c.loss, "the fit is the best evaluation")
  T.matches(tostring(c), "^calibration: loss .* label_window = 2%.0")
end)

T.case("the same calibration twice gives the same fit (common random numbers)", function()
  local function fit()
    return sp.calibrate{ experiment = exp, max_iter = 8,
      params = { label_window = { 0.5, 12, 6 } },
      targets = { { name = "V5", value = fns.V5, band = { 0.8, 0.85 } } } }
  end
  local a, b = fit(), fit()
  T.eq(a.fitted.label_window, b.fitted.label_window, "fitted")
  T.eq(a.evaluations, b.evaluations, "evaluations")
end)

T.case("tables and files: fitted values, residuals against each band, trace", function()
  local c = sp.calibrate{ experiment = exp, max_iter = 6,
    params = { label_window = { 0.5, 12, 6 } },
    targets = { { name = "V5", value = fns.V5, band = { 0.01, 0.05 } } } } -- unreachable: V5 > 0.2
  assert(c.residuals.V5 > 0, "above the band: positive residual")
  T.eq(c.residuals.V5, c.values.V5 - 0.05, "residual = value - hi")
  local fit = c:table("fit")
  T.eq(fit:nrows(), 1, "one parameter")
  T.eq(fit:get(1, 2), c.fitted.label_window, "fitted column")
  T.eq(fit:value("label_window", "hi"), 12, "range")
  local res = c:table("residuals")
  T.eq(res:value("V5", "inside"), 0, "outside the band")
  T.eq(res:value("V5", "band lo"), 0.01, "band lo")
  local tr = c:table("trace")
  T.eq(tr:nrows(), c.evaluations, "trace rows")
  T.eq(tr:col_labels()[3], "loss", "trace columns: parameters, targets, loss")
  assert(c:write(work .. "/cal"))
  for _, f in ipairs{ "cal_fit.csv", "cal_fit.md", "cal_residuals.csv", "cal_residuals.md",
                      "cal_trace.csv", "cal_trace.md" } do
    assert(T.exists(work .. "/" .. f), f)
  end
  local csv = T.read(work .. "/cal_trace.csv")
  T.eq(select(2, csv:gsub("\n", "")), c.evaluations + 1, "trace.csv: header and one line per evaluation")
  assert(c:write(work .. "/only", "json"))
  assert(T.exists(work .. "/only_residuals.json"))
  assert(not T.exists(work .. "/only_residuals.csv"))
  T.write(work .. "/plain", "a file, not a directory")
  local ok, msg = c:write(work .. "/plain/x")
  if ok then error("expected a failure to write") end
  assert(type(msg) == "string")
end)

-- The message of the error raised on line 3 of scen.lua (two header lines).
local function expect(code, ...)
  local msg = T.error_of("scen.lua", "local sp, exp, fns = ...\n\n" .. code, sp, exp, fns)
  T.has(msg, "scen.lua:3: ", "position")
  for _, part in ipairs({ ... }) do T.has(msg, part) end
  return msg
end

local P = "params = { label_window = { 0.5, 12, 3 } }, "
local TG = "targets = { { name = 'V5', value = fns.V5, band = { 0.8, 0.9 } } }"

T.case("a target without a band is an error with the scenario line", function()
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'V5', value = fns.V5 } } }",
         "sp.calibrate: target 'V5' has no band (band = { lo, hi }")
end)

T.case("bad parameters, targets and options name the key and value", function()
  expect("sp.calibrate{ experiment = exp, params = { label_windw = { 0.5, 12, 3 } }, " .. TG .. " }",
         "unknown parameter 'label_windw'")
  expect("sp.calibrate{ experiment = exp, params = { label_window = { 0.5, 12 } }, " .. TG .. " }",
         "params: 'label_window' must be { lo, hi, start }")
  expect("sp.calibrate{ experiment = exp, params = { label_window = { 0.5, 12, 20 } }, " .. TG .. " }",
         "'label_window' start 20.0 must lie strictly inside [0.5, 12.0]")
  expect("sp.calibrate{ experiment = exp, params = { label_window = { 0.01, 12, 3 } }, " .. TG .. " }",
         "'label_window' range [0.01, 12.0] leaves the parameter's range [0.1, 60.0]")
  expect("sp.calibrate{ experiment = exp, params = { label_window = { 5, 2, 3 } }, " .. TG .. " }",
         "'label_window' needs lo < hi")
  expect("sp.calibrate{ experiment = exp, params = { label_window = { 'a', 12, 3 } }, " .. TG .. " }",
         "params: 'label_window' lo must be a number, got string")
  expect("sp.calibrate{ experiment = exp, params = {}, " .. TG .. " }", "'params' names no parameter")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'V5', value = 3, band = { 0, 1 } } } }",
         "target 'V5': 'value' must be a function(res) returning a number, got number")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'V5', value = fns.V5, band = { 1, 0 } } } }",
         "target 'V5': band needs lo < hi")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'V5', value = fns.V5, band = 0.9 } } }",
         "target 'V5': 'band' must be { lo, hi }, got number")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { value = fns.V5, band = { 0, 1 } } } }",
         "sp.calibrate: targets[1]: 'name' is required")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'a', value = fns.V5, band = { 0, 1 }, weight = 2 } } }",
         "targets[1]: unknown key 'weight'")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'a', value = fns.V5, band = { 0, 1 } }, "
         .. "{ name = 'a', value = fns.V5, band = { 0, 1 } } } }", "two targets are named 'a'")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = {} }", "'targets' must hold at least one target")
  expect("sp.calibrate{ experiment = exp, " .. P .. TG .. ", max_iter = 0 }",
         "'max_iter' must be between 1 and 100000, got 0")
  expect("sp.calibrate{ experiment = exp, " .. P .. TG .. ", iterations = 5 }", "unknown key 'iterations'")
  expect("sp.calibrate{ experiment = 5, " .. P .. TG .. " }",
         "sp.calibrate: 'experiment' must be an experiment (sp.experiment{...}), got number")
  expect("sp.calibrate{ " .. P .. TG .. " }", "sp.calibrate: 'experiment' is required")
  expect("sp.calibrate{ experiment = exp, " .. TG .. " }", "'params' is required")
  expect("sp.calibrate{ experiment = exp, " .. P .. " }", "'targets' is required")
  expect("sp.calibrate{ experiment = exp, params = 3, " .. TG .. " }",
         "'params' must be a table of name = { lo, hi, start }, got number")
  expect("sp.calibrate{ experiment = exp, params = { { 0.5, 12, 3 } }, " .. TG .. " }",
         "'params' keys must be parameter names, got number")
  expect("sp.calibrate{ experiment = exp, params = { label_window = { 0.5, math.huge, 3 } }, " .. TG .. " }",
         "params: 'label_window' hi must be finite")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = 'V5' }",
         "'targets' must be a list of { name =, value =, band = }, got string")
end)

T.case("handle: fields, bad paths, closed", function()
  local c = sp.calibrate{ experiment = exp, max_iter = 2, params = { label_window = { 0.5, 12, 3 } },
    targets = { { name = "V5", value = fns.V5, band = { 0.8, 0.9 } } } }
  T.eq(c.converged, false, "2 iterations: not converged")
  local ok, msg = pcall(function() return c.colour end)
  assert(not ok)
  T.has(msg, "calibration: no field or method 'colour'")
  ok, msg = pcall(c.write, c, "")
  assert(not ok)
  T.has(msg, "calibration:write: the path must be a non-empty string")
  do local closing <close> = c end
  T.eq(tostring(c), "calibration (closed)", "closed")
end)

T.case("a target function that fails or returns no number stops the fit, naming the target", function()
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'V5', band = { 0, 1 }, value = "
         .. "function(res) return res:value('V9', 1, 1, 'all', 'spending') end } } }",
         "sp.calibrate: target 'V5': ", "V9")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'V5', band = { 0, 1 }, value = "
         .. "function(res) return 'high' end } } }",
         "target 'V5': the function must return a number, got string")
  expect("sp.calibrate{ experiment = exp, " .. P .. "targets = { { name = 'V5', band = { 0, 1 }, value = "
         .. "function(res) return 0/0 end } } }",
         "target 'V5' is not a finite number", "label_window = 3")
end)

T.case("the results a target function kept are closed afterwards", function()
  local kept
  sp.calibrate{ experiment = exp, max_iter = 1, params = { label_window = { 0.5, 12, 3 } },
    targets = { { name = "V5", band = { 0, 1 }, value = function(res) kept = res; return fns.V5(res) end } } }
  local ok, msg = pcall(function() return kept:months() end)
  assert(not ok and msg:find("closed", 1, true), msg)
end)

T.case("check mode runs nothing and writes nothing", function()
  local dir = work .. "/check"
  T.sh("mkdir -p " .. T.q(dir))
  T.write(dir .. "/scen.lua", [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 300, year = 2019, seed = 3 }
local b = sp.package{ name = "Status quo" }
local exp = sp.experiment{ population = pop, packages = { b }, start = "2020-01", months = 2 }
local c = sp.calibrate{ experiment = exp, params = { label_window = { 0.5, 12, 3 } },
  targets = { { name = "t", value = function(res) return 1 end, band = { 0, 2 } } } }
assert(c.evaluations == 0 and c.fitted.label_window == 3)
assert(c:write("cal"))
print("checked")
]])
  local rc, out, err = T.cli({ "check", "scen.lua" }, dir)
  T.eq(rc, 0, "exit status (" .. err .. ")")
  assert(not T.exists(dir .. "/cal_fit.csv"), "nothing written")
end)

T.case("the worked example (scripts/calibration_example.lua) runs at a tiny size", function()
  local scen = T.args.src .. "/scripts/calibration_example.lua"
  local rc, out, err = T.cli { "run", scen, "--out", "o", "--set", "households=1500",
                               "--set", "replicates=1", "--set", "max_iter=3", "--threads", "1" }
  T.eq(rc, 0, "exit status: " .. err)
  for _, part in ipairs{ "calibration: loss", "V1 multiplier", "V4 spending per yuan",
                         "V5 spending per yuan", "V7 additionality", "V10 subsidy per vehicle",
                         "voucher_coverage", "label_window", "subsidy_beta", "car_price_share" } do
    T.has(out, part, "output")
  end
  for _, f in ipairs{ "fit", "residuals", "trace" } do
    assert(T.exists(work .. "/o/calibration/validation_" .. f .. ".csv"), f)
  end
  local rc2, _, err2 = T.cli { "check", scen }
  T.eq(rc2, 0, "check: " .. err2)
end)

T.finish()
