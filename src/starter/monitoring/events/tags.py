"""The `tags` query filter of GET /monitoring/events: `key:value[,key:value…]`."""

from __future__ import annotations

from starter.core.errors import ValidationFailed

MAX_TAG_PAIRS = 50
MAX_TAG_KEY_BYTES = 100
MAX_TAG_VALUE_BYTES = 500
_KEY_PUNCTUATION = frozenset("_-.")


def _fail(detail: str) -> ValidationFailed:
    return ValidationFailed("tags", detail)


def parse_tag_filter(raw: str | None) -> dict[str, str]:
    """Parse the filter into one containment object; every pair must match (AND)."""
    if raw is None:
        return {}
    pairs = [pair.strip() for pair in raw.split(",")]
    pairs = [pair for pair in pairs if pair]
    if len(pairs) > MAX_TAG_PAIRS:
        raise _fail(f"Too many tag pairs (maximum {MAX_TAG_PAIRS})")
    result: dict[str, str] = {}
    for pair in pairs:
        key, colon, value = pair.partition(":")
        if not colon:
            raise _fail("Invalid tag format. Expected 'key:value' pairs separated by commas")
        key, value = key.strip(), value.strip()
        if not key or not value:
            raise _fail("Tag keys and values cannot be empty")
        if len(key.encode()) > MAX_TAG_KEY_BYTES:
            raise _fail(f"Tag key too long (maximum {MAX_TAG_KEY_BYTES} characters)")
        if len(value.encode()) > MAX_TAG_VALUE_BYTES:
            raise _fail(f"Tag value too long (maximum {MAX_TAG_VALUE_BYTES} characters)")
        # Any Unicode letter or digit, not only ASCII (v1 clients send such keys).
        if not all(char.isalnum() or char in _KEY_PUNCTUATION for char in key):
            raise _fail(
                "Tag keys must contain only alphanumeric characters, underscores, hyphens, and dots"
            )
        if key in result:
            raise _fail("Duplicate tag keys are not allowed")
        result[key] = value
    return result
