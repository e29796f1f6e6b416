"""`starter rename NEW_NAME`: the project under another name, in its working tree.

Every text file git would commit is rewritten: the word `starter` (the package, the CLI, the
web app's title, the docs, the Docker/compose/k8s names, the `.starter/` data folder) becomes the
new name and `STARTER` (the prefix of environment variables) its upper case; files and folders
named after the project are moved. Identifiers that merely start with `starter_` (cookie and
channel names) keep working as they are and are left alone.
"""

from __future__ import annotations

import keyword
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from starter.generator.names import InvalidName

OLD = "starter"
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_WORD = re.compile(rf"\b{OLD}\b")
_UPPER = re.compile(rf"\b{OLD.upper()}(?=_|\b)")  # STARTER__ prefixes, STARTER constants
# Where nothing belongs to the project's sources even without git to say so.
_SKIPPED = {".git", ".venv", "node_modules", "__pycache__", "dist", "build", f".{OLD}"}


@dataclass(frozen=True, slots=True)
class RenamePlan:
    name: str
    rewritten: list[Path]
    moved: list[tuple[Path, Path]]


def checked_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise InvalidName(
            f"'{name}' is not a valid project name: 2–40 lowercase letters, digits and "
            "underscores, starting with a letter"
        )
    if name == OLD or keyword.iskeyword(name) or name in sys.stdlib_module_names:
        raise InvalidName(f"'{name}' cannot name the project: it is taken by Python or is the same")
    return name


def _files(root: Path) -> list[Path]:
    git = shutil.which("git")
    if git and (root / ".git").exists():
        listed = subprocess.run(  # noqa: S603 - git with fixed arguments
            [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return [Path(name) for name in listed.split("\0") if name and (root / name).is_file()]
    return [
        path.relative_to(root)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not _SKIPPED & set(path.relative_to(root).parts)
    ]


def _renamed(text: str, name: str) -> str:
    return _UPPER.sub(name.upper(), _WORD.sub(name, text))


def _text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
        return None if b"\0" in data else data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def plan_rename(root: Path, name: str) -> RenamePlan:
    name = checked_name(name)
    rewritten: list[Path] = []
    moved: dict[Path, Path] = {}
    for path in _files(root):
        text = _text(root / path)
        if text is not None and _renamed(text, name) != text:
            rewritten.append(path)
        for depth in range(1, len(path.parts) + 1):
            part = Path(*path.parts[:depth])
            target = part.with_name(_WORD.sub(name, part.name))
            if target != part:
                moved[part] = target
    # Deepest first: a folder moves after everything inside it, so each source path still holds.
    order = sorted(moved.items(), key=lambda item: len(item[0].parts), reverse=True)
    return RenamePlan(name, rewritten, order)


def apply_rename(root: Path, plan: RenamePlan) -> None:
    for path in plan.rewritten:
        target = root / path
        target.write_text(_renamed(target.read_text(encoding="utf-8"), plan.name), encoding="utf-8")
    for source, target in plan.moved:
        (root / source).rename(root / target)
