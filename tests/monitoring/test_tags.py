"""The `tags` filter parser (docs/monitoring.md): pure function, every message."""

from __future__ import annotations

import httpx
import pytest

from starter.core.errors import ValidationFailed
from starter.monitoring.events.tags import parse_tag_filter
from tests.support.errors import assert_error
from tests.support.users import AppUser


def detail(raw: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_tag_filter(raw)
    assert caught.value.field == "tags"
    return caught.value.detail


def test_none_and_empty_mean_no_filter() -> None:
    assert parse_tag_filter(None) == {}
    assert parse_tag_filter("") == {}
    assert parse_tag_filter(" , ,, ") == {}


def test_pairs_are_trimmed_and_split_on_first_colon() -> None:
    assert parse_tag_filter(" env : prod ,url:http://x:80 ") == {
        "env": "prod",
        "url": "http://x:80",
    }


def test_fifty_pairs_allowed_fifty_one_rejected() -> None:
    assert len(parse_tag_filter(",".join(f"k{i}:v" for i in range(50)))) == 50
    assert detail(",".join(f"k{i}:v" for i in range(51))) == "Too many tag pairs (maximum 50)"


def test_pair_count_checked_before_pair_format() -> None:
    assert detail(",".join("bad" for _ in range(51))) == "Too many tag pairs (maximum 50)"


def test_missing_colon() -> None:
    assert detail("invalid_format") == (
        "Invalid tag format. Expected 'key:value' pairs separated by commas"
    )


@pytest.mark.parametrize("raw", [":v", "k:", " : ", "k: ", " :v"])
def test_empty_key_or_value(raw: str) -> None:
    assert detail(raw) == "Tag keys and values cannot be empty"


def test_key_length_limit_in_bytes() -> None:
    assert parse_tag_filter("k" * 100 + ":v")
    assert detail("k" * 101 + ":v") == "Tag key too long (maximum 100 characters)"
    assert detail("é" * 51 + ":v") == "Tag key too long (maximum 100 characters)"


def test_value_length_limit() -> None:
    assert parse_tag_filter("k:" + "v" * 500)
    assert detail("k:" + "v" * 501) == "Tag value too long (maximum 500 characters)"


@pytest.mark.parametrize("char", list("$;'\"<>|%#@+= \t\n"))
def test_key_characters_rejected(char: str) -> None:
    assert detail(f"a{char}b:v") == (
        "Tag keys must contain only alphanumeric characters, underscores, hyphens, and dots"
    )


@pytest.mark.parametrize("key", ["key123", "_", "-", ".", "A", "1", "a.b-c_d", "ключ"])
def test_key_characters_accepted(key: str) -> None:
    assert parse_tag_filter(f"{key}:v") == {key: "v"}


def test_duplicate_keys() -> None:
    assert detail("a:1,b:2,a:3") == "Duplicate tag keys are not allowed"


async def test_messages_reach_the_client(client: httpx.AsyncClient, user: AppUser) -> None:
    cases = {
        ",".join(f"k{i}:v" for i in range(51)): "Too many tag pairs (maximum 50)",
        "k" * 101 + ":v": "Tag key too long (maximum 100 characters)",
        "k:" + "v" * 501: "Tag value too long (maximum 500 characters)",
        "a$b:v": "Tag keys must contain only alphanumeric characters, underscores, hyphens, "
        "and dots",
        "a:1,a:2": "Duplicate tag keys are not allowed",
        "k:": "Tag keys and values cannot be empty",
    }
    for raw, expected in cases.items():
        response = await client.get(
            "/api/v1/monitoring/events", params={"tags": raw}, headers=user.headers
        )
        assert_error(response, 400, "VALIDATION_FAILED", f"Validation failed for tags: {expected}")
    ok = await client.get(
        "/api/v1/monitoring/events", params={"tags": "key123:x,_:y,.:z"}, headers=user.headers
    )
    assert ok.status_code == 200
