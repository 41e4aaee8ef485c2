"""Sanitising rendered content HTML: only the tags, attributes and classes Markdown produces.

Everything that reaches a template as `|safe` has been through `sanitise`.
"""

from __future__ import annotations

from typing import Any

import nh3

#: Callout kinds authors may use (`!!! signaal "Titel"`); the admonition class names.
CALLOUT_KINDS = ("signaal", "let-op", "in-de-praktijk")

#: Prefix of the ids a lesson's section headings get (app.content.markdown_ext).
SECTION_ID_PREFIX = "kop-"

_ALLOWED = dict(
    tags={
        "p",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "blockquote",
        "code",
        "pre",
        "hr",
        "sup",
        "div",
        "br",
    },
    attributes={
        "a": {"href", "title"},
        "th": {"align"},
        "td": {"align"},
        # Footnote anchors (`#fn:1`, `#fnref:1`) need their targets' ids.
        "sup": {"id"},
        "li": {"id"},
    },
    # Only the classes markdown itself produces; anything else an author writes is dropped.
    allowed_classes={
        "div": {"admonition", "footnote", *CALLOUT_KINDS},
        "p": {"admonition-title"},
        "a": {"footnote-ref", "footnote-backref"},
    },
    link_rel="noopener",
    # Relative URLs (rewritten lesson links, footnote anchors) are always allowed;
    # javascript:, data: and unrewritten lesson: links lose their href.
    url_schemes={"http", "https", "mailto", "tel"},
    strip_comments=True,
)


_CLEANER = nh3.Cleaner(**_ALLOWED)


def _section_ids_only(element: str, attribute: str, value: str) -> str | None:
    """Keep a heading id only if the section-id extension gave it (authors cannot set ids)."""
    if element == "h2" and attribute == "id" and not value.startswith(SECTION_ID_PREFIX):
        return None
    return value


_LESSON_ATTRIBUTES: dict[str, Any] = {**_ALLOWED["attributes"], "h2": {"id"}}
_LESSON_CLEANER = nh3.Cleaner(
    **{**_ALLOWED, "attributes": _LESSON_ATTRIBUTES},
    attribute_filter=_section_ids_only,
)


def sanitise(html: str, *, section_ids: bool = False) -> str:
    """Clean rendered HTML; `section_ids` keeps the ids of a lesson's section headings."""
    return (_LESSON_CLEANER if section_ids else _CLEANER).clean(html)
