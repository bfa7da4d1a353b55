-- fail_everywhere.lua (tests/mpi/check_mpi.sh): an error every rank raises at
-- the same line, after an experiment: shown once, by rank 0.
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 500, year = 2019, seed = 1 }
local res = sp.experiment{ population = pop, packages = { sp.package{ name = "Status quo" } },
                           start = "2019-01", months = 2, replicates = 3, seed = 1 }:run()
print(res:table{ rows = "category", by = "month" })
error("deliberate failure on every rank")
