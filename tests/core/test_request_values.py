"""Dependencies that need only the request are resolved by the route, after FastAPI's own
dependencies (the auth guard) and parameter validation, in declaration order."""

from __future__ import annotations

import inspect
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute

from starter.core.error_handlers import install_error_handlers
from starter.core.errors import Unauthorized
from starter.core.routing import (
    api_router,
    early_request_value,
    request_value,
    with_request_values,
)

calls: list[str] = []


@request_value
async def first(request: Request) -> str:
    calls.append("first")
    return request.url.path


@request_value
async def second(request: Request) -> int:
    calls.append("second")
    return len(request.query_params)


async def guard(request: Request) -> str:
    calls.append("guard")
    return "guard"


First = Annotated[str, Depends(first)]
Second = Annotated[int, Depends(second)]
Guard = Annotated[str, Depends(guard)]


async def endpoint(b: Second, g: Guard, a: First, n: int = 0) -> dict[str, object]:
    """Doc kept."""
    return {"a": a, "b": b, "g": g, "n": n}


def test_fastapi_sees_the_request_instead_of_the_values() -> None:
    wrapped = with_request_values(endpoint)
    assert (wrapped.__name__, wrapped.__doc__) == ("endpoint", "Doc kept.")
    assert list(inspect.signature(wrapped).parameters) == ["g", "n", "_starter_request"]
    assert with_request_values(guard) is guard  # nothing to resolve: unchanged


async def test_values_come_after_the_guard_and_parameter_validation() -> None:
    router = api_router()
    router.get("/things")(endpoint)
    (route,) = router.routes
    assert isinstance(route, APIRoute)
    assert [d.call for d in route.dependant.dependencies] == [guard]
    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        calls.clear()
        response = await client.get("/things?n=2&x=1")
        assert response.json() == {"a": "/things", "b": 2, "g": "guard", "n": 2}
        assert calls == ["guard", "second", "first"]  # guard first, then declaration order
        calls.clear()
        assert (await client.get("/things?n=abc")).status_code == 422
        assert calls == ["guard"]  # a bad parameter stops the request before the values


async def test_a_route_with_its_own_request_parameter_shares_it() -> None:
    router = api_router()

    @router.get("/own")
    async def own(request: Request, a: First) -> dict[str, str]:
        return {"a": a, "path": request.url.path}

    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/own")).json() == {"a": "/own", "path": "/own"}


@early_request_value
async def early_guard(request: Request) -> str:
    calls.append("early")
    if "x-pass" not in request.headers:
        raise Unauthorized()
    return "let in"


EarlyGuard = Annotated[str, Depends(early_guard)]


async def test_an_early_value_runs_before_anything_else() -> None:
    router = api_router()

    @router.post("/early")
    async def early(n: int, body: dict[str, int], a: First, g: EarlyGuard) -> dict[str, object]:
        return {"a": a, "g": g, "n": n}

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        calls.clear()  # bad parameter and malformed body, but no credential: 401 first
        response = await client.post("/early?n=abc", content=b"{", headers={"content-type": "x"})
        assert response.status_code == 401
        assert calls == ["early"]
        calls.clear()
        response = await client.post("/early?n=1", json={"k": 1}, headers={"x-pass": "1"})
        assert response.json() == {"a": "/early", "g": "let in", "n": 1}
        assert calls == ["early", "first", "early"]  # early, then in declaration order
