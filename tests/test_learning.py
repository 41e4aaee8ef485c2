"""Learning: catalogue, course page, lessons, completion, time on task, reference card."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from markupsafe import Markup
from pypdf import PdfReader
from sqlalchemy import event, select

from app import create_app
from app.content import get_catalog
from app.content.model import Source
from app.extensions import db
from app.learning.outline import Outline
from app.learning.pocket_card import render_pocket_card
from app.learning.progress import (
    complete_lesson,
    course_progress,
    progress_for_users,
    record_heartbeat,
)
from app.models import LessonProgress, User

from .conftest import FIXTURE_CONTENT, PASSWORD, PROJECT_ROOT, _base_config
from .statements import sent_statements

COURSE = "test-cursus"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SHIPPED_FONTS = PROJECT_ROOT / "certificates" / "fonts"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def rows(app: Flask, user_id: int) -> dict[str, LessonProgress]:
    with app.app_context():
        found = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user_id))
        return {row.lesson_slug: row for row in found}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def words_of(response) -> str:
    """The page as read: tags dropped, whitespace collapsed (content sits in lang-marked spans)."""
    return " ".join(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)).split())


@pytest.fixture
def learner(make_user, auth):
    user = make_user()
    auth.login(user)
    return user


@pytest.fixture
def clock(monkeypatch) -> Callable[[float], None]:
    """Set the time the learning views see, in seconds after T0."""
    now = {"value": T0}
    monkeypatch.setattr("app.clock.now", lambda: now["value"])

    def set_to(seconds: float) -> None:
        now["value"] = at(seconds)

    return set_to


# --- content trees and a second app on the same database --------------------------------------


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the fixture content."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "courses" / COURSE / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


THIRD_LESSON = """+++
title = "Een derde les"
minutes = 5
objectives = [
  "Je kunt iets.",
  "Je kunt nog iets.",
]
reviewed = 2026-12-01
+++

Een korte les die later weer uit de cursus verdwijnt.

## Kernboodschappen

