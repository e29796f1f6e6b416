"""Templates: plain files under templates/<template>/ laid out as in the project, with
`__MODULE_…__` placeholders in their paths and text, each ending in `.tmpl`."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import PurePosixPath

from starter.generator.names import ModuleNames

TEMPLATES = ("basic", "production")
SUFFIX = ".tmpl"
MIGRATION_PLACEHOLDER = "__MIGRATION__"


@dataclass(frozen=True, slots=True)
class Rendered:
    path: PurePosixPath  # relative to the project root
    text: str


def _substitute(text: str, tokens: dict[str, str]) -> str:
    for token, value in tokens.items():
        text = text.replace(token, value)
    return text


def _walk(folder: Traversable, prefix: PurePosixPath) -> list[tuple[PurePosixPath, Traversable]]:
    found: list[tuple[PurePosixPath, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.is_dir():
            found.extend(_walk(entry, prefix / entry.name))
        elif entry.name.endswith(SUFFIX):
            found.append((prefix / entry.name.removesuffix(SUFFIX), entry))
    return found


def render(template: str, names: ModuleNames, migration: str) -> list[Rendered]:
    """Every file of `template` for this module; `migration` is `NNN_<plural>`."""
    tokens = {**names.tokens(), MIGRATION_PLACEHOLDER: migration}
    root = resources.files("starter.generator") / "templates" / template
    return [
        Rendered(
            PurePosixPath(_substitute(str(path), tokens)),
            _substitute(entry.read_text(encoding="utf-8"), tokens),
        )
        for path, entry in _walk(root, PurePosixPath())
    ]
