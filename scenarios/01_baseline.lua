-- 01_baseline.lua: where Beijing household consumption goes without new policy.
--
-- What it does
--   Builds the embedded default population (Beijing family households, 2019
--   structure), runs the status quo for 36 months from January 2019 and
--   reports spending per person:
--     * by consumption category and quarter: printed, and written to
--       <out>/01_baseline/spending_by_quarter.csv and .md;
--     * by income quintile and year: printed, and written to
--       <out>/01_baseline/quintiles_by_year.csv and .md.
--   Figures are yuan per person (nominal), averaged over replicates.
--
-- How to run it
--   spendsim run scenarios/01_baseline.lua                  (writes under out/)
--   spendsim run scenarios/01_baseline.lua --out results    (writes under results/)
--   spendsim check scenarios/01_baseline.lua                (validates only)
--   Every parameter below can be changed without editing this file, e.g.
--   spendsim run scenarios/01_baseline.lua --set households=20000 --set replicates=5
--
-- Notes for analysts
--   `households` is the sample size, not the city: the sample always stands
--   for the 8.23 million family households of the 2020 census, so a larger
--   sample only reduces sampling noise. `replicates` repeats the simulation
--   with independent random draws; the tables show their mean. The same
--   `seed` gives the same numbers on any machine and any number of threads.

local sp = require "spendsim"

local P = sp.params{
  households = 100000, -- sample households (weights scale them to Beijing)
  months = 36,         -- months simulated from `start`
  replicates = 1,      -- independent repetitions averaged in the tables
  seed = 2019,         -- random seed of the population and the experiment
}

local population = sp.population.beijing{ households = P.households, year = 2019, seed = P.seed }
local status_quo = sp.package{ name = "Status quo" }

local results = sp.experiment{
  population = population,
  packages = { status_quo },
  start = "2019-01",
  months = P.months,
  replicates = P.replicates,
  seed = P.seed,
}:run()

-- Spending per person by category (rows) and quarter (columns).
local by_quarter = results:table{ rows = "category", by = "quarter", unit = "per_capita" }
print(by_quarter)
assert(by_quarter:write("01_baseline/spending_by_quarter", { "csv", "md" }))

-- Total spending per person by income quintile (rows) and year (columns).
local by_quintile = results:table{ rows = "quintile", metric = "spending", by = "year",
                                   unit = "per_capita" }
print(by_quintile)
assert(by_quintile:write("01_baseline/quintiles_by_year", { "csv", "md" }))