- Lessen kunnen verdwijnen; voortgang niet.
"""


def add_third_lesson(root: Path) -> None:
    (root / "courses" / COURSE / "03-derde-les.md").write_text(THIRD_LESSON, encoding="utf-8")
    with (root / "courses" / COURSE / "course.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[[lessons]]\nslug = "derde-les"\n')


@contextmanager
def app_on(root: Path, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """Another app on the same database, serving the content under `root`."""
    other = create_app(
        {
            **_base_config(database_url, tmp_path),
            "COURSES_DIR": root / "courses",
            "QUIZZES_DIR": root / "quizzes",
        }
    )
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


# --- time on task ------------------------------------------------------------------------------


def test_time_on_task_adds_real_gaps_and_caps_idle_ones(app, make_user):
    user = make_user()
    with app.app_context():
        record_heartbeat(user.id, COURSE, "eerste-les", at(0), idle_cap=300)
        record_heartbeat(user.id, COURSE, "eerste-les", at(60), idle_cap=300)
        record_heartbeat(user.id, COURSE, "eerste-les", at(200), idle_cap=300)
        # Three hours away from the screen count as one capped gap, not three hours.
        record_heartbeat(user.id, COURSE, "eerste-les", at(200 + 3 * 3600), idle_cap=300)
        db.session.commit()
    row = rows(app, user.id)["eerste-les"]
    assert row.seconds_on_task == 60 + 140 + 300
    assert row.first_seen_at == at(0)
    assert row.last_seen_at == at(200 + 3 * 3600)


def test_repeated_or_out_of_order_heartbeats_add_no_time(app, make_user):
    user = make_user()
    with app.app_context():
        record_heartbeat(user.id, COURSE, "eerste-les", at(0))
        record_heartbeat(user.id, COURSE, "eerste-les", at(100))
        for _ in range(5):  # a burst of forged heartbeats at the same moment
            record_heartbeat(user.id, COURSE, "eerste-les", at(100))
        record_heartbeat(user.id, COURSE, "eerste-les", at(50))  # a late request from earlier
        db.session.commit()
    row = rows(app, user.id)["eerste-les"]
    assert row.seconds_on_task == 100
    assert row.last_seen_at == at(100)


def test_a_restarting_heartbeat_credits_nothing_for_the_time_away(app, make_user):
    user = make_user()
    with app.app_context():
        record_heartbeat(user.id, COURSE, "eerste-les", at(0))
        record_heartbeat(user.id, COURSE, "eerste-les", at(60))
        # The learner comes back after lunch and reopens the lesson: no phantom five minutes.
        record_heartbeat(user.id, COURSE, "eerste-les", at(3600), restart=True)
        record_heartbeat(user.id, COURSE, "eerste-les", at(3660))
        db.session.commit()
    assert rows(app, user.id)["eerste-les"].seconds_on_task == 60 + 60


def test_lesson_page_writes_nothing(client, app, learner, clock):
    clock(0)
    client.get(f"/leren/{COURSE}/eerste-les")  # a first view: loads the user, and so on
    with sent_statements(app) as statements:
        for seconds in (60, 120, 120 + 1200):  # within the 30-minute session idle limit
            clock(seconds)
            assert client.get(f"/leren/{COURSE}/eerste-les").status_code == 200
    assert statements and {s.split(None, 1)[0].upper() for s in statements} == {"SELECT"}
    assert rows(app, learner.id) == {}


def test_lesson_page_reads_the_database_once(client, app, learner, clock):
    """One query brings the learner and whether they completed this lesson; the page shows it."""
    clock(0)
    client.get(f"/leren/{COURSE}/eerste-les")
    with sent_statements(app) as statements:
        first = words_of(client.get(f"/leren/{COURSE}/eerste-les"))
        assert len(statements) == 1
        assert "Klaar met lezen?" in first and "afgerond op" not in first.lower()
        client.post(f"/leren/{COURSE}/eerste-les/afronden")
        statements.clear()
        done = words_of(client.get(f"/leren/{COURSE}/eerste-les"))
        assert len(statements) == 1
        assert "Je hebt deze les afgerond" in done and "Afgerond op" in done
        other = words_of(client.get(f"/leren/{COURSE}/tweede-les"))
        assert "Klaar met lezen?" in other  # the completion is this lesson's, not the last read


def test_lesson_links_follow_the_address_the_app_is_served_under(client, learner):
    """Links are remembered per app, but never across mount points (SCRIPT_NAME)."""
    plain = text_of(client.get(f"/leren/{COURSE}/eerste-les"))
    assert f'href="/leren/{COURSE}/tweede-les"' in plain
    mounted = text_of(
        client.get(f"/leren/{COURSE}/eerste-les", base_url="http://localhost/signaal")
    )
    assert f'href="/signaal/leren/{COURSE}/tweede-les"' in mounted
    assert 'action="/signaal/account/uitloggen"' in mounted
    assert f'href="/leren/{COURSE}/tweede-les"' not in mounted
    assert f'href="/leren/{COURSE}/tweede-les"' in text_of(
        client.get(f"/leren/{COURSE}/eerste-les")
    )


def beat(client, lesson: str = "eerste-les", **extra: str):
    return client.post(f"/leren/{COURSE}/actief", data={"kind": "lesson", "page": lesson, **extra})


def test_heartbeats_count_capped_study_time(client, app, learner, clock):
    clock(0)
    assert beat(client, start="1").status_code == 204
    clock(60)
    assert beat(client).status_code == 204
    clock(120)
    assert beat(client).status_code == 204
    # The laptop went to sleep (for less than the session's idle timeout, which would end it).
    clock(120 + 20 * 60)
    beat(client)
    beat(client)
    assert rows(app, learner.id)["eerste-les"].seconds_on_task == 60 + 60 + 300
    page = text_of(client.get(f"/leren/{COURSE}"))
    assert "Studietijd tot nu toe: <strong>7 minuten</strong>" in page


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": False}])
def test_lessons_open_in_parallel_tabs_share_one_clock(client, app, learner, clock):
    """Seven tabs beating every minute for ten minutes earn ten minutes, not seventy."""
    tabs = ["eerste-les", "tweede-les"] * 3 + ["eerste-les"]
    clock(0)
    for lesson in tabs:
        beat(client, lesson, start="1")
    for minute in range(1, 11):
        for tab, lesson in enumerate(tabs):
            clock(minute * 60 + tab)  # the tabs' timers drift apart by a second each
            assert beat(client, lesson).status_code == 204
    found = rows(app, learner.id)
    total = sum(row.seconds_on_task for row in found.values())
    assert total == 10 * 60 + len(tabs) - 1  # the wall-clock time from first to last beat
    assert set(found) == {"eerste-les", "tweede-les"}
    page = text_of(client.get(f"/leren/{COURSE}"))
    assert "Studietijd tot nu toe: <strong>10 minuten</strong>" in page


def test_heartbeat_for_an_unknown_page_is_a_404(client, learner):
    assert beat(client, "bestaat-niet").status_code == 404
    assert (
        client.post(
            f"/leren/{COURSE}/actief", data={"kind": "onbekend", "page": "eerste-les"}
        ).status_code
        == 404
    )


def test_concurrent_heartbeats_never_count_time_twice(app, make_user):
    user = make_user()
    errors: list[BaseException] = []

    def race(*beats: tuple[str, float]) -> None:
        barrier = threading.Barrier(len(beats))

        def send(lesson: str, seconds: float) -> None:
            try:
                with app.app_context():
                    barrier.wait(timeout=10)
                    record_heartbeat(user.id, COURSE, lesson, at(seconds))
                    db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)

        threads = [threading.Thread(target=send, args=b) for b in beats]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    race(("eerste-les", 0), ("eerste-les", 0), ("tweede-les", 0))
    race(("eerste-les", 60), ("tweede-les", 120), ("eerste-les", 120))
    assert errors == []
    found = rows(app, user.id)
    assert set(found) == {"eerste-les", "tweede-les"}
    # In any order the learner was there for 120 s, whichever tab claimed which part.
    assert sum(row.seconds_on_task for row in found.values()) == 120


# --- completion and progress --------------------------------------------------------------------


def test_completing_a_lesson_records_it_once(app, make_user):
    user = make_user()
    with app.app_context():
        complete_lesson(user.id, COURSE, "eerste-les", at(10))
        complete_lesson(user.id, COURSE, "eerste-les", at(99))
        db.session.commit()
        course = get_catalog().course(COURSE)
        assert course_progress(user.id, course).completed == frozenset({"eerste-les"})
    assert rows(app, user.id)["eerste-les"].completed_at == at(10)


def test_les_afronden_records_completion_and_moves_on(client, app, learner):
    client.get(f"/leren/{COURSE}/eerste-les")
    response = client.post(f"/leren/{COURSE}/eerste-les/afronden")
    assert response.status_code == 302
    if "quizzes.show" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            check = url_for("quizzes.show", course_slug=COURSE, quiz_slug="check-eerste-les")
        assert response.headers["Location"] == check
    else:
        assert response.headers["Location"] == f"/leren/{COURSE}/tweede-les"
    assert rows(app, learner.id)["eerste-les"].completed_at is not None
    # The last lesson has no check: back to the course page.
    response = client.post(f"/leren/{COURSE}/tweede-les/afronden")
    assert response.headers["Location"] == f"/leren/{COURSE}"
    page = text_of(client.get(f"/leren/{COURSE}"))
    assert "2 van 2 lessen afgerond (100%)" in page
    assert "Alle lessen afgerond" in page


def test_course_progress_of_a_new_learner_points_at_the_first_lesson(app, make_user):
    user = make_user()
    with app.app_context():
        summary = course_progress(user.id, get_catalog().course(COURSE))
    assert summary.started is False
    assert (summary.percent, summary.seconds_on_task, summary.last_activity) == (0, 0, None)
    assert summary.resume is not None and summary.resume.slug == "eerste-les"


def test_resume_is_the_last_viewed_lesson_unless_it_is_completed(app, make_user):
    user = make_user()
    with app.app_context():
        course = get_catalog().course(COURSE)
        record_heartbeat(user.id, COURSE, "tweede-les", at(0))
        record_heartbeat(user.id, COURSE, "eerste-les", at(30))
        assert course_progress(user.id, course).resume.slug == "eerste-les"
        complete_lesson(user.id, COURSE, "eerste-les", at(40))
        # Last viewed is done: continue with the first lesson not completed.
        assert course_progress(user.id, course).resume.slug == "tweede-les"
        complete_lesson(user.id, COURSE, "tweede-les", at(50))
        summary = course_progress(user.id, course)
    assert summary.resume is None
    assert summary.percent == 100 and summary.finished
    # The 30 s between the two heartbeats go to the lesson whose heartbeat claimed them;
    # completing adds no time itself.
    assert summary.seconds_on_task == 30
    assert summary.last_activity == at(50)
    assert summary.started


def test_progress_for_many_learners_takes_one_query(app, make_user):
    users = [make_user() for _ in range(12)]
    with app.app_context():
        for index, user in enumerate(users[:8]):
            record_heartbeat(user.id, COURSE, "eerste-les", at(0))
            record_heartbeat(user.id, COURSE, "eerste-les", at(index * 10))
            if index % 2:
                complete_lesson(user.id, COURSE, "eerste-les", at(index * 10))
        db.session.commit()
        course = get_catalog().course(COURSE)
        statements: list[str] = []

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            summaries = progress_for_users([user.id for user in users], course)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert set(summaries) == {user.id for user in users}
    assert [summaries[user.id].percent for user in users[:4]] == [0, 50, 0, 50]
    assert summaries[users[7].id].seconds_on_task == 70
    assert not summaries[users[11].id].started


def test_progress_survives_an_edited_lesson(app, make_user, content, database_url, tmp_path):
    user = make_user()
    with app.app_context():
        record_heartbeat(user.id, COURSE, "eerste-les", at(0))
        record_heartbeat(user.id, COURSE, "eerste-les", at(120))
        complete_lesson(user.id, COURSE, "eerste-les", at(120))
        db.session.commit()
    edit(
        content,
        "01-eerste-les.md",
        "Deze les laat zien welke signalen",
        "Deze herschreven les laat zien welke signalen",
    )
    with app_on(content, database_url, tmp_path) as edited, edited.app_context():
        course = get_catalog().course(COURSE)
        assert "herschreven" in course.lesson("eerste-les").html
        summary = course_progress(user.id, course)
    assert summary.completed == frozenset({"eerste-les"})
    assert (summary.percent, summary.seconds_on_task) == (50, 120)


def test_a_removed_lesson_stops_counting_but_its_rows_stay(
    app, make_user, content, database_url, tmp_path
):
    user = make_user()
    add_third_lesson(content)
    with app_on(content, database_url, tmp_path) as longer, longer.app_context():
        for slug in ("eerste-les", "derde-les"):
            record_heartbeat(user.id, COURSE, slug, at(0))
            record_heartbeat(user.id, COURSE, slug, at(100))
            complete_lesson(user.id, COURSE, slug, at(100))
        db.session.commit()
        assert course_progress(user.id, get_catalog().course(COURSE)).percent == 66
    # The fixture course (the `app`) no longer has derde-les.
    with app.app_context():
        summary = course_progress(user.id, get_catalog().course(COURSE))
    assert summary.completed == frozenset({"eerste-les"})
    assert (summary.percent, summary.seconds_on_task) == (50, 100)
    assert summary.resume.slug == "tweede-les"
    assert set(rows(app, user.id)) == {"eerste-les", "derde-les"}


# --- pages -------------------------------------------------------------------------------------


def test_anonymous_visitors_get_a_landing_page(client):
    page = text_of(client.get("/"))
    assert "9 op de 10" in page and "1 op de 5" in page and "CoMensha" in page
    assert 'href="/account/registreren"' in page and 'href="/account/inloggen"' in page
    assert "Testcursus signalen van mensenhandel" in page
    assert "Mijn cursussen" not in page


def test_my_courses_show_progress_and_where_to_continue(client, learner):
    page = text_of(client.get("/"))
    assert "<h1>Mijn cursussen</h1>" in page
    assert "Begin met de cursus" in page
    client.get(f"/leren/{COURSE}/tweede-les")
    beat(client, "tweede-les", start="1")  # what the page's script sends on opening
    page = text_of(client.get("/"))
    assert 'aria-valuenow="0"' in page
    assert "Verder waar je was" in page
    assert f'href="/leren/{COURSE}/tweede-les">Verder waar je was' in page


def test_course_page_shows_path_progress_and_verder_waar_je_was(client, app, learner):
    page = text_of(client.get(f"/leren/{COURSE}"))
    assert "Accreditatie aangevraagd bij ABC1" in page
    assert "Studiebelasting" in page and "30 minuten" in page
    words = words_of(client.get(f"/leren/{COURSE}"))
    assert "Les 1: Signalen herkennen" in words and "Les 2: De meldcode in vijf stappen" in words
    assert "Anna, 22 jaar, met buikpijn" in page  # the final assessment case
    assert "Begin met les 1" in page
    if "quizzes.show" in app.view_functions:
        assert f"/{COURSE}/check-eerste-les" in page
    if "certificates.course" in app.view_functions:
        assert "Certificaat en voorwaarden" in page
    client.get(f"/leren/{COURSE}/eerste-les")
    client.post(f"/leren/{COURSE}/eerste-les/afronden")
    client.get(f"/leren/{COURSE}/tweede-les")
    page = text_of(client.get(f"/leren/{COURSE}"))
    assert "1 van 2 lessen afgerond (50%)" in page
    assert 'aria-valuenow="50"' in page
    assert f'href="/leren/{COURSE}/tweede-les">Verder waar je was</a>' in page
    assert page.count("status-done") == 1


def test_lesson_page_has_objectives_navigation_completion_form_and_heartbeat(client, learner):
    page = text_of(client.get(f"/leren/{COURSE}/eerste-les"))
    assert "Je kunt drie signalen van uitbuiting in het consult benoemen." in page
    assert 'class="admonition signaal"' in page  # the lesson HTML, rendered, not escaped
    assert f'action="/leren/{COURSE}/eerste-les/afronden"' in page
    assert "Les afronden" in page
    # The check's title without a doubled "check" or a full stop after its question mark.
    assert "Daarna volgt een korte check: welke signalen herken je?" in " ".join(
        re.sub(r"<[^>]+>", "", page).split()
    )
    assert "?." not in page and "Check: Check" not in page
    assert f'href="/leren/{COURSE}/tweede-les" rel="next"' in page
    assert f'data-heartbeat-url="/leren/{COURSE}/actief"' in page
    assert 'data-heartbeat-kind="lesson" data-heartbeat-page="eerste-les"' in page
    assert 'src="/static/js/study-time.js"' in page
    # Sources follow the completion button.
    assert page.index("Les afronden") < page.index("Signalenlijst mensenhandel")
    page = text_of(client.get(f"/leren/{COURSE}/tweede-les"))
    assert f'href="/leren/{COURSE}/eerste-les" rel="prev"' in page


@pytest.mark.parametrize(
    "path",
    [
        f"/leren/{COURSE}",
        f"/leren/{COURSE}/eerste-les",
    ],
)
def test_anonymous_users_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/inloggen?next=")


def test_heartbeats_are_rate_limited_per_learner(client, learner):
    codes = [beat(client).status_code for _ in range(21)]
    assert codes == [204] * 20 + [429]


def test_anonymous_heartbeat_is_sent_to_log_in(client):
    response = beat(client)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/inloggen")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/leren/bestaat-niet"),
        ("get", f"/leren/{COURSE}/bestaat-niet"),
        ("get", "/leren/bestaat-niet/eerste-les"),
        ("get", "/leren/bestaat-niet/signalenkaart"),
        ("get", "/leren/bestaat-niet/signalenkaart.pdf"),
        ("post", f"/leren/{COURSE}/bestaat-niet/afronden"),
        ("post", "/leren/bestaat-niet/actief"),
    ],
)
def test_unknown_course_or_lesson_is_404(client, app, learner, method, path):
    response = getattr(client, method)(path, data={"kind": "lesson", "page": "eerste-les"})
    assert response.status_code == 404
    assert "Pagina niet gevonden" in text_of(response)
    assert rows(app, learner.id) == {}


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_heartbeat_and_completion_need_the_csrf_token(client, app, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    page = text_of(client.get(f"/leren/{COURSE}/eerste-les"))
    token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    assert beat(client).status_code == 400
    response = client.post(
        f"/leren/{COURSE}/actief",
        data={"kind": "lesson", "page": "eerste-les"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 204
    assert client.post(f"/leren/{COURSE}/eerste-les/afronden").status_code == 400
    assert rows(app, user.id)["eerste-les"].completed_at is None
    response = client.post(f"/leren/{COURSE}/eerste-les/afronden", data={"csrf_token": token})
    assert response.status_code == 302
    assert rows(app, user.id)["eerste-les"].completed_at is not None


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_every_page_token_of_a_session_is_accepted_and_another_session_has_its_own(
    client, app, make_user
):
    user = make_user()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    tokens = [
        re.search(
            r'data-csrf-token="([^"]+)"', text_of(client.get(f"/leren/{COURSE}/{slug}"))
        ).group(1)
        for slug in ("eerste-les", "tweede-les")
    ]
    for token in reversed(tokens):
        response = client.post(
            f"/leren/{COURSE}/actief",
            data={"kind": "lesson", "page": "eerste-les"},
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 204
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = make_user().get_id()
        session["_fresh"] = True
    page = text_of(other.get(f"/leren/{COURSE}/eerste-les"))
    assert re.search(r'data-csrf-token="([^"]+)"', page).group(1) not in tokens
    response = other.post(
        f"/leren/{COURSE}/actief",
        data={"kind": "lesson", "page": "eerste-les"},
        headers={"X-CSRFToken": tokens[0]},
    )
    assert response.status_code == 400


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


HOSTILE = """
<script>alert('les')</script>

