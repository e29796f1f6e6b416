"""A module's names: singular as given, plural, class and title forms, all checked up front."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_MAX_CHARS = 40  # keeps every generated SQL identifier under PostgreSQL's 63
# Words that would make a table, type or column name need quoting (PostgreSQL reserved words
# and a few that clash with what every module declares).
SQL_RESERVED = frozenset(
    [
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "authorization",
        "binary",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "collation",
        "column",
        "concurrently",
        "constraint",
        "create",
        "cross",
        "current_catalog",
        "current_date",
        "current_role",
        "current_schema",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "freeze",
        "from",
        "full",
        "grant",
        "group",
        "having",
        "ilike",
        "in",
        "initially",
        "inner",
        "intersect",
        "into",
        "is",
        "isnull",
        "join",
        "lateral",
        "leading",
        "left",
        "like",
        "limit",
        "localtime",
        "localtimestamp",
        "natural",
        "not",
        "notnull",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "outer",
        "overlaps",
        "placing",
        "primary",
        "references",
        "returning",
        "right",
        "select",
        "session_user",
        "similar",
        "some",
        "symmetric",
        "system_user",
        "table",
        "tablesample",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "verbose",
        "when",
        "where",
        "window",
        "with",
    ]
)
# Packages and names the project already uses: a module may not take them.
TAKEN = frozenset(
    {"api", "app", "cli", "core", "docs", "spa", "modules", "generator", "migrations", "web"}
    | {"auth", "users", "user", "api_keys", "health", "tasks", "task", "monitoring", "rbac"}
    | {"worker", "workers", "schema", "schemas", "sessions", "session", "test", "tests"}
)


class InvalidName(ValueError):
    """The name cannot be used; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class ModuleNames:
    singular: str
    plural: str

    @property
    def table(self) -> str:
        return self.plural

    @property
    def struct(self) -> str:
        return "".join(part.capitalize() for part in self.singular.split("_"))

    @property
    def struct_plural(self) -> str:
        return "".join(part.capitalize() for part in self.plural.split("_"))

    @property
    def title(self) -> str:
        return self.singular.replace("_", " ").capitalize()

    @property
    def title_plural(self) -> str:
        return self.plural.replace("_", " ").capitalize()

    def tokens(self) -> dict[str, str]:
        """Each placeholder of the templates and what it stands for."""
        camel = self.struct[0].lower() + self.struct[1:]
        camel_plural = self.struct_plural[0].lower() + self.struct_plural[1:]
        return {
            "__MODULE_NAME_PLURAL__": self.plural,
            "__MODULE_NAME__": self.singular,
            "__MODULE_TABLE__": self.table,
            "__MODULE_STRUCT_PLURAL__": self.struct_plural,
            "__MODULE_STRUCT__": self.struct,
            "__MODULE_TITLE_LOWER_PLURAL__": self.title_plural.lower(),
            "__MODULE_TITLE_LOWER__": self.title.lower(),
            "__MODULE_TITLE_PLURAL__": self.title_plural,
            "__MODULE_TITLE__": self.title,
            "__MODULE_CAMEL_PLURAL__": camel_plural,
            "__MODULE_CAMEL__": camel,
        }


def plural_of(name: str) -> str:
    return name if name.endswith("s") else name + "s"


def module_names(name: str) -> ModuleNames:
    """The names for `name`, or InvalidName saying in one line why it cannot be used."""
    if not NAME_PATTERN.match(name) or "__" in name or name.endswith("_"):
        raise InvalidName(
            f"'{name}' is not a valid module name: use lowercase letters, digits and single "
            "underscores, starting with a letter (e.g. book, blog_post)"
        )
    if len(name) > NAME_MAX_CHARS:
        raise InvalidName(f"'{name}' is too long: at most {NAME_MAX_CHARS} characters")
    names = ModuleNames(name, plural_of(name))
    for word in (names.singular, names.plural):
        if keyword.iskeyword(word) or keyword.issoftkeyword(word):
            raise InvalidName(f"'{word}' is a Python keyword: choose another name")
        if word in SQL_RESERVED:
            raise InvalidName(f"'{word}' is an SQL reserved word: choose another name")
        if word in TAKEN:
            raise InvalidName(f"'{word}' is already a part of the project: choose another name")
    return names


def existing_domain(root: Path, names: ModuleNames, registered: tuple[str, ...]) -> str | None:
    """The name of a hand-written package the module would collide with, if any."""
    for word in (names.singular, names.plural):
        if word not in registered and (root / "src" / "starter" / word).exists():
            return word
    return None
