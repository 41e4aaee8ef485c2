"""The Python-Markdown extension for Signaal's content: what the format adds to Markdown.

- `lesson:<slug>` links point at the lesson (`<lesson_base><slug>`, anchors kept);
- `[^id]` cites one of a lesson's sources: a superscript number linking to `#bron-N`;
- a lesson's section headings (`##`) get stable ids, collected for its table of contents.

It works on the element tree while Markdown renders, so nothing rewrites HTML afterwards.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as etree
from collections.abc import Mapping

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.toc import render_inner_html
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .sanitise import SECTION_ID_PREFIX, sanitise

_LESSON_LINK = re.compile(r"lesson:([a-z0-9]+(?:-[a-z0-9]+)*)((?:#.*)?)", re.DOTALL)
#: As the footnotes extension writes a reference; tried after it, so a defined footnote wins.
_CITATION = r"\[\^([^\]\s]+)\]"
_TAG = re.compile(r"<[^>]+>")


class LessonLinks(Treeprocessor):
    """`lesson:<slug>[#anchor]` becomes `<base><slug>[#anchor]`; any other `lesson:` stays and
    loses its href when sanitised."""

    def __init__(self, md: Markdown, base: str) -> None:
        super().__init__(md)
        self.base = base

    def run(self, root: etree.Element) -> None:
        for link in root.iter("a"):
            match = _LESSON_LINK.fullmatch(link.get("href", ""))
            if match:
                link.set("href", f"{self.base}{match.group(1)}{match.group(2)}")


class Citations(InlineProcessor):
    """`[^id]` for a numbered source becomes `<sup><a href="#bron-N">N</a></sup>`."""

    def __init__(self, citations: Mapping[str, int]) -> None:
        super().__init__(_CITATION)
        self.citations = citations

    def handleMatch(  # noqa: N802 (Python-Markdown's name)
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        number = self.citations.get(m.group(1))
        if number is None:
            return None, None, None
        sup = etree.Element("sup")
        link = etree.SubElement(
            sup,
            "a",
            {"class": "footnote-ref", "href": f"#bron-{number}", "title": f"Bron {number}"},
        )
        link.text = str(number)
        return sup, m.start(0), m.end(0)


def section_slug(text: str) -> str:
    """A heading's text as ASCII kebab-case (accents dropped), for a readable id."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class SectionIds(Treeprocessor):
    """Give each `<h2>` a distinct id (`kop-<slug>`, `-2`... on repeats, `kop-<n>` without
    letters) and record (id, text) per section in reading order on `md.sections`."""

    def run(self, root: etree.Element) -> None:
        sections: list[tuple[str, str]] = []
        used: set[str] = set()
        for heading in root.iter("h2"):
            # The text a reader sees: as sanitised, without tags, entities resolved.
            inner = sanitise(render_inner_html(heading, self.md))
            text = " ".join(html.unescape(_TAG.sub("", inner)).split())
            base = SECTION_ID_PREFIX + (section_slug(text) or str(len(sections) + 1))
            ident, n = base, 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            used.add(ident)
            heading.set("id", ident)
            sections.append((ident, text))
        self.md.sections = tuple(sections)  # type: ignore[attr-defined]


class SignaalExtension(Extension):
    """Configured per text: the lesson-link base, the numbered sources, section ids or not."""

    def __init__(
        self,
        lesson_base: str = "",
        citations: Mapping[str, int] | None = None,
        section_ids: bool = False,
    ) -> None:
        super().__init__()
        self.lesson_base = lesson_base
        self.citations = citations or {}
        self.section_ids = section_ids

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After 'inline' (20): links and headings are elements by then.
        md.sections = ()  # type: ignore[attr-defined]  # stays so for an empty text
        md.treeprocessors.register(LessonLinks(md, self.lesson_base), "signaal-lesson-links", 5)
        if self.citations:
            # Just after the footnotes extension's reference pattern (175).
            md.inlinePatterns.register(Citations(self.citations), "signaal-citations", 174)
        if self.section_ids:
            md.treeprocessors.register(SectionIds(md), "signaal-section-ids", 4)
