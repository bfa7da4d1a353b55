-- test_api_errors.lua: argument errors of the Lua API name the function, the
-- key, the value where relevant, and the scenario file and line.
--
-- Each case runs a small chunk named "scen.lua" whose API call sits on a known
-- line, and checks the message prefix "scen.lua:<line>: ".
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()

local pop = sp.population.beijing{ households = 300, seed = 5 }
local pkg = sp.package{ name = "Status quo" }
local res = sp.experiment{ population = pop, packages = { pkg }, months = 3, threads = 1 }:run()

-- The message of the error raised on line 3 of scen.lua (two header lines).
local function err3(code)
  return T.error_of("scen.lua", "local sp, pop, pkg, res = ...\n\n" .. code, sp, pop, pkg, res)
end

local function expect(code, ...)
  local msg = err3(code)
  T.has(msg, "scen.lua:3: ", "position")
  for _, part in ipairs({ ... }) do T.has(msg, part) end
  return msg
end

-- unknown keys ------------------------------------------------------------

T.case("unknown key in sp.population.beijing", function()
  expect("sp.population.beijing{ housholds = 100 }",
         "sp.population.beijing: unknown key 'housholds'", "households")
end)

T.case("unknown key in sp.experiment", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, month = 3 }",
         "sp.experiment: unknown key 'month'")
end)

T.case("unknown key in sp.package", function()
  expect("sp.package{ nme = 'x' }", "sp.package: unknown key 'nme'")
end)

T.case("unknown key in results:table", function()
  expect("res:table{ metrc = 'food' }", "results:table: unknown key 'metrc'")
end)

T.case("positional entry where only names are allowed", function()
  expect("sp.experiment{ pop }", "sp.experiment:", "positional entry 1")
end)

-- wrong types -------------------------------------------------------------

T.case("wrong type: string for an integer", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, months = '36' }",
         "sp.experiment: 'months' must be an integer, got string")
end)

T.case("wrong type: fraction for an integer", function()
  expect("sp.population.beijing{ households = 2.5 }",
         "'households' must be an integer, got 2.5")
end)

T.case("wrong type: package where a population is expected", function()
  expect("sp.experiment{ population = pkg, packages = { pkg } }",
         "sp.experiment: 'population' must be a population, got package")
end)

T.case("wrong type: list entry", function()
  expect("sp.experiment{ population = pop, packages = { pkg, 'Plan' } }",
         "'packages[2]' must be a package, got string")
end)

T.case("wrong type: boolean option", function()
  expect("res:table{ diff = 'yes' }", "results:table: 'diff' must be a boolean", "got string")
end)

T.case("wrong type: not a table of named arguments", function()
  expect("sp.population.beijing(100)", "sp.population.beijing: expected a table", "got number")
end)

-- out of range ------------------------------------------------------------

T.case("negative households", function()
  expect("sp.population.beijing{ households = -5 }",
         "sp.population.beijing: 'households' must be between 1 and 50000000, got -5")
end)

T.case("microdata: missing path, missing file, bad column", function()
  expect("sp.population.csv{ year = 2019 }", "sp.population.csv: 'path' (the CSV file) is required")
  expect("sp.population.csv{ path = '/nonexistent/hh.csv' }",
         "sp.population.csv: cannot open microdata '/nonexistent/hh.csv'")
  local f = T.args.work .. "/bad_microdata.csv"
  T.sh("mkdir -p " .. T.q(T.args.work))
  T.write(f, "weight,size,area,income,consumption\n1,1,urban,x,1\n")
  expect("sp.population.csv{ path = '" .. f .. "' }", "bad_microdata.csv:2", "column 'income'",
         "'x' is not a number")
end)

T.case("months <= 0", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, months = 0 }",
         "sp.experiment: 'months'", "got 0")
  expect("sp.experiment{ population = pop, packages = { pkg }, months = -3 }",
         "sp.experiment: 'months'", "got -3")
end)

T.case("replicates out of range", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, replicates = 0 }",
         "'replicates'", "got 0")
end)

T.case("bad start month", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, start = '2019-13' }",
         "sp.experiment: 'start'", "2019-13")
end)

T.case("unknown model parameter", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, params = { grwth = 1.05 } }",
         "sp.experiment: params: unknown parameter 'grwth'", "growth")
end)

T.case("model parameter out of range", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, params = { growth = 9 } }",
         "sp.experiment: params:", "'growth'", "9")
end)

T.case("empty package list and duplicate names", function()
  expect("sp.experiment{ population = pop, packages = {} }", "'packages'")
  expect("sp.experiment{ population = pop, packages = { pkg, pkg } }", "Status quo")
end)

T.case("missing required keys", function()
  expect("sp.experiment{ packages = { pkg } }", "'population' is required")
  expect("sp.package{}", "sp.package: 'name' is required")
end)

T.case("package entries must be measures", function()
  expect("sp.package{ name = 'Plan', {} }", "sp.package: entry 1 is not a measure (got table)")
end)

-- names in queries --------------------------------------------------------

T.case("unknown category (metric) in res:table", function()
  expect("res:table{ rows = 'quintile', metric = 'fod' }",
         "results:table: unknown metric 'fod'", "food", "household_goods")
end)

T.case("unknown group in res:table", function()
  expect("res:table{ group = 'Q6' }", "results:table: unknown group 'Q6'", "Q5", "no car")
end)

T.case("bad arguments of results:summary", function()
  expect("res:summary{ by = 'decile' }", "results:summary: unknown 'by' value 'decile'",
         "consumption_decile", "income_decile")
  expect("res:summary{ bye = 'quintile' }", "results:summary: unknown key 'bye'")
  expect("res:summary({}, 2)", "results:summary: takes at most one argument table")
end)

T.case("unknown rows, by, unit and package in res:table", function()
  expect("res:table{ rows = 'decile' }", "'rows'", "'decile'", "quintile")
  expect("res:table{ by = 'week' }", "'by'", "'week'", "quarter")
  expect("res:table{ unit = 'per_person' }", "'unit'", "'per_person'", "per_capita")
  expect("res:table{ package = 'Plan' }", "unknown package 'Plan'", "Status quo")
end)

T.case("res:value and table lookups", function()
  expect("res:value('Status quo', 1, 4, 'all', 'spending')", "results:value: month", "got 4")
  expect("res:value('Status quo', 1, 1, 'Q0', 'spending')", "unknown group 'Q0'")
  expect("res:table{}:value('fod', '2019Q1')", "table:value: unknown row 'fod'")
  expect("res:table{}:write('x', 'xlsx')", "table:write: unknown format 'xlsx'", "csv")
end)

-- sp.params -----------------------------------------------------------------

T.case("sp.params rejects bad declarations and undeclared reads", function()
  expect("sp.params{ n = {} }", "sp.params: 'n'", "got table")
  expect("local P = sp.params{ households = 10 }; return P.housholds",
         "no parameter 'housholds'", "households")
end)

-- core errors carry the position too ------------------------------------------

T.case("core error carries the scenario position", function()
  expect("sp.population.beijing{ year = 2020 }", "sp.population.beijing:", "2020")
end)

T.finish()
