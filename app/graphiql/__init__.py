"""The GraphiQL page: self-hosted assets, a strict CSP and the HTML that ties them."""

from app.graphiql.page import ASSETS_DIR, CONTENT_SECURITY_POLICY, render_graphiql_page
from app.graphiql.static import VersionedStaticFiles

__all__ = [
    "ASSETS_DIR",
    "CONTENT_SECURITY_POLICY",
    "VersionedStaticFiles",
    "render_graphiql_page",
]
