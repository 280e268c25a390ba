"""Load generation with wrk: one Lua script per scenario, figures read back as JSON.

Each script builds its own request bodies so that ids rotate and no two
requests of a "new profile" scenario ask for the same user. wrk's ``done`` hook
prints the exact counts and percentiles, so nothing is scraped from its text.
"""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

_PRELUDE = """
local counter = 0
local rows = {rows}
local prefix = "{prefix}"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"

-- 7919 is prime and shares no factor with the seeded row counts, so the
-- stride visits every seeded user before repeating one.
local function existing()
  counter = counter + 1
  return string.format("u%07d", (counter * 7919) % rows)
end

local function post(query, variables)
  return wrk.format("POST", "/graphql", nil,
    '{{"query":"' .. query .. '","variables":' .. variables .. '}}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"mean_us":%.1f,"socket_errors":%d,"status_errors":%d,' ..
    '"timeouts":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.mean,
    e.connect + e.read + e.write, e.status, e.timeout))
end
"""

PROFILE_FIELDS = "userId name avatarUrl"

_REQUESTS = {
    "baseline-json": 'return wrk.format("GET", "/json")',
    "baseline-store": 'return wrk.format("GET", "/store/" .. existing())',
    "rest-existing": 'return wrk.format("GET", "/v1/profiles/user/" .. existing())',
    "rest-new": """
  counter = counter + 1
  return wrk.format("GET", "/v1/profiles/user/" .. prefix .. "-" .. counter)""",
    "graphql-profile": f"""
  return post("query($id: ID!) {{ profile(userId: $id) {{ {PROFILE_FIELDS} }} }}",
    '{{"id":"' .. existing() .. '"}}')""",
    # One leaderboard page: 100 consecutive users, as one batched field...
    "graphql-profiles-100": f"""
  local first = (counter * 100) % rows
  counter = counter + 1
  local ids = {{}}
  for i = 0, 99 do ids[#ids + 1] = string.format('"u%07d"', (first + i) % rows) end
  return post("query($ids: [ID!]!) {{ profiles(userIds: $ids) {{ {PROFILE_FIELDS} }} }}",
    '{{"ids":[' .. table.concat(ids, ",") .. ']}}')""",
    # ...or as 100 requests for one profile each, walking the same pages.
    "graphql-100-singles": f"""
  local id = string.format("u%07d", counter % rows)
  counter = counter + 1
  return post("query($id: ID!) {{ profile(userId: $id) {{ {PROFILE_FIELDS} }} }}",
    '{{"id":"' .. id .. '"}}')""",
    "graphql-update": """
  local id = existing()
  return post("mutation($id: ID!, $name: String!) { updateProfile(userId: $id, " ..
    "input: {name: $name}) { userId name updatedAt } }",
    '{"id":"' .. id .. '","name":"Bench ' .. prefix .. ' ' .. counter .. '"}')""",
}

SCENARIOS = tuple(_REQUESTS)


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def write_script(
    directory: Path, scenario: str, *, token: str, rows: int, prefix: str
) -> Path:
    path = directory / f"{scenario}-{prefix}.lua"
    prelude = _PRELUDE.format(rows=rows, prefix=prefix, token=token)
    path.write_text(f"{prelude}\nrequest = function()\n{_REQUESTS[scenario]}\nend\n")
    return path


def run_wrk(
    url: str,
    script: Path,
    *,
    seconds: float,
    connections: int,
    cpus: str | None,
) -> LoadResult:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
        "--latency", "-s", str(script), url,
    ]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(
        (line for line in output.splitlines() if line.startswith("WRK_RESULT ")), None
    )
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    raw = json.loads(line.removeprefix("WRK_RESULT "))
    return LoadResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=raw["mean_us"] / 1000,
        errors=raw["socket_errors"] + raw["status_errors"] + raw["timeouts"],
    )
