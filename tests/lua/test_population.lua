-- test_population.lua: population parameters, saved populations and the
-- microdata export. sp.population.beijing's liquidity shares and car-ownership
-- keys (defaults change nothing; bad values are errors naming key, value and
-- scenario line); pop:save + sp.population.load and pop:write +
-- sp.population.csv give results identical to the built population, cell by
-- cell; microdata ids are kept and written back; ignore = {...} skips columns;
-- corrupt saved files are refused at the scenario line; the CLI's manifest
-- names the population file; safe mode confines load and save.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()
local work = T.workdir()

local function expect(code, ...)
  local msg = T.error_of("scen.lua", "local sp = ...\n\n" .. code, sp)
  T.has(msg, "scen.lua:3: ", "position")
  for _, part in ipairs({ ... }) do T.has(msg, part) end
  return msg
end

local pk = sp.package{ name = "Status quo", sp.plates.individual_lottery{} }
local plan = pk:with{ name = "Vouchers",
  sp.voucher{ name = "40-10", face = 10, threshold = 40, coupons = 5, supply = 2e5,
              claim = "first_come", start = "2020-04-20", days = 7, categories = { "food" } } }

local function run(pop)
  return sp.experiment{ population = pop, packages = { pk, plan }, start = "2020-01", months = 6,
                        replicates = 2, seed = 4 }:run()
end

-- Every cell of two results, exactly.
local function same_results(a, b, what)
  local groups = { "all", "Q1", "Q5", "urban", "car owner", "poor HtM", "D3", "CT2" }
  local metrics = { "spending", "food", "cars", "vouchers_redeemed", "car_purchases", "households" }
  for _, p in ipairs({ "Status quo", "Vouchers" }) do
    for r = 1, 2 do
      for m = 1, 6 do
        for _, g in ipairs(groups) do
          for _, x in ipairs(metrics) do
            local va, vb = a:value(p, r, m, g, x), b:value(p, r, m, g, x)
            if va ~= vb then
              error(string.format("%s: %s rep %d month %d %s %s: %.17g vs %.17g", what, p, r, m, g,
                                  x, va, vb), 2)
            end
          end
        end
      end
    end
  end
end

local base = sp.population.beijing{ households = 4000, seed = 3 }
local base_res = run(base)

T.case("beijing: the default keys given explicitly build the same population", function()
  local same = sp.population.beijing{ households = 4000, seed = 3,
    liquidity = { poor_htm = 0.068, wealthy_htm = 0.367, poor_nhtm = 0.066, wealthy_nhtm = 0.499 },
    private_cars = 4974000, car_income_slope = 1.2, car_size_slope = 0.3,
    second_car_intercept = -2.4, second_car_slope = 1.0 }
  same_results(base_res, run(same), "explicit defaults")
end)

T.case("beijing: liquidity shares and car targets move the population", function()
  local p = sp.population.beijing{ households = 4000, seed = 3,
    liquidity = { poor_htm = 0.2, wealthy_htm = 0.2, poor_nhtm = 0.1, wealthy_nhtm = 0.5 },
    private_cars = 3e6 }
  local s, s0 = p:summary(), base:summary()
  assert(math.abs(s.liquidity.poor_htm - 0.2) < 0.03, "poor HtM share " .. s.liquidity.poor_htm)
  assert(math.abs(s.private_cars - 3e6) < 0.01 * 3e6, "cars " .. s.private_cars)
  assert(s0.private_cars > 4.9e6, "default cars " .. s0.private_cars)
end)

