"""Files derived from the code, rewritten after a generate or a revert: the OpenAPI document
and the web app's typed client. Each runs in a child process on the tree's own sources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from starter.generator.project import OPENAPI, WEB_SCHEMA

EXPORT = "from starter.cli.main import main; main()"
WEB_SCHEMA_NOTE = f"Node.js or web/node_modules is missing: run `make web-schema` for {WEB_SCHEMA}"


class DerivedFailed(Exception):
    pass


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    # Our own interpreter and npx, with fixed arguments.
    done = subprocess.run(  # noqa: S603
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DerivedFailed(f"{' '.join(command[:3])}… failed: {last[0]}")


def regenerate(root: Path) -> list[str]:
    """Rewrite the OpenAPI document, then the typed client when Node is here. Returns notes
    for what could not be done."""
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    _run([sys.executable, "-c", EXPORT, "export-openapi", "--output", str(OPENAPI)], root, env)
    if shutil.which("npx") is None or not (root / "web" / "node_modules").is_dir():
        return [WEB_SCHEMA_NOTE]
    # The same script as `make web-schema`: the types and the enum lists (api/enums.ts).
    _run(["sh", "scripts/gen-api.sh"], root / "web", env)
    return []


def tidy_python(root: Path, files: list[Path]) -> list[str]:
    """Sort imports and format Python files (or folders) as `make lint` expects: a new name
    changes line breaks and import order. Returns a note when ruff is not installed."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        return ["ruff is not installed: run `ruff check --fix` and `ruff format` on the module"]
    paths = [str(path) for path in files if path.suffix == ".py" or (root / path).is_dir()]
    if paths:
        env = dict(os.environ)
        _run([ruff, "check", "--quiet", "--fix", "--select", "I", *paths], root, env)
        _run([ruff, "format", "--quiet", *paths], root, env)
    return []
