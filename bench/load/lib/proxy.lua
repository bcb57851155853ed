-- wrk script for the load bench. Read from the environment:
--   TARGET      request target: an absolute URL when wrk is pointed at a proxy, a path when it talks to nginx
--   HOST        Host header (the upstream's host:port when going through a proxy)
--   CLOSE=1     send "Connection: close" (a new connection per request)
--   BODY_FILE   POST this file's bytes as the body
--   DELAY_MS    wait this long between requests on each connection (a steady background load, not a flood)
-- done() prints one WRK_RESULT line that run.sh parses; status_err counts responses with status >= 400.
-- No response() hook: it would make wrk hand every response to Lua and slow the client down.

local target = os.getenv("TARGET")
if target and target ~= "" then
   wrk.path = target
end

local host = os.getenv("HOST")
if host and host ~= "" then
   wrk.headers["Host"] = host
end

if os.getenv("CLOSE") == "1" then
   wrk.headers["Connection"] = "close"
end

local body_file = os.getenv("BODY_FILE")
if body_file and body_file ~= "" then
   local f = assert(io.open(body_file, "rb"))
   wrk.body = f:read("*a")
   f:close()
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

local delay_ms = tonumber(os.getenv("DELAY_MS") or "")
if delay_ms then
   function delay()
      return delay_ms
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "WRK_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d connect_err=%d read_err=%d write_err=%d status_err=%d timeout_err=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end
