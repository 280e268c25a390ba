"""Input rules, the same on both surfaces; a refused request changes nothing."""

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from app.profiles.errors import InvalidInput
from app.profiles.validation import clean_display_name

Auth = Callable[..., dict[str, str]]
URL = "/v1/profiles/user/user_123"
RENAME = "mutation($name: String) { updateProfile(userId: \"user_123\", input: {name: $name}) { name } }"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  John   Doe  ", "John Doe"),
        ("Tab\there\nnewline", "Tab here newline"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC joins the combining accent
        ("🐉 Dragon", "🐉 Dragon"),
        ("Ключ Ящерица", "Ключ Ящерица"),
        ("王小明", "王小明"),
        ("x" * 50, "x" * 50),
        ("\u00a0Nbsp\u00a0", "Nbsp"),
    ],
)
def test_valid_names_are_normalised(raw: str, clean: str) -> None:
    assert clean_display_name(raw) == clean


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x" * 51, "at most 50"),
        ("zero\u200bwidth", "U+200B"),
        ("bidi\u202eoverride", "U+202E"),
        ("private\ue000use", "U+E000"),
        ("null\x00byte", "U+0000"),
        ("bell\x07", "U+0007"),
        ("soft\u00adhyphen", "U+00AD"),
    ],
)
def test_invalid_names_name_the_rule(raw: str, rule: str) -> None:
    with pytest.raises(InvalidInput) as error:
        clean_display_name(raw)

    assert error.value.field == "name"
    assert rule in str(error.value)


def test_length_counts_characters_after_normalising() -> None:
    assert clean_display_name("e\u0301" * 50) == "\u00e9" * 50


@pytest.mark.parametrize(
    "bad_name", ["", "x" * 51, "a\u200bb", "a\u202eb", "a\ue000b", "a\x1bb"]
)
def test_rest_refuses_a_bad_name_and_keeps_the_profile(
    client: TestClient, auth: Auth, bad_name: str
) -> None:
    before = client.get(URL, headers=auth()).json()

    response = client.put(URL, headers=auth(), json={"name": bad_name})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("name: ")
    assert client.get(URL, headers=auth()).json() == before


@pytest.mark.parametrize("bad_name", ["", "x" * 51, "a\u200bb"])
def test_graphql_refuses_a_bad_name_and_keeps_the_profile(
    client: TestClient, auth: Auth, bad_name: str
) -> None:
    before = client.get(URL, headers=auth()).json()

    body = client.post("/graphql", headers=auth(), json={"query": RENAME, "variables": {"name": bad_name}}).json()

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"].startswith("name: ")
    assert client.get(URL, headers=auth()).json() == before


def test_emoji_name_round_trips(client: TestClient, auth: Auth) -> None:
    response = client.put(URL, headers=auth(), json={"name": "  🦊  Renard   Rusé "})

    assert response.json()["name"] == "🦊 Renard Rusé"


@pytest.mark.parametrize("user_id", ["x" * 129, "tab%09here", "nul%00byte", "esc%1Bx"])
def test_bad_user_id_is_422_and_creates_nothing(
    client: TestClient, auth: Auth, user_id: str
) -> None:
    response = client.get(f"/v1/profiles/user/{user_id}", headers=auth())

    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("user_id: ")
    assert _profiles_created(client) == 0


def test_user_id_of_128_characters_is_fine(client: TestClient, auth: Auth) -> None:
    assert client.get(f"/v1/profiles/user/{'x' * 128}", headers=auth()).status_code == 200


@pytest.mark.parametrize("user_id", ["", "x" * 129, "a\x00b"])
def test_graphql_bad_user_id_is_bad_user_input(
    client: TestClient, auth: Auth, user_id: str
) -> None:
    body = client.post(
        "/graphql",
        headers=auth(),
        json={"query": "query($id: ID!) { profile(userId: $id) { name } }", "variables": {"id": user_id}},
    ).json()

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"].startswith("userId: ")


def test_graphql_names_fields_as_graphql_does(client: TestClient, auth: Auth) -> None:
    mutation = 'mutation { updateProfile(userId: "", input: {name: "ok"}) { name } }'

    error = client.post("/graphql", headers=auth(), json={"query": mutation}).json()["errors"][0]

    assert error["message"] == "userId: must not be empty"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "userId"}


