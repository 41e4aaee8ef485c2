"""Reading content files with line numbers: TOML parsing, key positions and typed field access.

tomllib does not say where a value came from, so `TomlLines` scans the raw text for table
headers and `key =` lines; every problem can then point at `file:line`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_TOML_LOCATION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")

TablePath = tuple[str | int, ...]


class Problems:
    """Collects every problem as `path:line: message`, so authors see them all at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, display: str, line: int, message: str) -> None:
        self.items.append(f"{display}:{line}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


def _split_header(name: str) -> list[str]:
    return [part.strip().strip("\"'") for part in name.split(".")]


class TomlLines:
    """Where each table header and each `key =` sits in a TOML text (1-based lines)."""

    def __init__(self, text: str, offset: int = 0) -> None:
        self.headers: dict[TablePath, int] = {(): 1 + offset}
        self.keys: dict[TablePath, dict[str, int]] = {}
        self.raw_lines = text.splitlines()
        self.offset = offset
        self._scan(offset)

    def _scan(self, offset: int) -> None:
        last_element: dict[tuple[str, ...], TablePath] = {}
        counts: dict[TablePath, int] = {}
        current: TablePath = ()
        in_string: str | None = None

        def resolve(names: list[str]) -> TablePath:
            path: TablePath = ()
            for k in range(len(names)):
                prefix = tuple(names[: k + 1])
                path = last_element.get(prefix, (*path, names[k]))
            return path

        for number, line in enumerate(self.raw_lines, start=1 + offset):
            started_in_string = in_string is not None
            in_string = _string_state_after(line, in_string)
            if started_in_string:
                continue
            array_header = _ARRAY_HEADER.match(line)
            table_header = _TABLE_HEADER.match(line)
            if array_header:
                names = _split_header(array_header.group(1))
                parent = resolve(names[:-1])
                array: TablePath = (*parent, names[-1])
                index = counts.get(array, 0)
                counts[array] = index + 1
                current = (*array, index)
                # A new element makes earlier children of the previous element stale.
                for prefix in [p for p in last_element if p[: len(names)] == tuple(names)]:
                    del last_element[prefix]
                last_element[tuple(names)] = current
                self.headers[current] = number
            elif table_header:
                names = _split_header(table_header.group(1))
                current = (*resolve(names[:-1]), names[-1])
                self.headers[current] = number
            else:
                match = _KEY.match(line)
                if match:
                    key = match.group(1).strip("\"'")
                    self.keys.setdefault(current, {}).setdefault(key, number)

    def line(self, path: TablePath, key: str | None = None) -> int:
        """The line of `key` in the table at `path`, else of the table, else of its parent."""
        if key is not None and key in self.keys.get(path, {}):
            return self.keys[path][key]
        if key is not None and (*path, key, 0) in self.headers:  # an array of tables [[key]]
            return self.headers[(*path, key, 0)]
        p = path
        while p:
            if p in self.headers:
                return self.headers[p]
            # Inline tables and arrays: point at the key that holds them.
            if isinstance(p[-1], str) and p[-1] in self.keys.get(p[:-1], {}):
                return self.keys[p[:-1]][p[-1]]
            p = p[:-1]
        return self.headers[()]

    def value_line(self, path: TablePath, key: str, item: str) -> int:
        """The line on which a multi-line array under `key` lists the string `item`."""
        start = self.line(path, key)
        later = [n for n in self.headers.values() if n > start]
        later += [n for keys in self.keys.values() for n in keys.values() if n > start]
        end = min(later, default=self.offset + len(self.raw_lines) + 1)
        for number in range(start, end):
            raw = self.raw_lines[number - 1 - self.offset]
            if f'"{item}"' in raw or f"'{item}'" in raw:
                return number
        return start


def _string_state_after(line: str, state: str | None) -> str | None:
    """Track multi-line strings so their contents are never mistaken for keys or headers."""
    i = 0
    n = len(line)
    while i < n:
        if state is None:
            if line.startswith('"""', i) or line.startswith("'''", i):
                state = line[i : i + 3]
                i += 3
            elif line[i] == '"':
                i += 1
                while i < n and line[i] != '"':
                    i += 2 if line[i] == "\\" else 1
                i += 1
            elif line[i] == "'":
                end = line.find("'", i + 1)
                i = n if end == -1 else end + 1
            elif line[i] == "#":
                break
            else:
                i += 1
        elif state == '"""':
            if line[i] == "\\":
                i += 2
            elif line.startswith('"""', i):
                state = None
                i += 3
                while i < n and line[i] == '"':  # up to two quotes may close with it
                    i += 1
            else:
                i += 1
        else:
            end = line.find("'''", i)
            if end == -1:
                break
            state = None
            i = end + 3
            while i < n and line[i] == "'":
                i += 1
    return state


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


class SourceFile:
    """One content file: its display path, its TOML key positions and where problems go."""

    def __init__(self, path: Path, display: str, problems: Problems) -> None:
        self.path = path
        self.display = display
        self.problems = problems
        self.lines = TomlLines("")

    def problem(self, line: int, message: str) -> None:
        self.problems.add(self.display, line, message)

    def read_text(self, data: bytes) -> str | None:
        """Decode UTF-8 (a BOM is tolerated), or report where the bad byte is."""
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(data[: exc.start].count(b"\n") + 1, "het bestand is geen geldige UTF-8.")
            return None

    def parse_toml(self, text: str, offset: int = 0) -> Fields | None:
        """Parse TOML (line numbers shifted by `offset`), or report the syntax error."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            message = str(exc)
            match = _TOML_LOCATION.search(message)
            if match:
                line = int(match.group(1)) + offset
                message = message[: match.start()] + f" (kolom {match.group(2)})"
            else:
                line = max(1, len(text.splitlines())) + offset
            self.problem(line, f"ongeldige TOML: {message}.")
            return None
        self.lines = TomlLines(text, offset)
        return Fields(self, data, ())


_MISSING = object()


class Fields:
    """Typed access to one TOML table; wrong or missing values become problems, not crashes.

    Getters always return a usable value (a default after a problem) so loading can go on
    and report everything in one run.
    """

    def __init__(self, source: SourceFile, data: dict[str, Any], path: TablePath) -> None:
        self.source = source
        self.data = data
        self.path = path

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

    def _get(self, key: str, required: bool) -> Any:
        if key in self.data:
            return self.data[key]
        if required:
            self.problem(None, f"verplicht veld '{key}' ontbreekt in {self.label}.")
        return _MISSING

    def _wrong(self, key: str, expected: str, value: Any) -> None:
        self.problem(key, f"'{key}' moet {expected} zijn, niet {_type_name(value)}.")

    def only(self, allowed: Iterable[str]) -> None:
        """Report keys the format does not know (a typo like `corect` would otherwise be lost)."""
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problem(key, f"onbekend veld '{key}' in {self.label}; bekend zijn: {known}.")

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        """A string; a required one must not be empty."""
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            self._wrong(key, "tekst", value)
            return default
        if required and not value.strip():
            self.problem(key, f"'{key}' mag niet leeg zijn.")
        return value

    def slug(self, key: str, *, required: bool = True) -> str:
        """A kebab-case id or slug."""
        value = self.text(key, required=required)
        if value and not SLUG.match(value):
            self.problem(
                key,
                f"'{key}' = {value!r} is geen geldige slug: gebruik kleine letters, cijfers en "
                "koppeltekens (zoals 'eerste-consult').",
            )
        return value

    def choice(self, key: str, choices: Iterable[str], *, default: str | None = None) -> str:
        """One of a fixed set of strings; required unless a default is given."""
        choices = tuple(choices)
        value = self.text(key, required=default is None, default=default or "")
        if value and value not in choices:
            allowed = ", ".join(f'"{c}"' for c in choices)
            self.problem(key, f"onbekende waarde '{key}' = {value!r}; kies uit {allowed}.")
        return value

    def integer(
        self,
        key: str,
        *,
        required: bool = True,
        default: int = 0,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        """A whole number within [minimum, maximum]."""
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "een geheel getal", value)
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            if maximum is None:
                bounds = f"minstens {minimum}"
            elif minimum is None:
                bounds = f"hoogstens {maximum}"
            else:
                bounds = f"van {minimum} tot en met {maximum}"
            self.problem(key, f"'{key}' = {value} moet {bounds} zijn.")
        return value

    def number(self, key: str, *, required: bool = True, minimum: float = 0) -> float:
        """An int or float, at least `minimum`."""
        value = self._get(key, required)
        if value is _MISSING:
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._wrong(key, "een getal", value)
            return 0.0
        if value < minimum:
            self.problem(key, f"'{key}' = {value} moet minstens {minimum:g} zijn.")
        return float(value)

    def boolean(self, key: str, *, required: bool = False, default: bool = False) -> bool:
        """true or false."""
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong(key, "true of false", value)
            return default
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        """A TOML local date (2026-01-01), not a date-time."""
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            self._wrong(key, "een datum zoals 2026-01-01", value)
            return None
        return value

    def strings(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        """A list of non-empty strings."""
        value = self._get(key, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._wrong(key, "een lijst met teksten", value)
            return ()
        if any(not v.strip() for v in value):
            self.problem(key, f"'{key}' bevat een lege regel.")
        return tuple(value)

    def table(self, key: str, *, required: bool = True) -> Fields | None:
        """A sub-table `[key]`."""
        value = self._get(key, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self._wrong(key, f"een tabel [{key}]", value)
            return None
        return Fields(self.source, value, (*self.path, key))

    def tables(self, key: str, *, required: bool = True) -> list[Fields]:
        """An array of tables `[[key]]`."""
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self._wrong(key, f"een reeks tabellen [[{key}]]", value)
            return []
        return [Fields(self.source, item, (*self.path, key, i)) for i, item in enumerate(value)]
