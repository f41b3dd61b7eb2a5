-- wrk script of bench/serving.py: cycle through the request paths in a file, print the
-- figures as one JSON line. A run is bounded by wrk's -d duration (no request cap: wrk
-- reports the full duration even when its threads stop early, so throughput would be wrong).
--   wrk -t1 -c8 -d10s -s bench/serving_wrk.lua http://127.0.0.1:PORT -- PATHS_FILE
local paths = {}
local next_index = 1

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  next_index = 1
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50_ms": %.4f, "p95_ms": %.4f, "p99_ms": %.4f, ' ..
    '"max_ms": %.4f, "mean_ms": %.4f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
end
