"""The username, email and password rules and their messages (docs/roles.md), which v1
clients show as they are.

Lengths are UTF-8 byte lengths; character classes are Unicode-aware (any letter or digit).
"""

from __future__ import annotations

from starter.core.errors import ValidationFailed

PASSWORD_SPECIALS = frozenset("!@#$%^&*()_+-=[]{}|;:,.<>?")
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "123456",
        "password123",
        "admin",
        "qwerty",
        "letmein",
        "welcome",
        "monkey",
        "1234567890",
        "abc123",
        "password1",
        "123456789",
        "welcome123",
        "admin123",
        "qwerty123",
        "12345678",
        "111111",
        "123123",
        "1234567",
        "1q2w3e4r",
        "asdfgh",
        "zxcvbn",
        "qwertyui",
        "000000",
        "1234",
        "iloveyou",
        "dragon",
        "sunshine",
        "princess",
        "azerty",
        "trustno1",
        "123qwe",
        "password123!",
        "admin123!",
        "qwerty123!",
        "welcome123!",
        "password1!",
        "admin1",
        "qwerty1",
        "welcome1",
    ]
)


def _alnum(ch: str) -> bool:
    return ch.isalpha() or ch.isnumeric()


def _bytes(value: str) -> int:
    return len(value.encode("utf-8"))


def username_problem(username: str) -> str | None:
    if not 3 <= _bytes(username) <= 50:
        return "Username must be between 3 and 50 characters"
    if not all(_alnum(ch) or ch in "_-" for ch in username):
        return "Username can only contain letters, numbers, underscores, and hyphens"
    return None


def _label_ok(label: str) -> bool:
    return (
        1 <= _bytes(label) <= 63
        and not label.startswith("-")
        and not label.endswith("-")
        and all(_alnum(ch) or ch == "-" for ch in label)
    )


def email_is_valid(email: str) -> bool:
    if not 3 <= _bytes(email) <= 254 or email.count("@") != 1:
        return False
    local, domain = email.split("@")
    if not 1 <= _bytes(local) <= 64 or local.startswith(".") or local.endswith("."):
        return False
    if ".." in local or not all(_alnum(ch) or ch in "._-+" for ch in local):
        return False
    if not 1 <= _bytes(domain) <= 253 or domain[0] in "-." or domain[-1] in "-.":
        return False
    if "." not in domain:
        return False
    labels = domain.split(".")
    if not all(_label_ok(label) for label in labels):
        return False
    tld = labels[-1]
    return _bytes(tld) >= 2 and all(ch.isalpha() for ch in tld)


def password_problem(password: str) -> str | None:
    size = _bytes(password)
    if size < 8:
        return "Password must be at least 8 characters long"
    if size > 128:
        return "Password must be less than 128 characters"
    classes = (
        any(ch.isupper() for ch in password),
        any(ch.islower() for ch in password),
        any(ch.isnumeric() for ch in password),
        any(ch in PASSWORD_SPECIALS for ch in password),
    )
    if sum(classes) < 3:
        return (
            "Password must contain at least 3 of: uppercase letters, lowercase letters, "
            "numbers, special characters"
        )
    if password in COMMON_PASSWORDS or password.lower() in COMMON_PASSWORDS:
        return "Password is too common. Please choose a stronger password"
    return None


def validate_username(username: str, field: str = "username") -> None:
    problem = username_problem(username)
    if problem:
        raise ValidationFailed(field, problem)


def validate_email(email: str, field: str = "email") -> None:
    if not email_is_valid(email):
        raise ValidationFailed(field, "Invalid email format")


def validate_password(password: str, field: str = "password") -> None:
    problem = password_problem(password)
    if problem:
        raise ValidationFailed(field, problem)


def validate_new_account(username: str, email: str, password: str) -> None:
    """Register / admin-create order: username, then email, then password."""
    validate_username(username)
    validate_email(email)
    validate_password(password)
