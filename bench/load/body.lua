-- Shared by chat.lua and stream.lua: loads a request body that lives next to the scripts
-- and sets up wrk's static request. Done in init() so wrk still pre-formats one request
-- per thread (no per-request Lua, which would make wrk the bottleneck).
local M = {}

local function script_dir()
  local source = debug.getinfo(1, "S").source
  return source:match("^@(.*/)") or "./"
end

function M.load(default_name, args)
  local path = args[1] or (script_dir() .. "fixtures/" .. default_name)
  local file = assert(io.open(path, "rb"), "cannot open request body " .. path)
  local body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_API_KEY") or "gw-bench-key")
  local path_override = args[2]
  if path_override then wrk.path = path_override end
end

return M
