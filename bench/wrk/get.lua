-- GET with the API key from BENCH_API_KEY (none for the baseline view when it is unset).
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
local key = os.getenv("BENCH_API_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
