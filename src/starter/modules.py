"""Feature modules written by `starter generate module`: one line each, in this file only.

The line is the whole wiring: `starter.api` mounts each module's `router` under /api/v1 (so the
OpenAPI document has it), the import-linter contracts place each module in the domain layer
(`starter.generator.lint`), and its migration, in migrations/, runs with the others.
`starter revert module` removes the line again.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

MODULES: tuple[str, ...] = (
    # one package name per line, kept by `starter generate module` / `starter revert module`
)


def module_routers() -> tuple[APIRouter, ...]:
    """Each registered module's `router` (authenticated: every route declares its guard)."""
    routers: list[APIRouter] = []
    for name in MODULES:
        router: APIRouter = importlib.import_module(f"starter.{name}.router").router
        routers.append(router)
    return tuple(routers)
