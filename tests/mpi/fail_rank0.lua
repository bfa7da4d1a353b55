-- fail_rank0.lua (tests/mpi/check_mpi.sh): only rank 0 writes files, so only
-- rank 0 fails to write under a path blocked by a file ("blocker", made by
-- the test in --out). Rank 0 ends with the error while the other ranks go on
-- to the second experiment: every rank must stop, the error shown once.
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 500, year = 2019, seed = 1 }
local function run()
  return sp.experiment{ population = pop, packages = { sp.package{ name = "Status quo" } },
                        start = "2019-01", months = 2, replicates = 3, seed = 1 }:run()
end
local t = run():table{ rows = "category", by = "month" }
local ok, why = t:write("blocker/table", "csv")
if not ok then error("rank 0 could not write: " .. why) end
run()
