-- test_cli.lua: behaviours of the spendsim command-line program: version,
-- usage, failures (one line on stderr, non-zero exit), --set, --seed, strict
-- globals, the sandbox and check mode.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local work = T.workdir()

-- Writes a scenario into the work directory and returns its file name
-- (relative to work, where T.cli runs).
local function scenario(name, text)
  T.write(work .. "/" .. name, text)
  return name
end

-- A run expected to fail: exit status 1, one line on stderr starting "spendsim: ".
local function fails(args, ...)
  local rc, out, err = T.cli(args)
  T.eq(rc, 1, "exit status of " .. table.concat(args, " "))
  T.one_line(err)
  T.matches(err, "^spendsim: ", "stderr prefix")
  for _, part in ipairs({ ... }) do T.has(err, part) end
  return err, out
end

local tiny = [[
local sp = require "spendsim"
local P = sp.params{ households = 200, months = 2 }
local pop = sp.population.beijing{ households = P.households, seed = 4 }
local res = sp.experiment{ population = pop, packages = { sp.package{ name = "Status quo" } },
                           months = P.months, seed = 5 }:run()
local t = res:table{ by = "month" }
print(string.format("food=%.17g", t:get(1, 1)))
assert(t:write("tiny/table", { "csv", "md" }))
]]

T.case("--version", function()
  local rc, out, err = T.cli { "--version" }
  T.eq(rc, 0, "exit status")
  T.matches(out, "^spendsim 0%.1%.0 %(git [^)]+%)\n$", "stdout")
  T.eq(err, "", "stderr")
end)

T.case("--help and bad usage", function()
  local rc, out = T.cli { "--help" }
  T.eq(rc, 0, "--help exit status")
  T.has(out, "usage:", "--help")
  local rc2, _, err2 = T.cli {}
  T.eq(rc2, 2, "no arguments")
  T.has(err2, "usage:", "usage on stderr")
  T.eq(select(1, T.cli { "frobnicate", "x.lua" }), 2, "unknown command")
  T.eq(select(1, T.cli { "run", "x.lua", "--frob" }), 2, "unknown option")
  T.eq(select(1, T.cli { "run", "x.lua", "--threads", "zero" }), 2, "bad --threads")
  T.eq(select(1, T.cli { "run", "x.lua", "--set", "novalue" }), 2, "bad --set")
  T.eq(select(1, T.cli { "run" }), 2, "missing file")
end)

