"""Every page in English: for each page the authorization matrix opens (and each role that may
see it), an English-speaking visitor sees no Dutch interface text. Dutch course content is
allowed where the page marks it with its language (`lang="nl"`), as screen readers need."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.i18n.strings import reads_as_dutch
from app.models import User

from .test_authorization import (  # noqa: F401
    MATRIX,
    ROLES,
    SHARED_REFLECTION,
    UNSHARED_REFLECTION,
    World,
    address,
    log_in,
    world,
)

#: What the world's learner wrote: their own words, in their own language.
WRITTEN_BY_PEOPLE = {SHARED_REFLECTION, UNSHARED_REFLECTION}

pytestmark = pytest.mark.no_rate_limits

ENGLISH = {"Accept-Language": "en"}
SHOWN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
#: Not read as text here: scripts, and the window title, which cannot mark a Dutch case title in
#: it as Dutch (the page's own heading does).
UNREAD = {"script", "style", "template", "title"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class VisibleText(HTMLParser):
    """The text a reader meets, minus what sits in an element marked as another language."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.found: list[str] = []

    def _hidden(self) -> bool:
        return any(hidden for _, hidden in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = tag in UNREAD or (values.get("lang") or "en")[:2] != "en"
        if not hidden and not self._hidden():
            self.found.extend(v for k, v in attrs if k in SHOWN_ATTRIBUTES and v)
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._hidden():
            self.found.append(data.strip())


def dutch_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [text for text in parser.found if reads_as_dutch(text) and text not in WRITTEN_BY_PEOPLE]


PAGES = sorted(
    key for key, case in MATRIX.items() if key.startswith("GET ") and 200 in case.expected.values()
)


@pytest.mark.parametrize("key", PAGES)
def test_every_page_speaks_english_to_an_english_visitor(
    app: Flask,
    client: FlaskClient,
    world: World,  # noqa: F811 (the matrix's fixture, imported above)
    key: str,
) -> None:
    case = MATRIX[key]
    with app.app_context():
        for user in db.session.scalars(db.select(User)):
            user.language = "en"
        db.session.commit()
    # Every request of this browser asks for English, signing in and out included.
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    problems = []
    for role in ROLES:
        if case.expected[role] != 200:
            continue
        log_in(client, world, role)
        response = client.get(
            address(key[4:], case, world), query_string=case.query, headers=ENGLISH
        )
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        problems.extend(f"{role}: {text[:100]!r}" for text in dutch_text(html))
    assert not problems, f"{key}:\n  " + "\n  ".join(sorted(set(problems)))
