"""Read py-spy's folded stacks and say where the samples went.

Each line of ``py-spy record --format raw`` is ``frame;frame;…;leaf COUNT``
with frames written as ``function (path:line)``. A sample is charged to the
package of its innermost frame that belongs to a package we can name.
"""

import re
import sysconfig
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1]) + "/"
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<path>[^:()]+)(?::\d+)?\)$")

# Most specific first: the first pattern found in a frame's path names its area.
_AREAS = (
    ("/app/auth.py", "auth: token check (app)"),
    ("/jwt/", "auth: PyJWT"),
    ("/cryptography/", "auth: PyJWT"),
    ("/hmac.py", "auth: PyJWT"),
    ("/app/stores/", "store: app code"),
    ("/aiosqlite/", "store: aiosqlite + SQLite"),
    ("/sqlite3/", "store: aiosqlite + SQLite"),
    ("/app/graphql/", "GraphQL: app code"),
    ("/strawberry/", "GraphQL: Strawberry"),
    ("/graphql/", "GraphQL: graphql-core"),
    ("/app/rest.py", "REST: app code"),
    ("/app/profiles/", "service + model (app)"),
    ("/app/", "other app code"),
    ("/orjson", "JSON encoding"),
    ("/json/", "JSON encoding"),
    ("/starlette/", "Starlette"),
    ("/uvicorn/", "uvicorn + httptools"),
    ("/httptools/", "uvicorn + httptools"),
    ("/asyncio/", "event loop (asyncio/uvloop)"),
    ("/uvloop/", "event loop (asyncio/uvloop)"),
    ("/threading.py", "thread hand-off"),
    ("/queue.py", "thread hand-off"),
    ("/concurrent/", "thread hand-off"),
)


@dataclass(frozen=True)
class Hotspots:
    samples: int
    by_area: list[tuple[str, float]]  # (area, share of samples)
    by_self: list[tuple[str, float]]  # (frame, share of samples spent in it)
    by_total: list[tuple[str, float]]  # (app frame, share of samples under it)


def summarise(folded: Path, *, top: int = 12) -> Hotspots:
    areas: Counter[str] = Counter()
    own: Counter[str] = Counter()
    under: Counter[str] = Counter()
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_parse(frame) for frame in stack.split(";")]
        frames = [frame for frame in frames if frame is not None]
        if not frames:
            continue
        total += count
        own[_label(*frames[-1])] += count
        areas[_area(frames)] += count
        for label in {_label(*f) for f in frames if "/app/" in f[1]}:
            under[label] += count
    share = (lambda n: n / total) if total else (lambda n: 0.0)
    return Hotspots(
        samples=total,
        by_area=[(name, share(n)) for name, n in areas.most_common()],
        by_self=[(name, share(n)) for name, n in own.most_common(top)],
        by_total=[(name, share(n)) for name, n in under.most_common(top)],
    )


def _parse(frame: str) -> tuple[str, str] | None:
    match = _FRAME.match(frame.strip())
    if match is None:
        return (frame.strip(), "") if frame.strip() else None
    # py-spy shortens paths to their package ("app/rest.py"); anchor them so
    # that the area patterns match whole folder names.
    path = match["path"]
    return match["function"], path if path.startswith("/") else "/" + path


def _label(function: str, path: str) -> str:
    for prefix in (sysconfig.get_paths()["purelib"] + "/", _ROOT):
        path = path.removeprefix(prefix)
    if "/site-packages/" in path:
        path = path.split("/site-packages/", 1)[1]
    elif "/lib/python3" in path:
        path = path.split("/lib/", 1)[1]
    return f"{function} ({path.lstrip('/')})" if path else function


def _area(frames: list[tuple[str, str]]) -> str:
    for _, path in reversed(frames):
        for pattern, area in _AREAS:
            if pattern in path:
                return area
    return "other"
