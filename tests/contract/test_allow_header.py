"""A 405 names every method of its path in `Allow`, however the path's routes were declared
(one path's methods often come from two routers: `GET /users` and the admin's `POST /users`)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from tests.support.errors import assert_error
from tests.support.users import AppUser

TRIED = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def _methods_by_path(app: FastAPI) -> dict[str, set[str]]:
    """Each declared path template with the methods its routes take (mounts have none)."""
    methods: dict[str, set[str]] = defaultdict(set)
    for route in iter_route_contexts(app.routes):
        if route.path and route.methods:
            methods[route.path] |= set(route.methods)
    return methods


def _url(template: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), template)


def _expected(url: str, methods: dict[str, set[str]]) -> set[str]:
    """A path declared literally is its own (`/tasks/stats` is not a `/tasks/{id}`); another
    has the methods of every template it fits."""
    if url in methods:
        return methods[url]
    expected: set[str] = set()
    for template, taken in methods.items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, url):
            expected |= taken
    return expected


async def test_every_path_lists_all_its_methods(
    app: FastAPI, client: httpx.AsyncClient, admin: AppUser
) -> None:
    methods = _methods_by_path(app)
    assert len(methods) > 40, "the app's routes were not found"
    problems: list[str] = []
    checked = 0
    for template in methods:
        url = _url(template)
        allowed = _expected(url, methods)
        for method in sorted(set(TRIED) - allowed):
            response = await client.request(method, url, headers=admin.headers)
            checked += 1
            where = f"{method} {template}"
            if response.status_code != 405:
                problems.append(f"{where}: {response.status_code}, not 405")
            elif response.headers.get("allow") != ", ".join(sorted(allowed)):
                problems.append(f"{where}: Allow {response.headers.get('allow')!r}")
            elif method != "HEAD" and response.json()["error"]["code"] != "METHOD_NOT_ALLOWED":
                problems.append(f"{where}: {response.text}")
    assert checked > 200
    assert not problems, "\n".join(problems)


async def test_a_literal_path_is_not_a_parameter_value(
    client: httpx.AsyncClient, admin: AppUser
) -> None:
    response = await client.delete("/api/v1/tasks/stats", headers=admin.headers)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET"
    options = await client.options("/api/v1/tasks/types", headers=admin.headers)
    assert options.headers["allow"] == "GET, POST"


async def test_users_allows_get_and_post(client: httpx.AsyncClient, admin: AppUser) -> None:
    response = await client.delete("/api/v1/users", headers=admin.headers)
    assert_error(response, 405, "METHOD_NOT_ALLOWED", "Method not allowed")
    assert response.headers["allow"] == "GET, POST"
    assert len(response.headers.get_list("allow")) == 1


async def test_an_anonymous_caller_still_gets_401_first(client: httpx.AsyncClient) -> None:
    assert_error(await client.delete("/api/v1/users"), 401, "UNAUTHORIZED")
