"""import-linter contract types that also cover the modules registered in `starter.modules`.

In a contract's options, the item `@modules` (in a module list) or `| @modules` (in a layer)
stands for `starter.<name>` of every registered module, so a generated module is checked by
the same contracts as the hand-written domains without anyone editing pyproject.toml.
"""

from __future__ import annotations

from typing import Any

from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

from starter.modules import MODULES

PLACEHOLDER = "@modules"


def _packages() -> list[str]:
    return [f"starter.{name}" for name in MODULES]


def _expanded(value: Any) -> Any:
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            if item == PLACEHOLDER:
                items.extend(_packages())
            else:
                items.append(_expanded(item))
        return items
    if isinstance(value, str) and PLACEHOLDER in value:
        return " | ".join(
            [part.strip() for part in value.split("|") if part.strip() != PLACEHOLDER] + _packages()
        )
    return value


def _with_modules(options: dict[str, Any]) -> dict[str, Any]:
    return {key: _expanded(value) for key, value in options.items()}


class ForbiddenWithModules(ForbiddenContract):
    type_name = "forbidden_with_modules"

    def __init__(
        self, name: str, session_options: dict[str, Any], contract_options: dict[str, Any]
    ) -> None:
        super().__init__(name, session_options, _with_modules(contract_options))


class LayersWithModules(LayersContract):
    type_name = "layers_with_modules"

    def __init__(
        self, name: str, session_options: dict[str, Any], contract_options: dict[str, Any]
    ) -> None:
        super().__init__(name, session_options, _with_modules(contract_options))
