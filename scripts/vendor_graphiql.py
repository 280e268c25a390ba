"""Re-create the vendored GraphiQL assets in app/graphiql/assets/.

The GraphiQL page must work without a CDN, so the built browser bundles are
committed. This script fetches the pinned packages with npm into a temporary
directory, copies only the files the page loads, and records where each came
from in VENDORED.json. Run it with plain python3 from anywhere; it needs npm.

    python3 scripts/vendor_graphiql.py          # rewrite the assets
    python3 scripts/vendor_graphiql.py --check  # fail if they differ from a fresh copy
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent.parent / "app" / "graphiql" / "assets"


@dataclass(frozen=True)
class Pin:
    package: str
    version: str
    # source path inside the package -> file name in ASSETS_DIR
    files: dict[str, str]


# graphiql's UMD bundle expects React and ReactDOM as page globals, and React 18
# is the last major that publishes UMD builds of them.
PINS = (
    Pin(
        "react",
        "18.3.1",
        {"umd/react.production.min.js": "react.production.min.js"},
    ),
    Pin(
        "react-dom",
        "18.3.1",
        {"umd/react-dom.production.min.js": "react-dom.production.min.js"},
    ),
    Pin(
        "graphiql",
        "3.8.3",
        {"graphiql.min.js": "graphiql.min.js", "graphiql.min.css": "graphiql.min.css"},
    ),
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm_install(prefix: Path) -> None:
    specs = [f"{pin.package}@{pin.version}" for pin in PINS]
    # Only prebuilt files are copied, so install scripts and peer resolution
    # add nothing but time and risk.
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(prefix),
            "--no-save",
            "--no-package-lock",
            "--ignore-scripts",
            "--legacy-peer-deps",
            "--no-audit",
            "--no-fund",
            *specs,
        ],
        check=True,
    )


def _vendor_into(target: Path, node_modules: Path) -> list[dict[str, str]]:
    (target / "licenses").mkdir(parents=True, exist_ok=True)
    records = []
    for pin in PINS:
        package_dir = node_modules / pin.package
        manifest = json.loads((package_dir / "package.json").read_text())
        if manifest["version"] != pin.version:
            raise SystemExit(
                f"npm installed {pin.package} {manifest['version']}, pinned {pin.version}"
            )
        shutil.copyfile(
            package_dir / "LICENSE", target / "licenses" / f"{pin.package}.txt"
        )
        for source, name in pin.files.items():
            shutil.copyfile(package_dir / source, target / name)
            records.append(
                {
                    "file": name,
                    "package": pin.package,
                    "version": pin.version,
                    "license": manifest["license"],
                    "license_file": f"licenses/{pin.package}.txt",
                    "source": source,
                    "sha256": _sha256(target / name),
                }
            )
    return records


def _write_manifest(target: Path, records: list[dict[str, str]]) -> None:
    text = json.dumps({"files": records}, indent=2, sort_keys=True) + "\n"
    (target / "VENDORED.json").write_text(text)


def _vendored_names() -> list[str]:
    names = [name for pin in PINS for name in pin.files.values()]
    names += [f"licenses/{pin.package}.txt" for pin in PINS]
    return names + ["VENDORED.json"]


def _differences(fresh: Path) -> list[str]:
    return [
        name
        for name in _vendored_names()
        if not (ASSETS_DIR / name).is_file()
        or (ASSETS_DIR / name).read_bytes() != (fresh / name).read_bytes()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="vendor-graphiql-") as tmp:
        work = Path(tmp)
        _npm_install(work / "npm")
        fresh = work / "assets"
        records = _vendor_into(fresh, work / "npm" / "node_modules")
        _write_manifest(fresh, records)

        if args.check:
            stale = _differences(fresh)
            for name in stale:
                print(f"differs from a fresh copy: {name}", file=sys.stderr)
            return 1 if stale else 0

        # Copy file by file: ASSETS_DIR also holds hand-written files.
        for name in _vendored_names():
            (ASSETS_DIR / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh / name, ASSETS_DIR / name)
    print(f"vendored {len(records)} files into {ASSETS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
