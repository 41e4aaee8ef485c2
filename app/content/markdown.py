"""The one place where content Markdown becomes HTML: rendered once, at load, then sanitised.

Everything that reaches a template as `|safe` comes out of `render_markdown` or `render_lesson`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import markdown
from markdown import Markdown

from .markdown_ext import SignaalExtension
from .sanitise import CALLOUT_KINDS, sanitise

__all__ = ["CALLOUT_KINDS", "RenderedLesson", "render_lesson", "render_markdown"]

# attr_list is deliberately absent: it lets authors set arbitrary attributes (ids, classes,
# event handlers before sanitising) and nothing in the content format needs it.
_EXTENSIONS = ["tables", "footnotes", "admonition", "sane_lists"]
_EXTENSION_CONFIGS = {
    # `align` survives sanitising; the default inline `style` would be stripped.
    "tables": {"use_align_attribute": True},
    "footnotes": {"BACKLINK_TITLE": "Terug naar voetnoot %d in de tekst"},
}


@dataclass(frozen=True)
class RenderedLesson:
    #: Sanitised HTML, with an id on every section heading.
    html: str
    #: (id, heading text) per section, in reading order.
    sections: tuple[tuple[str, str], ...]


def _render(text: str, extension: SignaalExtension) -> tuple[str, Markdown]:
    md = markdown.Markdown(
        extensions=[*_EXTENSIONS, extension],
        extension_configs=_EXTENSION_CONFIGS,
        output_format="html",
    )
    return md.convert(text), md


def render_markdown(
    text: str, lesson_base: str = "", citations: Mapping[str, int] | None = None
) -> str:
    """Render content Markdown to sanitised HTML.

    `lesson:<slug>` links become `<lesson_base><slug>`. The default (empty) base gives a
    relative link that resolves correctly from a lesson page (`/leren/<course>/<lesson>`);
    pages elsewhere pass an absolute base such as `/leren/<course>/`. `citations` numbers a
    lesson's sources: `[^id]` becomes a superscript link to the lesson's reference list.
    """
    html, _ = _render(text, SignaalExtension(lesson_base, citations))
    return sanitise(html)


def render_lesson(text: str, citations: Mapping[str, int]) -> RenderedLesson:
    """Render a lesson body as `render_markdown` does, with ids on its section headings."""
    html, md = _render(text, SignaalExtension(citations=citations, section_ids=True))
    return RenderedLesson(sanitise(html, section_ids=True), md.sections)  # type: ignore[attr-defined]
