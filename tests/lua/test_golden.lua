-- test_golden.lua: scenarios/01_baseline.lua at a small size against its
-- golden output, and reproducibility (same run twice, 1 vs 2 threads).
--
-- The golden file tests/golden/01_baseline_spending_by_quarter.csv holds the
-- CSV of this exact run. When the model changes on purpose, regenerate it with
--   SPENDSIM_UPDATE_GOLDEN=1 ctest -R lua_golden
-- and review the difference before committing it.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local compare = require "compare_csv"
local work = T.workdir()

local src = assert(T.args.src, "missing src=DIR")
local scenario = src .. "/scenarios/01_baseline.lua"
local golden = src .. "/tests/golden/01_baseline_spending_by_quarter.csv"
local small = { "--set", "households=2000", "--set", "months=12", "--set", "seed=2019" }
local written = "/01_baseline/spending_by_quarter.csv"

-- Runs the scenario at the small size with extra arguments into work/<name>;
-- returns the written CSV's path.
local function run(name, ...)
  local args = { "run", scenario, "--out", work .. "/" .. name }
  for _, a in ipairs(small) do args[#args + 1] = a end
  for _, a in ipairs({ ... }) do args[#args + 1] = a end
  local rc, _, err = T.cli(args)
  T.eq(rc, 0, "exit status of run " .. name .. " (" .. err .. ")")
  local path = work .. "/" .. name .. written
  assert(T.exists(path), path .. " written")
  return path
end

T.case("the comparer tolerates 1e-9 and catches more", function()
  local a = 'category,"2019Q1"\nfood,1000\n"car, owner",0\n'
  assert(compare.texts(a, "category,2019Q1\nfood,1000.0000005\n\"car, owner\",0\n", 1e-9))
  assert(not compare.texts(a, "category,2019Q1\nfood,1000.00001\n\"car, owner\",0\n", 1e-9))
  assert(not compare.texts(a, "category,2019Q1\nfood,1000\n\"car, owner\",1e-300\n", 1e-9))
  assert(not compare.texts(a, "category,2019Q2\nfood,1000\n\"car, owner\",0\n", 1e-9))
  assert(not compare.texts(a, "category,2019Q1\nfood,1000\n", 1e-9))
end)

T.case("01_baseline matches its golden CSV (relative tolerance 1e-9)", function()
  local path = run("golden")
  if os.getenv("SPENDSIM_UPDATE_GOLDEN") == "1" then
    T.write(golden, assert(T.read(path)))
    print("updated " .. golden)
  end
  assert(compare.files(golden, path, 1e-9))
  local rows = compare.parse(assert(T.read(path)))
  T.eq(#rows, 10, "header + 8 categories + total")
  T.eq(#rows[1], 5, "category + 4 quarters")
  T.eq(rows[1][2], "2019Q1", "first quarter")
end)

T.case("the same run twice gives identical CSV", function()
  local a, b = run("first"), run("second")
  T.eq(T.read(a), T.read(b), "CSV bytes")
end)

T.case("--threads 1 and --threads 2 give identical CSV", function()
  local a, b = run("threads1", "--threads", "1"), run("threads2", "--threads", "2")
  T.eq(T.read(a), T.read(b), "CSV bytes")
end)

T.case("check mode of the scenario passes and writes nothing", function()
  local rc, out, err = T.cli { "check", scenario, "--out", work .. "/check", table.unpack(small) }
  T.eq(rc, 0, "exit status (" .. err .. ")")
  T.has(out, "ok: " .. scenario, "stdout")
  assert(not T.exists(work .. "/check"), "nothing written")
end)

T.finish()
