"""`limit`/`offset`: declared `Query` parameters with our bounds' wording, documented as they
are checked (integers, minimum 0, the cap where it is refused rather than clamped)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from starter.core.pagination import OFFSET_MAX, Page, page_params
from tests.support.errors import assert_error
from tests.support.users import AppUser, MakeUser

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
        (f"offset={OFFSET_MAX + 1}", f"offset: must be at most {OFFSET_MAX}"),
        (
            "offset=1e3",
            "offset: input should be a valid integer, unable to parse string as an integer",
        ),
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


async def test_the_largest_offset_is_an_empty_page(
    client: httpx.AsyncClient, admin: AppUser
) -> None:
    response = await client.get(f"{USERS}?offset={OFFSET_MAX}", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == []


async def test_over_the_cap_is_400_where_the_endpoint_does_not_clamp(
    client: httpx.AsyncClient, user: AppUser
) -> None:
    response = await client.get("/api/v1/monitoring/events?limit=1001", headers=user.headers)
    assert_error(
        response, 400, "VALIDATION_FAILED", "Validation failed for limit: must be at most 1000"
    )
    assert (
        await client.get("/api/v1/monitoring/events?limit=1000", headers=user.headers)
    ).status_code == 200


def _parameters(dependency: object) -> list[dict[str, object]]:
    router = APIRouter()

    @router.get("/things")
    async def things(page: Page = Depends(dependency)) -> list[int]:
        return [page.limit]

    app = FastAPI()
    app.include_router(router)
    parameters: list[dict[str, object]] = app.openapi()["paths"]["/things"]["get"]["parameters"]
    return parameters


def test_parameters_are_documented_as_they_are_checked() -> None:
    limit, offset = _parameters(page_params(10, 50))
    assert limit["name"] == "limit" and limit["required"] is False
    assert limit["schema"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 50,
        "default": 10,
        "description": "Page size (default 10, at most 50).",
        "title": "Limit",
    }
    assert offset["schema"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": OFFSET_MAX,
        "default": 0,
        "description": "Items to skip (default 0).",
        "title": "Offset",
    }
    clamped, _ = _parameters(page_params(10, 50, clamp=True))
    assert clamped["schema"]["maximum"] == OFFSET_MAX  # type: ignore[index]
    assert (
        clamped["description"] == "Page size (default 10, at most 50; larger values are clamped)."
    )
