-- testlib.lua: a tiny harness for the Lua API and CLI tests (run by ctest
-- with the stock lua5.4 interpreter; see tests.cmake).
--
-- Test scripts receive key=value arguments:
--   module=DIR  directory holding spendsim.so (the Lua module)
--   cli=PATH    the spendsim executable
--   src=DIR     the source tree (scenarios/, tests/golden/)
--   lua=PATH    the lua5.4 interpreter running the tests
--   work=DIR    a scratch directory for this test, emptied at start
-- and register cases with T.case(name, fn); T.finish() runs them, prints one
-- line per case and exits non-zero when any case failed.
local T = {}

T.args = {}
for _, a in ipairs(arg) do
  local k, v = a:match("^([%w_]+)=(.*)$")
  if k then T.args[k] = v end
end

local cases = {}

function T.case(name, fn) cases[#cases + 1] = { name = name, fn = fn } end

function T.finish()
  local failed = 0
  for _, c in ipairs(cases) do
    local ok, err = xpcall(c.fn, debug.traceback)
    if ok then
      print("ok     " .. c.name)
    else
      failed = failed + 1
      print("FAILED " .. c.name .. "\n" .. tostring(err))
    end
  end
  print(string.format("%d of %d cases passed", #cases - failed, #cases))
  os.exit(failed == 0 and 0 or 1)
end

-- Quotes a word for /bin/sh.
function T.q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

function T.sh(cmd)
  local ok, how, code = os.execute(cmd)
  if how == "signal" then error("command killed by signal " .. tostring(code) .. ": " .. cmd, 2) end
  return code or (ok and 0 or 1)
end

function T.read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

function T.write(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

function T.exists(path) return T.sh("test -e " .. T.q(path)) == 0 end

-- A fresh, empty scratch directory.
function T.workdir()
  local w = assert(T.args.work, "missing work=DIR")
  assert(T.sh("rm -rf " .. T.q(w) .. " && mkdir -p " .. T.q(w)) == 0, "cannot prepare " .. w)
  return w
end

-- Runs the CLI with a list of arguments in directory dir (default: work).
-- Returns exit status, stdout, stderr.
local nrun = 0
function T.cli(args, dir)
  nrun = nrun + 1
  local w = assert(T.args.work)
  local out, err = w .. "/.stdout." .. nrun, w .. "/.stderr." .. nrun
  local words = { T.q(assert(T.args.cli, "missing cli=PATH")) }
  for _, a in ipairs(args) do words[#words + 1] = T.q(a) end
  local cmd = string.format("cd %s && %s >%s 2>%s", T.q(dir or w), table.concat(words, " "),
                            T.q(out), T.q(err))
  local rc = T.sh(cmd)
  return rc, T.read(out) or "", T.read(err) or ""
end

-- Loads the module from module=DIR.
function T.require_spendsim()
  package.cpath = assert(T.args.module, "missing module=DIR") .. "/?.so;" .. package.cpath
  return require "spendsim"
end

-- Assertions with messages that show the values.
function T.eq(a, b, what)
  if a ~= b then
    error(string.format("%s: expected %s, got %s", what or "value", tostring(b), tostring(a)), 2)
  end
end

function T.has(s, plain, what)
  if type(s) ~= "string" or not s:find(plain, 1, true) then
    error(string.format("%s: expected to contain %q, got %q", what or "text", plain, tostring(s)), 2)
  end
end

function T.matches(s, pattern, what)
  if type(s) ~= "string" or not s:match(pattern) then
    error(string.format("%s: expected to match %q, got %q", what or "text", pattern, tostring(s)), 2)
  end
end

function T.one_line(s, what)
  local n = select(2, s:gsub("\n", ""))
  if n ~= 1 or s:sub(-1) ~= "\n" then
    error(string.format("%s: expected exactly one line, got %q", what or "stderr", s), 2)
  end
end

-- Runs `code` as a chunk named `chunkname` (e.g. "scen.lua") with `...` bound
-- to the extra arguments, expecting an error; returns the message.
function T.error_of(chunkname, code, ...)
  local f = assert(load(code, "@" .. chunkname))
  local ok, err = pcall(f, ...)
  if ok then error("expected an error from: " .. code, 2) end
  return tostring(err)
end

return T