-- Runs the CLI in work with one environment variable set.
local function cli_env(var, value, args)
  local out, err = work .. "/.env.out", work .. "/.env.err"
  local words = {}
  for _, a in ipairs(args) do words[#words + 1] = T.q(a) end
  local rc = T.sh(string.format("cd %s && %s=%s %s %s >%s 2>%s", T.q(work), var, T.q(value),
                                T.q(T.args.cli), table.concat(words, " "), T.q(out), T.q(err)))
  return rc, T.read(out) or "", T.read(err) or ""
end

T.case("SPENDSIM_SIMD: a bad value is an error naming it; a cap gives the same results", function()
  local f = scenario("simd.lua", tiny)
  local rc, out, err = cli_env("SPENDSIM_SIMD", "sse4", { "run", f })
  T.eq(rc, 2, "exit status")
  T.eq(out, "", "the script did not run")
  T.one_line(err)
  T.has(err, "spendsim: environment variable SPENDSIM_SIMD must be portable, avx2 or avx512, got 'sse4'")
  local rc0, out0 = T.cli { "run", f, "--out", "simd_auto" }
  T.eq(rc0, 0, "exit status without the variable")
  for _, level in ipairs { "portable", "avx2", "avx512" } do
    local rc1, out1 = cli_env("SPENDSIM_SIMD", level, { "run", f, "--out", "simd_" .. level })
    T.eq(rc1, 0, "exit status with " .. level)
    T.eq(out1, out0, "printed food spending with " .. level)
    local table = T.read(work .. "/simd_" .. level .. "/tiny/table.csv")
    assert(table and #table > 0, "table written with " .. level)
    T.eq(table, T.read(work .. "/simd_auto/tiny/table.csv"), "table with " .. level)
  end
end)

T.case("missing scenario file", function()
  fails({ "run", "no_such_scenario.lua" },
        "spendsim: cannot open scenario 'no_such_scenario.lua': No such file or directory")
end)

T.case("unwritable --out fails before the script runs", function()
  local f = scenario("marker.lua", 'print("script ran")\n')
  local _, out = fails({ "run", f, "--out", "/proc/forbidden" }, "/proc/forbidden")
  T.eq(out, "", "the script did not run")
  T.write(work .. "/plainfile", "x")
  fails({ "run", f, "--out", "plainfile/sub" }, "plainfile")
end)

T.case("a run writes under --out, creating it", function()
  local f = scenario("tiny.lua", tiny)
  local rc, out, err = T.cli { "run", f, "--out", "deep/out/dir" }
  T.eq(rc, 0, "exit status: " .. err)
  T.eq(err, "", "stderr is not a terminal: no progress bar")
  T.matches(out, "food=%d", "printed")
  assert(T.exists(work .. "/deep/out/dir/tiny/table.csv"), "csv written")
  assert(T.exists(work .. "/deep/out/dir/tiny/table.md"), "md written")
end)

T.case("default --out is ./out", function()
  local f = scenario("tiny.lua", tiny)
  local rc, _, err = T.cli { "run", f }
  T.eq(rc, 0, "exit status: " .. err)
  assert(T.exists(work .. "/out/tiny/table.csv"), "out/tiny/table.csv")
end)

T.case("--set overrides declared parameters with their types", function()
  local f = scenario("params.lua", [[
local sp = require "spendsim"
local P = sp.params{ n = 10, rate = 0.5, label = "a", flag = false }
print(math.type(P.n), P.n, math.type(P.rate), P.rate, P.label, P.flag)
]])
  local rc, out, err = T.cli { "run", f, "--set", "n=12", "--set", "rate=2", "--set=label=b c",
                               "--set", "flag=true" }
  T.eq(rc, 0, "exit status: " .. err)
  T.eq(out, "integer\t12\tfloat\t2.0\tb c\ttrue\n", "values")
end)

T.case("--set of an undeclared parameter fails at the first sp.params, before anything runs", function()
  local f = scenario("declared.lua", [[
local sp = require "spendsim"
print("before")
local P = sp.params{ households = 100, months = 2 }
print("ran")
]])
  local err, out = fails({ "run", f, "--set", "foo=1" }, "declared.lua:3:",
    "--set foo: the scenario declares no parameter 'foo' (declared: households, months)")
  T.eq(out, "before\n", "nothing after sp.params ran")
end)

T.case("--set without any sp.params: refused before the first file is written", function()
  local f = scenario("noparams.lua", tiny:gsub("local P = sp.params[^\n]*\n", "local P = { households = 200, months = 2 }\n"))
  fails({ "run", f, "--set", "housholds=1", "--out", "noparams_out" }, "noparams.lua:8:",
        "--set housholds: the scenario declares no parameter 'housholds'")
  assert(not T.exists(work .. "/noparams_out/tiny/table.csv"), "no table written")
end)

T.case("--set with a value of the wrong type names parameter, value and line", function()
  local f = scenario("declared.lua", [[
local sp = require "spendsim"
local P = sp.params{ households = 100, months = 2 }
]])
  fails({ "run", f, "--set", "households=lots" }, "declared.lua:2:", "'households'", "lots")
  fails({ "run", f, "--set", "months=1.5" }, "declared.lua:2:", "'months'", "1.5")
end)

T.case("API errors carry the scenario file and line", function()
  local f = scenario("bad_key.lua", [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 100 }

local e = sp.experiment{ population = pop, packages = { sp.package{ name = "A" } }, month = 3 }
]])
  fails({ "run", f }, "spendsim: bad_key.lua:4: sp.experiment: unknown key 'month'")
end)