T.case("beijing: bad population keys name key, value and line", function()
  expect("sp.population.beijing{ liquidity = { poor_htm = 0.5, wealthy_htm = 0.5, poor_nhtm = 0.5, wealthy_nhtm = 0 } }",
         "'liquidity'", "sum to 1", "got 1.5")
  expect("sp.population.beijing{ liquidity = { poor_htm = 1 } }", "'wealthy_htm' is missing")
  expect("sp.population.beijing{ liquidity = { poor = 1 } }", "unknown key 'poor'")
  expect("sp.population.beijing{ liquidity = { poor_htm = -0.1, wealthy_htm = 0.5, poor_nhtm = 0.1, wealthy_nhtm = 0.5 } }",
         "'poor_htm'", "-0.1")
  expect("sp.population.beijing{ liquidity = 0.3 }", "'liquidity' must be a table")
  expect("sp.population.beijing{ liquidity = { poor_htm = 0.4, wealthy_htm = 0.2, poor_nhtm = 0.2, wealthy_nhtm = 0.2 } }",
         "poor_htm + poor_nhtm must be at most 0.5", "got 0.6")
  expect("sp.population.beijing{ private_cars = -5 }", "'private_cars'", "-5")
  expect("sp.population.beijing{ car_income_slope = 'steep' }", "'car_income_slope'")
  expect("sp.population.beijing{ households = 60000000 }", "'households'", "60000000")
end)

-- The population's MPCs (issue 13 item 8): values exact in single precision,
-- as the population stores them.
local mpcs = { poor_htm = 0.5, wealthy_htm = 0.375, poor_nhtm = 0.125, wealthy_nhtm = 0.0625 }

T.case("beijing: mpc by type replaces the experiment's mpc_* parameters", function()
  local pop_m = sp.population.beijing{ households = 4000, seed = 3, mpc = mpcs }
  local direct = sp.experiment{ population = base, packages = { pk, plan }, start = "2020-01",
                                months = 6, replicates = 2, seed = 4,
                                params = { mpc_poor_htm = 0.5, mpc_wealthy_htm = 0.375,
                                           mpc_poor_nhtm = 0.125, mpc_wealthy_nhtm = 0.0625 } }:run()
  same_results(run(pop_m), direct, "population MPCs = the same MPCs as parameters")
  for _, drawn in ipairs(run(pop_m):parameters()) do
    T.eq(drawn.mpc_poor_htm, nil, "the population's MPC is not drawn")
  end
  -- a value the experiment gives still wins
  local given = sp.experiment{ population = pop_m, packages = { pk, plan }, start = "2020-01",
                               months = 6, replicates = 2, seed = 4,
                               params = { mpc_poor_htm = 0.5, mpc_wealthy_htm = 0.375,
                                          mpc_poor_nhtm = 0.125, mpc_wealthy_nhtm = 0.25 } }:run()
  assert(given:value("Vouchers", 1, 4, "all", "spending") ~= direct:value("Vouchers", 1, 4, "all", "spending"),
         "params given override the population's MPCs")
  local defaults = sp.population.beijing{ households = 4000, seed = 3, mpc_quintile = { 1, 1, 1, 1, 1 } }
  same_results(run(defaults), base_res, "multipliers of 1 change nothing")
end)

T.case("beijing: mpc_quintile multiplies the MPC of its quintile only", function()
  local cash = pk:with{ name = "Cash", sp.cash_transfer{ name = "cash", start = "2020-02", amount = 1000 } }
  local function effect(pop)
    local res = sp.experiment{ population = pop, packages = { pk, cash }, start = "2020-01", months = 6,
                               replicates = 2, seed = 4 }:run()
    local t = res:table{ rows = "quintile", package = "Cash", diff = true, by = "total", unit = "total" }
    local out = {}
    for q = 1, 5 do out[q] = t:value("Q" .. q, t:col_labels()[1]) end
    return out
  end
  local one = effect(base)
  local scaled = effect(sp.population.beijing{ households = 4000, seed = 3, mpc_quintile = { 1.5, 1, 1, 1, 1 } })
  assert(math.abs(scaled[1] / one[1] - 1.5) < 1e-6, "Q1 spends 1.5 times as much: " .. scaled[1] / one[1])
  for q = 2, 5 do T.eq(scaled[q], one[q], "Q" .. q .. " unchanged") end
end)

