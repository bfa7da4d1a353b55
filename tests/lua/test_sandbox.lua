-- test_sandbox.lua: safe mode, tried as an attacker and as a careless user
-- would (docs/security.md). Every escape runs as a scenario through the CLI
-- and must be refused: exit status 1, one line on stderr naming the problem
-- (and, where the escape has a line, the scenario line), and no effect: no
-- file written or read outside what the scenario may touch. --unsafe keeps
-- today's freedom.
local here = arg[0]:match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path
local T = require "testlib"
local work = T.workdir()
local outside = work .. "/../sandbox_outside" -- a folder the scenarios may not touch
assert(T.sh("rm -rf " .. T.q(outside) .. " && mkdir -p " .. T.q(outside)) == 0)
T.write(outside .. "/secret.csv", "TOPSECRET,line\n")
T.write(outside .. "/manifest.json", "original\n")

local n = 0
local function scenario(text)
  n = n + 1
  local name = string.format("esc%02d.lua", n)
  T.write(work .. "/" .. name, text)
  return name
end

local prelude = [[
local sp = require "spendsim"
local pop = sp.population.beijing{ households = 100, seed = 1 }
local res = sp.experiment{ population = pop, packages = { sp.package{ name = "A" } }, months = 1 }:run()
local t = res:table{ by = "month" }
]]