T.case("strict globals", function()
  fails({ "run", scenario("g1.lua", "local a = 1\nx = 1\n") }, "g1.lua:2:", "'x'")
  fails({ "run", scenario("g2.lua", "local a = 1\n\nprint(undefined_name)\n") },
        "g2.lua:3:", "'undefined_name'")
  fails({ "run", scenario("g3.lua", "function f() end\n") }, "g3.lua:1:", "'f'")
  local rc = T.cli { "run", scenario("g4.lua", "local x = 1\nlocal function f() return x end\nprint(f())\n") }
  T.eq(rc, 0, "locals are fine")
end)

T.case("io, os, debug and other modules need --unsafe", function()
  local f = scenario("io.lua", 'local f = io.open("written_by_scenario.txt", "w")\n')
  fails({ "run", f }, "io.lua:1:", "'io'", "--unsafe")
  assert(not T.exists(work .. "/written_by_scenario.txt"), "nothing written")
  fails({ "run", scenario("os.lua", 'os.remove("x")\n') }, "os.lua:1:", "'os'")
  fails({ "run", scenario("dofile.lua", 'dofile("x.lua")\n') }, "dofile.lua:1:", "'dofile'")
  fails({ "run", scenario("req.lua", 'local s = require "string"\n') }, "req.lua:1:", "spendsim")
  local rc, out, err = T.cli { "run", f, "--unsafe" }
  T.eq(rc, 0, "--unsafe exit status: " .. err)
  assert(T.exists(work .. "/written_by_scenario.txt"), "--unsafe gives io")
  T.eq(out, "", "stdout")
  fails({ "run", scenario("g5.lua", "y = io\n"), "--unsafe" }, "g5.lua:1:", "'y'")
end)

T.case("check mode validates and writes nothing", function()
  local f = scenario("tiny.lua", tiny)
  local rc, out, err = T.cli { "check", f, "--out", "check_out" }
  T.eq(rc, 0, "exit status: " .. err)
  T.matches(out, "ok: tiny%.lua\n$", "stdout ends with ok")
  T.eq(err, "", "stderr")
  assert(not T.exists(work .. "/check_out"), "no output directory created")
  local g = scenario("tiny_bad.lua", tiny:gsub("months = P.months", "months = 0"))
  fails({ "check", g, "--out", "check_out" }, "tiny_bad.lua:4:", "'months'", "got 0")
  assert(not T.exists(work .. "/check_out"), "still nothing")
end)

T.case("--seed replaces every experiment's seed", function()
  local f = scenario("seeded.lua", [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 300, seed = 1 }
local pkg = sp.package{ name = "A" }
local function food(seed)
  local r = sp.experiment{ population = pop, packages = { pkg }, months = 1, seed = seed }:run()
  return r:value("A", 1, 1, "all", "food")
end
print(string.format("%.17g %.17g", food(1), food(77)))
]])
  local rc1, out1 = T.cli { "run", f }
  local rc2, out2 = T.cli { "run", f, "--seed", "77" }
  T.eq(rc1, 0, "run")
  T.eq(rc2, 0, "run --seed")
  local a1, b1 = out1:match("(%S+) (%S+)")
  local a2, b2 = out2:match("(%S+) (%S+)")
  assert(a1 ~= b1, "seeds 1 and 77 differ")
  T.eq(a2, b1, "--seed 77 replaces seed 1")
  T.eq(b2, b1, "--seed 77 keeps seed 77")
end)

