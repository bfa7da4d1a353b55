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

-- sp.promotion and sp.night_economy ------------------------------------------

T.case("sp.promotion: window, discount, elasticity, shares", function()
  expect("sp.promotion{ start = '2020-06-18', ['end'] = '2020-06-01', discount = { clothing = 0.2 } }",
         "sp.promotion:", "ends (2020-06-01) before it starts (2020-06-18)")
  expect("sp.promotion{ start = '2020-06-01', days = 0, discount = { clothing = 0.2 } }",
         "sp.promotion: 'days'", "ends before it starts")
  expect("sp.promotion{ start = '2020-06-31', days = 3, discount = { clothing = 0.2 } }",
         "sp.promotion: 'start'", "1..30", "got 31")
  expect("sp.promotion{ start = '2020-06-01', days = 18, discount = { clothing = 1.2 } }",
         "sp.promotion:", "discount for clothing", "[0, 1)", "1.2")
  expect("sp.promotion{ start = '2020-06-01', days = 18, discount = { clotihng = 0.2 } }",
         "sp.promotion: 'discount': unknown category 'clotihng'")
  expect("sp.promotion{ start = '2020-06-01', days = 18, discount = 0.2 }",
         "sp.promotion:", "needs 'categories'")
  expect("sp.promotion{ start = '2020-06-01', days = 18, discount = { food = 0.1 }, elasticity = { food = 0.5 } }",
         "sp.promotion:", "elasticity for food", "demand falls when the price rises", "0.5")
  expect("sp.promotion{ start = '2020-06-01', days = 18, discount = { food = 0.1 }, gov_share = 1.5 }",
         "sp.promotion:", "government share must lie in 0..1", "1.5")
  expect("sp.promotion{ start = '2020-06-01', days = 18, discount = { food = 0.1 }, gov_share = 0.5, merchant_share = 0.6 }",
         "sp.promotion:", "must add up to 1")
  expect("sp.promotion{ start = '2020-06-01', days = 18, discount = { food = 0.1 }, coverage = 0 }",
         "sp.promotion:", "coverage must lie in (0, 1]")
  expect("sp.promotion{ start = '2020-06-01', days = 18, dicsount = 0.1 }",
         "sp.promotion: unknown key 'dicsount'")
end)

T.case("sp.night_economy: window, hours, coverage, categories", function()
  expect("sp.night_economy{ start = '2019-12', ['end'] = '2019-07', hours = 2 }",
         "sp.night_economy: 'end' 2019-07 is before 'start' 2019-12")
  expect("sp.night_economy{ start = '2019-07', months = 6 }", "sp.night_economy: 'hours' is required")
  expect("sp.night_economy{ start = '2019-07', months = 6, hours = 0 }",
         "sp.night_economy:", "hours must lie in (0, 12]")
  expect("sp.night_economy{ start = '2019-07', months = 6, hours = 2, coverage = 1.5 }",
         "sp.night_economy:", "coverage must lie in (0, 1]", "1.5")
  expect("sp.night_economy{ start = '2019-07', months = 6, hours = 2, categories = { 'dining' } }",
         "sp.night_economy:", "unknown category 'dining'")
  expect("sp.experiment{ population = pop, packages = { pkg }, params = { night_net_share = 1.5 } }",
         "sp.experiment: params:", "night_net_share", "1.5")
  expect("sp.experiment{ population = pop, packages = { pkg }, params = { price_elasticity_food = 0.5 } }",
         "sp.experiment: params:", "price_elasticity_food", "0.5", "[-5, 0]")
end)

-- sp.params -----------------------------------------------------------------

T.case("sp.params rejects bad declarations and undeclared reads", function()
  expect("sp.params{ n = {} }", "sp.params: 'n'", "got table")
  expect("local P = sp.params{ households = 10 }; return P.housholds",
         "no parameter 'housholds'", "households")
end)

-- sp.macro ------------------------------------------------------------------

