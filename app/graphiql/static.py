"""Serving the GraphiQL assets: long-lived when the URL names their version."""

import hashlib
import os
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"


@cache
def asset_version(path: Path) -> str:
    """A short digest of the file, so that new content gets a new URL."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


class VersionedStaticFiles(StaticFiles):
    """Static files that may be cached for a year when requested as ``name?v=<version>``.

    The file names carry no hash, so the page adds the version as a query; a
    request without it, or with an old one, must revalidate instead.
    """

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        requested = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v")
        current = asset_version(Path(full_path))
        response.headers["Cache-Control"] = (
            IMMUTABLE if requested == [current] else "no-cache"
        )
        return response