class TestRestBody:
    def test_not_json_is_400(self, client: TestClient, auth: Auth) -> None:
        response = client.put(
            URL, headers={**auth(), "Content-Type": "application/json"}, content=b"{name: nope"
        )

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "MALFORMED_REQUEST"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ([], "body"),
            ("just a string", "body"),
            (42, "body"),
            ({"name": "ok", "admin": True}, "body"),
            ({"name": 12}, "name"),
            ({"name": ["x"]}, "name"),
            ({"regenerate_avatar": "yes"}, "regenerate_avatar"),
            ({"regenerate_avatar": 1}, "regenerate_avatar"),
        ],
    )
    def test_wrong_shape_is_422_naming_the_field(
        self, client: TestClient, auth: Auth, body: object, field: str
    ) -> None:
        before = client.get(URL, headers=auth()).json()

        response = client.put(URL, headers=auth(), json=body)

        assert response.status_code == 422
        assert response.json()["error"]["message"].startswith(f"{field}: ")
        assert client.get(URL, headers=auth()).json() == before

    def test_body_over_16_kib_is_413(self, client: TestClient, auth: Auth) -> None:
        payload = b'{"name": "' + b"x" * (16 * 1024) + b'"}'

        response = client.put(URL, headers={**auth(), "Content-Type": "application/json"}, content=payload)

        assert response.status_code == 413
        assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"

    def test_oversized_body_without_length_is_cut_off(self, client: TestClient, auth: Auth) -> None:
        def chunks():  # type: ignore[no-untyped-def]
            yield b'{"name": "'
            for _ in range(64):
                yield b"x" * 1024
            yield b'"}'

        response = client.put(
            URL, headers={**auth(), "Content-Type": "application/json"}, content=chunks()
        )

        assert response.status_code == 413

    @pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
    def test_wrong_content_type_is_415(
        self, client: TestClient, auth: Auth, content_type: str | None
    ) -> None:
        headers = auth()
        if content_type:
            headers["Content-Type"] = content_type

        response = client.put(URL, headers=headers, content=b'{"name": "x"}')

        assert response.status_code == 415
        assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"

    def test_json_with_charset_is_fine(self, client: TestClient, auth: Auth) -> None:
        response = client.put(
            URL,
            headers={**auth(), "Content-Type": "application/json; charset=utf-8"},
            content='{"name": "Zoë"}'.encode(),
        )

        assert response.json()["name"] == "Zoë"


def _profiles_created(client: TestClient) -> float:
    registry = client.app.state.metrics.registry  # type: ignore[attr-defined]
    return registry.get_sample_value("phoenix_profiles_created_total") or 0.0


class TestGraphQLLimits:
    def test_more_than_100_ids_is_refused(self, client: TestClient, auth: Auth) -> None:
        ids = [f"u{i}" for i in range(101)]

        body = client.post(
            "/graphql",
            headers=auth(),
            json={"query": "query($ids: [ID!]!) { profiles(userIds: $ids) { name } }", "variables": {"ids": ids}},
        ).json()

        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert _profiles_created(client) == 0

    def test_200_aliased_profiles_cannot_create_200_profiles(
        self, client: TestClient, auth: Auth
    ) -> None:
        fields = " ".join(f'p{i}: profile(userId: "alias-{i}") {{ name }}' for i in range(200))

        response = client.post("/graphql", headers=auth(), json={"query": f"{{ {fields} }}"})

        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert _profiles_created(client) == 0
        client.get("/v1/profiles/user/alias-0", headers=auth())
        assert _profiles_created(client) == 1, "alias-0 did not exist before this read"

    def test_many_aliased_batches_are_capped_by_the_profile_budget(
        self, app_factory: Callable[..., object], auth: Auth
    ) -> None:
        batches = " ".join(
            f'b{n}: profiles(userIds: [{", ".join(f"{chr(34)}b{n}-{i}{chr(34)}" for i in range(60))}]) {{ name }}'
            for n in range(3)
        )

        with TestClient(app_factory()) as client:  # type: ignore[arg-type]
            body = client.post("/graphql", headers=auth(), json={"query": f"{{ {batches} }}"}).json()

        messages = [error["message"] for error in body["errors"]]
        assert any("at most 100 distinct profiles" in message for message in messages)

    def test_graphiql_schema_query_is_not_held_to_the_depth_limit(
        self, client: TestClient, auth: Auth
    ) -> None:
        deep = "{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }"

        assert "errors" not in client.post("/graphql", headers=auth(), json={"query": deep}).json()

    def test_depth_is_limited_through_fragments(
        self, app_factory: Callable[..., object], auth: Auth
    ) -> None:
        query = "query { ...Mine } fragment Mine on Query { me { name } }"
        with TestClient(app_factory(graphql_max_depth=1)) as client:  # type: ignore[arg-type]
            allowed = client.post("/graphql", headers=auth(), json={"query": "{ me { name } }"}).json()
        with TestClient(app_factory(graphql_max_depth=0)) as client:  # type: ignore[arg-type]
            body = client.post("/graphql", headers=auth(), json={"query": query}).json()

        assert "errors" not in allowed

        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "exceeds maximum operation depth" in body["errors"][0]["message"]

    def test_token_limit(self, client: TestClient, auth: Auth) -> None:
        query = "{ me { " + "name " * 3000 + "} }"

        body = client.post("/graphql", headers=auth(), json={"query": query}).json()

        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    def test_body_size_limit(self, client: TestClient, auth: Auth) -> None:
        query = "{ me { name } }" + " " * (20 * 1024)

        response = client.post("/graphql", headers=auth(), json={"query": query})

        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    def test_introspection_can_be_turned_off(
        self, app_factory: Callable[..., object], auth: Auth
    ) -> None:
        query = {"query": "{ __schema { queryType { name } } }"}
        with TestClient(app_factory()) as client:  # type: ignore[arg-type]
            assert client.post("/graphql", headers=auth(), json=query).json()["data"]
        with TestClient(app_factory(graphql_introspection=False)) as client:  # type: ignore[arg-type]
            body = client.post("/graphql", headers=auth(), json=query).json()

        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    def test_batched_requests_are_not_offered(self, client: TestClient, auth: Auth) -> None:
        response = client.post(
            "/graphql", headers=auth(), json=[{"query": "{ me { name } }"}, {"query": "{ me { name } }"}]
        )

        assert response.status_code == 400
