-- post.lua: wrk script for the dfexport benchmark.
--
-- POSTs pre-cut NDJSON bodies (BODY_DIR/0000.ndjson ... BODY_COUNT files,
-- K records each) to INGEST_PATH, rotating over them so that no single body
-- sits in a cache, and writes one JSON object with the request count, the
-- error counts and the latency percentiles to RESULT_JSON (stdout when
-- unset).  Bodies are read once in init(), outside the measured time.
local dir = os.getenv("BODY_DIR")
local count = tonumber(os.getenv("BODY_COUNT") or "1")
local path = os.getenv("INGEST_PATH") or "/v1/ingest/flow_log.l7_flow_log"
local reqs = {}
local next_body = 0

function init(args)
  for i = 0, count - 1 do
    local name = string.format("%s/%04d.ndjson", dir, i)
    local f = assert(io.open(name, "rb"))
    local body = f:read("*a")
    f:close()
    reqs[#reqs + 1] = wrk.format("POST", path,
      { ["Content-Type"] = "application/x-ndjson" }, body)
  end
  -- each wrk thread starts on a different body
  next_body = math.random(0, #reqs - 1)
end

function request()
  next_body = next_body % #reqs + 1
  return reqs[next_body]
end

function done(summary, latency, requests)
  local e = summary.errors
  local s = string.format(
    '{"requests":%d,"duration_us":%d,"bytes_read":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,' ..
    '"err_timeout":%d,"lat_p50_us":%d,"lat_p90_us":%d,"lat_p99_us":%d,' ..
    '"lat_p999_us":%d,"lat_max_us":%d,"lat_mean_us":%.1f}',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read,
    e.write, e.status, e.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean)
  local out = os.getenv("RESULT_JSON")
  if out and out ~= "" then
    local f = assert(io.open(out, "w"))
    f:write(s, "\n")
    f:close()
  else
    io.write(s, "\n")
  end
end
