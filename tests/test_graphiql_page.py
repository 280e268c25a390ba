import hashlib
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.graphiql import ASSETS_DIR, CONTENT_SECURITY_POLICY, render_graphiql_page
from app.graphiql.static import IMMUTABLE


class _Tags(HTMLParser):
    """Collects start tags with their attributes, and any text inside <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(k) == v for k, v in wanted.items())
        ]


def _versioned_file(url: str) -> Path:
    """The asset a page URL names, checking that its ?v= is the file's digest."""
    name, _, version = url.removeprefix("/graphql/assets/").partition("?v=")
    path = ASSETS_DIR / name
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert version and digest.startswith(version), url
    return path


def _parse(dev_token: str | None = "devtoken") -> _Tags:
    html = render_graphiql_page(
        assets_url="/graphql/assets/", endpoint="/graphql", dev_token=dev_token
    )
    tags = _Tags()
    tags.feed(html)
    return tags


def test_csp_allows_nothing_inline_or_remote() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))

    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_page_has_only_external_scripts_served_from_assets() -> None:
    tags = _parse()
    sources = [attrs["src"] for attrs in tags.find("script")]

    assert tags.script_text.strip() == ""
    assert sources[-1] is not None
    assert sources[-1].startswith("/graphql/assets/phoenix-graphiql.js?v=")
    for src in sources:
        assert src is not None and src.startswith("/graphql/assets/")
        assert _versioned_file(src).is_file()


def test_page_stylesheets_exist_in_assets() -> None:
    hrefs = [attrs["href"] for attrs in _parse().find("link", rel="stylesheet")]

    assert hrefs
    for href in hrefs:
        assert href is not None
        assert _versioned_file(href).is_file()


def test_token_field_is_labelled() -> None:
    tags = _parse()

    assert tags.find("input", id="phoenix-token")
    assert tags.find("label", **{"for": "phoenix-token"})


def test_dev_token_is_escaped_into_meta() -> None:
    tags = _parse(dev_token='"><script>alert(1)</script>')

    [meta] = tags.find("meta", name="phoenix-dev-token")
    assert meta["content"] == '"><script>alert(1)</script>'
    assert len(tags.find("script")) == 4


def test_no_dev_token_meta_outside_dev() -> None:
    assert _parse(dev_token=None).find("meta", name="phoenix-dev-token") == []


def test_mount_point_carries_endpoint_and_default_query() -> None:
    [mount] = _parse().find("div", id="graphiql")

    assert mount["data-endpoint"] == "/graphql"
    assert "avatarUrl" in (mount["data-default-query"] or "")


def test_vendored_files_match_their_recorded_hashes() -> None:
    manifest = json.loads((ASSETS_DIR / "VENDORED.json").read_text())

    for record in manifest["files"]:
        digest = hashlib.sha256((ASSETS_DIR / record["file"]).read_bytes()).hexdigest()
        assert digest == record["sha256"], record["file"]
        assert (ASSETS_DIR / record["license_file"]).is_file()


def _page_asset_urls(client: TestClient) -> list[str]:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    tags = _Tags()
    tags.feed(page.text)
    urls = [attrs["src"] for attrs in tags.find("script")]
    urls += [attrs["href"] for attrs in tags.find("link", rel="stylesheet")]
    return [url for url in urls if url is not None]


def test_assets_named_by_the_page_are_immutable(client: TestClient) -> None:
    urls = _page_asset_urls(client)

    assert len(urls) == 6
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == IMMUTABLE, url
        assert response.content == _versioned_file(url).read_bytes()


def test_revalidated_asset_keeps_its_cache_lifetime(client: TestClient) -> None:
    url = _page_asset_urls(client)[0]
    etag = client.get(url).headers["etag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v="])
def test_asset_without_its_current_version_must_revalidate(
    client: TestClient, query: str
) -> None:
    response = client.get(f"/graphql/assets/phoenix-graphiql.js{query}")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


def test_page_itself_is_never_stored(app_factory: Callable[..., Any]) -> None:
    with TestClient(app_factory()) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})

    assert page.headers["cache-control"] == "no-store"
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