T.case("sp.macro names the series, month and category of a bad path", function()
  expect("sp.macro{ from = '2019-01', to = '2019-03', income = { 1, 1 } }",
         "sp.macro: 'income' has 2 values", "no value for 2019-03 (a gap)")
  expect("sp.macro{ from = '2019-01', to = '2019-03', income = { ['2019-01'] = 1, ['2019-03'] = 1 } }",
         "sp.macro: income[2019-02] has no value: a gap in the path")
  expect("sp.macro{ from = '2019-01', to = '2019-03', cpi = { food = { 1, -1, 1 } } }",
         "sp.macro: cpi[2019-02].food = -1: must be a positive finite index")
  expect("sp.macro{ from = '2019-01', to = '2019-03', shock = { ['2019-05'] = 0.9 } }",
         "sp.macro: 'shock': month 2019-05 is outside the path's range 2019-01..2019-03")
  expect("sp.macro{ from = '2019-01', to = '2019-03', shock = { 1, 1, 1, 1 } }",
         "sp.macro: 'shock' has 4 values but the path covers 3 months")
  expect("sp.macro{ from = '2019-01', to = '2019-03', shock = { fod = 1 } }",
         "sp.macro: 'shock': unknown key 'fod'", "education")
  expect("sp.macro{ from = '2019-01', to = '2019-03', shock = { all = 1, fod = 1 } }",
         "sp.macro: 'shock': unknown key 'fod'", "household_goods")
  expect("sp.macro{ from = '2019-01', to = '2019-03', cpi = { food = 'high' } }",
         "sp.macro: 'cpi.food' must be a number, a list")
  expect("sp.macro{ from = '2019-01' }", "sp.macro: 'from' and 'to' are required")
  expect("sp.macro{ from = '2019-13', to = '2019-03' }", "sp.macro: 'from'")
  expect("sp.macro{ from = '2019-01', to = '2019-03', incom = 1 }", "sp.macro: unknown key 'incom'")
  expect("sp.macro.beijing{ shock = false }", "sp.macro.beijing: unknown key 'shock'", "shocks")
  expect("sp.macro.neutral{ from = '2019-01' }", "sp.macro.neutral: 'from' and 'to' are required")
  expect("sp.macro.beijing{}:factor('2030-01', 'food')", "outside the path's range")
end)

T.case("sp.experiment checks its macro path", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, macro = 1 }",
         "sp.experiment: 'macro' must be a macro path", "got number")
  expect("sp.experiment{ population = pop, packages = { pkg }, start = '2023-06', months = 12,"
         .. " macro = sp.macro.beijing{} }",
         "sp.experiment: the macro path covers 2019-01..2023-12", "month 2024-05 is outside its range")
  expect("sp.experiment{ population = pop, packages = { pkg }, macro = sp.macro.neutral{"
         .. " from = '2019-01', to = '2021-12', base_year = 2020 } }",
         "sp.experiment: macro: the path is relative to 2020", "base year is 2019")
end)

-- durables and consumer credit --------------------------------------------------

T.case("sp.appliance_tradein: rates, caps, types, budget, keys", function()
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, rate = 1.5 }',
         "sp.appliance_tradein: 'rate' must lie in 0..1", "1.5")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, rate_grade1 = 2 }',
         "'rate_grade1' must lie in 0..1")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, rate = 0.1, rate_grade1 = 0.2 }',
         "not both")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, cap = -1 }',
         "sp.appliance_tradein: 'cap' must be 0 (none) or more yuan")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, cap = { tv = -5 } }',
         "'cap' of tv must be 0 (none) or more yuan")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, types = { "toaster" } }',
         "unknown appliance type 'toaster'", "air_conditioner")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, types = {} }',
         "at least one appliance type")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, budget = -1 }', "'budget'")
  expect('sp.appliance_tradein{ start = "2024-08" }', "'end' or 'months' is required")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, caps = 1 }',
         "sp.appliance_tradein: unknown key 'caps'")
  expect('sp.appliance_tradein{ start = "2024-08", months = 5, filter = "income_quintile <=" }',
         "sp.appliance_tradein: 'filter'")
end)

T.case("sp.consumer_credit: term, rate, subsidy, purpose, keys", function()
  expect('sp.consumer_credit{ start = "2025-09", months = 12, term = 0 }',
         "sp.consumer_credit: 'term' must be 1..360 months, got 0")
  expect('sp.consumer_credit{ start = "2025-09", months = 12, rate = 1.2 }', "'rate' must lie in 0..1")
  expect('sp.consumer_credit{ start = "2025-09", months = 12, subsidy_rate = 0.05 }',
         "'subsidy_rate' must lie in 0..rate")
  expect('sp.consumer_credit{ start = "2025-09", months = 12, subsidy_cap = -1 }',
         "'subsidy_cap' must be 0 (none) or more yuan")
  expect('sp.consumer_credit{ start = "2025-09", months = 12, limit = 0 }', "'limit' must be more than 0")
  expect('sp.consumer_credit{ start = "2025-09", months = 12, purpose = "car" }',
         "unknown purpose 'car'", "home_improvement")
  expect('sp.consumer_credit{ start = "2025-09", months = 12, trem = 12 }',
         "sp.consumer_credit: unknown key 'trem'")
end)

-- used cars and neighbourhood outlets --------------------------------------------

T.case("sp.purchase_subsidy: a budget below 0 or not finite", function()
  expect('sp.purchase_subsidy{ start = "2020-07", months = 6, budget = -1 }',
         "sp.purchase_subsidy", "budget must be 0 (unlimited) or a positive amount of yuan, got -1")
  expect('sp.purchase_subsidy{ start = "2020-07", months = 6, budget = 1/0 }',
         "sp.purchase_subsidy", "budget")
end)

