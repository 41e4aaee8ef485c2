"""A lesson's table of contents, read from the section headings of its rendered HTML.

The HTML is the sanitised lesson body (app.content.markdown): its <h2> elements carry no
attributes, so a heading is found by its plain tag and given an id here, at show time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import unescape

from markupsafe import Markup

_HEADING = re.compile(r"<h2>(.*?)</h2>", re.S)
_TAG = re.compile(r"<[^>]+>")
#: Fewer sections than this need no table of contents.
MIN_ENTRIES = 3


@dataclass(frozen=True)
class Outline:
    #: The lesson body with an id on every section heading.
    html: Markup
    #: (id, heading text) per section, in reading order.
    entries: tuple[tuple[str, str], ...]

    @property
    def worth_showing(self) -> bool:
        return len(self.entries) >= MIN_ENTRIES


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def outline(html: str) -> Outline:
    """Give each <h2> in the lesson HTML a stable id and list them for a table of contents."""
    entries: list[tuple[str, str]] = []
    used: set[str] = set()

    def anchor(match: re.Match[str]) -> str:
        text = " ".join(unescape(_TAG.sub("", match.group(1))).split())
        base = "kop-" + (_slug(text) or str(len(entries) + 1))
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}-{n}", n + 1
        used.add(ident)
        entries.append((ident, text))
        return f'<h2 id="{ident}">{match.group(1)}</h2>'

    return Outline(Markup(_HEADING.sub(anchor, str(html))), tuple(entries))
