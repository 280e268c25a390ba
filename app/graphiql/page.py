"""HTML for the GraphiQL page, built to run under a CSP that forbids inline script.

Every script is an external file from ASSETS_DIR; values the browser script needs
(endpoint, default query, dev token) travel in escaped attributes, never as code.
"""

from html import escape
from pathlib import Path

from app.graphiql.static import asset_version

ASSETS_DIR = Path(__file__).resolve().parent / "assets"

DEFAULT_QUERY = "{\n  me {\n    name\n    avatarUrl\n  }\n}\n"

_CSP_DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",
    # GraphiQL renders without inline styles: it sets element styles through
    # the DOM, which CSP allows. Only opening a dialog (settings, shortcuts)
    # inserts a <style> element, for a scroll lock; 'self' blocks it with one
    # console report, and the page looks the same either way because it never
    # scrolls. That is not worth 'unsafe-inline'.
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_CSP_DIRECTIVES)

_SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "phoenix-graphiql.js",
)
_STYLESHEETS = ("graphiql.min.css", "phoenix-graphiql.css")


def _asset_url(base: str, name: str) -> str:
    return f"{base}/{name}?v={asset_version(ASSETS_DIR / name)}"


def _attr(value: str) -> str:
    return escape(value, quote=True)


def render_graphiql_page(
    *, assets_url: str, endpoint: str, dev_token: str | None
) -> str:
    """The page for GET /graphql; `assets_url` is where ASSETS_DIR is served."""
    base = assets_url.rstrip("/")
    links = "".join(
        f'\n<link rel="stylesheet" href="{_attr(_asset_url(base, name))}">'
        for name in _STYLESHEETS
    )
    scripts = "".join(
        f'\n<script src="{_attr(_asset_url(base, name))}"></script>' for name in _SCRIPTS
    )
    token_meta = ""
    if dev_token is not None:
        token_meta = f'\n<meta name="phoenix-dev-token" content="{_attr(dev_token)}">'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Phoenix Profiles — GraphiQL</title>{token_meta}{links}
</head>
<body>
<div class="phoenix-token-bar">
<label for="phoenix-token">Bearer token</label>
<input id="phoenix-token" type="text" autocomplete="off" spellcheck="false"
 placeholder="paste a JWT; it is sent as Authorization: Bearer …">
</div>
<div id="graphiql" data-endpoint="{_attr(endpoint)}"
 data-default-query="{_attr(DEFAULT_QUERY)}">Loading GraphiQL…</div>{scripts}
</body>
</html>
"""
