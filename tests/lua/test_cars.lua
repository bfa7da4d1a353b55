-- test_cars.lua: the car and plate measures (sp.scrappage, sp.purchase_subsidy,
-- sp.cash_transfer, sp.plates.individual_lottery / family_lottery / extra_quota),
-- their errors with the scenario line, and packages holding them.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local sp = T.require_spendsim()
T.workdir()

-- The message of the error raised on line 3 of scen.lua (two header lines),
-- which must carry that position and every given part.
local function expect(code, ...)
  local msg = T.error_of("scen.lua", "local sp = ...\n\n" .. code, sp)
  T.has(msg, "scen.lua:3: ", "position")
  for _, part in ipairs({ ... }) do T.has(msg, part) end
  return msg
end

local S = "start = '2020-07', months = 2, "

-- scrappage errors -------------------------------------------------------------

T.case("scrappage: amounts, shares and budget out of range name key and value", function()
  expect("sp.scrappage{ " .. S .. "budget = -1 }",
         "sp.scrappage: 'budget' must be 0 (unlimited) or more yuan, got -1")
  expect("sp.scrappage{ " .. S .. "amount = -5 }", "sp.scrappage: 'amount' must be 0 or more yuan, got -5")
  expect("sp.scrappage{ " .. S .. "amount_ice = -7000 }", "'amount_ice' must be 0 or more yuan, got -7000")
  expect("sp.scrappage{ " .. S .. "share = 1.6 }",
         "sp.scrappage: 'share' must lie in 0..1 (a share of the new car's price), got 1.6")
  expect("sp.scrappage{ " .. S .. "share_nev = -0.1 }", "'share_nev' must lie in 0..1", "got -0.1")
  expect("sp.scrappage{ " .. S .. "share = 0.16, cap = -1 }", "'cap' must be 0 or more yuan, got -1")
  expect("sp.scrappage{ " .. S .. "amount = '10000' }", "'amount' must be a number, got string")
  expect("sp.scrappage{ " .. S .. "amount = 0 }", "sp.scrappage:", "the subsidy pays nothing")
end)

T.case("scrappage: amount and share combinations", function()
  expect("sp.scrappage{ " .. S .. "amount = 1, amount_nev = 2 }",
         "give 'amount' (both fuels) or 'amount_nev'/'amount_ice', not both")
  expect("sp.scrappage{ " .. S .. "share = 0.1, share_ice = 0.2 }", "give 'share' (both fuels)")
  expect("sp.scrappage{ " .. S .. "amount = 5000, share = 0.1 }",
         "'amount' and 'share' are both set for NEVs")
  expect("sp.scrappage{ " .. S .. "amount_ice = 5000, share_ice = 0.1 }",
         "'amount_ice' and 'share_ice' are both set for ICE cars")
  expect("sp.scrappage{ " .. S .. "amount = 5000, cap = 8000 }",
         "'cap' bounds a share of the price, but no share is given")
  expect("sp.scrappage{ " .. S .. "share = 0.2, floor = 9000, cap = 8000 }",
         "sp.scrappage: 'floor' 9000 is above 'cap' 8000")
end)

T.case("scrappage: the programme's months", function()
  expect("sp.scrappage{ start = '2020-07', ['end'] = '2020-06' }",
         "sp.scrappage: 'end' 2020-06 is before 'start' 2020-07")
  expect("sp.scrappage{ start = '2020-07' }", "'end' or 'months' is required")
  expect("sp.scrappage{ start = '2020-07', ['end'] = '2020-08', months = 2 }", "(got both)")
  expect("sp.scrappage{ start = '2020-07', months = 0 }", "'months' must be between 1 and 600, got 0")
  expect("sp.scrappage{ months = 2 }", "sp.scrappage: 'start' is required")
  expect("sp.scrappage{ start = '2020-7', months = 2 }", "sp.scrappage: 'start':", "2020-7")
  expect("sp.scrappage{ start = '2020-07', ['end'] = '2020-13' }", "sp.scrappage: 'end':", "2020-13")
end)

T.case("scrappage: filter errors and unknown keys", function()
  expect("sp.scrappage{ " .. S .. "filter = 'car_ag >= 120' }",
         "sp.scrappage: 'filter': unknown column 'car_ag' at position 1", "car_age")
  expect("sp.scrappage{ " .. S .. "filter = 'emission <= ' }", "sp.scrappage: 'filter':", "position")
  expect("sp.scrappage{ " .. S .. "eligible = 'emission <= 3' }",
         "sp.scrappage: unknown key 'eligible'", "filter")
  expect("sp.scrappage{ " .. S .. "name = '' }", "sp.scrappage: 'name' must not be empty")
  expect("sp.scrappage('x')", "sp.scrappage: expected a table of named arguments, got string")
end)

