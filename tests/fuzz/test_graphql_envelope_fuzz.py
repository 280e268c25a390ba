"""Hypothesis against the GraphQL request envelope, which schemathesis leaves alone.

Schemathesis generates documents from the schema; this sends arbitrary JSON for
`query`, `operationName` and `variables`, written with escapes so that strings
Python holds but UTF-8 cannot (lone surrogates) arrive too. Every answer must be
a JSON client error or result, never a 5xx.
"""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient

from tests.fuzz.harness import bearer, count_case, fuzz_app, fuzz_settings

pytestmark = pytest.mark.fuzz

KNOWN_CODES = {"BAD_USER_INPUT", "FORBIDDEN", "UNAUTHENTICATED", "METHOD_NOT_ALLOWED"}
DOCUMENTS = [
    "{ me { name } }",
    "query Q($id: ID!) { profile(userId: $id) { userId name } }",
    "query P($ids: [ID!]!) { profiles(userIds: $ids) { userId } }",
    "mutation M($id: ID!, $i: UpdateProfileInput!) "
    "{ updateProfile(userId: $id, input: $i) { name avatarUrl } }",
]
# Hypothesis seldom draws surrogates on its own, so they get an alphabet of their own.
surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, categories=["Cs"])
any_text = st.lists(st.characters() | surrogates, max_size=20).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | any_text,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(any_text | st.sampled_from(["name", "regenerateAvatar"]), inner, max_size=3),
    max_leaves=8,
)
envelopes = st.fixed_dictionaries(
    {"query": st.sampled_from(DOCUMENTS) | any_text},
    optional={
        "operationName": st.none() | st.sampled_from(["Q", "P", "M"]) | any_text,
        "variables": st.none()
        | st.dictionaries(st.sampled_from(["id", "ids", "i"]) | any_text, json_values, max_size=3)
        | json_values,
        "extensions": json_values,
    },
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(fuzz_app("graphql-envelope"), raise_server_exceptions=False) as client:
        yield client


@given(envelope=envelopes, admin=st.booleans())
@fuzz_settings(max_examples=400)
def test_any_envelope_gets_a_json_answer(
    client: TestClient, envelope: dict[str, Any], admin: bool
) -> None:
    count_case("graphql envelopes")
    response = client.post(
        "/graphql",
        content=json.dumps(envelope).encode(),
        headers={**bearer(admin=admin), "Content-Type": "application/json"},
    )

    assert response.status_code < 500, response.text
    answer = json.loads(response.content)
    codes = {error["extensions"]["code"] for error in answer.get("errors", [])}
    assert codes <= KNOWN_CODES, answer
