"""The one place where content Markdown becomes HTML: render, rewrite lesson links, sanitise.

Everything that reaches a template as `|safe` comes out of `render_markdown`.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping

import markdown
import nh3

#: Callout kinds authors may use (`!!! signaal "Titel"`); the admonition class names.
CALLOUT_KINDS = ("signaal", "let-op", "in-de-praktijk")

# attr_list is deliberately absent: it lets authors set arbitrary attributes (ids, classes,
# event handlers before sanitising) and nothing in the content format needs it.
_EXTENSIONS = ["tables", "footnotes", "admonition", "sane_lists"]
_EXTENSION_CONFIGS = {
    # `align` survives sanitising; the default inline `style` would be stripped.
    "tables": {"use_align_attribute": True},
    "footnotes": {"BACKLINK_TITLE": "Terug naar voetnoot %d in de tekst"},
}

#: `[^id]` as it survives rendering when no footnote defines it, and <code> to skip.
_CITATION = re.compile(r"\[\^([^\]\s]+)\]")
_CODE = re.compile(r"(<code>.*?</code>)", re.DOTALL)

_LESSON_HREF = re.compile(r'href="lesson:([a-z0-9]+(?:-[a-z0-9]+)*)((?:#[^"]*)?)"')

_CLEANER = nh3.Cleaner(
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


def _cite(html: str, citations: Mapping[str, int]) -> str:
    """Turn `[^id]` outside code into a superscript link to entry `bron-N` of the source list."""

    def mark(match: re.Match[str]) -> str:
        number = citations.get(html_lib.unescape(match.group(1)))
        if number is None:
            return match.group(0)
        return (
            f'<sup><a class="footnote-ref" href="#bron-{number}" '
            f'title="Bron {number}">{number}</a></sup>'
        )

    parts = _CODE.split(html)
    return "".join(
        part if index % 2 else _CITATION.sub(mark, part) for index, part in enumerate(parts)
    )


def render_markdown(
    text: str, lesson_base: str = "", citations: Mapping[str, int] | None = None
) -> str:
    """Render content Markdown to sanitised HTML.

    `lesson:<slug>` links become `<lesson_base><slug>`. The default (empty) base gives a
    relative link that resolves correctly from a lesson page (`/leren/<course>/<lesson>`);
    pages elsewhere pass an absolute base such as `/leren/<course>/`. `citations` numbers a
    lesson's sources: `[^id]` becomes a superscript link to the lesson's reference list.
    """
    html = markdown.markdown(
        text,
        extensions=_EXTENSIONS,
        extension_configs=_EXTENSION_CONFIGS,
        output_format="html",
    )
    html = _LESSON_HREF.sub(lambda m: f'href="{lesson_base}{m.group(1)}{m.group(2)}"', html)
    if citations:
        html = _cite(html, citations)
    return _CLEANER.clean(html)
