"""axe-core on every page of the app (the list of test_every_page.py), in light and dark mode:
no serious or critical violation. A failure prints each violation with its nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import Account, Stack
from tests.e2e.helpers import shot
from tests.e2e.test_every_page import PUBLIC, Seeded, routes, seeded, settle, sign_in, slug

pytestmark = pytest.mark.e2e

Scheme = Literal["light", "dark"]

__all__ = ["seeded"]  # the fixture, imported so this module seeds its own rows

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def _violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [violation for violation in found if violation.get("impact") in BLOCKING]


def _describe(route: str, violation: dict[str, Any]) -> str:
    nodes = "\n".join(
        f"      {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}"
        for node in violation["nodes"][:5]
    )
    return f"{route} [{violation['impact']}] {violation['id']}: {violation['help']}\n{nodes}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_serious_accessibility_violation(
    browser: Browser, stack: Stack, admin_account: Account, seeded: Seeded, scheme: Scheme
) -> None:
    assert AXE.exists(), f"{AXE} is missing: run make install"
    problems: list[str] = []
    for public in (True, False):
        # The app follows the system's scheme until a theme is chosen (test_dark_mode.py).
        context = browser.new_context(
            base_url=stack.base_url, viewport={"width": 1280, "height": 800}, color_scheme=scheme
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            if not public:
                sign_in(page, admin_account)
            for pattern, route in routes(seeded):
                if (route in PUBLIC) != public:
                    continue
                page.goto(route)
                settle(page)
                dark = page.evaluate("() => document.documentElement.classList.contains('dark')")
                assert dark == (scheme == "dark"), f"{route}: dark class {dark} in {scheme} mode"
                problems.extend(_describe(route, v) for v in _violations(page))
                shot(page, f"a11y-{slug(pattern)}-{scheme}")
        finally:
            context.close()
    assert not problems, f"{len(problems)} serious or critical violations:\n" + "\n".join(problems)
