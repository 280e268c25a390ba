"""The ``phoenix-profiles`` command: serve, mint tokens, export the schema."""

import argparse
import os
import secrets
import shlex
import sys
from pathlib import Path

from app.config import ConfigError, Settings

DEV_DIR = Path("var")
DEV_SECRET_FILE = DEV_DIR / "dev-jwt-secret"
DEV_DATABASE_URL = f"sqlite:///{DEV_DIR / 'profiles.db'}"
DEV_TENANT, DEV_USER = "dev-tenant", "dev-user"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except ConfigError as error:
        print(f"phoenix-profiles: {error}", file=sys.stderr)
        return 2


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.logs import uvicorn_log_config

    if args.dev:
        _enter_dev_mode(args.host, args.port)
    settings = Settings.from_env()
    settings.require_jwt_key()
    uvicorn.run(
        "app.main:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        proxy_headers=args.proxy_headers,
        log_level=settings.log_level.lower(),
        log_config=uvicorn_log_config(settings),
        # The service writes its own access log, with route templates and ids.
        access_log=False,
    )
    return 0


def token(args: argparse.Namespace) -> int:
    from app.auth import mint_token

    settings = Settings.from_env()
    if not settings.has_jwt_key:
        settings = Settings(jwt_secret=_dev_secret())
        print(f"(signed with the development secret in {DEV_SECRET_FILE})", file=sys.stderr)
    print(
        mint_token(
            settings,
            tenant_id=args.tenant,
            user_id=args.user,
            scope=args.scope,
            ttl_seconds=args.ttl,
        )
    )
    return 0


def export_schema(args: argparse.Namespace) -> int:
    from app.graphql.schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl)
    return 0


def _enter_dev_mode(host: str, port: int) -> None:
    """Configure this process (and the workers it starts) for local development."""
    from app.auth import mint_token
    from app.config import Secret

    if not Settings.from_env().has_jwt_key:
        os.environ["PHOENIX_JWT_SECRET"] = _dev_secret()
    os.environ.setdefault("PHOENIX_DATABASE_URL", DEV_DATABASE_URL)
    os.environ.setdefault("PHOENIX_LOG_FORMAT", "text")
    os.environ["PHOENIX_DEV"] = "true"
    settings = Settings.from_env()
    dev_token = mint_token(
        settings,
        tenant_id=DEV_TENANT,
        user_id=DEV_USER,
        scope="profiles:admin",
        ttl_seconds=7 * 24 * 3600,
    )
    os.environ["PHOENIX_DEV_TOKEN"] = Secret(dev_token)
    base = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"
    curl = shlex.join(
        ["curl", "-s", "-H", f"Authorization: Bearer {dev_token}",
         f"{base}/v1/profiles/user/{DEV_USER}"]
    )
    print(
        f"\nPhoenix Profiles (development mode)\n"
        f"  GraphiQL:  {base}/graphql  (the dev token is filled in)\n"
        f"  Database:  {settings.database_url}\n"
        f"  Dev token: tenant {DEV_TENANT!r}, user {DEV_USER!r}, scope profiles:admin\n"
        f"             {dev_token}\n"
        f"  Try:       {curl}\n",
        flush=True,
    )


def _dev_secret() -> str:
    """A secret kept in var/ so that dev tokens outlive restarts and fit every worker."""
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    DEV_DIR.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    DEV_SECRET_FILE.touch(mode=0o600)
    DEV_SECRET_FILE.write_text(secret + "\n")
    return secret


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="phoenix-profiles",
        description="Player profiles (display names and avatars) over GraphQL and REST.",
        epilog="Settings come from PHOENIX_* environment variables; see the README.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "serve",
        help="run the HTTP service",
        description="Run the service with uvicorn. Needs a token key "
        "(PHOENIX_JWT_SECRET, PHOENIX_JWT_PUBLIC_KEY or PHOENIX_JWT_JWKS_URL) unless --dev.",
    )
    run.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    run.add_argument("--port", type=int, default=8000, help="port to bind (default: %(default)s)")
    run.add_argument(
        "--workers", type=int, default=1,
        help="worker processes sharing the port (default: %(default)s)",
    )
    run.add_argument(
        "--proxy-headers", action="store_true",
        help="trust X-Forwarded-For/-Proto from a proxy in front of the service",
    )
    run.add_argument(
        "--dev", action="store_true",
        help="development mode: a local secret and SQLite file under ./var/, text logs, "
        "and a ready-made token printed at start-up and filled into GraphiQL",
    )
    run.set_defaults(run=serve)

    mint = commands.add_parser(
        "token",
        help="print a signed JWT for a tenant and user",
        description="Sign a token with PHOENIX_JWT_SECRET, or with the development "
        "secret under ./var/ when no key is configured.",
    )
    mint.add_argument("--tenant", required=True, help="tenant id claim")
    mint.add_argument("--user", required=True, help="user id (the 'sub' claim)")
    mint.add_argument(
        "--scope", default="",
        help="space-separated scopes, e.g. 'profiles:admin' to edit any profile",
    )
    mint.add_argument(
        "--ttl", type=int, default=3600, metavar="SECONDS",
        help="lifetime in seconds (default: %(default)s)",
    )
    mint.set_defaults(run=token)

    schema = commands.add_parser(
        "export-schema",
        help="print the GraphQL schema (SDL)",
        description="Write the GraphQL schema in SDL, as committed in schema.graphql.",
    )
    schema.add_argument(
        "--output", "-o", default="-", help="file to write, or - for stdout (default)"
    )
    schema.set_defaults(run=export_schema)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
