"""A lesson's table of contents: its sections as the loader found them.

The section headings got their ids when the lesson was rendered at load
(app.content.markdown_ext), so the page only decides whether a table of contents is worth it.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..content import Lesson

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


def outline(lesson: Lesson) -> Outline:
    """The lesson body and its sections for the page and its table of contents."""
    # The body was sanitised at load (app.content.markdown), so it may be marked safe.
    return Outline(Markup(lesson.html), lesson.sections)