T.case("beijing: bad MPC keys, and an MPC above 1, are errors", function()
  expect('sp.population.beijing{ households = 100, mpc = { poor_htm = 1.5, wealthy_htm = 0.4, poor_nhtm = 0.1, wealthy_nhtm = 0.1 } }',
         "poor_htm", "1.5")
  expect('sp.population.beijing{ households = 100, mpc = { poor_htm = 0.5, wealthy_htm = 0.4, poor_nhtm = 0.1 } }',
         "'mpc' needs all four MPCs; 'wealthy_nhtm' is missing")
  expect('sp.population.beijing{ households = 100, mpc = 0.5 }', "'mpc' must be a table")
  expect('sp.population.beijing{ households = 100, mpc_quintile = { 1, 1, 1, 1 } }',
         "'mpc_quintile' must be a list of 5 multipliers")
  expect('sp.population.beijing{ households = 100, mpc_quintile = { 1, 0, 1, 1, 1 } }',
         "'mpc_quintile'[2] must be a number above 0 and at most 2, got 0")
  expect('sp.experiment{ population = sp.population.beijing{ households = 200, mpc_quintile = { 1.5, 1, 1, 1, 1 }, '
         .. 'mpc = { poor_htm = 0.8, wealthy_htm = 0.4, poor_nhtm = 0.1, wealthy_nhtm = 0.1 } }, '
         .. 'packages = { sp.package{ name = "A" } }, months = 2 }:run()',
         "mpc_poor_htm can be 0.8", "income quintile 1 is 1.5", "above 1")
end)

T.case("save and load keep the population's MPCs", function()
  local pop_m = sp.population.beijing{ households = 4000, seed = 3, mpc = mpcs,
                                       mpc_quintile = { 1.25, 1, 1, 1, 0.75 } }
  local f = work .. "/mpc.spop"
  assert(pop_m:save(f))
  same_results(run(sp.population.load{ path = f }), run(pop_m), "saved and loaded MPCs")
end)

