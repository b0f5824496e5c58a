-- POST prepared bodies in turn, each with its own X-Hub-Signature-256: BENCH_REQUESTS_FILE holds
-- one "<signature>\t<body>" per line (signed by the orchestrator: wrk's Lua has no HMAC).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 1000)
end
local prepared = {}
local index = 0
function init(args)
  -- Here, not at load time: wrk.path and the Host header are known once the thread starts.
  for line in io.lines(os.getenv("BENCH_REQUESTS_FILE")) do
    local tab = line:find("\t", 1, true)
    prepared[#prepared + 1] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/json",
      ["X-Hub-Signature-256"] = line:sub(1, tab - 1),
    }, line:sub(tab + 1))
  end
  index = offset or 0
end
function request()
  index = index + 1
  return prepared[(index % #prepared) + 1]
end
