"""The content format, declared: per TOML table its keys, each with a type, whether it is
required, its default and an optional extra rule.

A table read through its `Schema` reports unknown keys, and every value is checked when the
loader asks for it, so problems keep the order in which the loader meets them. A wrong or
missing value is a problem at `file:line`, never a crash: the reader gets the default and
loading goes on, so authors see everything in one run.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .source import SourceFile, TablePath

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: An extra check on a key that is present: (table, key, value as read).
Rule = Callable[["Fields", str, Any], None]


def table_label(path: TablePath) -> str:
    """`[[stages.questions]]` or `[accreditation]` for a table path; the file for the root."""
    names = ".".join(p for p in path if isinstance(p, str))
    if not path:
        return "het bestand"
    return f"[[{names}]]" if isinstance(path[-1], int) else f"[{names}]"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, int | float):
        return "een getal"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een tabel"
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return "een datum/tijd"
    return type(value).__name__


# --- value types -----------------------------------------------------------------------------


class ValueType(ABC):
    """One kind of TOML value: what it accepts, how the error names it, its further checks."""

    #: Filled in "'key' moet <expected> zijn, niet ...".
    expected = ""

    def describe(self, key: str) -> str:
        return self.expected

    @abstractmethod
    def accepts(self, value: Any) -> bool:
        """Whether TOML gave a value of this kind (each kind says which Python types it takes)."""

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        """The value as the loader uses it, after reporting what is wrong with it."""
        return value


class Text(ValueType):
    expected = "tekst"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str)

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        if field.required and not value.strip():
            table.problem(field.key, f"'{field.key}' mag niet leeg zijn.")
        return value


class Slug(Text):
    """A kebab-case id or slug."""

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        value = super().convert(table, field, value)
        if value and not SLUG.match(value):
            table.problem(
                field.key,
                f"'{field.key}' = {value!r} is geen geldige slug: gebruik kleine letters, cijfers "
                "en koppeltekens (zoals 'eerste-consult').",
            )
        return value


@dataclass(frozen=True)
class Choice(Text):
    """One of a fixed set of strings."""

    choices: tuple[str, ...]

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        value = super().convert(table, field, value)
        if value and value not in self.choices:
            allowed = ", ".join(f'"{c}"' for c in self.choices)
            table.problem(
                field.key, f"onbekende waarde '{field.key}' = {value!r}; kies uit {allowed}."
            )
        return value


@dataclass(frozen=True)
class Integer(ValueType):
    """A whole number within [minimum, maximum]."""

    minimum: int | None = None
    maximum: int | None = None
    expected = "een geheel getal"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                bounds = f"minstens {low}"
            elif low is None:
                bounds = f"hoogstens {high}"
            else:
                bounds = f"van {low} tot en met {high}"
            table.problem(field.key, f"'{field.key}' = {value} moet {bounds} zijn.")
        return value


@dataclass(frozen=True)
class Number(ValueType):
    """An int or float, at least `minimum`."""

    minimum: float = 0
    expected = "een getal"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        if value < self.minimum:
            table.problem(
                field.key, f"'{field.key}' = {value} moet minstens {self.minimum:g} zijn."
            )
        return float(value)


class Boolean(ValueType):
    expected = "true of false"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)


class Date(ValueType):
    """A TOML local date (2026-01-01), not a date-time."""

    expected = "een datum zoals 2026-01-01"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


class Strings(ValueType):
    """A list of non-empty strings."""

    expected = "een lijst met teksten"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        if any(not v.strip() for v in value):
            table.problem(field.key, f"'{field.key}' bevat een lege regel.")
        return tuple(value)


class Table(ValueType):
    """A sub-table `[key]`, read as Fields (give it its own schema)."""

    def describe(self, key: str) -> str:
        return f"een tabel [{key}]"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, dict)

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        return Fields(table.source, value, (*table.path, field.key))


class Tables(ValueType):
    """An array of tables `[[key]]`, read as a list of Fields."""

    def describe(self, key: str) -> str:
        return f"een reeks tabellen [[{key}]]"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)

    def convert(self, table: Fields, field: Field, value: Any) -> Any:
        path = (*table.path, field.key)
        return [Fields(table.source, item, (*path, i)) for i, item in enumerate(value)]


# --- fields and schemas ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One key: its type, whether it must be there, the value when missing or of the wrong type,
    and an extra rule that runs whenever the key is present (with the value as read)."""

    key: str
    type: ValueType
    required: bool = True
    default: Any = None
    rule: Rule | None = None

    def read(self, table: Fields) -> Any:
        if self.key not in table.data:
            if self.required:
                table.problem(None, f"verplicht veld '{self.key}' ontbreekt in {table.label}.")
            return self.default
        value = table.data[self.key]
        if self.type.accepts(value):
            value = self.type.convert(table, self, value)
        else:
            table.problem(
                self.key,
                f"'{self.key}' moet {self.type.describe(self.key)} zijn, niet {_type_name(value)}.",
            )
            value = self.default
        if self.rule is not None:
            self.rule(table, self.key, value)
        return value


