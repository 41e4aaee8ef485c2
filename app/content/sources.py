"""Structured sources (title, publisher, year, url) as lessons, the reference card and the
"Wat nu?" aid declare them."""

from __future__ import annotations

from .model import Source
from .source import Fields


def parse_source(table: Fields, *, cited: bool) -> Source:
    """One structured source; lesson sources (`cited`) also carry the id the text cites."""
    table.only(
        ("id", "title", "publisher", "year", "url")
        if cited
        else ("title", "publisher", "year", "url")
    )
    url = table.text("url", required=False)
    if url and not url.startswith(("https://", "http://")):
        table.problem("url", "'url' begint met https:// (of http://).")
    return Source(
        id=table.slug("id") if cited else "",
        title=table.text("title"),
        publisher=table.text("publisher"),
        year=table.integer("year", minimum=1800, maximum=2100),
        url=url,
    )
