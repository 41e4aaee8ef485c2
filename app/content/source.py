"""Reading content files with line numbers: decoding, TOML parsing and key positions.

tomllib does not say where a value came from, so `TomlLines` scans the raw text for table
headers and `key =` lines; every problem can then point at `file:line`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .schema import Fields

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


#: Characters no text needs: control characters but tab, line feed and carriage return.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
        """Decode UTF-8 (a BOM is tolerated), or report where the bad byte is; an invisible
        control character (kept pages use one as a marker) is refused as well."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problem(data[: exc.start].count(b"\n") + 1, "het bestand is geen geldige UTF-8.")
            return None
        control = _CONTROL_CHARACTER.search(text)
        if control is not None:
            code = f"U+{ord(control.group()):04X}"
            line = text.count("\n", 0, control.start()) + 1
            self.problem(line, f"een onzichtbaar stuurteken ({code}) in de tekst; haal het weg.")
            return None
        return text

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
