-- wrk script: non-streamed OpenAI chat request (~1 KB), model "gpt-4o-mini".
-- Usage: wrk ... -s bench/load/chat.lua URL [-- BODY_FILE]
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local body = require("body")

function init(args)
  body.load("chat.request.json", args)
end
