-- 04_plates.lua: Beijing's plate allocation under the 2019 individual rules
-- against the 2021 family rules with the 2020 extra quota.
--
-- What it does
--   Runs two packages over 36 months from January 2019 (2019-2021):
--     Individual (2019 rules)   the individual ordinary lottery (weighted by
--                               ladder steps, six draws a year) and the
--                               first-come NEV queue: the baseline;
--     Family (2021 rules)       the family regime applied from the start: car-less
--                               families apply with family points; 60 % of the NEV
--                               quota goes first to families ranked by points;
--                               ordinary plates drawn from one pool weighted by
--                               points; plus the one-off 20,000 NEV plates for
--                               car-less families of 2020 (allocated 2020-09).
--   Both use the same yearly quotas (data/beijing_plate_quota.csv, households'
--   share). Prints a round-by-round digest and writes, under <out>/04_plates/:
--     plates_individual.csv/.md     per-month plate statistics of the baseline:
--                                   applicants, quotas and winners by pool (ordinary,
--                                   NEV queue, family NEV, extra quota), the base
--                                   odds of a step-1 individual and its "1 in X",
--                                   the raw applicants/quota ratio, the NEV queue
--                                   and its implied wait in years;
--     plates_family.csv/.md         the same under the family rules;
--     first_cars_by_quarter.csv/.md cars bought on newly won plates, both packages;
--     first_cars_change_by_quintile.csv/.md  their change under the family rules
--                                   by income quintile (who gets the plates);
--     spending_change_by_category.csv/.md  change in spending per person by
--                                   category under the family rules, by quarter:
--                                   what the cars won do to other spending;
--     summary.csv/.md               the headline table.
--
-- How to run it
--   spendsim run scenarios/04_plates.lua
--   spendsim run scenarios/04_plates.lua --set households=20000 --set replicates=2
--   spendsim check scenarios/04_plates.lua
--
-- Notes for analysts
--   Warm-up. The simulation starts from the published pools of January 2019
--   (data/beijing_plate_lottery_applicants.csv, linear between dated counts:
--   the regimes' default pools = "start"); new applicants then join every
--   month at the calibrated plate_inflow_rate. Ladder steps and
--   queue positions are derived from those durations, not from a simulated
--   history, so the first rounds of 2019 partly reflect the starting state. Read
--   2019 as a warm-up and compare the regimes from 2020 on; both packages start
--   from the same state and draw the same numbers (common random numbers).
--   Rules and assumptions (docs/model.md section 4): the family rules here run
--   from 2019, two years before Beijing adopted them, so both regimes face the
--   same population and quotas; under the family rules the ordinary draws
--   follow the calendar (six a year to 2020, two from 2021) and the NEV quota
--   is allocated once a year from 2020. The extra quota's allocation month
--   (September 2020; applications were taken 1-20 August) is an assumption.
--   The ladder (step 1 up to 24 monthly-equivalent lost draws, +1 per 12 more)
--   comes from secondary records; the official text could not be read.
--   Odds. The base odds are the chance of a first-time individual (ladder step
--   1) in one ordinary draw: Beijing's published "中签率". Under the family rules
--   a family's weight is its points, so the same quota spread over more weight
--   gives lower base odds even when families do better.
--   Plates are counted in real plates (the sample is weighted to the city).

local sp = require "spendsim"

local P = sp.params{
  households = 100000, -- sample households (weights scale them to Beijing)
  replicates = 5,      -- independent repetitions averaged in the tables
  months = 36,         -- months simulated from January 2019
  seed = 2021,         -- random seed of the population and the experiment
}

local individual = sp.package{ name = "Individual (2019 rules)",
  sp.plates.individual_lottery{},
}
local family = sp.package{ name = "Family (2021 rules)",
  sp.plates.family_lottery{},
  sp.plates.extra_quota{ name = "2020 extra NEV quota", month = "2020-09", plates = 20000 },
}

local population = sp.population.beijing{ households = P.households, year = 2019,
                                          seed = P.seed }
local results = sp.experiment{
  population = population,
  packages = { individual, family },
  start = "2019-01",
  months = P.months,
  replicates = P.replicates,
  seed = P.seed,
}:run()

local out = "04_plates/"

-- A digest of every month with an allocation: ordinary applicants (persons),
-- plates handed out by pool, the base odds as "1 in X", and the NEV queue.
local function digest(pkg, t)
  local row = {}
  for k, label in ipairs(t:row_labels()) do row[label] = k end
  local function v(label, c) return t:get(row[label], c) end
  print(string.format("\n%s: plates by allocation month (real plates; odds of a step-1 individual)",
                      pkg))
  print(string.format("%-8s %12s %9s %9s %9s %9s %10s %10s %10s", "month", "ordinary", "ordinary",
                      "NEV", "family", "extra", "odds", "NEV", "NEV wait"))
  print(string.format("%-8s %12s %9s %9s %9s %9s %10s %10s %10s", "", "applicants", "winners",
                      "queue", "NEV", "quota", "1 in", "queue", "years"))
  for c, month in ipairs(t:col_labels()) do
    local plates = v("quota_ordinary", c) + v("quota_nev", c) + v("quota_family_nev", c) +
                   v("quota_extra", c)
    if plates > 0 then
      print(string.format("%-8s %12.0f %9.0f %9.0f %9.0f %9.0f %10.0f %10.0f %10.1f", month,
                          v("applicants_ordinary", c), v("winners_ordinary", c),
                          v("winners_nev", c), v("winners_family_nev", c), v("winners_extra", c),
                          v("base_odds_1_in", c), v("nev_queue", c), v("nev_wait_years", c)))
    end
  end
end

for _, p in ipairs { { individual.name, "plates_individual" }, { family.name, "plates_family" } } do
  local t = results:plates{ package = p[1] }
  digest(p[1], t)
  assert(t:write(out .. p[2], { "csv", "md" }))
end

-- Cars bought on newly won plates (first or additional cars), by quarter.
local first = results:table{ rows = "package", metric = "first_cars", by = "quarter",
                             unit = "total" }
print(first)
assert(first:write(out .. "first_cars_by_quarter", { "csv", "md" }))

-- Who gains under the family rules: change in first cars by income quintile.
local by_q = results:table{ rows = "quintile", metric = "first_cars", package = family.name,
                            diff = true, by = "year", unit = "total" }
print(by_q)
assert(by_q:write(out .. "first_cars_change_by_quintile", { "csv", "md" }))

-- What the plates do to other spending: a car won and bought brings its running
-- costs (transport) and its down payment and instalments, of which the
-- household's MPC share comes out of the other categories (docs/model.md,
-- running costs and car finance). Change per person by category and quarter.
local by_category = results:table{ package = family.name, diff = true, by = "quarter" }
print(by_category)
assert(by_category:write(out .. "spending_change_by_category", { "csv", "md" }))

local summary = results:summary()
assert(summary:write(out .. "summary", { "csv", "md" }))
