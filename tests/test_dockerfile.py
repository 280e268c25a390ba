"""What can be checked of the image without a Docker engine.

Every path the Dockerfile copies exists, and the package installed the way the
image installs it (a plain, non-editable ``pip install .`` into a fresh venv)
serves with the image's command and passes the image's health check.
"""

import json
import os
import re
import shlex
import subprocess
import sys
import time
import venv
from pathlib import Path

import httpx2
from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _instruction(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line[len(name) :].strip() for line in joined.splitlines() if line.startswith(name + " ")]


def test_every_copied_path_exists() -> None:
    sources = []
    for args in _instruction("COPY"):
        if args.startswith("--from"):
            continue
        sources += shlex.split(args)[:-1]

    assert sources, "the Dockerfile copies the project in"
    for source in sources:
        assert (ROOT / source).exists(), source


def test_runs_as_a_non_root_user_and_has_a_healthcheck() -> None:
    assert _instruction("USER") and _instruction("USER")[-1] not in ("root", "0")
    assert "/healthz" in _instruction("HEALTHCHECK")[0]


def test_image_command_serves_from_a_plain_install(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    install = subprocess.run(
        [bin_dir / "pip", "install", "--quiet", "--no-deps", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    # Dependencies come from this environment, so the check needs no download.
    site = subprocess.check_output([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip()
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": site,
        "PHOENIX_JWT_SECRET": "image-check-secret-0123456789abcdef",
        "PHOENIX_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'profiles.db'}",
    }
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    where = subprocess.check_output(
        [bin_dir / "python", "-c", "import app; print(app.__file__)"], cwd=workdir, env=env, text=True
    )
    assert where.startswith(str(env_dir)), f"app imported from {where}, not the plain install"
    cmd = json.loads(_instruction("CMD")[-1])
    cmd = [str(bin_dir / cmd[0]), *cmd[1:]]
    cmd[cmd.index("--port") + 1] = str(port)
    cmd[cmd.index("--host") + 1] = "127.0.0.1"
    server = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.2)
        healthcheck = json.loads(_instruction("HEALTHCHECK")[0].split("CMD", 1)[1])
        healthcheck = [str(bin_dir / "python"), *healthcheck[1:]]
        healthcheck[-1] = healthcheck[-1].replace("8000", str(port))
        assert subprocess.run(healthcheck, env=env, timeout=10).returncode == 0
        assert "Bearer" in httpx2.get(f"{base}/v1/profiles/user/x").headers["www-authenticate"]
        assets = httpx2.get(f"{base}/graphql/assets/graphiql.min.css")
        assert assets.status_code == 200, "the GraphiQL assets ship inside the package"
        assert re.search(r"GraphiQL", httpx2.get(f"{base}/graphql", headers={"Accept": "text/html"}).text)
    finally:
        server.terminate()
        server.wait(timeout=15)
