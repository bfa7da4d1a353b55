-- compare_csv.lua: compares two CSV tables cell by cell, numbers with a
-- relative tolerance, everything else exactly.
--
-- As a script:  lua5.4 compare_csv.lua EXPECTED.csv ACTUAL.csv [RTOL]
--               exit 0 when they agree (RTOL defaults to 1e-9), 1 with the
--               first difference on stderr otherwise.
-- As a module:  local compare = require "compare_csv"
--               local ok, why = compare.texts(expected_text, actual_text, rtol)
--               local ok, why = compare.files(expected_path, actual_path, rtol)
--
-- Two numbers a (expected) and b agree when |a - b| <= rtol * max(|a|, |b|);
-- so zero only agrees with zero. Fields may be quoted ("a, b", "say ""hi""").
local M = {}

-- Splits CSV text into rows of fields (RFC 4180: quotes, doubled quotes,
-- CRLF or LF line ends). A trailing line end does not start a new row.
function M.parse(text)
  local rows, row, field = {}, {}, {}
  local i, n, quoted = 1, #text, false
  while i <= n do
    local c = text:sub(i, i)
    if quoted then
      if c == '"' then
        if text:sub(i + 1, i + 1) == '"' then
          field[#field + 1] = '"'
          i = i + 1
        else
          quoted = false
        end
      else
        field[#field + 1] = c
      end
    elseif c == '"' then
      quoted = true
    elseif c == "," then
      row[#row + 1] = table.concat(field)
      field = {}
    elseif c == "\n" or c == "\r" then
      if c == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
      row[#row + 1] = table.concat(field)
      rows[#rows + 1] = row
      row, field = {}, {}
    else
      field[#field + 1] = c
    end
    i = i + 1
  end
  if #field > 0 or #row > 0 then
    row[#row + 1] = table.concat(field)
    rows[#rows + 1] = row
  end
  return rows
end

local function number(s)
  if s:match("^%s*$") then return nil end
  return tonumber(s)
end

function M.texts(expected, actual, rtol)
  rtol = rtol or 1e-9
  local a, b = M.parse(expected), M.parse(actual)
  if #a ~= #b then
    return false, string.format("expected %d rows, got %d", #a, #b)
  end
  for r = 1, #a do
    if #a[r] ~= #b[r] then
      return false, string.format("row %d: expected %d fields, got %d", r, #a[r], #b[r])
    end
    for c = 1, #a[r] do
      local x, y = a[r][c], b[r][c]
      local nx, ny = number(x), number(y)
      if nx and ny then
        local scale = math.max(math.abs(nx), math.abs(ny))
        if math.abs(nx - ny) > rtol * scale or (nx ~= nx) ~= (ny ~= ny) then
          return false, string.format("row %d (%s), column %d (%s): expected %s, got %s " ..
                                      "(relative difference %.3g > %g)", r, a[r][1], c,
                                      a[1][c] or "?", x, y, math.abs(nx - ny) / scale, rtol)
        end
      elseif x ~= y then
        return false, string.format("row %d, column %d: expected %q, got %q", r, c, x, y)
      end
    end
  end
  return true
end

local function slurp(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local s = f:read("a")
  f:close()
  return s
end

function M.files(expected_path, actual_path, rtol)
  local a, err = slurp(expected_path)
  if not a then return false, err end
  local b, err2 = slurp(actual_path)
  if not b then return false, err2 end
  local ok, why = M.texts(a, b, rtol)
  if not ok then return false, actual_path .. " vs " .. expected_path .. ": " .. why end
  return true
end

if ... == "compare_csv" then return M end

-- Script mode.
local expected, actual, rtol = ...
if not expected or not actual then
  io.stderr:write("usage: lua5.4 compare_csv.lua EXPECTED.csv ACTUAL.csv [RTOL]\n")
  os.exit(2)
end
local ok, why = M.files(expected, actual, rtol and tonumber(rtol))
if not ok then
  io.stderr:write("compare_csv: ", why, "\n")
  os.exit(1)
end
os.exit(0)
