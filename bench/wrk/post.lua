-- POST the JSON body in BENCH_BODY_FILE with the API key from BENCH_API_KEY.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY")