# Constructors that read like the format's documentation: `text("title")`,
# `integer("pass_mark", required=False, default=70, minimum=1, maximum=100)`.


def text(key: str, *, required: bool = True, default: str = "", rule: Rule | None = None) -> Field:
    return Field(key, Text(), required, default, rule)


def slug(key: str, *, required: bool = True) -> Field:
    return Field(key, Slug(), required, "")


def choice(key: str, choices: Iterable[str], *, default: str | None = None) -> Field:
    """Required unless a default is given."""
    return Field(key, Choice(tuple(choices)), default is None, default or "")


def integer(
    key: str,
    *,
    required: bool = True,
    default: int | None = 0,
    minimum: int | None = None,
    maximum: int | None = None,
) -> Field:
    return Field(key, Integer(minimum, maximum), required, default)


def number(key: str, *, minimum: float = 0) -> Field:
    return Field(key, Number(minimum), True, 0.0)


def boolean(key: str, *, required: bool = False, default: bool = False) -> Field:
    return Field(key, Boolean(), required, default)


def date(key: str, *, required: bool = False) -> Field:
    return Field(key, Date(), required, None)


def strings(key: str, *, required: bool = True, rule: Rule | None = None) -> Field:
    return Field(key, Strings(), required, (), rule)


def table(key: str, *, required: bool = True) -> Field:
    return Field(key, Table(), required, None)


def tables(key: str, *, required: bool = True, rule: Rule | None = None) -> Field:
    return Field(key, Tables(), required, [], rule)


# Rules shared by several keys.


def count_between(low: int, high: int, noun: str) -> Rule:
    """A list of `low` to `high` entries (an empty one is reported elsewhere, if at all)."""

    def rule(table: Fields, key: str, value: Any) -> None:
        if value and not low <= len(value) <= high:
            table.problem(
                key, f"'{key}' heeft {len(value)} {noun}; geef er {low} tot en met {high}."
            )

    return rule


def not_empty(message: str) -> Rule:
    """A present list (or array of tables) must name at least one entry."""

    def rule(table: Fields, key: str, value: Any) -> None:
        if not value:
            table.problem(key, message)

    return rule


class Schema:
    """The keys one kind of table may have."""

    def __init__(self, *fields: Field) -> None:
        self.fields = {field.key: field for field in fields}

    def read(self, table: Fields) -> Fields:
        """Report the keys this schema does not know; the table then reads by key."""
        table.only(self.fields)
        table.schema = self
        return table

    def values(self, table: Fields) -> dict[str, Any]:
        """Read the table and every key in declared order (for a record built from all of it)."""
        self.read(table)
        return {key: table[key] for key in self.fields}


class Fields:
    """One TOML table and where it sits in its file; `table["key"]` reads a value through the
    table's schema."""

    def __init__(self, source: SourceFile, data: dict[str, Any], path: TablePath) -> None:
        self.source = source
        self.data = data
        self.path = path
        self.schema: Schema | None = None

    @property
    def label(self) -> str:
        return table_label(self.path)

    def line(self, key: str | None = None) -> int:
        return self.source.lines.line(self.path, key)

    def problem(self, key: str | None, message: str, *, item: str | None = None) -> None:
        """Report at the key's line (or the line listing `item` in the key's array)."""
        if key is not None and item is not None:
            line = self.source.lines.value_line(self.path, key, item)
        else:
            line = self.line(key)
        self.source.problem(line, message)

    def has(self, key: str) -> bool:
        return key in self.data

    def only(self, allowed: Iterable[str]) -> None:
        """Report keys the format does not know (a typo like `corect` would otherwise be lost)."""
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problem(key, f"onbekend veld '{key}' in {self.label}; bekend zijn: {known}.")

    def __getitem__(self, key: str) -> Any:
        assert self.schema is not None, "read the table through its Schema first"
        return self.get(self.schema.fields[key])

    def get(self, field: Field) -> Any:
        """Read one field (a schema's, or one adjusted to the context: `required` may vary)."""
        return field.read(self)

    def require(self, key: str, required: bool) -> Any:
        """Read `key` with `required` decided by the caller (feedback only for scored options)."""
        assert self.schema is not None
        return self.get(replace(self.schema.fields[key], required=required))
