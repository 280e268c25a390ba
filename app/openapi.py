"""The OpenAPI 3.1 description of the REST shim and the health probes.

Built in code from the same limits the service enforces, so the two cannot drift
apart silently; tests/test_openapi.py compares it with the routes and with real
responses. HEAD is answered wherever GET is and is left implicit, as HTTP allows.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.http import JSONResponse
from app.profiles.validation import MAX_NAME_LENGTH, MAX_USER_ID_LENGTH

PROFILE_PATH = "/v1/profiles/user/{user_id}"
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"

# Every `error.code` the HTTP surface can answer with (see app/http.py).
ERROR_CODES = (
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "PRECONDITION_FAILED",
    "SERVICE_UNAVAILABLE",
    "INTERNAL_SERVER_ERROR",
    "MALFORMED_REQUEST",
    "NOT_FOUND",
    "METHOD_NOT_ALLOWED",
    "NOT_ACCEPTABLE",
    "PAYLOAD_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "HTTP_ERROR",
)


async def openapi_endpoint(request: Request) -> Response:
    return JSONResponse(openapi_document(request.app.state.settings.max_body_bytes))


def openapi_document(max_body_bytes: int = 16 * 1024) -> dict[str, Any]:
    """A fresh copy of the document; ``max_body_bytes`` is the PUT body limit."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Phoenix Profiles REST API",
            "version": "1.0.0",
            "description": (
                "Display names and avatars of a tenant's users. The tenant always "
                "comes from the Bearer token. Any method not listed for a path is "
                "answered 405 with an `Allow` header and the error body; a path "
                "that matches nothing is answered 404 with the error body."
            ),
        },
        "security": [{"bearerAuth": []}],
        "paths": {
            "/healthz": {"get": _healthz()},
            "/readyz": {"get": _readyz()},
            PROFILE_PATH: {
                "parameters": [{"$ref": "#/components/parameters/UserId"}],
                "get": _get_profile(),
                "put": _put_profile(max_body_bytes),
            },
        },
        "components": _components(),
    }


def _healthz() -> dict[str, Any]:
    return {
        "operationId": "healthz",
        "summary": "The process is alive",
        "security": [],
        "responses": {"200": _status_response("The process serves requests", "ok")},
    }


def _readyz() -> dict[str, Any]:
    return {
        "operationId": "readyz",
        "summary": "The profile store answers",
        "security": [],
        "responses": {
            "200": _status_response("The store answers; requests can be served", "ready"),
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


def _get_profile() -> dict[str, Any]:
    return {
        "operationId": "getProfile",
        "summary": "A user's profile, created with generated defaults on first read",
        "parameters": [
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": (
                    "Comma-separated entity tags (from ETag) the client holds; a "
                    "match, weak or strong, answers 304. Anything else is read as "
                    "tags that do not match."
                ),
                "schema": {"type": "string"},
            }
        ],
        "responses": {
            "200": {
                "description": "The profile",
                "headers": _cache_headers("private, max-age=<seconds>"),
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}
                },
            },
            "304": {
                "description": "The client's copy (If-None-Match) is current; no body",
                "headers": _cache_headers("private, max-age=<seconds>"),
            },
            "401": {"$ref": "#/components/responses/Unauthenticated"},
            "404": {"$ref": "#/components/responses/NotFound"},
            "422": {"$ref": "#/components/responses/InvalidInput"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


def _put_profile(max_body_bytes: int) -> dict[str, Any]:
    return {
        "operationId": "updateProfile",
        "summary": "Rename a profile or draw it a new avatar, creating it if needed",
        "description": (
            "Only the profile's owner (token `sub`) may change it, unless the token "
            "carries the `profiles:admin` scope."
        ),
        "parameters": [
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": (
                    "Apply the change only while the profile still has one of these "
                    "comma-separated strong entity tags (from ETag), else answer "
                    "412; `*` matches any version. Weak tags never match."
                ),
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "description": f"A JSON object of at most {max_body_bytes} bytes.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ProfileUpdate"}}
            },
        },
        "responses": {
            "200": {
                "description": "The profile after the change",
                "headers": _cache_headers("no-store"),
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}
                },
            },
            "400": _error_response(
                "The body is not valid JSON", "MALFORMED_REQUEST"
            ),
            "401": {"$ref": "#/components/responses/Unauthenticated"},
            "403": _error_response(
                "The caller may change only its own profile without profiles:admin",
                "FORBIDDEN",
            ),
            "404": {"$ref": "#/components/responses/NotFound"},
            "412": _error_response(
                "If-Match names no current version of the profile", "PRECONDITION_FAILED"
            ),
            "413": _error_response(
                f"The body is larger than {max_body_bytes} bytes", "PAYLOAD_TOO_LARGE"
            ),
            "415": _error_response(
                "The body is not sent as application/json", "UNSUPPORTED_MEDIA_TYPE"
            ),
            "422": {"$ref": "#/components/responses/InvalidInput"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


def _components() -> dict[str, Any]:
    return {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": (
                    "A JWT whose `sub` is the caller's user id and whose tenant claim "
                    "(default `tenant_id`) names its tenant; `scope` may hold "
                    "`profiles:admin`."
                ),
            }
        },
        "parameters": {
            "UserId": {
                "name": "user_id",
                "in": "path",
                "required": True,
                "description": (
                    "The user's id within the caller's tenant: 1 to "
                    f"{MAX_USER_ID_LENGTH} characters, no control characters. A `/` "
                    "cannot be carried in a path segment, nor can the ids `.` and "
                    "`..`, which clients resolve as relative paths."
                ),
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_USER_ID_LENGTH,
                    "pattern": r"^[^\u0000-\u001f\u007f-\u009f/]+$",
                    "not": {"enum": [".", ".."]},
                },
            }
        },
        "schemas": {
            "Profile": _profile_schema(),
            "ProfileUpdate": _update_schema(),
            "Error": _error_schema(),
            "Status": {
                "type": "object",
                "required": ["status"],
                "additionalProperties": False,
                "properties": {"status": {"type": "string", "enum": ["ok", "ready"]}},
            },
        },
        "responses": {
            "Unauthenticated": _error_response(
                "The Bearer token is missing or not valid",
                "UNAUTHENTICATED",
                {
                    "WWW-Authenticate": {
                        "required": True,
                        "description": "The scheme to authenticate with",
                        "schema": {"type": "string", "pattern": "^Bearer( |$)"},
                    }
                },
            ),
            "InvalidInput": _error_response(
                "An id, the body, or a field of it breaks a rule; nothing changed",
                "BAD_USER_INPUT",
            ),
            "NotFound": _error_response(
                "No route matches, for instance because the user id holds a `/`",
                "NOT_FOUND",
            ),
            "MethodNotAllowed": _error_response(
                "The path does not serve this method",
                "METHOD_NOT_ALLOWED",
                {
                    "Allow": {
                        "required": True,
                        "description": "The methods the path serves",
                        "schema": {"type": "string"},
                    }
                },
            ),
            "Unavailable": _error_response(
                "The profile store cannot be reached; try again after Retry-After",
                "SERVICE_UNAVAILABLE",
                {
                    "Retry-After": {
                        "required": True,
                        "description": "Seconds to wait before trying again",
                        "schema": {"type": "string", "pattern": "^[0-9]+$"},
                    }
                },
            ),
        },
    }


