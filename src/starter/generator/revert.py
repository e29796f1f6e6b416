"""`starter revert module`: find what a generate wrote, then remove it and the registration."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from starter.generator.names import InvalidName, ModuleNames, module_names
from starter.generator.project import PY_REGISTRY, REGISTRIES, Registry, migration_of
from starter.generator.render import TEMPLATES, render

_VERSION = re.compile(r"^(\d+)_")


@dataclass(frozen=True, slots=True)
class RevertPlan:
    names: ModuleNames
    files: list[Path]  # files, and the module's own folders, to delete
    registries: list[Registry]
    migration: Path | None
    migration_version: int | None

    @property
    def empty(self) -> bool:
        return not (self.files or self.registries)


def _module_folders(names: ModuleNames) -> list[Path]:
    return [
        Path("src/starter") / names.plural,
        Path("tests") / names.plural,
        Path("web/src/modules") / names.plural,
    ]


def plan_revert(root: Path, name: str) -> RevertPlan:
    names = module_names(name)
    migration = migration_of(root, names.plural)
    stem = migration.name.removesuffix(".up.sql") if migration else f"000_{names.plural}"
    candidates = {
        Path(item.path) for template in TEMPLATES for item in render(template, names, stem)
    }
    folders = [folder for folder in _module_folders(names) if (root / folder).is_dir()]
    files = sorted(
        path
        for path in candidates
        if (root / path).is_file() and not any(path.is_relative_to(f) for f in folders)
    )
    registries = [registry for registry in REGISTRIES if registry.has(root, names.plural)]
    if (folders or files) and PY_REGISTRY not in {registry.path for registry in registries}:
        # Hand-written code of that name: never delete what the generator did not register.
        raise InvalidName(
            f"'{names.plural}' is not a generated module (no line in {PY_REGISTRY}): "
            "nothing was reverted"
        )
    match = _VERSION.match(migration.name) if migration else None
    return RevertPlan(
        names,
        [*folders, *files],
        registries,
        migration,
        int(match.group(1)) if match else None,
    )


def apply_revert(root: Path, plan: RevertPlan) -> None:
    for path in plan.files:
        target = root / path
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    for registry in plan.registries:
        registry.remove(root, plan.names.plural)