T.case("sp.used_car_export: shares, yuan, standards, ages, window, keys", function()
  expect('sp.used_car_export{ start = "2020-06", months = 12, value_gain = 1.5 }',
         "sp.used_car_export: 'value_gain' must lie in 0..1", "1.5")
  expect('sp.used_car_export{ start = "2020-06", months = 12, export_share = 1.2 }',
         "'export_share' must lie in 0..1", "1.2")
  expect('sp.used_car_export{ start = "2020-06", months = 12, transaction_cost = -500 }',
         "sp.used_car_export: 'transaction_cost' must be 0 or more yuan", "-500")
  expect('sp.used_car_export{ start = "2020-06", months = 12, subsidy = 3000, budget = -1 }',
         "'budget' must be 0 or more yuan")
  expect('sp.used_car_export{ start = "2020-06", months = 12, standards = { "IV", "China 7" } }',
         "unknown emission standard 'China 7'", "II, III, IV, V, VI")
  expect('sp.used_car_export{ start = "2020-06", months = 12, standards = { 9 } }',
         "unknown emission standard 9")
  expect('sp.used_car_export{ start = "2020-06", months = 12, standards = {} }',
         "at least one emission standard")
  expect('sp.used_car_export{ start = "2020-06", months = 12, min_age = 10, max_age = 6 }',
         "'max_age' 6", "below 'min_age' 10")
  expect('sp.used_car_export{ start = "2020-06", months = 12, min_age = -1 }',
         "'min_age' must lie in 0..100 years")
  expect('sp.used_car_export{ start = "2020-06", ["end"] = "2020-01" }',
         "sp.used_car_export: 'end' 2020-01 is before 'start' 2020-06")
  expect('sp.used_car_export{ start = "2020-06", months = 12, value_gain = 0, transaction_cost = 0 }',
         "changes nothing")
  expect('sp.used_car_export{ start = "2020-06", months = 12, resale = 0.1 }',
         "sp.used_car_export: unknown key 'resale'", "value_gain")
  expect('sp.package{ name = "x", sp.used_car_export{ start = "2020-06", months = 3 },'
         .. ' sp.used_car_export{ name = "b", start = "2020-06", months = 3 } }',
         "at most one used-car export measure")
end)

T.case("sp.community_outlets: shares, yuan, window, required keys", function()
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = 600, coverage = 1.5 }',
         "sp.community_outlets: 'coverage' must lie in (0, 1]", "1.5")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = 600, coverage = 0.1,'
         .. ' diversion = 1.1 }', "'diversion' must lie in 0..1", "1.1")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = 600, coverage = 0.1,'
         .. ' capture = 0 }', "'capture' must lie in (0, 1]")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = 600, coverage = 0.1,'
         .. ' subsidy = -100 }', "'subsidy' must be 0 or more yuan per outlet", "-100")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = 600, coverage = 0.1,'
         .. ' budget = -1 }', "'budget' must be 0 (unlimited) or more yuan")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = -3, coverage = 0.1 }',
         "'outlets' must be a positive number")
  expect('sp.community_outlets{ start = "2020-06", months = 12, coverage = 0.1 }', "'outlets' is required")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = 600 }', "'coverage' is required")
  expect('sp.community_outlets{ start = "2020-06", ["end"] = "2020-02", outlets = 600, coverage = 0.1 }',
         "sp.community_outlets: 'end' 2020-02 is before 'start' 2020-06")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlets = 600, coverage = 0.1,'
         .. ' categories = { "groceries" } }', "unknown category 'groceries'")
  expect('sp.community_outlets{ start = "2020-06", months = 12, outlet = 600, coverage = 0.1 }',
         "sp.community_outlets: unknown key 'outlet'")
end)

-- core errors carry the position too ------------------------------------------

T.case("core error carries the scenario position", function()
  expect("sp.population.beijing{ year = 2020 }", "sp.population.beijing:", "2020")
end)

-- report options and the uncertainty switch (issue 13 items 10, 11) ------

T.case("report: unknown language, bad tables, bad summary, unknown key", function()
  expect("res:report('x', { lang = 'fr' })", "results:report: ", "'lang' value", "fr", "zh")
  expect("res:report('x', { tables = 3 })", "results:report: 'tables' must be a list of tables")
  expect("res:report('x', { tables = { 1 } })", "results:report: 'tables[1]' must be a table value")
  expect("res:report('x', { tables = { x = res:summary() } })", "unexpected key 'x'")
  expect("res:report('x', { summary = 'no' })", "results:report: ", "summary")
  expect("res:report('x', { langs = 'zh' })", "results:report: unknown key 'langs'")
  expect("local k; do local t <close> = res:summary(); k = t end; res:report('x', { tables = { k } })",
         "'tables[1]' is closed")
end)

T.case("experiment: uncertainty must be a boolean", function()
  expect("sp.experiment{ population = pop, packages = { pkg }, uncertainty = 'yes' }",
         "sp.experiment: ", "uncertainty")
end)

T.finish()
