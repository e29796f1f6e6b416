"""The project tree the generator works in: where things live and the two registry files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PY_REGISTRY = Path("src/starter/modules.py")
WEB_REGISTRY = Path("web/src/modules/index.ts")
MIGRATIONS = Path("src/starter/migrations")
OPENAPI = Path("docs/openapi.json")
WEB_SCHEMA = Path("web/src/api/schema.d.ts")
_MARKERS = (PY_REGISTRY, WEB_REGISTRY, MIGRATIONS, Path("pyproject.toml"))
_NUMBER = re.compile(r"^(\d+)_")


class NotProjectRoot(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Registry:
    """A file holding one line per module, before its closing line."""

    path: Path
    closing: str

    def line(self, plural: str) -> str:
        if self.path == PY_REGISTRY:
            return f'    "{plural}",'
        return f'export {{ default as {plural} }} from "./{plural}/module";'

    def has(self, root: Path, plural: str) -> bool:
        return self.line(plural) in (root / self.path).read_text(encoding="utf-8").splitlines()

    def add(self, root: Path, plural: str) -> None:
        path = root / self.path
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        end = next(
            (i for i, text in enumerate(lines) if text.rstrip("\n") == self.closing), len(lines)
        )
        lines.insert(end, self.line(plural) + "\n")
        path.write_text("".join(lines), encoding="utf-8")

    def remove(self, root: Path, plural: str) -> None:
        path = root / self.path
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [text for text in lines if text.rstrip("\n") != self.line(plural)]
        path.write_text("".join(kept), encoding="utf-8")


REGISTRIES = (Registry(PY_REGISTRY, ")"), Registry(WEB_REGISTRY, "// end of modules"))


def project_root(cwd: Path) -> Path:
    """`cwd` when it is the project's root, else NotProjectRoot saying what is missing."""
    missing = [str(marker) for marker in _MARKERS if not (cwd / marker).exists()]
    if missing:
        raise NotProjectRoot(
            f"run this from the project root (the folder with pyproject.toml): {cwd} has no "
            + ", ".join(missing)
        )
    return cwd


def registered_modules(root: Path) -> tuple[str, ...]:
    text = (root / PY_REGISTRY).read_text(encoding="utf-8")
    return tuple(re.findall(r'^    "([a-z0-9_]+)",$', text, flags=re.MULTILINE))


def migration_of(root: Path, plural: str) -> Path | None:
    """The module's up migration (`NNN_<plural>.up.sql`), if there is one."""
    found = sorted((root / MIGRATIONS).glob(f"[0-9]*_{plural}.up.sql"))
    exact = [path for path in found if path.name == f"{_number(path)}_{plural}.up.sql"]
    return exact[-1] if exact else None


def _number(path: Path) -> str:
    match = _NUMBER.match(path.name)
    return match.group(1) if match else ""


def next_migration_number(root: Path) -> int:
    numbers = [int(_number(path)) for path in (root / MIGRATIONS).glob("*.sql") if _number(path)]
    return max(numbers, default=0) + 1
