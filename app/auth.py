"""Bearer tokens: verify a JWT and say who is calling, for which tenant."""

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from starlette.requests import Request

from app.config import ConfigError, Settings
from app.http import request_header
from app.profiles.errors import InvalidInput, TokenRejected
from app.profiles.model import Caller
from app.profiles.validation import check_identifier

# Each key family verifies only its own algorithms, so that a public key can
# never be mistaken for an HMAC secret.
_FAMILIES = {
    "secret": ("HS256", "HS384", "HS512"),
    "rsa": ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    "ec": ("ES256", "ES384", "ES512"),
}
_DEFAULTS = {"secret": ("HS256",), "rsa": ("RS256",), "ec": ("ES256",)}
# Verified tokens remembered per process; at about 1 KiB each, a few MiB at most.
_REMEMBERED_TOKENS = 4096


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header value."""
    if not authorization:
        raise TokenRejected("no Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("Authorization header is not a Bearer token")
    return token.strip()


async def authenticate(request: Request) -> Caller:
    """The caller named by the request's Bearer token, or ``TokenRejected``."""
    token = bearer_token(request_header(request, b"authorization"))
    verifier: TokenVerifier = request.app.state.verifier
    caller = await verifier.verify(token)
    request.state.caller = caller  # the access log names the caller's tenant
    return caller


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        settings.require_jwt_key()
        self.settings = settings
        self.tenant_claim = settings.tenant_claim
        self._jwks: jwt.PyJWKClient | None = None
        self._key: Any = None
        self._verified: dict[str, tuple[Caller, float]] = {}
        if settings.jwt_jwks_url:
            # An unknown kid refetches the key set, at most once per cooldown, so
            # forged kids cannot turn every request into a fetch.
            self._jwks = jwt.PyJWKClient(
                settings.jwt_jwks_url,
                cache_keys=True,
                lifespan=300,
                timeout=5,
                cooldown_duration=settings.jwt_jwks_cooldown_seconds,
            )
            allowed = _FAMILIES["rsa"] + _FAMILIES["ec"]
            self.algorithms = _allow(settings.jwt_algorithms or ("RS256", "ES256"), allowed)
        elif settings.jwt_public_key:
            self._key, family = _load_public_key(settings.jwt_public_key)
            self.algorithms = _allow(
                settings.jwt_algorithms or _DEFAULTS[family], _FAMILIES[family]
            )
        else:
            self._key = str(settings.jwt_secret)
            self.algorithms = _allow(
                settings.jwt_algorithms or _DEFAULTS["secret"], _FAMILIES["secret"]
            )

    async def verify(self, token: str) -> Caller:
        """The caller a token names, or ``TokenRejected``.

        A token that verified once is remembered until it expires, so a client
        that sends the same token on every request pays for the signature check
        once. (A key withdrawn from a JWKS therefore stops new tokens at once,
        but not ones already seen; they still expire on time.)
        """
        remembered = self._verified.get(token)
        if remembered is not None:
            caller, usable_until = remembered
            if time.time() < usable_until:
                return caller
            del self._verified[token]
        if self._jwks is None:
            caller, usable_until = self._decode(token, self._key, self.algorithms)
        else:
            key = await asyncio.to_thread(self._jwks_key, token)
            family = "rsa" if isinstance(key.key, rsa.RSAPublicKey) else "ec"
            algorithms = [a for a in self.algorithms if a in _FAMILIES[family]]
            caller, usable_until = self._decode(token, key.key, algorithms)
        if len(self._verified) >= _REMEMBERED_TOKENS:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (caller, usable_until)
        return caller

    def _jwks_key(self, token: str) -> jwt.PyJWK:
        assert self._jwks is not None
        try:
            return self._jwks.get_signing_key_from_jwt(token)
        except (jwt.PyJWKClientError, jwt.PyJWKError, jwt.DecodeError) as error:
            raise TokenRejected(f"no signing key for token: {error}") from error

    def _decode(self, token: str, key: Any, algorithms: list[str]) -> tuple[Caller, float]:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=self.settings.jwt_leeway_seconds,
                options={"require": ["exp", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise TokenRejected(f"{type(error).__name__}: {error}") from error
        return self._caller(claims), claims["exp"] + self.settings.jwt_leeway_seconds

    def _caller(self, claims: Mapping[str, Any]) -> Caller:
        tenant_id, user_id = claims.get(self.tenant_claim), claims.get("sub")
        if not isinstance(tenant_id, str) or not isinstance(user_id, str):
            raise TokenRejected(f"claims {self.tenant_claim!r} and 'sub' must be strings")
        try:
            check_identifier(tenant_id, self.tenant_claim)
            check_identifier(user_id, "sub")
        except InvalidInput as error:
            raise TokenRejected(f"claim {error}") from error
        scope = claims.get("scope", "")
        scopes = scope.split() if isinstance(scope, str) else []
        return Caller(tenant_id=tenant_id, user_id=user_id, scopes=frozenset(scopes))


def mint_token(
    settings: Settings,
    *,
    tenant_id: str,
    user_id: str,
    scope: str = "",
    ttl_seconds: int = 3600,
) -> str:
    """A token for the configured shared secret, for development and tests."""
    if not settings.jwt_secret:
        raise ConfigError(
            "minting needs PHOENIX_JWT_SECRET; tokens for a public key or JWKS "
            "are issued by the identity provider that holds the private key"
        )
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        settings.tenant_claim: tenant_id,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if scope:
        claims["scope"] = scope
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    algorithm = (settings.jwt_algorithms or _DEFAULTS["secret"])[0]
    return jwt.encode(claims, str(settings.jwt_secret), algorithm=algorithm)


def _allow(requested: tuple[str, ...], permitted: tuple[str, ...]) -> list[str]:
    refused = [a for a in requested if a not in permitted]
    if refused:
        raise ConfigError(
            f"PHOENIX_JWT_ALGORITHMS: {', '.join(refused)} cannot be used with the "
            f"configured key (allowed: {', '.join(permitted)})"
        )
    return list(requested)


def _load_public_key(pem: str) -> tuple[Any, str]:
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError as error:
        raise ConfigError(f"PHOENIX_JWT_PUBLIC_KEY is not a PEM public key: {error}")
    if isinstance(key, rsa.RSAPublicKey):
        return key, "rsa"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key, "ec"
    raise ConfigError("PHOENIX_JWT_PUBLIC_KEY must be an RSA or EC public key")