T.case("car subsidies: restrictions by vehicle class, fuel economy, price and fuel", function()
  expect("sp.scrappage{ " .. S .. "classes = { 'economy_ice', 'compact' } }",
         "sp.scrappage: 'classes': unknown vehicle class 'compact' (valid: economy_ice, mid_ice, premium_ice, economy_nev, mid_nev, premium_nev)")
  expect("sp.purchase_subsidy{ " .. S .. "classes = 'mid_nev' }",
         "sp.purchase_subsidy: 'classes' must be a list of vehicle class names, got string")
  expect("sp.scrappage{ " .. S .. "classes = {} }", "sp.scrappage: 'classes' is empty")
  expect("sp.scrappage{ " .. S .. "max_fuel = -2 }",
         "sp.scrappage: 'max_fuel' must be 0 (no limit) or more litres per 100 km, got -2")
  expect("sp.purchase_subsidy{ " .. S .. "max_price = -1 }", "sp.purchase_subsidy: 'max_price' must be 0")
  expect("sp.purchase_subsidy{ " .. S .. "nev_only = 1 }", "'nev_only'")
  expect("sp.scrappage{ " .. S .. "classes = { 'premium_ice' }, max_fuel = 6.5 }",
         "sp.scrappage: the restrictions (classes, max_fuel, nev_only) leave no vehicle class eligible")
  local s = sp.scrappage{ start = "2020-07", months = 2, share = 0.16, max_fuel = 6.5,
                          classes = { "economy_ice", "mid_nev" } }
  T.eq(s.max_fuel, 6.5)
  T.eq(s.nev_only, false)
  T.eq(table.concat(s.classes, ","), "economy_ice,mid_nev")
  T.has(tostring(s), "only economy_ice, mid_nev; at most 6.5 L/100 km")
  local p = sp.purchase_subsidy{ start = "2020-07", months = 2, max_price = 300000, nev_only = true }
  T.eq(#p.classes, 6)
  T.eq(p.nev_only, true)
  T.has(tostring(p), "NEVs only; price at most 300000 yuan")
end)

-- purchase subsidy and cash transfer errors ---------------------------------------

T.case("purchase subsidy errors", function()
  expect("sp.purchase_subsidy{ " .. S .. "amount_nev = -1 }",
         "sp.purchase_subsidy: 'amount_nev' must be 0 or more yuan, got -1")
  expect("sp.purchase_subsidy{ " .. S .. "share_nev = 2 }",
         "sp.purchase_subsidy: 'share_nev' must lie in 0..1", "got 2")
  expect("sp.purchase_subsidy{ start = '2021-01', ['end'] = '2020-12' }",
         "sp.purchase_subsidy: 'end' 2020-12 is before 'start' 2021-01")
  expect("sp.purchase_subsidy{ " .. S .. "amount = 1 }", "sp.purchase_subsidy: unknown key 'amount'")
  expect("sp.purchase_subsidy{ " .. S .. "amount_nev = 0 }", "the subsidy pays nothing")
end)

T.case("cash transfer errors", function()
  expect("sp.cash_transfer{ start = '2020-07', amount = -100 }",
         "sp.cash_transfer: 'amount' must be more than 0 yuan per household, got -100")
  expect("sp.cash_transfer{ start = '2020-07', amount = 0 }", "'amount' must be more than 0", "got 0")
  expect("sp.cash_transfer{ start = '2020-07' }", "sp.cash_transfer: 'amount' is required")
  expect("sp.cash_transfer{ amount = 100 }", "sp.cash_transfer: 'start' is required")
  expect("sp.cash_transfer{ start = '2020-07', amount = 100, months = 0 }",
         "sp.cash_transfer: 'months' must be between 1 and 24, got 0")
  expect("sp.cash_transfer{ start = '2020-07', amount = 100, months = 25 }", "got 25")
  expect("sp.cash_transfer{ start = '2020-07', amount = 100, filter = 'incme < 1' }",
         "sp.cash_transfer: 'filter': unknown column 'incme' at position 1")
end)

-- plate errors -----------------------------------------------------------------

T.case("plate regimes: quotas below zero and unknown years", function()
  local fn = "sp.plates.individual_lottery"
  expect("sp.plates.individual_lottery{ quotas = { [2020] = { ordinary = -1 } } }",
         fn .. ": 'quotas[2020].ordinary' must be 0 or more plates, got -1")
  expect("sp.plates.family_lottery{ quotas = { [2021] = { nev = -5 } } }",
         "sp.plates.family_lottery: 'quotas[2021].nev' must be 0 or more plates, got -5")
  expect("sp.plates.individual_lottery{ quotas = { [2030] = { nev = 1 } } }",
         "'quotas': year 2030 is outside 2011..2024")
  expect("sp.plates.individual_lottery{ quotas = { [2020] = { ordinary = 1, evn = 2 } } }",
         "'quotas[2020]': unknown key 'evn' (valid keys: ordinary, nev)")
  expect("sp.plates.individual_lottery{ quotas = { 38200 } }", "'quotas': year 1 is outside")
  expect("sp.plates.individual_lottery{ quotas = { [2020] = 38200 } }",
         "'quotas[2020]' must be a table")
  expect("sp.plates.individual_lottery{ quotas = { [2020] = { nev = 'many' } } }",
         "'quotas[2020].nev' must be a number of plates, got string")
end)

T.case("plate regimes: shares, rounds, windows and steps", function()
  local fn = "sp.plates.family_lottery"
  expect("sp.plates.family_lottery{ family_nev_share = 1.2 }",
         fn .. ": 'family_nev_share' must be a share in 0..1, got 1.2")
  expect("sp.plates.family_lottery{ family_nev_share = { [2023] = -0.1 } }",
         fn .. ": 'family_nev_share[2023]' must be a share in 0..1, got -0.1")
  expect("sp.plates.individual_lottery{ rounds_per_year = 5 }",
         "sp.plates.individual_lottery: 'rounds_per_year' must be 1, 2, 3, 4, 6 or 12", "got 5")
  expect("sp.plates.family_lottery{ rounds_per_year = { [2021] = 24 } }",
         "'rounds_per_year[2021]' must be 1, 2, 3, 4, 6 or 12", "got 24")
  expect("sp.plates.individual_lottery{ nev_rounds_per_year = 7 }", "'nev_rounds_per_year'", "got 7")
  expect("sp.plates.individual_lottery{ rounds_per_year = 1.5 }",
         "'rounds_per_year' must be an integer, got 1.5")
  expect("sp.plates.individual_lottery{ window = 0 }",
         "'window' must be between 1 and 120 months, got 0")
  expect("sp.plates.individual_lottery{ ladder_every = 0 }",
         "'ladder_every' must be between 1 and 1000, got 0")
  expect("sp.plates.individual_lottery{ ladder_threshold = -1 }",
         "'ladder_threshold' must be between 0 and 1000, got -1")
  expect("sp.plates.individual_lottery{ ladder_before_2014 = 1 }", "'ladder_before_2014'")
  expect("sp.plates.individual_lottery{ rounds_per_step = 24 }", "unknown key 'rounds_per_step'")
  expect("sp.plates.individual_lottery{ pools = '2020-03' }",
         "sp.plates.individual_lottery: 'pools': plate pools: 2020-03 is outside the published " ..
         "pool counts 2011-01..2020-02")
  expect("sp.plates.family_lottery{ pools = '2010-12' }", "2010-12 is outside the published")
  expect("sp.plates.individual_lottery{ pools = 'latest' }",
         "'pools' must be \"start\", \"population\" or a month \"YYYY-MM\", got 'latest'")
  expect("sp.plates.none{ pools = '2019-08' }", "sp.plates.none: unknown key 'pools'")
  expect("sp.plates.individual_lottery{ family_nev_share = 0.6 }",
         "sp.plates.individual_lottery: unknown key 'family_nev_share'")
  expect("sp.plates.family_lottery{ from = '2021' }", "sp.plates.family_lottery: 'from':")
end)

T.case("extra quota errors", function()
  expect("sp.plates.extra_quota{ month = '2020-9', plates = 20000 }",
         "sp.plates.extra_quota: 'month': expected a month as \"YYYY-MM\", got \"2020-9\"")
  expect("sp.plates.extra_quota{ month = '2020-13', plates = 20000 }", "'month':", "out of range")
  expect("sp.plates.extra_quota{ month = '2020-09', plates = -1 }",
         "sp.plates.extra_quota: 'plates' must be 0 or more, got -1")
  expect("sp.plates.extra_quota{ plates = 20000 }", "'month' is required")
  expect("sp.plates.extra_quota{ month = '2020-09' }", "'plates' is required")
  expect("sp.plates.extra_quota{ month = '2020-09', plates = 1, nev = 1 }", "unknown key 'nev'")
end)

-- packages ------------------------------------------------------------------------

T.case("a package holds at most one plate regime", function()
  expect("sp.package{ name = 'P', sp.plates.individual_lottery{}, sp.plates.family_lottery{} }",
         "sp.package: entry 2: package \"P\" already has a plate regime")
  expect("local sq = sp.package{ name = 'SQ', sp.plates.individual_lottery{} }; " ..
         "sq:with{ name = 'Plan', sp.plates.family_lottery{} }",
         "package:with: entry 1: package \"Plan\" already has a plate regime")
end)

T.case("a package with a regime, an extra quota, a scrappage and a transfer", function()
  local regime = sp.plates.individual_lottery{ name = "Lottery",
                                               quotas = { [2020] = { ordinary = 40000, nev = 60000 } } }
  local extra = sp.plates.extra_quota{ month = "2020-09", plates = 20000 }
  local scrap = sp.scrappage{ name = "CARS", start = "2020-07", ["end"] = "2020-08", share = 0.16,
                              budget = 1e9, filter = "car_age >= 120 or emission <= 3" }
  local cash = sp.cash_transfer{ start = "2020-07", amount = 1000, months = 3,
                                 filter = "income_quintile == 1" }
  local sub = sp.purchase_subsidy{ start = "2020-07", months = 6, amount_nev = 10000 }
  local vou = sp.voucher{ name = "V", face = 10, threshold = 40, start = "2020-06" }
  local p = sp.package{ name = "Plan", regime, extra, scrap, cash, sub, vou }
  T.eq(#p, 6, "#p")
  local names = p:measures()
  T.eq(names[1], "Lottery", "regime")
  T.eq(names[2], "extra quota 2020-09", "extra quota's default name")
  T.eq(names[3], "CARS", "scrappage")
  T.eq(names[4], "cash transfer 2020-07 1000", "transfer's default name")
  T.eq(names[5], "purchase subsidy 2020-07", "purchase subsidy's default name")
  T.eq(tostring(p), "package: Plan (measures: Lottery, extra quota 2020-09, CARS, " ..
       "cash transfer 2020-07 1000, purchase subsidy 2020-07, V)", "tostring")
  -- read back from the core package: what the engine runs
  local r = p:measure("Lottery")
  T.eq(r.kind, "plate_regime", "kind")
  T.eq(r.quotas[2020].ordinary, 40000.0, "quota override reaches the core")
  T.eq(r.quotas[2020].nev, 60000.0, "nev quota override")
  local d = sp.plates.individual_lottery{}
  T.eq(r.quotas[2019].ordinary, d.quotas[2019].ordinary, "other years keep the default")
  T.eq(d.quotas[2020].ordinary, 38200.0, "default 2020 ordinary quota for households")
  T.has(tostring(r), "quotas: 2020 ordinary 40000, NEV 60000, other years Beijing's", "tostring")
  local s = p:measure(3)
  T.eq(s.kind, "scrappage", "scrappage kind")
  T.eq(s.share_nev, 0.16, "share")
  T.eq(s.budget, 1e9, "budget")
  T.eq(s.filter, "car_age >= 120 or emission <= 3", "filter")
  T.eq(p:measure(2).plates, 20000.0, "extra plates")
  T.eq(p:measure(4).months, 3, "transfer spread")
  T.eq(p:measure(6).kind, "voucher", "voucher read back")
  local ok, msg
  T.eq(p:measure(6).threshold, 40.0, "voucher threshold read back")
  -- every kind is one value type: the same metatable, kind, name, fields, errors
  local v = p:measure(6)
  T.eq(getmetatable(v), getmetatable(s), "vouchers and other measures share one type")
  T.eq(v.name, "V", "voucher name read back")
  T.has(tostring(v), "voucher: V (spend 40 get 10 off", "voucher tostring read back")
  ok, msg = pcall(function() return v.nope end)
  assert(not ok and msg:find("voucher: no field or method 'nope'", 1, true), msg)
  ok, msg = pcall(function() return s.face end)
  assert(not ok and msg:find("scrappage: no field or method 'face'", 1, true), msg)
  local k = {}
  for j = 1, #p do k[#k + 1] = p:measure(j).kind end
  T.eq(table.concat(k, " "), "plate_regime extra_quota scrappage cash_transfer purchase_subsidy voucher",
       "kinds read back")
  -- derived packages keep every kind
  local q = p:with{ name = "More", sp.scrappage{ name = "Second", start = "2020-09", months = 1,
                                                 amount_nev = 15000, filter = "" } }
  T.eq(#q, 7, "derived")
  T.eq(q:measure("Second").filter, nil, "empty filter = every owner")
  T.eq(q:measure("CARS").share_ice, 0.16, "copied")
  -- errors of pkg:measure
  ok, msg = pcall(p.measure, p, 9)
  assert(not ok and msg:find("index must be between 1 and 6, got 9", 1, true), msg)
  ok, msg = pcall(p.measure, p, "Nope")
  assert(not ok and msg:find("has no measure named \"Nope\"", 1, true), msg)
  -- the same extra quota twice: the core names the clash
  expect("local e = sp.plates.extra_quota{ month = '2020-09', plates = 1 }; " ..
         "sp.package{ name = 'X', e, e }", "sp.package: entry 2:",
         "already has a measure named \"extra quota 2020-09\"")
end)

-- values ------------------------------------------------------------------------

T.case("car measure fields, defaults and tostring", function()
  local s = sp.scrappage{ start = "2020-07", months = 6 }
  T.eq(s.name, "scrappage 2020-07", "default name")
  T.eq(s["end"], "2020-12", "end from months")
  T.eq(s.amount_nev, 10000.0, "core default NEV amount")
  T.eq(s.amount_ice, 7000.0, "core default ICE amount")
  T.eq(s.filter, "emission <= 3", "core default filter")
  T.eq(s.budget, 0.0, "unlimited")
  T.has(tostring(s), "scrappage: scrappage 2020-07 (2020-07..2020-12; per car replaced: NEV 10000 yuan, " ..
        "ICE 7000 yuan; unlimited budget; eligible: emission <= 3)", "tostring")
  local c = sp.scrappage{ name = "CARS", start = "2020-07", ["end"] = "2020-08", share = 0.16,
                          floor = 3000, cap = 30000, budget = 1e9,
                          filter = "car_age >= 120 or emission <= 3" }
  T.eq(c.months, 2, "months from end")
  T.eq(c.amount_nev, 0.0, "a share replaces the default amounts")
  T.eq(c.share_ice, 0.16, "share for both fuels")
  T.eq(tostring(c), "scrappage: CARS (2020-07..2020-08; per car replaced: NEV and ICE 16% of the " ..
       "price within 3000..30000 yuan; budget 1000000000 yuan; eligible: car_age >= 120 or " ..
       "emission <= 3)", "tostring")
  local n = sp.scrappage{ start = "2020-07", months = 1, amount_nev = 8000 }
  T.eq(n.amount_ice, 0.0, "ICE not subsidised when only amount_nev is given")
  T.has(tostring(n), "(2020-07; per car replaced: NEV 8000 yuan, ICE nothing;", "one month")
  local p = sp.purchase_subsidy{ name = "Tax cut", start = "2020-07", months = 12, share_nev = 0.0885,
                                 cap = 30000 }
  T.eq(p.kind, "purchase_subsidy", "kind")
  T.eq(p.amount_nev, 0.0, "share only")
  T.eq(tostring(p), "purchase subsidy: Tax cut (2020-07..2021-06; per new car: NEV 8.85% of the " ..
       "price, ICE nothing, cap 30000 yuan)", "tostring")
  local t = sp.cash_transfer{ start = "2020-07", amount = 500 }
  T.eq(t.kind, "cash_transfer", "kind")
  T.eq(t.months, nil, "spread from the parameters")
  T.eq(t.filter, nil, "everyone")
  T.eq(tostring(t), "cash transfer: cash transfer 2020-07 500 (500 yuan per household in 2020-07, " ..
       "spent over mpc_months (a parameter); to everyone)", "tostring")
  local ok, msg = pcall(function() return t.face end)
  assert(not ok and msg:find("cash_transfer: no field or method 'face'", 1, true), msg)
end)

T.case("plate regime defaults by kind and overrides", function()
  local i = sp.plates.individual_lottery{}
  T.eq(i.kind, "plate_regime", "kind")
  T.eq(i.rules, "individual", "rules")
  T.eq(i.name, "individual lottery", "default name")
  T.eq(i.from, nil, "no switch")
  T.eq(i.ladder_threshold, 24, "ladder: step 1 up to 24 monthly-equivalent draws")
  T.eq(i.ladder_every, 12, "ladder: +1 per 12 more")
  T.eq(i.ladder_before_2014, true, "the monthly draws of 2011-2013 count")
  T.eq(i.pools, "start", "pools dated by the run's first month")
  T.eq(sp.plates.individual_lottery{ pools = "2016-04" }.pools, "2016-04", "a dated month")
  T.eq(sp.plates.individual_lottery{ pools = "population" }.pools, "population", "as built")
  local none = sp.plates.none{}
  T.eq(none.kind, "plate_regime", "none is a regime")
  T.eq(none.rules, "none", "no plates")
  T.eq(none.name, "no plates", "default name")
  T.eq(tostring(none), "plate regime: no plates (no plates needed: car-less households buy at once)",
       "tostring")
  T.eq(i.quotas[2019].rounds, 6, "bimonthly draws")
  T.eq(i.quotas[2022].rounds, 6, "2014-2020 rules after 2020")
  T.eq(i.quotas[2012].rounds, 12, "monthly draws before 2014 (history)")
  T.eq(i.quotas[2020].nev_rounds, 1, "one NEV allocation a year from 2020")
  T.eq(i.quotas[2021].family_nev_share, 0.0, "no family share")
  T.eq(i.quotas[2019].window, 12, "12-month window from 2018")
  T.eq(i.quotas[2017].window, 6, "6-month window before")
  T.eq(sp.plates.individual_lottery().name, "individual lottery", "no arguments")
  local f = sp.plates.family_lottery{}
  T.eq(f.rules, "family", "rules")
  T.eq(f.quotas[2019].family_nev_share, 0.6, "2021 share carried back")
  T.eq(f.quotas[2023].family_nev_share, 0.8, "2023 share")
  T.eq(f.quotas[2021].rounds, 2, "two draws a year from 2021")
  local h = sp.plates.family_lottery{ from = "2021-01" }
  T.eq(h.rules, "historical", "switching regime")
  T.eq(h.from, "2021-01", "from")
  T.eq(h.name, "family lottery from 2021-01", "default name")
  T.eq(h.quotas[2020].family_nev_share, 0.0, "individual rules before")
  T.eq(h.quotas[2021].family_nev_share, 0.6, "family rules from")
  local o = sp.plates.family_lottery{ name = "F", family_nev_share = 0.5, rounds_per_year = 6,
                                      nev_rounds_per_year = { [2021] = 2 }, window = 6,
                                      ladder_threshold = 12, ladder_every = 6,
                                      ladder_before_2014 = false, pools = "2019-08" }
  T.eq(o.quotas[2011].family_nev_share, 0.5, "a number sets every year")
  T.eq(o.quotas[2024].family_nev_share, 0.5, "... to the last")
  T.eq(o.quotas[2021].rounds, 6, "rounds from 2014")
  T.eq(o.quotas[2011].rounds, 12, "not before 2014")
  T.eq(o.quotas[2021].nev_rounds, 2, "a table sets its years")
  T.eq(o.quotas[2022].nev_rounds, 1, "only them")
  T.eq(o.quotas[2015].window, 6, "window for every year")
  T.eq(o.ladder_every, 6, "ladder every")
  T.eq(o.ladder_before_2014, false, "from 2014")
  T.has(tostring(o), "plate regime: F (family rules; ordinary draws a year 6 (2014-2024); " ..
        "NEV allocations a year 6 (2014-2019), 1 (2020), 2 (2021), 1 (2022-2024); family NEV share " ..
        "0.5 (2014-2024); purchase window (months) 6 (2014-2024); ladder: step 1 up to 12 draws, " ..
        "+1 per 6 from 2014; pools 2019-08; quotas: Beijing's)", "tostring")
  local e = sp.plates.extra_quota{ name = "2020 extra", month = "2020-09", plates = 20000 }
  T.eq(e.kind, "extra_quota", "kind")
  T.eq(e.month, "2020-09", "month")
  T.eq(tostring(e), "extra quota: 2020 extra (20000 NEV plates for car-less families in 2020-09)",
       "tostring")
end)

-- runs ---------------------------------------------------------------------------

local pop = sp.population.beijing{ households = 3000, year = 2019, seed = 31 }

T.case("an extra quota outside the horizon is an error at the scenario line", function()
  local msg = T.error_of("scen.lua", "local sp, pop = ...\n\n" ..
    "local p = sp.package{ name = 'P', sp.plates.individual_lottery{}, " ..
    "sp.plates.extra_quota{ month = '2023-09', plates = 1 } }; " ..
    "sp.experiment{ population = pop, packages = { p }, start = '2020-01', months = 12 }", sp, pop)
  T.has(msg, "scen.lua:3: ", "position")
  T.has(msg, "outside the horizon")
end)

T.case("a pool date outside the published counts is an error at the scenario line", function()
  local msg = T.error_of("scen.lua", "local sp, pop = ...\n\n" ..
    "local r = sp.plates.individual_lottery{ pools = '2021-06' }", sp, pop)
  T.has(msg, "scen.lua:3: ", "position")
  T.has(msg, "sp.plates.individual_lottery: 'pools': plate pools: 2021-06 is outside the " ..
        "published pool counts 2011-01..2020-02")
end)

T.case("car measures and plates reach the engine", function()
  local sq = sp.package{ name = "SQ", sp.plates.individual_lottery{} }
  local plan = sq:with{ name = "Plan",
    sp.scrappage{ name = "S", start = "2020-03", months = 2, share = 0.16,
                  filter = "car_age >= 120 or emission <= 3" },
    sp.cash_transfer{ name = "T", start = "2020-02", amount = 1000, months = 2,
                      filter = "income_quintile == 1" },
    sp.plates.extra_quota{ name = "E", month = "2020-04", plates = 20000 } }
  local res = sp.experiment{ population = pop, packages = { sq, plan }, start = "2020-01",
                             months = 6, replicates = 2, seed = 5, threads = 2 }:run()
  local function t(metric, diff)
    return res:table{ rows = "package", metric = metric, by = "month", unit = "total", diff = diff }
  end
  local sub = t("scrappage_subsidy")
  T.eq(sub:value("SQ", "2020-03"), 0.0, "no subsidy in the status quo")
  assert(sub:value("Plan", "2020-03") > 0, "subsidy paid in the programme")
  T.eq(sub:value("Plan", "2020-05"), 0.0, "nothing after it")
  assert(t("car_purchases", true):value("Plan", "2020-03") > 0, "more purchases in the programme")
  local cash = t("cash_transfers")
  assert(cash:value("Plan", "2020-02") > 0, "transfer paid")
  T.eq(cash:value("Plan", "2020-03"), 0.0, "once")
  local pl = res:plates{ package = "Plan" }
  T.eq(pl:ncols(), 6, "one column per month")
  local rows = {}
  for k, r in ipairs(pl:row_labels()) do rows[r] = k end
  assert(rows.base_odds and rows.nev_queue and rows.winners_extra, "plate statistics rows")
  assert(pl:value("winners_extra", "2020-04") > 0, "extra quota allocated")
  T.eq(res:plates{ package = "SQ" }:value("winners_extra", "2020-04"), 0.0, "not in the status quo")
  T.eq(res:plates():value("winners_extra", "2020-04"), 0.0, "default: the first package")
  local ok, msg = pcall(res.plates, res, { package = "Nope" })
  assert(not ok and msg:find("unknown package 'Nope'", 1, true), msg)
  ok, msg = pcall(res.plates, res, { pkg = 1 })
  assert(not ok and msg:find("unknown key 'pkg'", 1, true), msg)
end)

T.case("res:plates{}: odds, mean ladder weight, pools and NEV wait; sp.plates.none", function()
  local lot = sp.package{ name = "Lottery", sp.plates.individual_lottery{ pools = "2019-08" } }
  local free = sp.package{ name = "Free", sp.plates.none{} }
  local res = sp.experiment{ population = pop, packages = { lot, free }, start = "2019-08",
                             months = 2, replicates = 1, seed = 5 }:run()
  local pl = res:plates{ package = "Lottery" }
  local v = function(row) return pl:value(row, "2019-08") end
  T.eq(math.abs(v("pool_ordinary") - 3320000) < 15000, true, "dated pool 2019-08 (within a household)")
  T.eq(math.abs(v("applicants_ordinary") / v("pool_ordinary") - 1) < 1e-6, true, "the round's applicants are the pool")
  T.eq(math.abs(v("base_odds") * v("base_odds_1_in") - 1) < 1e-12, true, "odds and 1 in X")
  T.eq(v("mean_weight") >= 1, true, "mean ladder weight")
  T.eq(v("nev_wait_years"), v("nev_queue") / 54000, "wait = queue / the year's individual NEV quota")
  T.eq(pl:value("base_odds", "2019-09"), 0.0, "no draw in an odd month")
  assert(pl:value("pool_ordinary", "2019-09") > 0, "pools reported every month")
  local fp = res:plates{ package = "Free" }
  T.eq(fp:value("pool_ordinary", "2019-08"), 0.0, "no pools without plates")
  local first = res:table{ rows = "package", metric = "first_cars", by = "total", unit = "total" }
  local c = first:col_labels()[1]
  assert(first:value("Free", c) > 5 * first:value("Lottery", c), "no plates: first cars at once")
end)

-- scenarios 03-05 ------------------------------------------------------------------

local function scenario(file, dir, expect_out, files)
  local scen = T.args.src .. "/scenarios/" .. file
  local rc, out, err = T.cli { "run", scen, "--out", "o", "--set", "households=3000",
                               "--set", "replicates=2", "--threads", "2" }
  T.eq(rc, 0, file .. " exit status: " .. err)
  for _, part in ipairs(expect_out) do T.has(out, part, file .. " output") end
  for _, f in ipairs(files) do
    for _, ext in ipairs { ".csv", ".md" } do
      assert(T.exists(T.args.work .. "/o/" .. dir .. "/" .. f .. ext), dir .. "/" .. f .. ext .. " written")
    end
  end
  local rc2, _, err2 = T.cli { "check", scen }
  T.eq(rc2, 0, file .. " check exit status: " .. err2)
end

-- The change in spending by category and quarter a scenario wrote
-- (<dir>/spending_change_by_category.csv): transport and the seven other
-- categories summed, by quarter label.
local function category_change(dir)
  local text = T.read(T.args.work .. "/o/" .. dir .. "/spending_change_by_category.csv")
  local lines = {}
  for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
  local cols = {}
  for c in lines[1]:gmatch("[^,]+") do cols[#cols + 1] = c end
  local transport, others = {}, {}
  for k = 2, #lines do
    local cells = {}
    for c in lines[k]:gmatch("[^,]+") do cells[#cells + 1] = c end
    local cat = cells[1]
    for j = 2, #cells do
      local q, v = cols[j], tonumber(cells[j])
      if cat == "transport" then
        transport[q] = v
      elseif cat ~= "total" then
        others[q] = (others[q] or 0) + v
      end
    end
  end
  return transport, others
end

T.case("scenario 03 runs at a tiny size and writes its files", function()
  scenario("03_scrappage.lua", "03_scrappage", { "Headline results", "CARS design", "July-August 2020:" },
           { "summary", "car_purchases_by_month", "car_purchases_change", "cars_scrapped_change",
             "scrappage_subsidy_by_month", "subsidised_cars_by_month",
             "spending_change_by_category" })
  -- Car finance moves the other categories (issue 10): in the programme's quarter
  -- the purchases brought forward bring their down payments and instalments
  -- forward (0.6 extra purchases per subsidised one outweigh the subsidy's
  -- windfall), and the quarter those purchases would have fallen in gets the
  -- spending back. Without the mechanism every cell was 0.
  local _, others = category_change("03_scrappage")
  assert(others["2020Q1"] == 0, "nothing before the programme")
  assert(others["2020Q3"] < 0, "down payments crowd out other spending: " .. others["2020Q3"])
  assert(others["2021Q1"] > 0, "and it comes back when the purchases would have been made: " ..
         others["2021Q1"])
end)

T.case("scenario 04 runs at a tiny size and writes its files", function()
  scenario("04_plates.lua", "04_plates", { "Individual (2019 rules): plates by allocation month",
                                           "Family (2021 rules)", "2020-09" },
           { "plates_individual", "plates_family", "first_cars_by_quarter",
             "first_cars_change_by_quintile", "spending_change_by_category", "summary" })
  -- More cars on the road after the 20,000 extra plates of 2020-09: their running
  -- costs raise transport every quarter of 2021, and their costs (the MPC share of
  -- running costs, down payments and instalments) lower the other categories.
  local transport, others = category_change("04_plates")
  for _, q in ipairs { "2021Q1", "2021Q2", "2021Q3", "2021Q4" } do
    assert(transport[q] > 0, q .. ": running costs of the cars won: " .. transport[q])
    assert(others[q] < 0, q .. ": crowd out other spending: " .. others[q])
  end
end)

T.case("scenario 05 runs at a tiny size and writes its files", function()
  scenario("05_action_plan.lua", "05_action_plan", { "Headline results", "Action plan 2020" },
           { "summary", "spending_change_by_category", "spending_change_by_quintile",
             "car_purchases_by_quarter", "car_purchases_change", "plates_action_plan" })
  -- After the vouchers (2020) only the cars act: the extra plates' cars raise
  -- transport in every quarter of 2021-2022 and their costs lower the other
  -- categories over 2022.
  local transport, others = category_change("05_action_plan")
  local rest = 0
  for _, q in ipairs { "2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2", "2022Q3", "2022Q4" } do
    assert(transport[q] > 0, q .. ": running costs of the extra cars: " .. transport[q])
    if q:sub(1, 4) == "2022" then rest = rest + others[q] end
  end
  assert(rest < 0, "car costs crowd out the other categories in 2022: " .. rest)
end)

T.case("scenario 06 runs at a tiny size and writes its files", function()
  scenario("06_action_plan_full.lua", "06_action_plan_full",
           { "Headline results", "Whole plan 2020", "Appliance trade-in", "Night economy",
             "Used-car export", "Neighbourhood outlets" },
           { "summary", "spending_change_by_category", "spending_change_by_income",
             "spending_change_by_consumption", "summary_by_consumption", "replacements_change",
             "used_cars_exported_change" })
end)

T.case("scenario 07 answers the three questions at a tiny size and writes its files", function()
  scenario("07_questions.lua", "07_questions",
           { "1. 500 million yuan each", "Most household spending per yuan", "hand to mouth",
             "Cash to Q1-Q2: a budget of", "is outside what Coupons/coupons.budget" },
           { "per_yuan", "per_yuan_by_quintile", "htm_sweep", "smallest_budget" })
  assert(T.exists(T.args.work .. "/o/07_questions/htm_sweep.html"), "the sweep's chart")
  assert(T.exists(T.args.work .. "/o/07_questions/report.html"), "the report")
end)

T.finish()
