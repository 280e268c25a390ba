"""Schemathesis against /graphql, generating queries and mutations from the schema.

Schemathesis counts any resolver error that lacks a client-error code as a server
error, and expects every schema-valid argument to be accepted. Neither fits here:
FORBIDDEN is the answer to a caller changing another user's profile, and an `ID!`
cannot say that ids hold 1 to 128 characters without control characters. So the
built-in server-error and positive-data checks give way to `domain_errors_only`,
which holds every error to the codes the API documents and never accepts
INTERNAL_SERVER_ERROR or a 5xx other than an unavailable store's 503.
"""

import re
from typing import Any

import pytest
import schemathesis
from schemathesis.checks import CheckContext
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
)

from app.graphql.schema import build_schema
from app.profiles.validation import MAX_NAME_LENGTH
from tests.fuzz.harness import TENANT, bearer, count_case, fuzz_app, fuzz_settings

pytestmark = pytest.mark.fuzz

DOMAIN_CODES = {"BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED", "SERVICE_UNAVAILABLE"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# The schema the app serves, printed as SDL (what `phoenix-profiles export-schema`
# writes), so that collecting this module starts no app.
schema = schemathesis.graphql.from_file(
    build_schema().as_str(),
    config=SchemathesisConfig.from_dict({"base-url": "http://testserver/graphql"}),
)
schema.app = fuzz_app("graphql")


def domain_errors_only(ctx: CheckContext, response: Any, case: schemathesis.Case) -> None:
    payload = response.json()
    codes = [
        error.get("extensions", {}).get("code") for error in payload.get("errors", [])
    ]
    if response.status_code >= 500:
        assert response.status_code == 503 and set(codes) == {"SERVICE_UNAVAILABLE"}, (
            f"{response.status_code} with error codes {codes}"
        )
    unexpected = [code for code in codes if code not in DOMAIN_CODES]
    assert not unexpected, f"error codes outside the API's: {unexpected}: {payload}"


def profiles_in_shape(ctx: CheckContext, response: Any, case: schemathesis.Case) -> None:
    for profile in _profiles(response.json().get("data")):
        assert profile.get("tenantId", TENANT) == TENANT, profile
        for field in ("createdAt", "updatedAt"):
            assert TIMESTAMP.match(profile.get(field, "2000-01-01T00:00:00Z")), profile
        assert 1 <= len(profile.get("name", "x")) <= MAX_NAME_LENGTH, profile
        assert profile.get("avatarUrl", "https://").startswith("https://"), profile


CHECKS = [
    response_schema_conformance,
    negative_data_rejection,
    domain_errors_only,
    profiles_in_shape,
]


@schema.parametrize()
@fuzz_settings(max_examples=150)
def test_graphql_as_owner(case: schemathesis.Case) -> None:
    count_case("graphql, owner's token")
    case.call_and_validate(headers=bearer(), checks=CHECKS)


@schema.parametrize()
@fuzz_settings(max_examples=150)
def test_graphql_as_admin(case: schemathesis.Case) -> None:
    count_case("graphql, admin token")
    case.call_and_validate(headers=bearer(admin=True), checks=CHECKS)


def _profiles(data: Any) -> list[dict[str, Any]]:
    """The profile objects anywhere in a response's data, however aliased."""
    if isinstance(data, list):
        return [profile for item in data for profile in _profiles(item)]
    if not isinstance(data, dict):
        return []
    if data.keys() & {"tenantId", "userId", "name", "avatarUrl", "createdAt"}:
        return [data]
    return [profile for value in data.values() for profile in _profiles(value)]