def _profile_schema() -> dict[str, Any]:
    identifier = {"type": "string", "minLength": 1, "maxLength": MAX_USER_ID_LENGTH}
    timestamp = {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN}
    return {
        "type": "object",
        "required": [
            "tenant_id", "user_id", "name", "avatar_url", "created_at", "updated_at"
        ],
        "additionalProperties": False,
        "properties": {
            "tenant_id": identifier,
            "user_id": identifier,
            "name": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH},
            "avatar_url": {"type": "string", "format": "uri", "pattern": "^https://"},
            "created_at": timestamp,
            "updated_at": timestamp,
        },
    }


def _update_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "Fields that are absent or null stay as they are.",
        "properties": {
            "name": {
                "type": ["string", "null"],
                "minLength": 1,
                "maxLength": MAX_NAME_LENGTH,
                "description": (
                    "The new display name. It is stored in Unicode NFC, trimmed, "
                    "with inner runs of whitespace collapsed to one space; the "
                    f"result must hold 1 to {MAX_NAME_LENGTH} characters and no "
                    "control, format, private-use or unassigned characters."
                ),
                "examples": ["John Doe"],
            },
            "regenerate_avatar": {
                "type": ["boolean", "null"],
                "description": "Draw a new avatar from a fresh seed.",
                "examples": [False],
            },
        },
    }


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": list(ERROR_CODES)},
                    "message": {"type": "string"},
                },
            }
        },
    }


def _error_response(
    description: str, code: str, headers: dict[str, Any] | None = None
) -> dict[str, Any]:
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Error"},
            {"properties": {"error": {"properties": {"code": {"const": code}}}}},
        ]
    }
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        response["headers"] = headers
    return response


def _status_response(description: str, status: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Status"},
                        {"properties": {"status": {"const": status}}},
                    ]
                }
            }
        },
    }


def _cache_headers(cache_control: str) -> dict[str, Any]:
    return {
        "ETag": {
            "required": True,
            "description": "The profile's version, for If-None-Match and If-Match",
            "schema": {"type": "string", "pattern": '^"[0-9a-f]+"$'},
        },
        "Cache-Control": {
            "required": True,
            "description": f"`{cache_control}`",
            "schema": {"type": "string"},
        },
        "Vary": {
            "required": True,
            "description": "Responses differ by caller",
            "schema": {"type": "string", "const": "Authorization"},
        },
    }


__all__ = ["openapi_document", "openapi_endpoint", "PROFILE_PATH"]