T.case("save and load: the same results, cell by cell; the file is recorded", function()
  local f = work .. "/base.spop"
  assert(base:save(f))
  local q = sp.population.load{ path = f }
  T.eq(#q, 4000, "households")
  T.has(tostring(q), "4000 households")
  same_results(base_res, run(q), "loaded")
end)

T.case("write and csv: the same results, cell by cell", function()
  local f = work .. "/households.csv"
  assert(base:write(f))
  local text = T.read(f)
  T.has(text, "id,weight,size,area,income,consumption,share_food")
  local q = sp.population.csv{ path = f }
  same_results(base_res, run(q), "microdata round trip")
end)

T.case("microdata ids are kept and written back; ignore skips columns", function()
  local f = work .. "/ids.csv"
  T.write(f, "hh_code,id,weight,size,area,income,consumption,survey_wave\n" ..
             "A1,9001,100,2,urban,120000,80000,3\n" ..
             "A2,-42,150,1,rural,40000,30000,3\n" ..
             "A3,123456789012,90,4,urban,200000,120000,4\n")
  local p = sp.population.csv{ path = f, ignore = { "hh_code", "survey_wave" } }
  T.eq(#p, 3, "households")
  local out = work .. "/ids_out.csv"
  assert(p:write(out))
  local text = T.read(out)
  T.has(text, "\n9001,100,2,urban,")
  T.has(text, "\n-42,150,1,rural,")
  T.has(text, "\n123456789012,90,4,urban,")
  -- and read back again: ids still there
  local again = sp.population.csv{ path = out }
  assert(again:write(work .. "/ids_out2.csv"))
  local body = function(t) return t:gsub("^#[^\n]*\n", "") end -- the comment names the file
  T.eq(body(T.read(work .. "/ids_out2.csv")), body(text), "second round trip")
  -- optional known columns may be ignored too (then drawn or defaulted)
  local p2 = sp.population.csv{ path = out, ignore = { "liquidity" } }
  T.eq(#p2, 3, "households")
end)

T.case("microdata: unknown extra columns, bad ignore lists and ids are errors", function()
  local f = work .. "/extra.csv"
  T.write(f, "id,weight,size,area,income,consumption,wave\n1,1,1,urban,1,1,2\n")
  expect("sp.population.csv{ path = " .. string.format("%q", f) .. " }", "unknown column 'wave'",
         "ignore")
  expect("sp.population.csv{ path = " .. string.format("%q", f) .. ", ignore = { 'wave', 'nope' } }",
         "no column 'nope'")
  expect("sp.population.csv{ path = " .. string.format("%q", f) .. ", ignore = { 'wave', 'income' } }",
         "'income' is a required column")
  expect("sp.population.csv{ path = " .. string.format("%q", f) .. ", ignore = 'wave' }",
         "'ignore' must be a list")
  expect("sp.population.csv{ path = " .. string.format("%q", f) .. ", ignore = { 7 } }",
         "'ignore' entry 1 must be a column name")
  local g = work .. "/badid.csv"
  T.write(g, "id,weight,size,area,income,consumption\nx7,1,1,urban,1,1\n")
  expect("sp.population.csv{ path = " .. string.format("%q", g) .. " }", "badid.csv:2", "column 'id'",
         "'x7'")
  T.write(g, "id,weight,size,area,income,consumption\n,1,1,urban,1,1\n")
  expect("sp.population.csv{ path = " .. string.format("%q", g) .. " }", "required column 'id' is empty")
end)

T.case("load: missing path, missing and corrupt files are errors at the scenario line", function()
  expect("sp.population.load{}", "'path'", "required")
  expect("sp.population.load{ path = 'x.spop', seed = 3 }", "unknown key 'seed'")
  expect("sp.population.load{ path = " .. string.format("%q", work .. "/none.spop") .. " }",
         "cannot open population file", "none.spop")
  local f = work .. "/base.spop"
  local text = T.read(f)
  local bad = work .. "/corrupt.spop"
  T.write(bad, text:sub(1, 5000) .. string.char((text:byte(5001) + 1) % 256) .. text:sub(5002))
  expect("sp.population.load{ path = " .. string.format("%q", bad) .. " }", "checksum mismatch",
         "corrupt.spop")
  T.write(bad, text:sub(1, #text - 10))
  expect("sp.population.load{ path = " .. string.format("%q", bad) .. " }", "truncated")
end)

T.case("CLI: the manifest names the population file; safe mode confines load and save", function()
  local dir = work .. "/cli"
  assert(T.sh("mkdir -p " .. T.q(dir)) == 0)
  assert(base:save(dir .. "/city.spop"))
  T.write(dir .. "/scen.lua", [[
local sp = require "spendsim"
local pop = sp.population.load{ path = "city.spop" }
local res = sp.experiment{ population = pop, packages = { sp.package{ name = "Status quo" } },
                           start = "2020-01", months = 2, seed = 1 }:run()
assert(res:table{ metric = "spending" }:write("spending", "csv"))
assert(pop:save("copy.spop"))
]])
  local rc, _, err = T.cli({ "run", "scen.lua", "--out", "out" }, dir)
  T.eq(rc, 0, "exit status (" .. err .. ")")
  local manifest = T.read(dir .. "/out/manifest.json")
  T.has(manifest, '"population_file": "city.spop (xxh64 ')
  T.has(manifest, '"copy.spop"')
  assert(T.exists(dir .. "/out/copy.spop"), "saved under --out")
  T.write(dir .. "/escape.lua", 'local sp = require "spendsim"\n' ..
          'local pop = sp.population.load{ path = "/etc/passwd" }\n')
  rc, _, err = T.cli({ "run", "escape.lua", "--out", "out" }, dir)
  assert(rc ~= 0, "loading outside the read roots must fail")
  T.has(err, "escape.lua:2:")
  T.write(dir .. "/escape2.lua", 'local sp = require "spendsim"\n' ..
          'local pop = sp.population.load{ path = "city.spop" }\n' ..
          'pop:save("/tmp/outside.spop")\n')
  rc, _, err = T.cli({ "run", "escape2.lua", "--out", "out" }, dir)
  assert(rc ~= 0, "saving outside --out must fail")
  T.has(err, "escape2.lua:3:")
end)

T.finish()