T.case("runtime errors are one line too", function()
  fails({ "run", scenario("e1.lua", 'error("first\\nsecond")\n') }, "e1.lua:1: first second")
  fails({ "run", scenario("e2.lua", "error({})\n") }, "e2.lua:1: (error object is a table value)")
  fails({ "run", scenario("e4.lua", "local x = 1\nerror(nil)\n") }, "e4.lua:2: (error object is a nil value)")
  fails({ "run", scenario("e3.lua", "local x = = 1\n") }, "e3.lua:1:")
end)

T.case("every example scenario passes spendsim check", function()
  local list = io.popen("ls " .. T.q(T.args.src .. "/scenarios") .. "/*.lua")
  local n = 0
  for path in list:lines() do
    local rc, _, err = T.cli { "check", path }
    T.eq(rc, 0, path .. " check exit status: " .. err)
    n = n + 1
  end
  list:close()
  assert(n >= 6, "found " .. n .. " scenarios")
end)

-- ---- hardened inputs (docs/security.md) ----

T.case("a scenario with a UTF-8 BOM or a #! first line runs, with its line numbers", function()
  local rc, out, err = T.cli { "run", scenario("bom.lua", "\239\187\191print('bom ok')\n") }
  T.eq(rc, 0, "BOM: " .. err)
  T.eq(out, "bom ok\n", "BOM output")
  rc, out, err = T.cli { "run", scenario("shebang.lua", "#!/usr/bin/env spendsim\nprint('hash ok')\nerror('x')\n") }
  T.eq(rc, 1, "#! exit status")
  T.eq(out, "hash ok\n", "#! output")
  T.has(err, "shebang.lua:3: x", "line numbers kept")
end)

T.case("a directory given as the scenario is an error", function()
  T.sh("mkdir -p " .. T.q(work .. "/adir"))
  fails({ "run", "adir" }, "scenario 'adir' is a directory")
  fails({ "check", "adir" }, "is a directory")
end)

T.case("a filter with a NUL byte is refused, not cut", function()
  local f = scenario("nulfilter.lua", [[
local sp = require "spendsim"
local v = sp.voucher{ start = "2020-04", months = 1, face = 10, supply = 1e6,
                      claim = "targeted", filter = "income > 0\0 garbage((" }
]])
  fails({ "check", f }, "nulfilter.lua:2:", "'filter' contains a NUL byte at position 11")
end)

T.case("an amount out of range is an error, not NaN in the summary", function()
  local f = scenario("face.lua", [[
local sp = require "spendsim"
local v = sp.voucher{ start = "2020-04", months = 1, face = 1e300, supply = 1e6 }
]])
  fails({ "run", f }, "face.lua:2:", "'face' = 1e+300 is out of range")
end)

local csv = "weight,size,area,income,consumption\n2,1,urban,1000,900\n3,2,rural,2000,1500\n" ..
            "4,1,urban,3000,2000\n5,3,urban,4000,3000\n"

T.case("microdata from a FIFO is read once", function()
  T.sh("rm -f " .. T.q(work .. "/md.fifo") .. " && mkfifo " .. T.q(work .. "/md.fifo"))
  local f = scenario("fifo.lua", 'local sp = require "spendsim"\nprint(#sp.population.csv{ path = "md.fifo" })\n')
  T.write(work .. "/md.csv", csv)
  local rc = T.sh(string.format("cd %s && (cat md.csv > md.fifo &) && timeout 20 %s run fifo.lua > fifo.out 2> fifo.err",
                                T.q(work), T.q(T.args.cli)))
  T.eq(rc, 0, "exit status: " .. (T.read(work .. "/fifo.err") or ""))
  T.eq(T.read(work .. "/fifo.out"), "4\n", "four households")
end)

T.case("a NUL byte in microdata is an error naming its line (4 rows never read as 2)", function()
  T.write(work .. "/nul.csv", csv:gsub("3,2,rural", "3,2,ru\0ral"))
  local f = scenario("nulcsv.lua", 'local sp = require "spendsim"\nprint(#sp.population.csv{ path = "nul.csv" })\n')
  fails({ "run", f }, "nulcsv.lua:2:", "nul.csv:3: a NUL byte at column 7")
end)

