"""/graphql over HTTP: the GraphiQL page, auth, limits, and error shaping."""

import json
from functools import lru_cache
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from cross_web import HTTPException as GraphQLHTTPException
from strawberry.types import ExecutionResult
from strawberry.utils.str_converters import to_camel_case

from app.auth import authenticate
from app.graphiql import CONTENT_SECURITY_POLICY, render_graphiql_page
from app.graphql.context import RequestContext
from app.graphql.metrics import error_code
from app.http import error_headers, log_error, read_body, request_media_type
from app.profiles.errors import InvalidInput, ProfileError, TokenRejected

GRAPHQL_RESPONSE = "application/graphql-response+json"
ASSETS_URL = "/graphql/assets"


class ProfileGraphQL(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view, with the service's context and error codes."""

    async def get_context(self, request: Any, response: Any) -> RequestContext:
        state = request.app.state
        return RequestContext(
            caller=request.state.caller,
            service=state.service,
            max_profiles=state.settings.graphql_max_profiles,
            request=request,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: dict[str, Any] = {}
        errors = [_format_error(error) for error in result.errors or ()]
        # A request error (unparseable, invalid) executed nothing: no "data" key.
        if result.data is not None or any("path" in error for error in errors):
            response["data"] = result.data
        if errors:
            response["errors"] = errors
        return response  # type: ignore[return-value]

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return _json_bytes(data)

    def create_response(
        self, response_data: Any, sub_response: Response
    ) -> Response:
        request: Request = sub_response.request  # type: ignore[attr-defined]
        media_type = _response_media_type(request) or "application/json"
        status, headers = 200, {}
        errors = response_data.get("errors", []) if isinstance(response_data, dict) else []
        codes = {error.get("extensions", {}).get("code") for error in errors}
        if "data" not in response_data:
            # GraphQL over HTTP: a request error is a 400 with the newer media type.
            status = 400 if media_type == GRAPHQL_RESPONSE else 200
        elif response_data["data"] is None and "SERVICE_UNAVAILABLE" in codes:
            status = 503
        if "SERVICE_UNAVAILABLE" in codes:
            settings = request.app.state.settings
            headers["Retry-After"] = str(settings.retry_after_seconds)
        response = Response(
            self.encode_json(response_data),
            status_code=status,
            media_type=media_type,
            headers=headers,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        return response

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.request = request  # type: ignore[attr-defined]
        return sub_response

    async def execute_single(  # type: ignore[override]
        self, *, request_adapter: Any, request_data: GraphQLRequestData, **options: Any
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request_adapter=request_adapter, request_data=request_data, **options
            )
        except GraphQLHTTPException as error:
            # GraphQL over HTTP: a mutation sent with GET is a 405, not a 400.
            if request_adapter.method == "GET" and isinstance(
                error.__cause__, InvalidOperationTypeError
            ):
                raise _MutationOverGet() from error
            raise


async def graphql_endpoint(request: Request) -> Response:
    state = request.app.state
    if _wants_graphiql(request):
        return _graphiql_page(request)
    if _response_media_type(request) is None:
        return _error_response(
            request,
            406,
            f"the response can only be {GRAPHQL_RESPONSE} or application/json",
            "NOT_ACCEPTABLE",
        )
    if request.method == "POST" and request_media_type(request) != "application/json":
        return _error_response(
            request,
            415,
            "the body must be JSON (Content-Type: application/json)",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    try:
        await authenticate(request)  # which keeps the caller in request.state
        request = await _bounded(request, state.settings.max_body_bytes)
        return await state.graphql.run(request)
    except ProfileError as error:
        log_error(error)
        status = 401 if isinstance(error, TokenRejected) else 503
        headers = error_headers(error, state.settings.retry_after_seconds)
        return _error_response(request, status, str(error), error.code, headers)
    except GraphQLHTTPException as error:
        return _error_response(
            request,
            error.status_code,
            error.reason,
            _HTTP_ERROR_CODES.get(error.status_code, "BAD_USER_INPUT"),
            getattr(error, "headers", None),
        )
    except HTTPException as error:  # a body over the limit
        return _error_response(
            request,
            error.status_code,
            error.detail,
            _HTTP_ERROR_CODES.get(error.status_code, "BAD_USER_INPUT"),
        )


def _format_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = error.formatted
    original = error.original_error
    code = error_code(error)
    if isinstance(original, InvalidInput):
        # The service names fields as Python does; clients of this surface know
        # them by their GraphQL names.
        field = to_camel_case(original.field)
        formatted["message"] = f"{field}: {original.rule}"
        formatted.setdefault("extensions", {})["field"] = field
    elif code == "INTERNAL_SERVER_ERROR":
        formatted["message"] = "internal server error"
    formatted.setdefault("extensions", {})["code"] = code
    return formatted


def _error_response(
    request: Request,
    status: int,
    message: str,
    code: str,
    headers: dict[str, str] | None = None,
) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(
        _json_bytes(body),
        status_code=status,
        media_type=_response_media_type(request) or "application/json",
        headers=headers,
    )


def _json_bytes(data: object) -> bytes:
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        # Messages may quote the request back (an operation name, a variable's
        # field), and JSON escapes can carry lone surrogates that UTF-8 cannot;
        # the standard encoder writes them as \u escapes, as they arrived.
        return json.dumps(data).encode()


def _response_media_type(request: Request) -> str | None:
    return _preferred_media_type(request.headers.get("accept", ""))


# Clients send few distinct Accept headers, and each request asks twice.
@lru_cache(maxsize=64)
def _preferred_media_type(accept: str) -> str | None:
    """The media type ``accept`` prefers, or None when it takes neither.

    No header, ``*/*`` and ``application/*`` get application/json, which older
    clients expect; the newer type wins when it is named with the highest q.
    """
    accept = accept.strip()
    if not accept:
        return "application/json"
    best: tuple[float, int, int] = (0.0, 0, 0)
    chosen = None
    for preference, media_type in enumerate(("application/json", GRAPHQL_RESPONSE)):
        quality, specificity = _accept_quality(accept, media_type)
        named = preference if specificity == 2 else -preference
        rank = (quality, specificity, named)
        if quality > 0 and rank > best:
            best, chosen = rank, media_type
    return chosen


def _accept_quality(accept: str, media_type: str) -> tuple[float, int]:
    """The q the most specific matching range of ``accept`` gives ``media_type``."""
    main_type = media_type.split("/")[0]
    found: tuple[int, float] = (-1, 0.0)
    for item in accept.split(","):
        kind, *params = (part.strip() for part in item.split(";"))
        kind = kind.lower()
        specificity = {media_type: 2, f"{main_type}/*": 1, "*/*": 0}.get(kind)
        if specificity is None or specificity < found[0]:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found = (specificity, quality)
    return found[1], found[0]


def _wants_graphiql(request: Request) -> bool:
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )


def _graphiql_page(request: Request) -> Response:
    settings = request.app.state.settings
    page = render_graphiql_page(
        assets_url=ASSETS_URL,
        endpoint=str(request.url.path),
        dev_token=str(settings.dev_token) if settings.dev_token else None,
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


async def _bounded(request: Request, limit: int) -> Request:
    """The request with its body read, at most ``limit`` bytes of it."""
    if request.method != "POST":
        return request
    complete = await read_body(request, limit)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": complete, "more_body": False}

    return Request(request.scope, replay)


_HTTP_ERROR_CODES = {405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


class _MutationOverGet(GraphQLHTTPException):
    def __init__(self) -> None:
        super().__init__(405, "mutations must be sent with POST")
        self.headers = {"Allow": "POST"}
