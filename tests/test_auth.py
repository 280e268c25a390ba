"""Bearer tokens: every way a token can be wrong is a 401, on both surfaces."""

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.testclient import TestClient

from app.auth import TokenVerifier
from app.profiles.errors import TokenRejected
from app.config import ConfigError, Secret, Settings
from tests.conftest import TEST_SECRET, TokenFactory

URL = "/v1/profiles/user/user_123"
GRAPHQL_ME = {"query": "{ me { userId } }"}


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key: Any) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"tenant_id": "t1", "sub": "u1", "iat": now, "exp": now + 300}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def assert_rejected(client: TestClient, token: str | None, header: str | None = None) -> None:
    headers = {"Authorization": header or f"Bearer {token}"}
    rest = client.get(URL, headers=headers)
    assert rest.status_code == 401
    assert rest.headers["www-authenticate"].startswith("Bearer")
    assert rest.json()["error"]["code"] == "UNAUTHENTICATED"
    graphql = client.post("/graphql", headers=headers, json=GRAPHQL_ME)
    assert graphql.status_code == 401
    assert graphql.headers["www-authenticate"].startswith("Bearer")
    assert graphql.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_valid_token_is_accepted_on_both_surfaces(
    client: TestClient, make_token: TokenFactory
) -> None:
    headers = {"Authorization": f"Bearer {make_token('t1', 'u1')}"}

    assert client.get(URL, headers=headers).status_code == 200
    me = client.post("/graphql", headers=headers, json=GRAPHQL_ME).json()
    assert me == {"data": {"me": {"userId": "u1"}}}


def test_missing_header(client: TestClient) -> None:
    assert client.get(URL).status_code == 401
    response = client.post("/graphql", json=GRAPHQL_ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "token abc"])
def test_malformed_header(client: TestClient, header: str) -> None:
    assert_rejected(client, None, header=header)


@pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "%%%"])
def test_garbage_token(client: TestClient, garbage: str) -> None:
    assert_rejected(client, garbage)


def test_expired_token(client: TestClient, make_token: TokenFactory) -> None:
    assert_rejected(client, make_token(exp=int(time.time()) - 3600))


def test_token_without_exp(client: TestClient) -> None:
    assert_rejected(client, jwt.encode(_claims(exp=None), TEST_SECRET, algorithm="HS256"))


def test_not_yet_valid_token(client: TestClient, make_token: TokenFactory) -> None:
    assert_rejected(client, make_token(nbf=int(time.time()) + 3600))


def test_leeway_allows_small_clock_skew(
    app_factory: Callable[..., Any], make_token: TokenFactory
) -> None:
    token = make_token(exp=int(time.time()) - 5)
    with TestClient(app_factory(jwt_leeway_seconds=30)) as lenient:
        assert lenient.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with TestClient(app_factory(jwt_leeway_seconds=0)) as strict:
        assert strict.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_wrong_secret(client: TestClient, make_token: TokenFactory) -> None:
    assert_rejected(client, make_token(secret="another-secret-of-sufficient-length-xx"))


def test_alg_none_is_refused(client: TestClient) -> None:
    unsigned = jwt.encode(_claims(), key=None, algorithm="none")

    assert_rejected(client, unsigned)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_unlisted_hmac_algorithm_is_refused(client: TestClient) -> None:
    assert_rejected(client, jwt.encode(_claims(), TEST_SECRET, algorithm="HS512"))


@pytest.mark.parametrize("missing", ["tenant_id", "sub"])
def test_missing_identity_claims(client: TestClient, missing: str) -> None:
    token = jwt.encode(_claims(**{missing: None}), TEST_SECRET, algorithm="HS256")

    assert_rejected(client, token)


@pytest.mark.parametrize("tenant", ["", "x" * 129, "bad\x00tenant", 42])
def test_invalid_tenant_claim(client: TestClient, tenant: Any) -> None:
    token = jwt.encode(_claims(tenant_id=tenant), TEST_SECRET, algorithm="HS256")

    assert_rejected(client, token)


