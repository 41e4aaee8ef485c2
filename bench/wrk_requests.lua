-- wrk script for the benchmarks: replays prepared requests and reports JSON from done().
-- Usage: wrk -t <threads> ... -s bench/wrk_requests.lua -- <requests.lua> <threads> [once]
--   <requests.lua> returns a list of {method=, path=, headers={}, body=} (written by bench/load.py).
--   "once": each thread takes its own slice and sends every request once; when a thread runs
--   out it starts again from its first request and counts the repeats (reported as "wrapped").
-- wrk itself prints only the 50/75/90/99th percentiles; done() adds the 95th and the status codes.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local all = dofile(args[1])
  local threads_total = tonumber(args[2])
  local once = args[3] == "once"
  prepared = {}
  local step = once and threads_total or 1
  local start = once and (id + 1) or 1
  for i = start, #all, step do
    local r = all[i]
    table.insert(prepared, wrk.format(r.method, r.path, r.headers, r.body))
  end
  if #prepared == 0 then
    error("no requests for thread " .. id)
  end
  -- Threads start at different places so they do not all send the same request first.
  position = once and 0 or (id * 7919) % #prepared
  sent = 0
  wrapped = 0
  statuses = {}
end

function request()
  position = position + 1
  if position > #prepared then
    position = 1
  end
  sent = sent + 1
  if sent > #prepared then
    wrapped = wrapped + 1
  end
  return prepared[position]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local codes = {}
  local wrapped_total = 0
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      codes[code] = (codes[code] or 0) + n
    end
    wrapped_total = wrapped_total + thread:get("wrapped")
  end
  local parts = {}
  for code, n in pairs(codes) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  io.write("BENCH-JSON ")
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p75": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, ' ..
    '"statuses": {%s}, "wrapped": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", "), wrapped_total))
end