Een alinea met <img src="x" onerror="alert('img')"> en <a href="javascript:alert('a')" onclick="alert('klik')">een link</a>.

<div onmouseover="alert('div')"><iframe src="https://example.org"></iframe></div>

<svg onload="alert('svg')"></svg>

[Nog een link](javascript:alert('md'))
"""


def test_script_in_content_never_reaches_the_lesson_page(
    make_user, content, database_url, tmp_path, app
):
    edit(
        content,
        "01-eerste-les.md",
        "## Wat je kunt opmerken",
        HOSTILE + "\n## Wat je kunt opmerken",
    )
    user = make_user()
    with app_on(content, database_url, tmp_path) as hostile:
        client = hostile.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
        response = client.get(f"/leren/{COURSE}/eerste-les")
    page = text_of(response)
    assert response.status_code == 200
    assert "Een alinea met" in page  # the text itself survives
    parser = _Tags()
    parser.feed(page)
    scripts = [attrs.get("src") for tag, attrs in parser.tags if tag == "script"]
    assert scripts and all(src and src.startswith("/static/js/") for src in scripts)
    # The layout's own logo is the one image; the lesson content adds none.
    images = [attrs.get("src") for tag, attrs in parser.tags if tag == "img"]
    assert images == ["/logo.png"]
    assert not [tag for tag, _ in parser.tags if tag in ("iframe", "svg")]
    handlers = [
        (tag, name) for tag, attrs in parser.tags for name in attrs if name.startswith("on")
    ]
    assert handlers == []
    hrefs = [attrs.get("href") or "" for _, attrs in parser.tags]
    assert not [href for href in hrefs if href.lower().startswith("javascript:")]
    assert "alert(" not in page


def test_reference_card_page_lists_signals_steps_and_numbers(client, learner):
    page = text_of(client.get(f"/leren/{COURSE}/signalenkaart"))
    assert '<h1 lang="nl">Signalenkaart testcursus</h1>' in page
    assert "Arbeidsuitbuiting" in page and "Een schuld bij de werkgever" in page
    assert "Stap 5: Beslissen over melden" in words_of(client.get(f"/leren/{COURSE}/signalenkaart"))
    assert 'href="tel:0800-2000"' in page
    assert f'href="/leren/{COURSE}/signalenkaart.pdf"' in page
    assert "KNMG (2023). <cite>KNMG-meldcode kindermishandeling en huiselijk geweld</cite>." in page


def test_lesson_page_shows_review_date_and_numbered_sources(client, learner):
    page = text_of(client.get(f"/leren/{COURSE}/tweede-les"))
    assert "Laatst herzien: 2 december 2026" in page
    bronnen = page[page.index('<h2 id="bronnen">Bronnen</h2>') :]
    # Numbered in order of first citation, each citation a superscript link to its entry.
    assert bronnen.index('id="bron-1">KNMG (2023)') < bronnen.index('id="bron-2">Veilig Thuis')
    assert '<a href="https://www.veiligthuis.nl/">' in bronnen
    assert page.count('<sup><a class="footnote-ref" href="#bron-1"') == 1
    assert page.count('<sup><a class="footnote-ref" href="#bron-2"') == 1


def test_course_page_names_editors_reviewers_and_interests(client, learner):
    page = text_of(client.get(f"/leren/{COURSE}"))
    assert "<dt>Redactie</dt>" in page and "redactie Signaal (plaatsaanduiding" in page
    assert "reviewer jurist (plaatsaanduiding) (jurist)" in " ".join(
        re.sub(r"<[^>]+>", "", page).split()
    )
    assert "laatst herzien 1 december 2026" in page
    assert "<dt>Belangen</dt>" in page and "melden geen belangen" in page


# --- the printable pocket card -----------------------------------------------------------------


def pdf_fonts(data: bytes) -> set[str]:
    fonts = PdfReader(BytesIO(data)).pages[0]["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(BytesIO(data))
    return len(reader.pages), " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_pocket_card_download_is_a6_with_steps_and_numbers(client, app, learner):
    response = client.get(f"/leren/{COURSE}/signalenkaart.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages, text = pdf_text(response.data)
    for page in PdfReader(BytesIO(response.data)).pages:
        # A6: fits a coat pocket, and reads on a phone without zooming.
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (298, 420)
    with app.app_context():
        card = get_catalog().course(COURSE).reference
    for _, name, _ in card.meldcode:
        assert name in text
    assert "0800-2000" in text
    assert "Werkgever regelt huisvesting en vervoer" in text
    assert "KNMG (2023). KNMG-meldcode kindermishandeling en huiselijk geweld." in text


def long_card(app):
    with app.app_context():
        card = get_catalog().course(COURSE).reference
    many = tuple(
        (f"Vorm {n}", tuple(f"Signaal {n}.{i} met een wat langere omschrijving" for i in range(7)))
        for n in range(8)
    )
    address = "https://www.example.nl/publicaties/rapporten/2024/mensenhandel-signalen-in-de-zorg"
    long_source = Source(title="Lange bron", publisher="Uitgever", year=2024, url=address)
    return dataclasses.replace(card, signals=many, sources=(*card.sources, long_source) * 3)


def test_a_long_pocket_card_flows_over_full_a6_pages_at_a_readable_size(app):
    data = render_pocket_card(long_card(app), SHIPPED_FONTS)
    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) > 1
    pages, text = pdf_text(data)
    assert "Vorm 7" in text and "0800-2000" in text
    # No page but the last is left with an empty fifth: content flows on, nothing shrinks.
    for page in reader.pages[:-1]:
        assert lowest_text(page) < float(page.mediabox.height) / 5


def lowest_text(page) -> float:
    """The height of the lowest line of text above the page number, in points."""
    heights: list[float] = []

    def visit(text, cm, tm, *_):
        if text.strip():
            heights.append(cm[5] + tm[5])

    page.extract_text(visitor_text=visit)
    return min(y for y in heights if y > 25)


def test_every_font_of_the_pocket_card_is_embedded(app):
    data = render_pocket_card(long_card(app), SHIPPED_FONTS)
    for page in PdfReader(BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
    assert pdf_fonts(data) == {"DejaVuSans", "DejaVuSans-Bold"}


def test_pocket_card_addresses_break_only_between_path_parts(app):
    data = render_pocket_card(long_card(app), SHIPPED_FONTS)
    lines = [
        line.strip()
        for page in PdfReader(BytesIO(data)).pages
        for line in page.extract_text().splitlines()
    ]
    address = "https://www.example.nl/publicaties/rapporten/2024/mensenhandel-signalen-in-de-zorg"
    at = lines.index(next(line for line in lines if line.startswith("https://www.example.nl")))
    parts = [lines[at]]
    while "".join(parts) != address:
        at += 1
        parts.append(lines[at])
    assert len(parts) > 1  # it did need breaking
    assert all(part[-1] in "/?&=.-" for part in parts[:-1]), parts


def test_pocket_card_needs_the_shipped_font(app, tmp_path):
    from app.fonts import FontMissing

    with app.app_context():
        card = get_catalog().course(COURSE).reference
    with pytest.raises(FontMissing):
        render_pocket_card(card, tmp_path)


@pytest.mark.parametrize("suffix", ["", ".pdf"])
def test_a_logged_out_visitor_following_a_card_link_gets_a_clear_page(client, suffix):
    response = client.get(f"/leren/{COURSE}/signalenkaart{suffix}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Signalenkaart</h1>" in page
    assert "Testcursus signalen van mensenhandel" in page
    assert f'href="/account/inloggen?next=/leren/{COURSE}/signalenkaart"' in page
    assert 'href="/account/registreren"' in page


def test_course_page_shows_how_each_assessment_case_stands(client, learner, make_attempt):
    page = text_of(client.get("/leren/test-cursus"))
    assert "0 van 1 casussen gehaald" in page
    for number, score in ((1, 0.5), (2, 0.8)):
        make_attempt(learner, number=number, score=score)
        page = text_of(client.get("/leren/test-cursus"))
        if number == 1:
            assert "nog niet gehaald: beste score 50%" in page
            assert "nog 2 pogingen" in page
    assert "gehaald (80%)" in page
    assert "1 van 1 casussen gehaald" in page


def test_public_course_page_for_an_anonymous_visitor(app, client):
    page = client.get("/cursus/test-cursus").get_data(as_text=True)
    assert "Testcursus signalen van mensenhandel" in page
    assert "Account aanmaken en beginnen" in page
    # Objectives per lesson, the load, the accreditation without invented points.
    course = app.extensions["catalog"].courses["test-cursus"]
    for lesson in course.lessons:
        for objective in lesson.objectives:
            assert objective in page
    assert "Aangevraagd bij ABC1" in page and "punten" in page
    assert "2 punten" not in page
    assert "Redactie" in page and "Belangen" in page
    assert "Laatst herzien" in page
    # The audience by label, never the stored values (gp, gp_trainee, ...).
    audience = "Huisarts, Huisarts in opleiding (aios), Praktijkondersteuner"
    assert f"<dt>Voor wie</dt><dd>{audience}</dd>" in page
    landing = client.get("/").get_data(as_text=True)
    assert 'href="/cursus/test-cursus"' in landing
    assert 'href="/privacy"' in landing and 'href="/contact"' in landing


def test_privacy_and_contact_pages_say_what_is_kept_and_who_to_write(app, client):
    app.config["CONTACT_EMAIL"] = "privacy@signaal.example.nl"
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "BIG-nummer" in privacy and "PE-online" in privacy
    assert "privacy@signaal.example.nl" in privacy
    contact = client.get("/contact").get_data(as_text=True)
    assert "mailto:privacy@signaal.example.nl" in contact
    assert "0800-2000" in contact


# --- the lesson's table of contents ----------------------------------------------------------


def test_a_lesson_lists_its_sections_and_each_link_reaches_its_heading(client, auth, learner):
    auth.login(learner)
    page = client.get(f"/leren/{COURSE}/eerste-les").get_data(as_text=True)
    toc = page.split('<nav class="lesson-toc"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc)
    assert [text for _, text in links] == [
        "Wat je kunt opmerken",
        "De patiënt alleen spreken",
        "Kernboodschappen",
    ]
    for ident, text in links:
        assert f'<h2 id="{ident}">{text}</h2>' in page


def test_a_table_of_contents_needs_three_sections():
    three = (("kop-a", "A"), ("kop-b", "B"), ("kop-c", "C"))
    assert Outline(Markup(""), three).worth_showing
    assert not Outline(Markup(""), three[:2]).worth_showing


def test_the_site_and_the_certificate_share_one_logo(app, client):
    from app.certificates.pdf import latest_layout

    layout = latest_layout(app.config["CERTIFICATES_DIR"], app.config["CERTIFICATE_LAYOUT"])
    with client.get("/logo.png") as response:
        assert response.mimetype == "image/png"
        assert response.data == layout.logo.read_bytes()
    assert 'src="/logo.png"' in client.get("/").get_data(as_text=True)


def test_time_on_a_case_page_counts_as_study_time(client, app, learner, clock):
    clock(0)
    client.post(f"/quiz/{COURSE}/testcasus/starten")
    page = client.get(f"/quiz/{COURSE}/testcasus").get_data(as_text=True)
    assert 'data-heartbeat-kind="case"' in page and 'data-heartbeat-page="testcasus"' in page

    def case_beat(**extra: str):
        data = {"kind": "case", "page": "testcasus", **extra}
        return client.post(f"/leren/{COURSE}/actief", data=data)

    assert case_beat(start="1").status_code == 204
    clock(60)
    assert case_beat().status_code == 204
    clock(120)
    assert beat(client).status_code == 204  # then a lesson, on the same clock
    with app.app_context():
        course = get_catalog().course(COURSE)
        assert course_progress(learner.id, course).seconds_on_task == 120
    assert (
        client.post(
            f"/leren/{COURSE}/actief", data={"kind": "case", "page": "bestaat-niet"}
        ).status_code
        == 404
    )


# --- the lesson page kept per variant (app.kept_pages) and its user read (app.session_user) -----


def _csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'(?:name="csrf_token" value|data-csrf-token)="([^"]+)"', html))


def test_each_reader_of_a_kept_lesson_page_gets_their_own_token_date_and_menu(
    app, make_user, clock
):
    """The page is rendered once per variant; what differs per reader is still their own."""
    readers = {
        "early": make_user(),
        "late": make_user(language="en"),
        "trainer": make_user(role="trainer"),
    }
    pages = {}
    for name, user in readers.items():
        clock({"early": 0, "late": 40 * 86400, "trainer": 41 * 86400}[name])
        client = app.test_client()
        client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
        if name != "trainer":
            client.post(f"/leren/{COURSE}/eerste-les/afronden")
            client.get(f"/leren/{COURSE}")  # shows and so clears the flashed message
        pages[name] = [text_of(client.get(f"/leren/{COURSE}/eerste-les")) for _ in range(2)]
    tokens = {name: _csrf_tokens(html) for name, (html, _) in pages.items()}
    for name, (first, second) in pages.items():
        assert first == second  # the kept page, filled in again, is the page
        assert len(tokens[name]) == 1  # heartbeat, completion and logout: the reader's token
    assert len(set.union(*tokens.values())) == 3
    early, late, trainer = (words_of_html(pages[n][0]) for n in ("early", "late", "trainer"))
    assert "Afgerond op 2 maart 2026." in early and "Mijn groep" in early
    assert "Completed on April 11, 2026." in late and "My group" in late and "0% read" in late
    assert "Klaar met lezen?" in trainer and "Groepen" in trainer and "Mijn groep" not in trainer


def words_of_html(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_a_kept_lesson_page_equals_the_page_rendered_in_full(client, app, learner, clock):
    """A flashed message makes the page render in full; but for the message, it is the same."""
    clock(0)
    client.post(f"/leren/{COURSE}/eerste-les/afronden")  # flashes "Les 1 is afgerond."
    full = text_of(client.get(f"/leren/{COURSE}/eerste-les"))
    kept = text_of(client.get(f"/leren/{COURSE}/eerste-les"))
    assert "Les 1 is afgerond." in full and "Les 1 is afgerond." not in kept
    flashes = re.search(r'<div class="flashes".*?</div>', full, re.DOTALL)
    assert flashes is not None
    # Equal but for the message (and the blank lines its block leaves).
    assert full.replace(flashes.group(0), "").split() == kept.split()


def test_a_kept_page_cannot_show_what_differs_per_user(app, learner):
    from flask_login import login_user

    from app.kept_pages import KeptPageError, render_kept

    page = app.jinja_env.from_string("<p>{{ current_user.email }}</p>")
    with app.test_request_context("/"):
        login_user(db.session.get(User, learner.id))
        with pytest.raises(KeptPageError, match="current_user.email"):
            render_kept(page, object(), {}, dict)


def test_a_read_page_knows_its_reader_and_ends_with_the_session(app, learner):
    """The lesson reads its user past the ORM, as a `Reader`: who it is, the role and language
    the page needs; a session that has ended (logout elsewhere, deletion) reads no one."""
    from app.session_user import Reader, user_of_session

    lesson = f"/leren/{COURSE}/eerste-les"
    with app.test_request_context(lesson):
        user = db.session.get(User, learner.id)
        session_id = user.get_id()
        app.preprocess_request()  # the request's endpoint and arguments
        read = user_of_session(session_id)
        assert read == Reader(user.id, user.role, user.language, session_id)
        assert read.is_authenticated and read.has_role("learner")
        with pytest.raises(AttributeError):
            read.email  # noqa: B018 (nothing personal beyond what the page needs)
        assert user_of_session(User.session_id_of(user.id, user.session_version, 99)) is None
        user.deleted_at = at(0)
        db.session.commit()
        assert user_of_session(session_id) is None
