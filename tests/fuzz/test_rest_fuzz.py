"""Schemathesis against the REST shim, generating from the document it serves."""

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from app.openapi import openapi_document
from tests.fuzz.harness import bearer, count_case, fuzz_app, fuzz_settings

pytestmark = pytest.mark.fuzz

ACCEPTED = ["2xx", "3xx", "401", "403", "404", "412"]
REST_CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A well-formed If-Match naming a version the profile no longer has
            # is refused with 412: valid data, refused because of the store's state.
            "positive_data_acceptance": {"expected-statuses": ACCEPTED},
        },
        "operations": [
            {
                # The display-name rules on code points (no control, format,
                # private-use or unassigned ones; not blank once trimmed) cannot be
                # written in JSON Schema, so the document states them in prose and
                # a schema-valid name may still be refused with 422.
                "include-operation-id": "updateProfile",
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]},
                },
            }
        ],
    }
)

# The document /openapi.json serves (tests/test_openapi.py holds the two equal),
# built here rather than fetched so that collecting this module starts no app.
schema = schemathesis.openapi.from_dict(openapi_document(), config=REST_CONFIG)
schema.app = fuzz_app("rest")


@schema.parametrize()
@fuzz_settings(max_examples=300)
def test_rest_as_owner(case: schemathesis.Case) -> None:
    count_case("rest, owner's token")
    case.call_and_validate(headers=bearer())


@schema.parametrize()
@fuzz_settings(max_examples=300)
def test_rest_as_admin(case: schemathesis.Case) -> None:
    count_case("rest, admin token")
    case.call_and_validate(headers=bearer(admin=True))
