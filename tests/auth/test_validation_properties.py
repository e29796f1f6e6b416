"""Property tests for the username, email and password validators (docs/roles.md)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from starter.auth.validation import (
    COMMON_PASSWORDS,
    PASSWORD_SPECIALS,
    email_is_valid,
    password_problem,
    username_problem,
    validate_username,
)
from starter.core.errors import ValidationFailed

FAST = settings(max_examples=100, deadline=None)
USERNAME_CHARS = "Username can only contain letters, numbers, underscores, and hyphens"
USERNAME_LENGTH = "Username must be between 3 and 50 characters"


def _alnum(ch: str) -> bool:
    return ch.isalpha() or ch.isnumeric()


def _size(value: str) -> int:
    return len(value.encode())


username_char = st.one_of(
    st.characters(codec="utf-8", categories=["L", "N"]), st.sampled_from("_-")
).filter(lambda c: _alnum(c) or c in "_-")
forbidden_char = st.characters(
    codec="utf-8", categories=["P", "S", "Z", "Cc", "Cf", "Co", "M"]
).filter(lambda c: not (_alnum(c) or c in "_-"))
ascii_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)


@FAST
@given(st.text(alphabet=username_char, min_size=1, max_size=50))
def test_usernames_of_allowed_chars_pass_iff_3_to_50_bytes(name: str) -> None:
    expected = None if 3 <= _size(name) <= 50 else USERNAME_LENGTH
    assert username_problem(name) == expected


@FAST
@given(
    st.text(alphabet=username_char, max_size=5),
    forbidden_char,
    st.text(alphabet=username_char, max_size=5),
)
def test_any_forbidden_char_is_rejected(before: str, bad: str, after: str) -> None:
    name = "ab" + before + bad + after  # 4 to 46 bytes: only the characters can be wrong
    assert username_problem(name) == USERNAME_CHARS
    with pytest.raises(ValidationFailed) as raised:
        validate_username(name)
    assert raised.value.message == f"Validation failed for username: {USERNAME_CHARS}"


@FAST
@given(st.text(min_size=0, max_size=60))
def test_length_is_checked_before_characters(name: str) -> None:
    if not 3 <= _size(name) <= 50:
        assert username_problem(name) == USERNAME_LENGTH


@FAST
@given(
    st.lists(ascii_word, min_size=1, max_size=3),
    st.lists(ascii_word, min_size=1, max_size=3),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6),
)
def test_well_formed_emails_are_valid(local: list[str], labels: list[str], tld: str) -> None:
    email = ".".join(local) + "@" + ".".join([*labels, tld])
    assert email_is_valid(email)


@FAST
@given(st.text(max_size=80))
def test_emails_without_exactly_one_at_are_invalid(text: str) -> None:
    assume(text.count("@") != 1)
    assert not email_is_valid(text)


@FAST
@given(ascii_word, ascii_word, st.text(alphabet="0123456789", min_size=1, max_size=4))
def test_numeric_or_one_letter_tld_is_invalid(local: str, domain: str, digits: str) -> None:
    assert not email_is_valid(f"{local}@{domain}.{digits}")
    assert not email_is_valid(f"{local}@{domain}.x")


@FAST
@given(ascii_word, ascii_word, st.sampled_from([" ", "..", "!", "#", "/", "\u0000", "(", "🚀"]))
def test_forbidden_local_part_content_is_invalid(start: str, end: str, bad: str) -> None:
    assert not email_is_valid(f"{start}{bad}{end}@example.com")


@FAST
@given(st.integers(min_value=65, max_value=120))
def test_local_part_over_64_bytes_is_invalid(size: int) -> None:
    assert not email_is_valid("a" * size + "@example.com")
    assert email_is_valid("a" * 64 + "@example.com")


uppers = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8)
lowers = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
digits = st.text(alphabet="0123456789", min_size=1, max_size=8)
specials = st.text(alphabet=sorted(PASSWORD_SPECIALS), min_size=1, max_size=8)


@FAST
@given(st.lists(st.sampled_from([0, 1, 2, 3]), min_size=3, max_size=4, unique=True), st.data())
def test_three_classes_and_8_to_128_bytes_pass(classes: list[int], data: st.DataObject) -> None:
    parts = [data.draw([uppers, lowers, digits, specials][i]) for i in classes]
    password = "".join(parts)
    assume(8 <= _size(password) <= 128)
    assume(password.lower() not in COMMON_PASSWORDS)
    assert password_problem(password) is None


@FAST
@given(st.sampled_from([uppers, lowers, digits, specials]), st.data())
def test_a_single_class_is_rejected(strategy: st.SearchStrategy[str], data: st.DataObject) -> None:
    password = data.draw(strategy) * 8
    assume(_size(password) <= 128)
    assert password_problem(password) == (
        "Password must contain at least 3 of: uppercase letters, lowercase letters, "
        "numbers, special characters"
    )


@FAST
@given(st.text(max_size=200))
def test_byte_length_boundaries(password: str) -> None:
    problem = password_problem(password)
    if _size(password) < 8:
        assert problem == "Password must be at least 8 characters long"
    elif _size(password) > 128:
        assert problem == "Password must be less than 128 characters"
    else:
        assert problem not in {
            "Password must be at least 8 characters long",
            "Password must be less than 128 characters",
        }


@FAST
@given(st.sampled_from(sorted(p for p in COMMON_PASSWORDS if len(p) >= 8)), st.data())
def test_common_passwords_rejected_in_any_case(common: str, data: st.DataObject) -> None:
    flips = data.draw(st.lists(st.booleans(), min_size=len(common), max_size=len(common)))
    variant = "".join(ch.upper() if flip else ch for ch, flip in zip(common, flips, strict=True))
    problem = password_problem(variant)
    assert problem is not None
    if (
        sum(
            (
                any(c.isupper() for c in variant),
                any(c.islower() for c in variant),
                any(c.isnumeric() for c in variant),
                any(c in PASSWORD_SPECIALS for c in variant),
            )
        )
        >= 3
    ):
        assert problem == "Password is too common. Please choose a stronger password"
