"""`starter generate module`: plan the files of a module, then write them and register it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from starter.generator.names import InvalidName, ModuleNames, existing_domain, module_names
from starter.generator.project import (
    REGISTRIES,
    Registry,
    migration_of,
    next_migration_number,
    registered_modules,
)
from starter.generator.render import TEMPLATES, Rendered, render


@dataclass(frozen=True, slots=True)
class GeneratePlan:
    names: ModuleNames
    template: str
    files: list[Rendered]
    existing: list[Path]  # of `files`, those already there
    registries: list[Registry] = field(default_factory=list)  # those still to get the line


def _migration(root: Path, names: ModuleNames) -> str:
    current = migration_of(root, names.plural)
    if current is not None:
        return current.name.removesuffix(".up.sql")
    return f"{next_migration_number(root):03d}_{names.plural}"


def plan_generate(root: Path, name: str, template: str) -> GeneratePlan:
    if template not in TEMPLATES:
        raise InvalidName(f"unknown template '{template}': use {' or '.join(TEMPLATES)}")
    names = module_names(name)
    taken = existing_domain(root, names, registered_modules(root))
    if taken is not None:
        raise InvalidName(f"'{taken}' is an existing domain of the project: choose another name")
    files = render(template, names, _migration(root, names))
    existing = [Path(item.path) for item in files if (root / item.path).exists()]
    missing = [registry for registry in REGISTRIES if not registry.has(root, names.plural)]
    return GeneratePlan(names, template, files, existing, missing)


def apply_generate(root: Path, plan: GeneratePlan) -> None:
    for item in plan.files:
        target = root / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(item.text, encoding="utf-8")
    for registry in plan.registries:
        registry.add(root, plan.names.plural)
