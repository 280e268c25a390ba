"""GraphiQL in a real headless Chromium against the real service in development mode.

Needs /usr/bin/chromium (Debian's package; .ci/run installs it) and the
playwright package (a test extra); without them the test is skipped and says why.
"""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest
from tests.support import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous bounds for a shared, busy machine; they only stop a hung test.
START_TIMEOUT_S = 60
PAGE_TIMEOUT_MS = 60_000

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: install Debian's chromium package to run the browser test",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed: pip install -e '.[test]' to run the browser test",
)

# Records Content-Security-Policy violations from the first script on.
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[str]:
    """``phoenix-profiles serve --dev`` in a fresh working directory."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PHOENIX_", "PROMETHEUS_"))
    }
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--dev", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(server, base, tmp_path / "server.log")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_ready(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the service exited early:\n{log.read_text()}")
        try:
            if httpx2.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the service was not ready in {START_TIMEOUT_S}s:\n{log.read_text()}")


def test_graphiql_runs_the_default_query_with_the_dev_token(dev_server: str) -> None:
    console_errors: list[str] = []
    other_hosts: list[str] = []
    page_errors: list[str] = []

    def only_this_host(route, request) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            other_hosts.append(request.url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.route("**/*", only_this_host)
            page.add_init_script(_WATCH_CSP)
            page.on(
                "console",
                lambda message: message.type == "error"
                and console_errors.append(message.text),
            )
            page.on("pageerror", lambda error: page_errors.append(str(error)))

            page.goto(f"{dev_server}/graphql")
            page.wait_for_function(
                "document.getElementById('phoenix-token').value.length > 0"
            )
            token = page.input_value("#phoenix-token")
            expected = httpx2.get(
                f"{dev_server}/v1/profiles/user/dev-user",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).json()["name"]

            page.click(".graphiql-execute-button")
            page.wait_for_function(
                "name => (document.querySelector('.result-window')?.innerText ?? '')"
                ".includes(name)",
                arg=expected,
            )
            result = page.inner_text(".result-window")
            violations = page.evaluate("window.__cspViolations")
        finally:
            browser.close()

    assert f'"name": "{expected}"' in result
    assert '"errors"' not in result
    assert violations == []
    assert console_errors == []
    assert page_errors == []
    assert other_hosts == []
