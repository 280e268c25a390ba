"""``make bench``: load-test the service on 127.0.0.1 and rewrite docs/performance.md.

One run measures everything the document reports, so that every ratio in it
compares figures taken minutes apart on the same machine:

* two ceilings (bench/baseline_app.py) and six service scenarios, each with wrk
  for a fixed time at a fixed number of connections, in rounds (three unless
  told otherwise) that each measure all of them; every figure is the median of
  its rounds;
* REST reads again with a million stored profiles;
* py-spy profiles of three scenarios, in separate runs so that sampling does
  not lower the measured figures;
* in-process costs: document caches, JSON encoding, store read and write
  latency at 10k and 1M rows and at synchronous FULL and NORMAL.

The server gets one core and wrk (and py-spy) the other, via taskset, so the
load generator never competes with the server for CPU. The servers run on new
SQLite files in a temporary directory; the profiles that create-on-read adds
are deleted after each round, so every round reads a table of the seeded size.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import secrets
import shlex
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import hotspots, report
from bench.wrk import LoadResult, SCENARIOS, run_wrk, write_script

ROOT = Path(__file__).resolve().parents[1]
LAST_RUN = ROOT / "bench" / "last-run.json"
BIN = Path(sys.executable).parent
TENANT = "bench"
SERVICE_SCENARIOS = [s for s in SCENARIOS if not s.startswith("baseline-")]
PROFILED = ("rest-existing", "graphql-profile", "graphql-profiles-100")
# Scenarios that read or change seeded profiles only; the row count must not move.
_CREATES = {"rest-new"}


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.from_json:
        run = json.loads(args.from_json.read_text())
    else:
        _require_wrk()
        server_cpu, load_cpu = _cpus()
        workdir = Path(tempfile.mkdtemp(prefix="phoenix-bench-"))
        try:
            run = _run(args, workdir, server_cpu, load_cpu)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        LAST_RUN.write_text(json.dumps(run, indent=2) + "\n")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report.write_markdown(args.output, run)
    report.write_chart(args.output.with_suffix(".png"), run)
    print(f"\nwrote {args.output} and {args.output.with_suffix('.png')}")
    for name, shown, _, _, met in report.targets(run):
        print(f"  {'met   ' if met else 'MISSED'}  {name}: {shown}")
    return 0


def _run(args: argparse.Namespace, workdir: Path, server_cpu: str | None,
         load_cpu: str | None) -> dict[str, Any]:
    secret = secrets.token_urlsafe(32)
    tokens = _tokens(secret)
    small = workdir / "profiles-10k.db"
    _seed(small, args.rows)
    rounds: dict[str, list[LoadResult]] = {}

    def measure(url: str, scenario: str, db: Path, rows: int, label: str = "") -> None:
        token = tokens["admin" if scenario == "graphql-update" else "reader"]
        name = label or scenario
        # Each round asks for users of its own, so create-on-read always creates.
        tag = f"{name}-r{len(rounds.get(name, [])) + 1}"
        check = write_script(workdir, scenario, token=token, rows=rows, prefix=f"check-{tag}")
        _check(url, check, load_cpu)
        warm = write_script(workdir, scenario, token=token, rows=rows, prefix=f"warm-{tag}")
        run_wrk(url, warm, seconds=args.warmup, connections=args.connections, cpus=load_cpu)
        script = write_script(workdir, scenario, token=token, rows=rows, prefix=tag)
        before = _count(db)
        result = run_wrk(url, script, seconds=args.seconds, connections=args.connections,
                         cpus=load_cpu)
        grown = _count(db) - before
        if (scenario in _CREATES) != (grown > 0):
            raise RuntimeError(f"{name}: {grown} profiles created; expected "
                               f"{'some' if scenario in _CREATES else 'none'}")
        if scenario in _CREATES:
            _delete_unseeded(db)
        rounds.setdefault(name, []).append(result)
        print(f"  {name:24} {result.rps:8,.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
              f"p99 {result.p99_ms:6.1f} ms  errors {result.errors}", flush=True)

    profiles: dict[str, Any] = {}
    # Both servers stay up, each idle while the other is measured, and every
    # round measures the ceilings and the service back to back: a change in the
    # machine's load mid-run then moves a round, not every ratio.
    with (
        _server(_baseline_command(), small, secret, server_cpu) as (baseline_url, _),
        _server(_service_command(), small, secret, server_cpu) as (url, pid),
    ):
        for number in range(1, args.rounds + 1):
            print(f"round {number} of {args.rounds}: ceilings (bench/baseline_app.py), "
                  "then the service (phoenix-profiles serve)", flush=True)
            for scenario in ("baseline-json", "baseline-store"):
                measure(baseline_url, scenario, small, args.rows)
            for scenario in SERVICE_SCENARIOS:
                measure(url, scenario, small, args.rows)
        for scenario in PROFILED:
            profiles[scenario] = _profile(url, pid, workdir, scenario, tokens, args, load_cpu)
    big = workdir / "profiles-1m.db"
    print(f"seeding {args.scale_rows:,} profiles", flush=True)
    _seed(big, args.scale_rows)
    with _server(_service_command(), big, secret, server_cpu) as (url, _):
        for _ in range(args.rounds):
            measure(url, "rest-existing", big, args.scale_rows, label="rest-existing@1M")
    load = {name: _median(results) for name, results in rounds.items()}
    print("in-process measurements", flush=True)
    micro = {
        "caches": _micro(server_cpu, "caches", "--rounds", "2000"),
        "json": _micro(server_cpu, "json", "--rounds", "20000"),
        "store": _store_latency(server_cpu, {"10k": (small, args.rows),
                                             "1M": (big, args.scale_rows)}, args.rounds),
        "writes": _micro(server_cpu, "writes", "--db", str(workdir / "writes.db"),
                         "--rounds", "300"),
    }
    return {"meta": _meta(args, server_cpu, load_cpu), "load": load,
            "profiles": profiles, **micro}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    parser.add_argument("--warmup", type=float, default=3.0, help="before each scenario")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3,
                        help="times every scenario is measured; the report takes medians")
    parser.add_argument("--rows", type=int, default=10_000, help="profiles seeded")
    parser.add_argument("--scale-rows", type=int, default=1_000_000,
                        help="profiles seeded for the table-size check")
    parser.add_argument("--profile-seconds", type=float, default=8.0)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--from-json", type=Path, metavar="PATH",
                        help=f"measure nothing; rewrite the report from a saved run "
                             f"such as {LAST_RUN.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    args.command = shlex.join(["make", "bench"] if argv is None and os.environ.get("MAKELEVEL")
                              else ["python", "-m", "bench.run", *(argv or sys.argv[1:])])
    return args


def _require_wrk() -> None:
    if shutil.which("wrk"):
        return
    raise SystemExit(
        "wrk is not installed. On Debian or Ubuntu, as root: "
        "apt-get update && apt-get install -y wrk (or run `make bench` as root, "
        "which does that)"
    )


def _cpus() -> tuple[str | None, str | None]:
    """The server's core and the load generator's: the last two we may use."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2 or not shutil.which("taskset"):
        print("warning: fewer than two cores or no taskset; nothing is pinned")
        return None, None
    return str(available[-1]), str(available[-2])


