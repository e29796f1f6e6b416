"""`limit`/`offset`: read by hand, validated by pydantic's rules, documented in OpenAPI."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, Depends

from starter.core.pagination import Page, document_page_parameters, page_params
from tests.conftest import AppUser, MakeUser, assert_error

USERS = "/api/v1/users"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "limit=abc",
            "limit: input should be a valid integer, unable to parse string as an integer",
        ),
        ("limit=", "limit: input should be a valid integer, unable to parse string as an integer"),
        (
            "offset=1.5",
            "offset: input should be a valid integer, unable to parse string as an integer",
        ),
        ("limit=-1", "limit: must not be negative"),
        ("offset=-3", "offset: must not be negative"),
    ],
)
async def test_bad_values_are_400_with_the_field(
    client: httpx.AsyncClient, admin: AppUser, query: str, message: str
) -> None:
    response = await client.get(f"{USERS}?{query}", headers=admin.headers)
    assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for {message}")


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", 3),
        ("limit=2", 2),
        ("limit=+2", 2),
        ("limit=2.0", 2),
        ("limit=1&limit=2", 2),
        ("offset=2", 1),
        ("limit=0", 0),
        ("limit=1000", 3),
        ("unrelated=x", 3),
    ],
)
async def test_values_follow_pydantic_integer_rules(
    client: httpx.AsyncClient, admin: AppUser, make_user: MakeUser, query: str, count: int
) -> None:
    for _ in range(2):
        await make_user()
    response = await client.get(f"{USERS}?{query}", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["data"]) == count  # /users clamps over-cap limits


def test_parameters_are_documented_once_per_route() -> None:
    router = APIRouter()

    @router.get("/things")
    async def things(page: Page = Depends(page_params(10, 50))) -> list[int]:
        return [page.limit]

    document_page_parameters(router.routes)
    document_page_parameters(router.routes)  # every app built in a process does it again
    (route,) = router.routes
    parameters = route.openapi_extra["parameters"]  # type: ignore[attr-defined]
    assert [p["name"] for p in parameters] == ["limit", "offset"]
    assert parameters[0]["description"] == "Page size (default 10, at most 50)."