-- An escape: runs text (after `extra` CLI arguments) and expects a refusal
-- whose one line contains every part.
local nesc = 0
local function refused(name, text, parts, extra)
  nesc = nesc + 1
  T.case("escape " .. nesc .. ": " .. name, function()
    local args = { "run", scenario(text), "--out", "out" }
    for _, a in ipairs(extra or {}) do args[#args + 1] = a end
    local rc, out, err = T.cli(args)
    T.eq(rc, 1, "exit status (stderr: " .. err .. ")")
    T.one_line(err)
    T.matches(err, "^spendsim: ", "stderr prefix")
    for _, p in ipairs(parts) do T.has(err, p) end
    T.eq(out:find("ESCAPED", 1, true), nil, "the escape did not run: " .. out)
    assert(not (out .. err):find("TOPSECRET", 1, true), "a secret file's content was quoted")
  end)
end

local function untouched()
  T.eq(T.read(outside .. "/manifest.json"), "original\n", "outside manifest.json")
  T.eq(T.sh("ls " .. T.q(outside) .. " | grep -qv -e secret.csv -e manifest.json"), 1,
       "nothing new outside")
end

-- ---- files and processes ----
refused("io.open for writing", 'local f = io.open("/tmp/x", "w")\nprint("ESCAPED")\n',
        { "esc01.lua:1:", "'io' is not available" })
refused("io.popen", 'io.popen("id")\n', { ":1:", "'io' is not available" })
refused("os.execute", 'os.execute("touch pwned")\n', { ":1:", "'os' is not available" })
refused("os.remove", 'os.remove("x")\n', { ":1:", "'os' is not available" })
refused("os.getenv", 'print(os.getenv("HOME"))\n', { ":1:", "'os' is not available" })
refused("dofile", 'dofile("/etc/passwd")\n', { ":1:", "'dofile' is not available" })
refused("loadfile", 'loadfile("/etc/passwd")\n', { ":1:", "'loadfile' is not available" })
refused("require of a library", 'local io = require "io"\n', { ":1:", "require \"io\"", "spendsim" })
refused("require of a C module", 'require "socket.core"\n', { ":1:", "spendsim\" only" })
refused("package.loadlib", 'package.loadlib("/lib/x86_64-linux-gnu/libc.so.6", "system")\n',
        { ":1:", "'package' is not available" })
refused("package.loaded.io through _G", 'local p = _G.package\n', { ":1:", "'package'" })
refused("warn to stderr", 'warn("@on")\n', { ":1:", "'warn'" })

-- ---- bytecode ----
refused("string.dump", 'local s = string.dump(function() end)\n',
        { ":1:", "string.dump is not available in scenarios" })
refused("string.dump through the string metatable", 'local s = ("").dump(print)\n',
        { ":1:", "string.dump is not available in scenarios" })
local bytecode = string.dump(function() return 1 end) -- made by the stock interpreter
refused("load of a binary chunk", string.format("local f = assert(load(%q))\nprint('ESCAPED')\n", bytecode),
        { ":1:", "attempt to load a binary chunk" })
local patched = bytecode:sub(1, 40) .. "\255\255\255\127" .. bytecode:sub(45)
refused("load of patched bytecode", string.format("local f = assert(load(%q, 'x', 't'))\nf()\n", patched),
        { ":1:", "binary chunk" })
refused("load with mode 'b'", 'load("return 1", "x", "b")\n', { ":1:", "mode 'b' refused" })
refused("load with mode 'bt'", 'load("return 1", "x", "bt")\n', { ":1:", "mode 'bt' refused" })
refused("load of a binary chunk from a reader function",
        string.format("local s = %q\nlocal done\nlocal f = assert(load(function() if done then return nil end done = true return s end))\n",
                      bytecode),
        { ".lua:", "attempt to load a binary chunk" })
refused("text chunk that reaches for io", 'local f = load("return io")\nf()\n',
        { "'io' is not available" })

-- ---- debug and metatables ----
refused("debug.getregistry", 'local r = debug.getregistry()\n', { ":1:", "'debug' is not available" })
refused("debug.sethook to undo the time limit", 'debug.sethook()\n', { ":1:", "'debug'" })
refused("removing strict globals", 'setmetatable(_G, nil)\nx = 1\n',
        { ":1:", "cannot change a protected metatable" })
refused("replacing the string metatable", 'setmetatable(getmetatable(""), {})\n',
        { ":1:" })
refused("swapping a handle's methods", prelude .. 'getmetatable(pop).__index = {}\n',
        { ":5:", "attempt to index a string value" })
refused("collectgarbage('stop')", 'collectgarbage("stop")\n', { ":1:", "collectgarbage(\"stop\") is not available" })

-- ---- output paths ----
refused("t:write with ..", prelude .. 'assert(t:write("../../sandbox_outside/x", "csv"))\n',
        { ":5:", "output path '../../sandbox_outside/x' leaves the output directory" })
refused("t:write to an absolute path", prelude .. 'assert(t:write("' .. outside .. '/abs", "csv"))\n',
        { ":5:", "is absolute" })
refused("t:write with .. in the middle", prelude .. 'assert(t:write("a/../../../sandbox_outside/y", "md"))\n',
        { ":5:", "leaves the output directory" })
refused("overwriting a manifest.json outside", prelude .. 'assert(t:write("../../sandbox_outside/manifest", "json"))\n',
        { ":5:", "leaves the output directory" })
refused("res:report outside", prelude .. 'assert(res:report("../../sandbox_outside/r"))\n',
        { ":5:", "results:report", "leaves the output directory" })
refused("res:report to an absolute path", prelude .. 'assert(res:report("/tmp/spendsim_report"))\n',
        { ":5:", "is absolute" })
T.case("setup: a symbolic link inside --out pointing outside", function()
  assert(T.sh("mkdir -p " .. T.q(work .. "/out") .. " && ln -sfn " .. T.q(outside) .. " " ..
              T.q(work .. "/out/link")) == 0)
end)
refused("t:write through a symbolic link", prelude .. 'assert(t:write("link/t", "csv"))\n',
        { ":5:", "symbolic link", "out/link" })
refused("res:report through a symbolic link", prelude .. 'assert(res:report("link/sub/r"))\n',
        { ":5:", "symbolic link" })

-- ---- input paths ----
refused("sp.population.csv of /etc/passwd",
        'local sp = require "spendsim"\nlocal p = sp.population.csv{ path = "/etc/passwd" }\n',
        { ":2:", "'/etc/passwd' is outside the folders a scenario may read" })
refused("sp.population.csv of a file outside, caught with pcall",
        'local sp = require "spendsim"\nlocal ok, e = pcall(sp.population.csv, { path = "../sandbox_outside/secret.csv" })\nerror(e, 0)\n',
        { "is outside the folders a scenario may read" })
T.case("setup: a symbolic link in the scenario's folder pointing outside", function()
  assert(T.sh("ln -sf " .. T.q(outside .. "/secret.csv") .. " " .. T.q(work .. "/link.csv")) == 0)
end)
refused("sp.population.csv through a symbolic link",
        'local sp = require "spendsim"\nlocal p = sp.population.csv{ path = "link.csv" }\n',
        { ":2:", "'link.csv' is outside" })

-- ---- time and memory ----
refused("while true do end", 'local x = 0\nwhile true do x = x + 1 end\n',
        { "esc", ":2:", "time limit of 1 s exceeded (--max-seconds)" }, { "--max-seconds", "1" })
refused("an endless loop that catches the time limit with pcall",
        'while true do\n  pcall(function() while true do end end)\nend\n',
        { "time limit of 1 s exceeded" }, { "--max-seconds", "1" })
refused("an endless loop in a coroutine",
        'local co = coroutine.wrap(function() while true do end end)\nco()\n',
        { ":1:", "time limit of 1 s exceeded" }, { "--max-seconds", "1" })
refused("an endless loop on the first line",
        'while true do end\n', { ":1:", "time limit" }, { "--max-seconds", "1" })
refused("a pattern that backtracks for ever (C code, the watchdog)",
        'local s = ("a"):rep(60)\nprint(s:find(("a*"):rep(25) .. "b"))\n',
        { ":2:", "time limit exceeded in the engine or a library call (--max-seconds)" },
        { "--max-seconds", "1" })
refused("a table that grows without end", 'local t = {}\nlocal i = 0\nwhile true do i = i + 1; t[i] = { i } end\n',
        { ":3:", "memory limit of 64 MiB exceeded (--max-memory)" }, { "--max-memory", "64M" })
refused("one huge string", 'local s = ("x"):rep(1 << 30)\n',
        { "memory limit of 64 MiB exceeded (--max-memory)" }, { "--max-memory", "64M" })
refused("a population larger than the memory budget",
        'local sp = require "spendsim"\nlocal pop = sp.population.beijing{ households = 50000000 }\n',
        { ":2:", "50000000 households: needs 3.2 GiB, 2.0 GiB available (--max-memory)" },
        { "--max-memory", "2G" })

T.case("nothing outside was touched", untouched)

T.case("check mode is limited too", function()
  local rc, _, err = T.cli { "check", scenario("while true do end\n"), "--max-seconds", "1" }
  T.eq(rc, 1, "exit status")
  T.has(err, "time limit of 1 s exceeded (--max-seconds)")
end)

T.case("inputs in --data folders and the scenario's folder are readable", function()
  local csv = "weight,size,area,income,consumption\n2,1,urban,1000,900\n"
  T.write(outside .. "/ok.csv", csv)
  local f = scenario('local sp = require "spendsim"\n' ..
                     'print(#sp.population.csv{ path = "' .. outside .. '/ok.csv" })\n')
  local rc, out, err = T.cli { "run", f, "--data", outside }
  T.eq(rc, 0, "with --data: " .. err)
  T.eq(out, "1\n", "one household")
  T.write(work .. "/here.csv", csv)
  rc, out, err = T.cli { "run", scenario('local sp = require "spendsim"\nprint(#sp.population.csv{ path = "here.csv" })\n') }
  T.eq(rc, 0, "the scenario's folder: " .. err)
end)

T.case("--unsafe keeps today's freedom", function()
  local f = scenario(prelude .. 'assert(t:write("' .. outside .. '/unsafe_abs", "csv"))\n' ..
                     'local h = assert(io.open("' .. outside .. '/secret.csv")); print(h:read("l"))\n' ..
                     'print(type(string.dump), type(debug))\n')
  local rc, out, err = T.cli { "run", f, "--unsafe" }
  T.eq(rc, 0, "exit status: " .. err)
  T.has(out, "TOPSECRET,line", "io")
  T.has(out, "function\ttable", "string.dump and debug")
  assert(T.exists(outside .. "/unsafe_abs.csv"), "absolute path written")
  T.sh("rm -f " .. T.q(outside .. "/unsafe_abs.csv"))
end)

T.case("at least 30 escapes tried", function()
  assert(nesc >= 30, "only " .. nesc .. " escapes")
end)

T.finish()
