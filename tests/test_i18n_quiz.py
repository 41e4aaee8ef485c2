"""The case quizzes and live sessions for an English-speaking GP: the interface in English, the
case itself (vignettes, questions, options, feedback) in Dutch and marked as such with `lang`."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.i18n.strings import reads_as_dutch
from app.models import User

from .conftest import client_for

COURSE = "test-cursus"
CASE = f"/quiz/{COURSE}/testcasus"
CHECK = f"/quiz/{COURSE}/check-eerste-les"
#: Dutch interface words that would give away an untranslated label, badge or button.
DUTCH_LABELS = {
    "poging",
    "pogingen",
    "deel",
    "vraag",
    "vragen",
    "antwoord",
    "opslaan",
    "inleveren",
    "afronden",
    "geslaagd",
    "slaaggrens",
    "goed",
    "juist",
    "onjuist",
    "plaats",
    "deelnemer",
    "deelnemers",
    "vernieuwen",
    "sessie",
    "casus",
    "verder",
    "geantwoord",
}


class _InterfaceText(HTMLParser):
    """The page's text and messages outside the elements marked as Dutch content (lang="nl")."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, content, script)
        self.texts: list[str] = []

    def _inside(self, index: int) -> bool:
        return any(entry[index] for entry in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        content = tag != "html" and found.get("lang") == "nl"
        if not content and not self._inside(1):
            # Messages the scripts show and the labels screen readers read are interface too.
            self.texts += [
                value or ""
                for name, value in attrs
                if name.startswith("data-msg-") or name in ("aria-label", "data-confirm")
            ]
        if tag not in self.VOID:
            self.stack.append((tag, content, tag in ("script", "style", "title")))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._inside(1) and not self._inside(2):
            self.texts.append(data.strip())


def dutch_interface_text(html: str) -> list[str]:
    """Text on the page, outside Dutch content, that reads as Dutch."""
    parser = _InterfaceText()
    parser.feed(html)
    return [
        text
        for text in parser.texts
        if reads_as_dutch(text) or DUTCH_LABELS & set(re.findall(r"[a-zé]+", text.lower()))
    ]


def speaks_english(app: Flask, user: User) -> User:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(language="en"))
        db.session.commit()
    return user


@pytest.fixture
def english_learner(app: Flask, make_user: Callable[..., User]) -> FlaskClient:
    return client_for(app, speaks_english(app, make_user()))


def test_the_case_in_english_keeps_its_dutch_content_marked(english_learner: FlaskClient) -> None:
    intro = english_learner.get(CASE).get_data(as_text=True)
    assert '<html lang="en">' in intro
    assert "Final test." in intro or "Practice." in intro
    assert "Attempts" in intro and "Pass mark" in intro and ">Start<" in intro
    assert dutch_interface_text(intro) == []

    english_learner.post(f"{CASE}/starten")
    page = english_learner.get(CASE).get_data(as_text=True)
    # The vignette and the questions stay Dutch, marked as Dutch for a screen reader.
    assert re.search(r'<div class="vignette" lang="nl">', page)
    assert re.search(r'<legend lang="nl">', page)
    assert "Choose one answer." in page or "Choose all answers that apply." in page
    assert 'data-msg-saved="Saved at {time}."' in page
    assert dutch_interface_text(page) == []


def test_moving_on_with_open_questions_asks_in_english(english_learner: FlaskClient) -> None:
    english_learner.post(f"{CASE}/starten")
    data = {"attempt": "1", "stage": "0", "question": ["alleen-spreken"]}
    moved = english_learner.post(f"{CASE}/volgende", data=data)
    page = english_learner.get(moved.headers["Location"]).get_data(as_text=True)
    assert "questions still open in this part" in page or "question still open" in page
    assert "Go to part 2 anyway" in page
    assert "Nog niet beantwoord" not in page and "Not answered yet." in page
    assert dutch_interface_text(page) == []


def test_the_result_in_english(english_learner: FlaskClient) -> None:
    english_learner.post(f"{CASE}/starten")
    for stage in range(2):
        data = {"attempt": "1", "stage": str(stage), "bevestigd": "1"}
        assert english_learner.post(f"{CASE}/volgende", data=data).status_code == 302
        # The next part, with its ordering and free-text questions, and the locked parts.
        assert dutch_interface_text(english_learner.get(CASE).get_data(as_text=True)) == []
    submitted = english_learner.post(f"{CASE}/inleveren", data={"attempt": "1", "stage": "2"})
    result = english_learner.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "Result of attempt 1:" in result and "Your score" in result
    assert "Not passed" in result and "Your score per part" in result
    assert "Niet geslaagd" not in result
    assert dutch_interface_text(result) == []


def test_practice_feedback_in_english(english_learner: FlaskClient) -> None:
    english_learner.post(f"{CHECK}/starten")
    data = {
        "attempt": "1",
        "stage": "0",
        "question": ["signaal-begeleider"],
        "answer-signaal-begeleider": "nee-geen-signaal",
    }
    page = english_learner.post(f"{CHECK}/opslaan", data=data, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Wrong" in html and "your choice" in html and "Reread:" in html
    # The feedback is the course's, in Dutch, marked as such.
    assert re.search(r'<span lang="nl">\s*Klopt: de patiënt kan niet vrijuit praten', html)
    assert dutch_interface_text(html) == []


def test_a_dutch_learner_still_sees_dutch(app: Flask, make_user: Callable[..., User]) -> None:
    client = client_for(app, make_user())
    client.post(f"{CASE}/starten")
    page = client.get(CASE).get_data(as_text=True)
    assert '<html lang="nl">' in page and 'data-msg-saved="Opgeslagen om {time}."' in page
    # The same check that finds no Dutch on the English pages finds it here.
    assert dutch_interface_text(page)


def test_a_live_session_in_english(app: Flask, make_user: Callable[..., User]) -> None:
    ekc = client_for(app, speaks_english(app, make_user(role="trainer")))
    phone = client_for(app, speaks_english(app, make_user()))
    index = ekc.get("/live/leiden").get_data(as_text=True)
    assert "Start a session" in index and "Choose a case" in index
    assert dutch_interface_text(index) == []
    started = ekc.post("/live/leiden", data={"case": f"{COURSE}/testcasus", "cohort": ""})
    lead = ekc.get(started.location).get_data(as_text=True)
    code = re.search(r'class="live-code-inline">([A-Z0-9]{3}-[A-Z0-9]{3})<', lead).group(1)
    assert "Waiting for participants" in lead and "Next part" in lead
    assert dutch_interface_text(lead) == []

    join = phone.get(f"/live/{code}").get_data(as_text=True)
    assert "Join a live session" in join and dutch_interface_text(join) == []
    phone.post(f"/live/{code}/meedoen")
    session_id = started.location.rsplit("/", 1)[1]
    ekc.post(f"/live/sessie/{session_id}/stap", data={"step": "next"})
    ekc.post(f"/live/sessie/{session_id}/stap", data={"step": "open"})
    answering = phone.get(f"/live/{code}").get_data(as_text=True)
    assert "Send answer" in answering and 'class="live-vignette prose" lang="nl"' in answering
    assert dutch_interface_text(answering) == []
    screen = ekc.get(f"/live/sessie/{session_id}/scherm").get_data(as_text=True)
    assert '<html lang="en">' in screen and "1 participant" in screen
    assert dutch_interface_text(screen) == []
    lead = ekc.get(f"/live/sessie/{session_id}").get_data(as_text=True)
    assert "Questions open: part 1 of" in lead and "Discussion questions" in lead
    assert dutch_interface_text(lead) == []