def test_tenant_claim_name_is_configurable(app_factory: Callable[..., Any]) -> None:
    token = jwt.encode(_claims(tenant_id=None, org="acme"), TEST_SECRET, algorithm="HS256")

    with TestClient(app_factory(tenant_claim="org")) as client:
        body = client.get(URL, headers={"Authorization": f"Bearer {token}"}).json()

    assert body["tenant_id"] == "acme"


def test_issuer_and_audience_are_enforced_when_configured(
    app_factory: Callable[..., Any],
) -> None:
    def token(**claims: Any) -> dict[str, str]:
        encoded = jwt.encode(_claims(**claims), TEST_SECRET, algorithm="HS256")
        return {"Authorization": f"Bearer {encoded}"}

    with TestClient(app_factory(jwt_issuer="https://idp", jwt_audience="profiles")) as client:
        assert client.get(URL, headers=token(iss="https://idp", aud="profiles")).status_code == 200
        assert client.get(URL, headers=token(iss="https://evil", aud="profiles")).status_code == 401
        assert client.get(URL, headers=token(iss="https://idp", aud="other")).status_code == 401
        assert client.get(URL, headers=token(aud="profiles")).status_code == 401
        assert client.get(URL, headers=token(iss="https://idp")).status_code == 401


def test_the_token_is_never_logged(
    client: TestClient, make_token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    token = make_token(exp=int(time.time()) - 3600)
    caplog.set_level("DEBUG")

    client.get(URL, headers={"Authorization": f"Bearer {token}"})

    assert "ExpiredSignatureError" in caplog.text
    assert token not in caplog.text
    assert token.split(".")[2] not in caplog.text


class TestPublicKeys:
    @pytest.fixture
    def rsa_key(self) -> rsa.RSAPrivateKey:
        return _rsa_key()

    def test_rs256_token_verifies(
        self, app_factory: Callable[..., Any], rsa_key: rsa.RSAPrivateKey
    ) -> None:
        token = jwt.encode(_claims(), rsa_key, algorithm="RS256")

        with TestClient(app_factory(jwt_secret=None, jwt_public_key=_public_pem(rsa_key))) as c:
            assert c.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    def test_es256_token_verifies(self, app_factory: Callable[..., Any]) -> None:
        ec_key = ec.generate_private_key(ec.SECP256R1())
        token = jwt.encode(_claims(), ec_key, algorithm="ES256")

        with TestClient(app_factory(jwt_secret=None, jwt_public_key=_public_pem(ec_key))) as c:
            assert c.get(URL, headers={"Authorization": f"Bearer {token}"}).status_code == 200

    def test_token_from_another_key_is_refused(
        self, app_factory: Callable[..., Any], rsa_key: rsa.RSAPrivateKey
    ) -> None:
        token = jwt.encode(_claims(), _rsa_key(), algorithm="RS256")

        with TestClient(app_factory(jwt_secret=None, jwt_public_key=_public_pem(rsa_key))) as c:
            assert_rejected(c, token)

    def test_algorithm_confusion_is_refused(
        self, app_factory: Callable[..., Any], rsa_key: rsa.RSAPrivateKey
    ) -> None:
        # An attacker signs HS256 with the public key's PEM text as the HMAC secret.
        pem = _public_pem(rsa_key)
        forged = _forge_hs256(_claims(), pem.encode())

        with TestClient(app_factory(jwt_secret=None, jwt_public_key=pem)) as client:
            assert_rejected(client, forged)

    def test_hmac_algorithms_cannot_be_allowed_for_a_public_key(
        self, settings: Settings, rsa_key: rsa.RSAPrivateKey
    ) -> None:
        configured = Settings(jwt_public_key=_public_pem(rsa_key), jwt_algorithms=("HS256",))

        with pytest.raises(ConfigError, match="HS256"):
            TokenVerifier(configured)


def _forge_hs256(claims: dict[str, Any], secret: bytes) -> str:
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = b64(hmac.new(secret, header + b"." + payload, hashlib.sha256).digest())
    return (header + b"." + payload + b"." + signature).decode()


class _JWKSHandler(BaseHTTPRequestHandler):
    keys: list[dict[str, Any]] = []
    fetches = 0

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        type(self).fetches += 1
        body = json.dumps({"keys": type(self).keys}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, type[_JWKSHandler]]]:
    handler = type("Handler", (_JWKSHandler,), {"keys": [], "fetches": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", handler
    finally:
        server.shutdown()
        server.server_close()


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


class TestJWKS:
    def test_keys_are_chosen_by_kid_and_rotation_is_picked_up(
        self,
        app_factory: Callable[..., Any],
        jwks_server: tuple[str, type[_JWKSHandler]],
    ) -> None:
        url, handler = jwks_server
        old_key, new_key = _rsa_key(), _rsa_key()
        handler.keys = [_jwk(old_key, "k1")]
        old = jwt.encode(_claims(), old_key, algorithm="RS256", headers={"kid": "k1"})
        new = jwt.encode(_claims(), new_key, algorithm="RS256", headers={"kid": "k2"})

        app = app_factory(jwt_secret=None, jwt_jwks_url=url, jwt_jwks_cooldown_seconds=0)
        with TestClient(app) as client:
            another = jwt.encode(_claims(sub="u2"), old_key, algorithm="RS256", headers={"kid": "k1"})
            assert client.get(URL, headers={"Authorization": f"Bearer {old}"}).status_code == 200
            assert client.get(URL, headers={"Authorization": f"Bearer {another}"}).status_code == 200
            assert handler.fetches == 1, "keys are cached between tokens"

            handler.keys = [_jwk(old_key, "k1"), _jwk(new_key, "k2")]
            assert client.get(URL, headers={"Authorization": f"Bearer {new}"}).status_code == 200

    def test_unknown_kid_is_refused(
        self,
        app_factory: Callable[..., Any],
        jwks_server: tuple[str, type[_JWKSHandler]],
    ) -> None:
        url, handler = jwks_server
        key = _rsa_key()
        handler.keys = [_jwk(key, "k1")]
        token = jwt.encode(_claims(), _rsa_key(), algorithm="RS256", headers={"kid": "nope"})

        with TestClient(app_factory(jwt_secret=None, jwt_jwks_url=url)) as client:
            assert_rejected(client, token)

    def test_hs256_token_is_refused_with_jwks(
        self,
        app_factory: Callable[..., Any],
        jwks_server: tuple[str, type[_JWKSHandler]],
    ) -> None:
        url, handler = jwks_server
        key = _rsa_key()
        handler.keys = [_jwk(key, "k1")]
        forged = jwt.encode(_claims(), "g" * 32, algorithm="HS256", headers={"kid": "k1"})

        with TestClient(app_factory(jwt_secret=None, jwt_jwks_url=url)) as client:
            assert_rejected(client, forged)


def test_settings_hide_the_secret() -> None:
    assert TEST_SECRET not in repr(Settings(jwt_secret=Secret(TEST_SECRET)))


def test_two_keys_configured_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="only one"):
        TokenVerifier(Settings(jwt_secret=Secret(TEST_SECRET), jwt_jwks_url="http://idp/jwks"))


def test_no_key_configured_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="PHOENIX_JWT_SECRET"):
        TokenVerifier(Settings())


