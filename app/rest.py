"""The legacy REST surface: /v1/profiles/user/{user_id}, in its documented shape."""

from datetime import datetime
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app.auth import authenticate
from app.http import JSONResponse, read_body, request_header, request_media_type
from app.profiles.errors import InvalidInput
from app.profiles.model import Profile, version_tag

_UPDATE_FIELDS = {"name": (str, type(None)), "regenerate_avatar": (bool, type(None))}
_RFC3339 = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS


def profile_json(profile: Profile) -> dict[str, str]:
    return {
        "tenant_id": profile.tenant_id,
        "user_id": profile.user_id,
        "name": profile.name,
        "avatar_url": profile.avatar_url,
        "created_at": _rfc3339(profile.created_at),
        "updated_at": _rfc3339(profile.updated_at),
    }


def _rfc3339(moment: datetime) -> str:
    # orjson writes the same text as isoformat(timespec="seconds") with UTC as
    # "Z", several times faster; only the quotes of the JSON string go.
    return orjson.dumps(moment, option=_RFC3339)[1:-1].decode()


class ProfileResource:
    """The resource at /v1/profiles/user/{user_id}, as a plain ASGI app.

    Its method table is built once here, where Starlette's HTTPEndpoint builds
    one per request; its route answers other methods with 405.
    """

    def __init__(self) -> None:
        self.handlers = {"GET": self.get, "HEAD": self.get, "PUT": self.put}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.handlers[scope["method"]]
        response = await handler(Request(scope, receive, send))
        await response(scope, receive, send)

    async def get(self, request: Request) -> Response:
        caller = await authenticate(request)
        profile = await request.app.state.service.get(caller, request.path_params["user_id"])
        etag = f'"{version_tag(profile)}"'
        max_age = request.app.state.settings.cache_max_age_seconds
        cache_control = f"private, max-age={max_age}"
        # "*" matches any current representation, and reading always yields one.
        unchanged = _entity_tags(request_header(request, b"if-none-match"), weak=True)
        if etag in unchanged or "*" in unchanged:
            return _with_cache_headers(Response(status_code=304), etag, cache_control)
        return _with_cache_headers(JSONResponse(profile_json(profile)), etag, cache_control)

    async def put(self, request: Request) -> Response:
        caller = await authenticate(request)
        changes = _update_fields(await _json_body(request))
        if_match = request_header(request, b"if-match")
        accepted = None
        if if_match is not None and if_match.strip() != "*":
            accepted = {tag.strip('"') for tag in _entity_tags(if_match, weak=False)}
        profile = await request.app.state.service.update(
            caller,
            request.path_params["user_id"],
            name=changes.get("name"),
            regenerate_avatar=bool(changes.get("regenerate_avatar")),
            if_match=accepted,
        )
        etag = f'"{version_tag(profile)}"'
        return _with_cache_headers(JSONResponse(profile_json(profile)), etag, "no-store")


def _with_cache_headers(response: Response, etag: str, cache_control: str) -> Response:
    """The response with ETag, Cache-Control and Vary added."""
    # Appended already encoded: Starlette's encoding of a header mapping costs
    # more than the rest of building a response.
    response.raw_headers += [
        (b"etag", etag.encode("latin-1")),
        (b"cache-control", cache_control.encode("latin-1")),
        (b"vary", b"Authorization"),
    ]
    return response


def _entity_tags(header: str | None, *, weak: bool) -> set[str]:
    """The entity tags of an If-Match or If-None-Match header, quotes kept.

    Weak comparison (for If-None-Match) ignores a ``W/`` prefix; strong
    comparison (for If-Match) never matches a weak tag.
    """
    if not header:
        return set()
    tags = set()
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            if not weak:
                continue
            tag = tag[2:]
        tags.add(tag)
    return tags


async def _json_body(request: Request) -> Any:
    if request_media_type(request) != "application/json":
        raise HTTPException(415, "the body must be JSON (Content-Type: application/json)")
    declared = request_header(request, b"content-length")
    # isdigit alone admits digits int() refuses, such as "²".
    if declared is not None and not (declared.isascii() and declared.isdigit()):
        raise HTTPException(400, "Content-Length must be a whole number")
    body = await read_body(request, request.app.state.settings.max_body_bytes)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise HTTPException(400, f"the body is not valid JSON: {error}") from error


def _update_fields(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput("body", "must be a JSON object")
    unknown = sorted(set(body) - set(_UPDATE_FIELDS))
    if unknown:
        raise InvalidInput("body", f"unknown field(s): {', '.join(unknown)}")
    for field, allowed in _UPDATE_FIELDS.items():
        if not isinstance(body.get(field), allowed):
            kind = "a string" if field == "name" else "a boolean"
            raise InvalidInput(field, f"must be {kind} or null")
    return body


_resource = ProfileResource()
routes = [Route("/v1/profiles/user/{user_id}", _resource, methods=list(_resource.handlers))]
