"""Settings, read once from the environment and checked before the service starts."""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DEFAULT_DATABASE_URL = "sqlite:///var/profiles.db"


class ConfigError(Exception):
    """A setting is missing or has a value the service cannot use."""


class Secret(str):
    """A string that keeps its value out of reprs and logs."""

    def __repr__(self) -> str:
        return "Secret('**********')"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    store_timeout_seconds: float = 2.0
    retry_after_seconds: int = 5

    jwt_secret: Secret | None = None
    jwt_public_key: str | None = None
    jwt_jwks_url: str | None = None
    jwt_jwks_cooldown_seconds: float = 30.0
    jwt_algorithms: tuple[str, ...] = ()
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: float = 30.0
    tenant_claim: str = "tenant_id"

    graphql_max_depth: int = 8
    graphql_max_aliases: int = 15
    graphql_max_tokens: int = 2000
    graphql_max_profiles: int = 100
    graphql_introspection: bool = True
    max_body_bytes: int = 16 * 1024

    cache_max_age_seconds: int = 60
    metrics_enabled: bool = True
    log_level: str = "INFO"
    log_format: str = "json"
    dev_mode: bool = False
    dev_token: Secret | None = field(default=None, compare=False)

    @property
    def has_jwt_key(self) -> bool:
        return bool(self.jwt_secret or self.jwt_public_key or self.jwt_jwks_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = _Env(os.environ if environ is None else environ)
        public_key = env.get("PHOENIX_JWT_PUBLIC_KEY", str, None)
        return cls(
            database_url=env.get("PHOENIX_DATABASE_URL", str, DEFAULT_DATABASE_URL),
            store_timeout_seconds=env.get("PHOENIX_STORE_TIMEOUT_SECONDS", float, 2.0),
            retry_after_seconds=env.get("PHOENIX_RETRY_AFTER_SECONDS", int, 5),
            jwt_secret=env.get("PHOENIX_JWT_SECRET", Secret, None),
            jwt_public_key=_read_pem(public_key) if public_key else None,
            jwt_jwks_url=env.get("PHOENIX_JWT_JWKS_URL", str, None),
            jwt_jwks_cooldown_seconds=env.get(
                "PHOENIX_JWT_JWKS_COOLDOWN_SECONDS", float, 30.0
            ),
            jwt_algorithms=env.get("PHOENIX_JWT_ALGORITHMS", _words, ()),
            jwt_issuer=env.get("PHOENIX_JWT_ISSUER", str, None),
            jwt_audience=env.get("PHOENIX_JWT_AUDIENCE", str, None),
            jwt_leeway_seconds=env.get("PHOENIX_JWT_LEEWAY_SECONDS", float, 30.0),
            tenant_claim=env.get("PHOENIX_TENANT_CLAIM", str, "tenant_id"),
            graphql_max_depth=env.get("PHOENIX_GRAPHQL_MAX_DEPTH", int, 8),
            graphql_max_aliases=env.get("PHOENIX_GRAPHQL_MAX_ALIASES", int, 15),
            graphql_max_tokens=env.get("PHOENIX_GRAPHQL_MAX_TOKENS", int, 2000),
            graphql_max_profiles=env.get("PHOENIX_GRAPHQL_MAX_PROFILES", int, 100),
            graphql_introspection=env.get("PHOENIX_GRAPHQL_INTROSPECTION", _flag, True),
            max_body_bytes=env.get("PHOENIX_MAX_BODY_BYTES", int, 16 * 1024),
            cache_max_age_seconds=env.get("PHOENIX_CACHE_MAX_AGE_SECONDS", int, 60),
            metrics_enabled=env.get("PHOENIX_METRICS_ENABLED", _flag, True),
            log_level=env.get("PHOENIX_LOG_LEVEL", str.upper, "INFO"),
            log_format=env.get("PHOENIX_LOG_FORMAT", _log_format, "json"),
            dev_mode=env.get("PHOENIX_DEV", _flag, False),
            dev_token=env.get("PHOENIX_DEV_TOKEN", Secret, None),
        )

    def require_jwt_key(self) -> None:
        if not self.has_jwt_key:
            raise ConfigError(
                "no token verification key is configured: set PHOENIX_JWT_SECRET "
                "(HS256), PHOENIX_JWT_PUBLIC_KEY (PEM, RS256/ES256) or "
                "PHOENIX_JWT_JWKS_URL, or run `phoenix-profiles serve --dev`"
            )
        configured = [
            name
            for name, value in (
                ("PHOENIX_JWT_SECRET", self.jwt_secret),
                ("PHOENIX_JWT_PUBLIC_KEY", self.jwt_public_key),
                ("PHOENIX_JWT_JWKS_URL", self.jwt_jwks_url),
            )
            if value
        ]
        if len(configured) > 1:
            raise ConfigError(
                f"set only one token verification key, not {' and '.join(configured)}"
            )


class _Env:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def get(self, key: str, cast: Callable[[str], T], default: T) -> T:
        raw = self.environ.get(key, "")
        if raw.strip() == "":
            return default
        try:
            return cast(raw.strip())
        except ValueError as error:
            raise ConfigError(f"{key}={raw!r} is not valid: {error}") from error


def _flag(raw: str) -> bool:
    value = raw.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _words(raw: str) -> tuple[str, ...]:
    return tuple(raw.replace(",", " ").split())


def _log_format(raw: str) -> str:
    if raw not in ("json", "text"):
        raise ValueError("expected json or text")
    return raw


def _read_pem(value: str) -> str:
    """Accept the PEM text itself or the path of a file holding it."""
    if "-----BEGIN" in value:
        return value
    try:
        return Path(value).read_text()
    except OSError as error:
        raise ConfigError(
            f"PHOENIX_JWT_PUBLIC_KEY is neither PEM text nor a readable file: {error}"
        ) from error