def _tokens(secret: str) -> dict[str, str]:
    from app.auth import mint_token
    from app.config import Secret, Settings

    settings = Settings(jwt_secret=Secret(secret))
    return {
        "reader": mint_token(settings, tenant_id=TENANT, user_id="reader", ttl_seconds=7200),
        "admin": mint_token(settings, tenant_id=TENANT, user_id="admin",
                            scope="profiles:admin", ttl_seconds=7200),
    }


def _seed(path: Path, rows: int) -> None:
    """Write ``rows`` profiles straight into a new database, in key order."""
    import asyncio

    from app.profiles.avatars import default_avatar_url
    from app.profiles.names import ADJECTIVES, ANIMALS
    from app.stores.sqlite import SQLiteProfileStore

    async def create_schema() -> None:
        store = SQLiteProfileStore(str(path))
        await store.start()
        await store.close()

    asyncio.run(create_schema())
    stamp = int(time.time())
    started = time.perf_counter()
    with contextlib.closing(sqlite3.connect(path)) as connection:
        # Seeding is not a measured write: no fsync per row.
        connection.execute("PRAGMA synchronous = OFF")
        with connection:
            connection.executemany(
                "INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (TENANT, user_id,
                     f"{ADJECTIVES[n % len(ADJECTIVES)]} {ANIMALS[n % len(ANIMALS)]} {n % 100:02d}",
                     default_avatar_url(TENANT, user_id), stamp, stamp)
                    for n in range(rows)
                    for user_id in (f"u{n:07d}",)
                ),
            )
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"  seeded {rows:,} profiles in {time.perf_counter() - started:.1f} s", flush=True)


def _delete_unseeded(path: Path) -> None:
    # Seeded ids are "u" and seven digits; the scenarios' new ids start otherwise.
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
        with connection:
            connection.execute("DELETE FROM profiles WHERE user_id NOT GLOB 'u[0-9]*'")


