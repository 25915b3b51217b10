-- wrk script: server-side apply (PATCH application/apply-patch+yaml) of BackendTLSPolicies.
-- Every request changes a label, so each one is a real write (new resourceVersion, SQLite commit).
-- Environment: BENCH_PATH (collection path), BENCH_TOKEN, BENCH_OBJECTS (distinct names per thread).

local path = os.getenv("BENCH_PATH")
local token = os.getenv("BENCH_TOKEN")
local objects = tonumber(os.getenv("BENCH_OBJECTS") or "500")
local next_thread = 0

function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  counter = 0
  headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/apply-patch+yaml",
    ["Accept"] = "application/json",
  }
end

request = function()
  counter = counter + 1
  local name = string.format("bench-%d-%d", thread_id, counter % objects)
  local body = string.format(
    '{"apiVersion":"gateway.networking.k8s.io/v1","kind":"BackendTLSPolicy",' ..
    '"metadata":{"name":"%s","labels":{"revision":"%d"}},' ..
    '"spec":{"targetRefs":[{"group":"","kind":"Service","name":"backend-%d"}],' ..
    '"validation":{"wellKnownCACertificates":"System","hostname":"backend.example.com"}}}',
    name, counter, counter % objects)
  return wrk.format("PATCH", path .. "/" .. name .. "?fieldManager=bench&force=true", headers, body)
end

-- Non-2xx answers would make the figures meaningless: report them.
response = function(status, headers, body)
  if status >= 300 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