class TestRememberedTokens:
    async def test_a_remembered_token_still_expires(self, make_token: TokenFactory) -> None:
        verifier = TokenVerifier(Settings(jwt_secret=Secret(TEST_SECRET), jwt_leeway_seconds=0))
        expires = int(time.time()) + 1
        token = make_token(exp=expires)
        assert (await verifier.verify(token)).user_id == "user_123"

        await asyncio.sleep(expires + 0.1 - time.time())

        with pytest.raises(TokenRejected) as rejected:
            await verifier.verify(token)
        assert "ExpiredSignature" in rejected.value.reason

    async def test_only_verified_tokens_are_remembered(self, make_token: TokenFactory) -> None:
        verifier = TokenVerifier(Settings(jwt_secret=Secret(TEST_SECRET)))
        forged = make_token(secret="x" * 40)

        for _ in range(2):
            with pytest.raises(TokenRejected):
                await verifier.verify(forged)

    async def test_memory_is_bounded(
        self, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("app.auth._REMEMBERED_TOKENS", 3)
        verifier = TokenVerifier(Settings(jwt_secret=Secret(TEST_SECRET)))

        for user in ("a", "b", "c", "d", "e"):
            assert (await verifier.verify(make_token(user=user))).user_id == user

        assert len(verifier._verified) == 3
