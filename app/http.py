"""JSON responses and the one mapping from errors to HTTP statuses."""

import logging
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.profiles.errors import ProfileError, StoreUnavailable, TokenRejected

auth_logger = logging.getLogger("profile.auth")
store_logger = logging.getLogger("profile.store")

STATUS_BY_CODE = {
    "BAD_USER_INPUT": 422,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "PRECONDITION_FAILED": 412,
    "SERVICE_UNAVAILABLE": 503,
    "INTERNAL_SERVER_ERROR": 500,
}
_CODE_BY_STATUS = {
    400: "MALFORMED_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "BAD_USER_INPUT",
}


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def request_header(request: Request, name: bytes) -> str | None:
    """The first value of a request header, by its lower-case name.

    What ``request.headers.get`` answers, without building a header map or
    raising and catching KeyError for an absent header on every request.
    """
    for key, value in request.scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def request_media_type(request: Request) -> str:
    """The request's Content-Type without parameters, in lower case; "" if absent."""
    content_type = request_header(request, b"content-type") or ""
    return content_type.split(";")[0].strip().lower()


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with a 413 before more than ``limit`` bytes are read.

    A Content-Length of ASCII digits over the limit is refused unread; whether
    any other Content-Length is an error is the caller's to decide.
    """
    too_large = f"the request body must be at most {limit} bytes"
    declared = request_header(request, b"content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, too_large)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, too_large)
    return bytes(body)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def error_headers(error: ProfileError, retry_after_seconds: int) -> dict[str, str]:
    """Headers that tell a client what to do next about an error."""
    if isinstance(error, TokenRejected):
        return {"WWW-Authenticate": 'Bearer realm="phoenix-profiles"'}
    if isinstance(error, StoreUnavailable):
        return {"Retry-After": str(retry_after_seconds)}
    return {}


def log_error(error: ProfileError) -> None:
    if isinstance(error, TokenRejected):
        auth_logger.info("token rejected: %s", error.reason)
    elif isinstance(error, StoreUnavailable):
        store_logger.warning("store unavailable: %s", error.reason)


async def profile_error_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, ProfileError)
    log_error(error)
    headers = error_headers(error, request.app.state.settings.retry_after_seconds)
    return error_response(STATUS_BY_CODE[error.code], error.code, str(error), headers)


async def http_error_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = _CODE_BY_STATUS.get(error.status_code, "HTTP_ERROR")
    return error_response(error.status_code, code, str(error.detail), error.headers)


async def server_error_handler(request: Request, error: Exception) -> Response:
    # The server logs the traceback once this response is sent.
    return error_response(500, "INTERNAL_SERVER_ERROR", "internal server error")
