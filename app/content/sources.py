"""Structured sources (title, publisher, year, url) as lessons, the reference card and the
"Wat nu?" aid declare them."""

from __future__ import annotations

from typing import Any

from . import schema as s
from .model import Source
from .schema import Fields


def _web_address(table: Fields, key: str, url: Any) -> None:
    if url and not url.startswith(("https://", "http://")):
        table.problem(key, "'url' begint met https:// (of http://).")


_FIELDS = (
    s.text("title"),
    s.text("publisher"),
    s.integer("year", minimum=1800, maximum=2100),
    s.text("url", required=False, rule=_web_address),
)
#: A lesson's source carries the id its text cites it by (`[^id]`).
CITED_SOURCE = s.Schema(s.slug("id"), *_FIELDS)
LISTED_SOURCE = s.Schema(*_FIELDS)


def parse_source(table: Fields, *, cited: bool) -> Source:
    """One structured source; lesson sources (`cited`) also carry the id the text cites."""
    source = (CITED_SOURCE if cited else LISTED_SOURCE).read(table)
    url = source["url"]
    return Source(
        id=source["id"] if cited else "",
        title=source["title"],
        publisher=source["publisher"],
        year=source["year"],
        url=url,
    )
