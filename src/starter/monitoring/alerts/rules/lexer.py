"""Tokens of the alert rule language; positions are 1-based character offsets for messages."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

MAX_RULE_LENGTH = 1000
END = "end"
WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:./@+-")
NUMBER_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
OPERATORS = (">=", "<=", "==", ">", "<")
PUNCTUATION = "=,"
QUOTES = "\"'"


class RuleSyntaxError(ValueError):
    """A rule that does not parse; `message` names the problem and where it is."""

    def __init__(self, message: str, position: int | None = None) -> None:
        self.detail = message
        self.position = position
        self.message = message if position is None else f"{message} at position {position}"
        super().__init__(self.message)


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "string", "operator", "punct" or END
    text: str
    position: int

    def keyword(self) -> str | None:
        return self.text.lower() if self.kind == "word" else None

    def shown(self) -> str:
        if self.kind == END:
            return "the end of the rule"
        if self.kind == "string":
            return f'the quoted value "{_clip(self.text)}"'
        return f"'{_clip(self.text)}'"


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def tokenize(text: str) -> Iterator[Token]:
    """Tokens on demand, so the first problem in reading order is the one reported."""
    if len(text) > MAX_RULE_LENGTH:
        raise RuleSyntaxError(f"rule is longer than {MAX_RULE_LENGTH} characters")
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char in QUOTES:
            value, end = _read_quoted(text, index)
            yield Token("string", value, index + 1)
            index = end
        elif operator := next((op for op in OPERATORS if text.startswith(op, index)), None):
            yield Token("operator", operator, index + 1)
            index += len(operator)
        elif char in PUNCTUATION:
            yield Token("punct", char, index + 1)
            index += 1
        elif char in WORD_CHARS:
            start = index
            while index < len(text) and text[index] in WORD_CHARS:
                index += 1
            yield Token("word", text[start:index], start + 1)
        else:
            raise RuleSyntaxError(f"unexpected character {char!r}", index + 1)
    yield Token(END, "", len(text) + 1)


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read a quoted value starting at `start`; return it and the index after the closing quote."""
    quote = text[start]
    chars: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            return "".join(chars), index + 1
        if char == "\\" and index + 1 < len(text) and text[index + 1] in (quote, "\\"):
            chars.append(text[index + 1])
            index += 2
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            # Control characters and lone surrogates cannot be stored (NUL in TEXT, UTF-8).
            raise RuleSyntaxError(f"quoted value contains the character {char!r}", index + 1)
        chars.append(char)
        index += 1
    raise RuleSyntaxError("unterminated quoted value", start + 1)


class TokenStream:
    def __init__(self, tokens: Iterator[Token]) -> None:
        self._tokens = tokens
        self._ahead: Token | None = None

    def peek(self) -> Token:
        if self._ahead is None:
            self._ahead = next(self._tokens)
        return self._ahead

    def next(self) -> Token:
        token = self.peek()
        if token.kind != END:
            self._ahead = None
        return token

    def expect_keyword(self, keyword: str, where: str) -> Token:
        token = self.next()
        if token.keyword() != keyword:
            raise RuleSyntaxError(
                f"expected '{keyword}' {where}, got {token.shown()}", token.position
            )
        return token

    def expect_punct(self, punct: str, where: str) -> Token:
        token = self.next()
        if token.kind != "punct" or token.text != punct:
            raise RuleSyntaxError(
                f"expected '{punct}' {where}, got {token.shown()}", token.position
            )
        return token
