-- prelude.lua: conveniences of the spendsim Lua API, embedded in the module.
--
-- luaopen_spendsim runs this chunk once per Lua state with two arguments:
--   sp        the module table, which the prelude extends (sp.params);
--   internal  the module's private table (registry key "spendsim.internal"),
--             shared with the CLI:
--               internal.overrides        name -> text of `--set name=value`;
--                                         the CLI fills it before the scenario runs
--               internal.unused_override() nil, or the message for the first
--                                         --set that names no declared parameter;
--                                         the CLI calls it after the scenario.
--               internal.pending_override() nil, or that message while the
--                                         scenario has declared no parameter yet;
--                                         every output path asks it before writing.
-- Every --set must name a parameter of the first sp.params call: it is
-- checked there, before anything runs.
-- Mechanics live in C; this file only holds what is clearer in Lua. Errors
-- meant for the scenario use error(msg, 2), so they point at the scenario
-- line that called the API function, as the C functions' errors do.
local sp, internal = ...

local error, ipairs, pairs, setmetatable, tonumber, tostring, type =
  error, ipairs, pairs, setmetatable, tonumber, tostring, type
local concat, sort = table.concat, table.sort
local format = string.format
local math_type, tointeger = math.type, math.tointeger

internal.overrides = internal.overrides or {}

local declared = {} -- name -> true, for every parameter declared so far
local order = {}    -- the declared names, sorted
local values = {}   -- name -> value: the table sp.params returns (shared by all calls)

local function declared_list()
  if #order == 0 then return "none" end
  return concat(order, ", ")
end

-- Reading a parameter that was never declared is an error, so a typo in
-- P.housholds is caught where it is made.
setmetatable(values, {
  __index = function(_, name)
    error(format("sp.params: no parameter '%s' is declared (declared: %s)",
                 tostring(name), declared_list()), 2)
  end,
})

-- The value of --set text for a parameter whose default is `default`:
-- converted to the default's type, or nil and the expected type.
local function convert(default, text)
  local kind = math_type(default) or type(default)
  if kind == "integer" then
    local n = tonumber(text)
    local v = n and tointeger(n)
    if v then return v end
    return nil, "an integer"
  elseif kind == "float" then
    local v = tonumber(text)
    if v then return v + 0.0 end
    return nil, "a number"
  elseif kind == "boolean" then
    if text == "true" then return true end
    if text == "false" then return false end
    return nil, "true or false"
  end
  return text
end

--- sp.params{ name = default, ... } -> table of values
-- Declares scenario parameters with their defaults. A `--set name=value` on
-- the command line replaces a default, converted to the default's type
-- (an integer default takes integers only). Calling sp.params again adds
-- declarations; every call returns the same table of all declared values.
local function first_call_check(decl)
  local names = {}
  for name in pairs(internal.overrides) do names[#names + 1] = name end
  sort(names)
  for _, name in ipairs(names) do
    if decl[name] == nil then
      local have = {}
      for k in pairs(decl) do have[#have + 1] = tostring(k) end
      sort(have)
      error(format("--set %s: the scenario declares no parameter '%s' (declared: %s)",
                   name, name, #have > 0 and concat(have, ", ") or "none"), 3)
    end
  end
end

function sp.params(decl)
  if type(decl) ~= "table" then
    error(format("sp.params: expected a table of name = default, got %s", type(decl)), 2)
  end
  local names = {}
  for name, default in pairs(decl) do
    if type(name) ~= "string" then
      error(format("sp.params: parameter names must be strings, got %s %s",
                   type(name), tostring(name)), 2)
    end
    if not name:match("^[%a_][%w_]*$") then
      error(format("sp.params: '%s' is not a valid parameter name (letters, digits, _)", name), 2)
    end
    local t = type(default)
    if t ~= "number" and t ~= "string" and t ~= "boolean" then
      error(format("sp.params: '%s' must default to a number, string or boolean, got %s",
                   name, t), 2)
    end
    names[#names + 1] = name
  end
  sort(names)
  if #order == 0 then first_call_check(decl) end
  for _, name in ipairs(names) do
    local default, value = decl[name], decl[name]
    local text = internal.overrides[name]
    if text ~= nil then
      local v, expected = convert(default, text)
      if v == nil then
        error(format("sp.params: --set %s=%s: '%s' must be %s, got '%s'",
                     name, text, name, expected, text), 2)
      end
      value = v
    end
    if not declared[name] then
      declared[name] = true
      order[#order + 1] = name
    end
    values[name] = value
  end
  sort(order)
  return values
end

function internal.pending_override()
  if #order > 0 then return nil end
  return internal.unused_override()
end

function internal.unused_override()
  local names = {}
  for name in pairs(internal.overrides) do names[#names + 1] = name end
  sort(names)
  for _, name in ipairs(names) do
    if not declared[name] then
      return format("--set %s: the scenario declares no parameter '%s' (declared: %s)",
                    name, name, declared_list())
    end
  end
  return nil
end
