-- wrk script: streamed OpenAI chat request (~1 KB, "stream": true with include_usage),
-- model "upstream_stream/gpt-4o-mini" (the gateway's route to the fast 20-chunk stream;
-- direct and nginx targets ignore the model and select the stream by URL path).
-- Usage: wrk ... -s bench/load/stream.lua URL [-- BODY_FILE]
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local body = require("body")

function init(args)
  body.load("stream.request.json", args)
end