def _count(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT count(*) FROM profiles").fetchone()[0])


def _service_command() -> list[str]:
    return [str(BIN / "phoenix-profiles"), "serve", "--workers", "1"]


def _baseline_command() -> list[str]:
    # The same server settings as `phoenix-profiles serve` (app/cli.py).
    return [str(BIN / "python"), "-m", "uvicorn", "bench.baseline_app:app_from_env",
            "--factory", "--loop", "uvloop", "--http", "httptools",
            "--log-level", "warning"]


@contextlib.contextmanager
def _server(command: list[str], db: Path, secret: str,
            cpu: str | None) -> Iterator[tuple[str, int]]:
    port = _free_port()
    env = {
        **os.environ,
        "PHOENIX_DATABASE_URL": f"sqlite:///{db}",
        "PHOENIX_JWT_SECRET": secret,
        # Access logging off, as for uvicorn --no-access-log: one log line per
        # request would be measured instead of the service.
        "PHOENIX_LOG_LEVEL": "WARNING",
    }
    command = [*command, "--host", "127.0.0.1", "--port", str(port)]
    if cpu is not None:
        command = ["taskset", "-c", cpu, *command]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1):
                return
        except OSError as error:
            if getattr(error, "code", None) == 404:
                return  # the baseline app has no /healthz, but it answers
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not answer within 30 s")


_CHECK = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failures = (failures or 0) + 1
    last_failure = status .. " " .. string.sub(body, 1, 400)
  end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    if thread:get("failures") then
      io.write("CHECK_FAILED " .. thread:get("failures") .. " " ..
               thread:get("last_failure") .. "\\n")
    end
  end
end
"""


def _check(url: str, script: Path, cpus: str | None) -> None:
    """A short run that reads every answer: all must be 200 without GraphQL errors."""
    script.write_text(script.read_text() + _CHECK)
    command = ["wrk", "-t1", "-c4", "-d1s", "-s", str(script), url]
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    failed = [line for line in output.splitlines() if line.startswith("CHECK_FAILED")]
    if failed:
        raise RuntimeError(f"{script.stem}: bad answers: {failed[0]}")


def _median(results: list[LoadResult]) -> dict[str, Any]:
    """Each figure's median over the rounds, and every round's req/s."""
    figures = [{**asdict(result), "rps": result.rps} for result in results]
    median = {key: statistics.median(f[key] for f in figures)
              for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "mean_ms")}
    return {**median, "errors": sum(f["errors"] for f in figures),
            "rounds_rps": [f["rps"] for f in figures]}


def _profile(url: str, pid: int, workdir: Path, scenario: str, tokens: dict[str, str],
             args: argparse.Namespace, cpus: str | None) -> dict[str, Any]:
    folded = workdir / f"{scenario}.folded"
    token = tokens["reader"]
    script = write_script(workdir, scenario, token=token, rows=args.rows, prefix="profile")
    load = subprocess.Popen(
        [*(["taskset", "-c", cpus] if cpus else []), "wrk", "-t1", f"-c{args.connections}",
         f"-d{args.profile_seconds + 3:g}s", "-s", str(script), url],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)
        subprocess.run(
            [*(["taskset", "-c", cpus] if cpus else []), str(BIN / "py-spy"), "record",
             "--pid", str(pid), "--duration", f"{args.profile_seconds:g}",
             "--rate", "200", "--gil", "--format", "raw", "--output", str(folded)],
            check=True, capture_output=True,
        )
    finally:
        load.wait()
    spots = hotspots.summarise(folded)
    print(f"  profiled {scenario}: {spots.samples:,} samples", flush=True)
    return asdict(spots)


def _micro(cpu: str | None, *arguments: str) -> dict[str, Any]:
    command = [str(BIN / "python"), "-m", "bench.micro", *arguments]
    if cpu is not None:
        command = ["taskset", "-c", cpu, *command]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(json.loads(output.stdout))


def _store_latency(cpu: str | None, tables: dict[str, tuple[Path, int]],
                   rounds: int) -> dict[str, Any]:
    """Store read latency per table, the tables taken in turn each round; medians."""
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label in tables}
    for _ in range(rounds):
        for label, (db, rows) in tables.items():
            runs[label].append(_micro(cpu, "store", "--db", str(db), "--rows", str(rows),
                                      "--rounds", "20000"))
    return {
        label: {**results[0], **{key: statistics.median(r[key] for r in results)
                                 for key in ("p50_ms", "p99_ms", "mean_ms")}}
        for label, results in runs.items()
    }


def _meta(args: argparse.Namespace, server_cpu: str | None,
          load_cpu: str | None) -> dict[str, Any]:
    py_spy = subprocess.run([str(BIN / "py-spy"), "--version"], capture_output=True,
                            text=True).stdout.split()[-1]
    cores = os.cpu_count()
    model = _cpu_model()
    pinning = (
        f"The server ran on CPU {server_cpu}, wrk and py-spy on CPU {load_cpu} (taskset)."
        if server_cpu else "Nothing was pinned (fewer than two cores)."
    )
    return {
        "date": datetime.date.today().isoformat(),
        "machine": f"{cores} cores ({model}), Linux {platform.release()}, "
                   f"Python {platform.python_version()}, a machine shared with other work",
        "pinning": pinning,
        "command": args.command,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "connections": args.connections,
        "rounds": args.rounds,
        "rows": args.rows,
        "py_spy": py_spy,
        "profile_rate": 200,
        "profile_seconds": args.profile_seconds,
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    raise SystemExit(main())