T.case("microdata with a BOM and CR-only lines is read right", function()
  T.write(work .. "/mac.csv", "\239\187\191" .. csv:gsub("\n", "\r"))
  local f = scenario("mac.lua", 'local sp = require "spendsim"\nprint(#sp.population.csv{ path = "mac.csv" })\n')
  local rc, out, err = T.cli { "run", f }
  T.eq(rc, 0, "exit status: " .. err)
  T.eq(out, "4\n", "four households")
end)

T.case("one manifest per directory, keyed by the resolved path, with every experiment", function()
  local f = scenario("manifest.lua", [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 200, seed = 1 }
local function run(seed)
  return sp.experiment{ population = pop, packages = { sp.package{ name = "A" } }, months = 2, seed = seed }:run()
end
local r1, r2 = run(11), run(22)
assert(r1:table{ by = "month" }:write("a/x", "csv"))
assert(r2:table{ by = "month" }:write("./a/y", "csv"))
assert(r2:table{ by = "month" }:write("a//z", "md"))
]])
  local rc, _, err = T.cli { "run", f, "--out", "mf" }
  T.eq(rc, 0, "exit status: " .. err)
  local m = T.read(work .. "/mf/a/manifest.json")
  for _, name in ipairs { '"x.csv"', '"y.csv"', '"z.md"', '"seed": "11"', '"seed": "22"' } do
    T.has(m, name, "manifest")
  end
  local first = m:find('"seed": "11"', 1, true)
  assert(first < m:find('"x.csv"', first, true), "x.csv under the first experiment")
  assert(m:find('"y.csv"', m:find('"seed": "22"', 1, true), true), "y.csv under the second")
end)

T.case("stale temporary files of killed runs are removed at start; live ones are kept", function()
  T.sh("mkdir -p " .. T.q(work .. "/stale/tiny"))
  T.write(work .. "/stale/tiny/table.csv.tmp.999999999.AbC123", "half")
  T.write(work .. "/stale/tiny/keep.csv.tmp.1.AbC123", "pid 1 is alive") -- init never dies
  T.write(work .. "/stale/tiny/notes.tmp.txt", "not ours")
  local rc, _, err = T.cli { "run", scenario("tiny.lua", tiny), "--out", "stale" }
  T.eq(rc, 0, "exit status")
  T.has(err, "removed 1 temporary file left by a killed run")
  assert(not T.exists(work .. "/stale/tiny/table.csv.tmp.999999999.AbC123"), "stale file removed")
  assert(T.exists(work .. "/stale/tiny/keep.csv.tmp.1.AbC123"), "a live process's file kept")
  assert(T.exists(work .. "/stale/tiny/notes.tmp.txt"), "other files kept")
end)

T.case("SIGTERM while writing leaves no temporary file", function()
  local f = scenario("writer.lua", tiny:gsub('assert%(t:write%("tiny/table", { "csv", "md" }%)%)',
                                             'while true do assert(t:write("loop/table", { "csv", "md", "json" })) end'))
  local rc = T.sh(string.format("cd %s && (%s run %s --out term 2>term.err & pid=$!; sleep 2; kill -TERM $pid; wait $pid; echo $? > term.rc)",
                                T.q(work), T.q(T.args.cli), T.q(f)))
  T.eq(rc, 0, "shell")
  T.eq(T.read(work .. "/term.rc"), "143\n", "died of SIGTERM")
  T.has(T.read(work .. "/term.err"), "terminated (SIGTERM); no partial output left")
  T.eq(T.sh("ls " .. T.q(work .. "/term/loop") .. " | grep -q tmp"), 1, "no temporary file left")
  assert(T.exists(work .. "/term/loop/table.csv"), "the tables written before are there")
end)

T.finish()
