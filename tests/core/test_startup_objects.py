"""A server process leaves what it built at startup out of the garbage collector's full passes:
those would otherwise walk every module, model and prepared route again and again."""

from __future__ import annotations

import gc

from fastapi.routing import iter_route_contexts

from starter.app import create_app, freeze_startup_objects
from starter.core.config import Settings


def test_the_startup_objects_are_frozen_prepared_routes_included(settings: Settings) -> None:
    app = create_app(settings)
    gc.unfreeze()
    try:
        freeze_startup_objects(app)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000
        # The routes FastAPI prepares on first use were prepared before, so they are frozen too.
        before = len(gc.get_objects())
        assert sum(1 for _ in iter_route_contexts(app.routes)) > 50
        assert len(gc.get_objects()) - before < 50
    finally:
        gc.unfreeze()
