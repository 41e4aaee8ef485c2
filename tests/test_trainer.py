"""Trainers: cohorts and join codes, invitations, access, overview, CSV, learner detail,
item analysis, charts, the query-count bound and `flask seed`."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import math
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, func, select, update

from app.content import get_catalog
from app.content.model import Option, Question
from app.extensions import db
from app.learning.progress import complete_lesson
from app.models import (
    Answer,
    Attempt,
    AttemptGrant,
    AuditEvent,
    Certificate,
    Cohort,
    CohortInvite,
    CohortMember,
    Evaluation,
    KeptItemSums,
    LearnerStanding,
    LessonProgress,
    User,
    utcnow,
)
from app.trainer import charts, cohorts
from app.trainer.item_analysis import ItemResponse, analyse, analyse_sums, pearson
from tests.factories import build_attempt

COURSE = "test-cursus"
CASE = "testcasus"


# --- helpers ---------------------------------------------------------------------------------


def make_cohort(
    app: Flask, trainer: User, name: str = "Praktijk De Linde", **fields: Any
) -> tuple[int, str]:
    """Create a cohort for the trainer; return (id, join code)."""
    with app.app_context():
        owner = db.session.get(User, trainer.id)
        cohort = cohorts.create_cohort(owner, name, COURSE)
        for key, value in fields.items():
            setattr(cohort, key, value)
        db.session.commit()
        return cohort.id, cohort.join_code


def add_member(app: Flask, cohort_id: int, user: User) -> None:
    with app.app_context():
        db.session.add(CohortMember(cohort_id=cohort_id, user_id=user.id))
        db.session.commit()


def complete_lessons(app: Flask, user: User, *slugs: str, when: dt.datetime | None = None) -> None:
    when = when or utcnow()
    with app.app_context():
        for slug in slugs:
            db.session.add(
                LessonProgress(
                    user_id=user.id,
                    course_slug=COURSE,
                    lesson_slug=slug,
                    first_seen_at=when - dt.timedelta(minutes=20),
                    last_seen_at=when,
                    completed_at=when,
                    seconds_on_task=600,
                )
            )
        db.session.commit()


def add_attempt(
    app: Flask,
    user: User,
    number: int,
    score: float | None,
    answers: list[dict[str, Any]] = (),  # type: ignore[assignment]
    quiz: str = CASE,
) -> None:
    """An attempt at the test case; score None leaves it open (not submitted)."""
    with app.app_context():
        attempt = build_attempt(user.id, quiz, number=number, score=score)
        for values in answers:
            attempt.answers.append(Answer(stage_id="eerste-consult", **values))
        db.session.add(attempt)
        db.session.commit()


def scored_answers(**scores: float) -> list[dict[str, Any]]:
    return [
        {"question_id": q, "response": ["x"], "readable": f"antwoord op {q}", "score": s}
        for q, s in scores.items()
    ]


@pytest.fixture
def trainer(make_user: Any) -> User:
    return make_user(
        role="trainer", first_name="Mehmet", tussenvoegsel="", surname="Yıldız", profession="other"
    )


@pytest.fixture
def learner(make_user: Any) -> User:
    return make_user(first_name="Sara", surname="Meer", tussenvoegsel="van der")


# --- access control --------------------------------------------------------------------------


def trainer_urls(cohort_id: int, user_id: int) -> list[str]:
    return [
        f"/groepen/{cohort_id}",
        f"/groepen/{cohort_id}/deelnemers.csv",
        f"/groepen/{cohort_id}/grafiek/trechter.svg",
        f"/groepen/{cohort_id}/herinnering",
        f"/groepen/{cohort_id}/beheer",
        f"/groepen/{cohort_id}/itemanalyse",
        f"/groepen/{cohort_id}/deelnemers/{user_id}",
    ]


def test_learner_gets_403_on_every_trainer_page(app, client, auth, trainer, learner):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, learner)
    auth.login(learner)
    for url in [
        "/groepen",
        "/groepen/nieuw",
        "/groepen/itemanalyse",
        *trainer_urls(cohort_id, learner.id),
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(f"/groepen/{cohort_id}/deelnemers/{learner.id}/extra-poging/{CASE}")
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptGrant)) == 0


def test_anonymous_visitor_is_sent_to_login(app, client, trainer):
    cohort_id, _ = make_cohort(app, trainer)
    response = client.get(f"/groepen/{cohort_id}")
    assert response.status_code == 302
    assert "/account/inloggen" in response.headers["Location"]


def test_trainer_cannot_open_another_trainers_cohort(
    app, client, auth, trainer, learner, make_user
):
    other = make_user(role="trainer", profession="other", big_number=None)
    cohort_id, _ = make_cohort(app, other, "Andermans groep")
    add_member(app, cohort_id, learner)
    auth.login(trainer)
    for url in trainer_urls(cohort_id, learner.id):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/groepen/{cohort_id}/nieuwe-code").status_code == 404
    assert (
        client.post(f"/groepen/{cohort_id}/deelnemers/{learner.id}/extra-poging/{CASE}").status_code
        == 404
    )
    assert "Andermans groep" not in client.get("/groepen").get_data(as_text=True)


def test_trainer_cannot_open_a_learner_outside_the_cohort(app, client, auth, trainer, make_user):
    outsider = make_user()
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(trainer)
    assert client.get(f"/groepen/{cohort_id}/deelnemers/{outsider.id}").status_code == 404


def test_admin_sees_every_cohort_and_the_course_wide_item_analysis(
    app, client, auth, trainer, make_user
):
    admin = make_user(role="admin", profession="other", big_number=None)
    cohort_id, _ = make_cohort(app, trainer, "Groep van een ander")
    auth.login(admin)
    assert "Groep van een ander" in client.get("/groepen").get_data(as_text=True)
    assert client.get(f"/groepen/{cohort_id}").status_code == 200
    assert client.get("/groepen/itemanalyse").status_code == 200


def test_trainer_gets_403_on_the_course_wide_item_analysis(client, auth, trainer):
    auth.login(trainer)
    assert client.get("/groepen/itemanalyse").status_code == 403


# --- creating cohorts, join codes ------------------------------------------------------------


def test_trainer_creates_cohort_and_sees_code_and_link(app, client, auth, trainer):
    auth.login(trainer)
    response = client.post(
        "/groepen/nieuw", data={"name": "HAGRO Utrecht-Oost", "course": COURSE, "join_until": ""}
    )
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalars(select(Cohort)).one()
        assert [t.id for t in cohort.trainers] == [trainer.id]
        code = cohort.join_code
    assert re.fullmatch(f"[{cohorts.CODE_ALPHABET}]{{8}}", code)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    shown = f"{code[:4]}-{code[4:]}"
    assert shown in page
    assert f"https://signaal.example.nl/groep/aansluiten/{shown}" in page


def test_join_codes_avoid_lookalike_characters(app):
    with app.app_context():
        codes = {cohorts.new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert not set("".join(codes)) & set("0O1IL")


def test_create_cohort_rejects_end_date_in_the_past(app, client, auth, trainer):
    auth.login(trainer)
    yesterday = (cohorts.today() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        "/groepen/nieuw", data={"name": "Te laat", "course": COURSE, "join_until": yesterday}
    )
    assert response.status_code == 200
    assert "Kies een datum vanaf vandaag" in response.get_data(as_text=True)


def test_learner_joins_with_typed_code_ignoring_case_and_dash(app, client, auth, trainer, learner):
    cohort_id, code = make_cohort(app, trainer)
    auth.login(learner)
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    response = client.post("/groep/aansluiten", data={"code": typed}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Je bent aangesloten bij de groep ‘Praktijk De Linde’" in page
    assert "Mehmet Yıldız" in page  # the learner sees who follows them
    with app.app_context():
        assert cohorts.is_member(learner.id, cohort_id)
        assert db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.action == "cohort.join")
        )


def test_join_link_asks_for_consent_before_joining(app, client, auth, trainer, learner):
    cohort_id, code = make_cohort(app, trainer)
    auth.login(learner)
    page = client.get(f"/groep/aansluiten/{code}").get_data(as_text=True)
    assert "Ja, sluit me aan" in page and "Praktijk De Linde" in page
    assert "reflecties ziet je opleider alleen als je ze zelf deelt" in page
    with app.app_context():
        assert not cohorts.is_member(learner.id, cohort_id)
    client.post("/groep/aansluiten", data={"code": code})
    with app.app_context():
        assert cohorts.is_member(learner.id, cohort_id)


def test_joining_twice_keeps_one_membership(app, client, auth, trainer, learner):
    cohort_id, code = make_cohort(app, trainer)
    auth.login(learner)
    client.post("/groep/aansluiten", data={"code": code})
    page = client.post("/groep/aansluiten", data={"code": code}, follow_redirects=True)
    assert "Je was al lid van de groep" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CohortMember)) == 1


def test_unknown_code_gets_a_clear_message(app, client, auth, learner):
    auth.login(learner)
    response = client.post("/groep/aansluiten", data={"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 200
    assert "Deze code kennen we niet" in response.get_data(as_text=True)
    page = client.get("/groep/aansluiten/ZZZZ-ZZZZ").get_data(as_text=True)
    assert "Deze code kennen we niet" in page and "Ja, sluit me aan" not in page


def test_closed_code_gets_a_clear_message(app, client, auth, trainer, learner):
    cohort_id, code = make_cohort(app, trainer, join_open=False)
    auth.login(learner)
    page = client.post("/groep/aansluiten", data={"code": code}).get_data(as_text=True)
    assert "de opleider heeft de code gesloten" in page
    assert "Ja, sluit me aan" not in client.get(f"/groep/aansluiten/{code}").get_data(as_text=True)
    with app.app_context():
        assert not cohorts.is_member(learner.id, cohort_id)


def test_code_past_its_end_date_gets_a_clear_message(app, client, auth, trainer, learner):
    yesterday = cohorts.today() - dt.timedelta(days=1)
    cohort_id, code = make_cohort(app, trainer, join_until=yesterday)
    auth.login(learner)
    page = client.post("/groep/aansluiten", data={"code": code}).get_data(as_text=True)
    assert "Deze code was geldig tot en met" in page
    with app.app_context():
        assert not cohorts.is_member(learner.id, cohort_id)


def test_code_still_works_on_its_end_date(app, client, auth, trainer, learner):
    cohort_id, code = make_cohort(app, trainer, join_until=cohorts.today())
    auth.login(learner)
    client.post("/groep/aansluiten", data={"code": code})
    with app.app_context():
        assert cohorts.is_member(learner.id, cohort_id)


def test_trainer_closes_the_code_and_sets_an_end_date(app, client, auth, trainer):
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(trainer)
    until = cohorts.today() + dt.timedelta(days=14)
    client.post(
        f"/groepen/{cohort_id}/beheer",
        data={"instellingen-join_until": until.isoformat()},  # checkbox unticked: closed
    )
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert (cohort.join_open, cohort.join_until) == (False, until)
    page = client.get(f"/groepen/{cohort_id}/beheer").get_data(as_text=True)
    assert "De code werkt nu niet" in page


def test_new_code_replaces_the_old_one(app, client, auth, trainer, learner):
    cohort_id, old = make_cohort(app, trainer)
    auth.login(trainer)
    client.post(f"/groepen/{cohort_id}/nieuwe-code")
    with app.app_context():
        new = db.session.get(Cohort, cohort_id).join_code
    assert new != old
    auth.logout()
    auth.login(learner)
    assert "Deze code kennen we niet" in client.post(
        "/groep/aansluiten", data={"code": old}
    ).get_data(as_text=True)


def test_learner_leaves_a_cohort(app, client, auth, trainer, learner):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, learner)
    auth.login(learner)
    assert "Praktijk De Linde" in client.get("/groep/mijn-opleiders").get_data(as_text=True)
    client.post(f"/groep/{cohort_id}/verlaten")
    with app.app_context():
        assert not cohorts.is_member(learner.id, cohort_id)
    assert "Je zit nog niet in een groep" in client.get("/groep/mijn-opleiders").get_data(
        as_text=True
    )


def test_leaving_tells_nobody_whether_a_cohort_exists(app, client, auth, trainer, learner):
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(learner)
    existing = client.post(f"/groep/{cohort_id}/verlaten")
    missing = client.post(f"/groep/{cohort_id + 1000}/verlaten")
    assert (existing.status_code, existing.location) == (missing.status_code, missing.location)


# --- invitations -----------------------------------------------------------------------------


def invite_link(message: Any) -> str:
    found = re.search(
        r"https://signaal\.example\.nl(/groep/uitnodiging/\S+)", message.get_content()
    )
    assert found is not None
    return found.group(1)


def test_invited_learner_joins_on_accepting_with_that_address(
    app, client, auth, outbox, trainer, make_user
):
    invited = make_user(email="dokter@praktijk.nl")
    cohort_id, _ = make_cohort(app, trainer, join_open=False)  # invites work with the code closed
    auth.login(trainer)
    response = client.post(
        f"/groepen/{cohort_id}/uitnodigen",
        data={"uitnodigen-emails": "Dokter@Praktijk.nl\ndokter@praktijk.nl, nieuw@praktijk.nl"},
    )
    assert response.status_code == 302
    messages = outbox()
    assert sorted(m["To"] for m in messages) == ["dokter@praktijk.nl", "nieuw@praktijk.nl"]
    message = next(m for m in messages if m["To"] == "dokter@praktijk.nl")
    assert "Praktijk De Linde" in message["Subject"]
    assert message.get_content().startswith("Beste collega,")
    link = invite_link(message)
    auth.logout()
    auth.login(invited)
    assert "Uitnodiging aannemen" in client.get(link).get_data(as_text=True)
    client.post(link)
    with app.app_context():
        assert cohorts.is_member(invited.id, cohort_id)
        accepted = db.session.scalar(
            select(CohortInvite.accepted_at).where(CohortInvite.email == "dokter@praktijk.nl")
        )
        assert accepted is not None
    assert "al gebruikt" in client.get(link).get_data(as_text=True)


def test_invitation_cannot_be_accepted_from_another_account(
    app, client, auth, outbox, trainer, learner
):
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(trainer)
    client.post(f"/groepen/{cohort_id}/uitnodigen", data={"uitnodigen-emails": "iemand@anders.nl"})
    link = invite_link(outbox()[0])
    auth.logout()
    auth.login(learner)
    client.post(link)
    assert "een ander e-mailadres" in client.get(link).get_data(as_text=True)
    with app.app_context():
        assert not cohorts.is_member(learner.id, cohort_id)


def test_invite_form_rejects_malformed_addresses(app, client, auth, outbox, trainer):
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(trainer)
    response = client.post(
        f"/groepen/{cohort_id}/uitnodigen", data={"uitnodigen-emails": "goed@x.nl geen-adres"}
    )
    assert "Deze adressen kloppen niet: geen-adres" in response.get_data(as_text=True)
    assert outbox() == []


# --- overview, filters, CSV ------------------------------------------------------------------


@pytest.fixture
def cohort_with_learners(app, trainer, make_user):
    """Four learners: not started, busy, stuck on the assessment, passed with evaluation."""
    cohort_id, _ = make_cohort(app, trainer)
    idle = make_user(first_name="Ilse", tussenvoegsel="", surname="Idle")
    busy = make_user(first_name="Bram", tussenvoegsel="", surname="Bezig")
    stuck = make_user(first_name="Stijn", tussenvoegsel="", surname="Stuck")
    done = make_user(first_name="Dirk", tussenvoegsel="", surname="Done")
    for user in (idle, busy, stuck, done):
        add_member(app, cohort_id, user)
    complete_lessons(app, busy, "eerste-les")
    complete_lessons(app, stuck, "eerste-les", "tweede-les")
    complete_lessons(app, done, "eerste-les", "tweede-les")
    add_attempt(app, stuck, 1, 0.4)
    add_attempt(app, stuck, 2, 0.5)
    add_attempt(app, done, 1, 0.6)
    add_attempt(app, done, 2, 0.9)
    with app.app_context():
        db.session.add(
            Evaluation(
                user_id=done.id,
                course_slug=COURSE,
                course_version="2026.1",
                relevance=5,
                content_quality=4,
                didactics=4,
                study_time="about_right",
            )
        )
        db.session.commit()
    return cohort_id, {"idle": idle, "busy": busy, "stuck": stuck, "done": done}


def table_names(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)


def test_overview_lists_learners_with_their_progress(
    app, client, auth, trainer, cohort_with_learners
):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}").get_data(as_text=True)
    assert table_names(page) == [
        "Bram Bezig",
        people["done"].full_name,
        people["idle"].full_name,
        people["stuck"].full_name,
    ]
    assert "Vast op de toets" in page and "Niet gestart" in page and "Eindtoets gehaald" in page
    assert 'aria-sort="ascending"' in page


@pytest.mark.parametrize(
    ("filter_key", "expected"),
    [
        ("niet-gestart", ["idle"]),
        ("vast", ["stuck"]),
        ("geslaagd", ["done"]),
        ("zonder-certificaat", ["done"]),
        ("bezig", ["busy"]),
        ("certificaat", []),
    ],
)
def test_overview_filters(app, client, auth, trainer, cohort_with_learners, filter_key, expected):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}?filter={filter_key}").get_data(as_text=True)
    assert table_names(page) == [people[key].full_name for key in expected]


def test_learner_who_used_every_attempt_is_stuck(app, client, auth, trainer, make_user):
    cohort_id, _ = make_cohort(app, trainer)
    one_try = make_user(first_name="Olga", tussenvoegsel="", surname="Once")
    add_member(app, cohort_id, one_try)
    add_attempt(app, one_try, 1, 0.5)
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}?filter=vast").get_data(as_text=True)
    assert table_names(page) == []  # one failed attempt of three: not stuck yet
    add_attempt(app, one_try, 2, 0.6)
    page = client.get(f"/groepen/{cohort_id}?filter=vast").get_data(as_text=True)
    assert table_names(page) == ["Olga Once"]


def test_overview_sorts_by_score_descending(app, client, auth, trainer, cohort_with_learners):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}?sort=score&volgorde=aflopend").get_data(as_text=True)
    names = table_names(page)
    assert names[:2] == [people["done"].full_name, people["stuck"].full_name]
    assert 'aria-sort="descending"' in page


def test_overview_search_by_name(app, client, auth, trainer, cohort_with_learners):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}?zoek=stuck").get_data(as_text=True)
    assert table_names(page) == [people["stuck"].full_name]


def test_csv_has_dutch_headers_and_one_row_per_learner(
    app, client, auth, trainer, cohort_with_learners
):
    cohort_id, people = cohort_with_learners
    with app.app_context():
        db.session.add(
            Certificate(
                number="SIG-TEST-1",
                user_id=people["done"].id,
                kind="participation",
                course_slug=COURSE,
                course_version="2026.1",
                course_hash="x",
                course_title="Testcursus",
                initials="D.",
                surname="Done",
                profession="gp",
                completed_on=dt.date(2026, 5, 1),
                study_load_minutes=30,
                accreditation_body="ABC1",
                accreditation_status="applied",
                period_start=dt.date(2026, 5, 1),
                layout_version="v1",
                sha256="0" * 64,
            )
        )
        db.session.commit()
    auth.login(trainer)
    response = client.get(f"/groepen/{cohort_id}/deelnemers.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the accents as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Naam",
        "E-mailadres",
        "Beroep",
        "Lid sinds",
        "Voortgang (%)",
        "Lessen afgerond",
        "Lessen totaal",
        "Laatste activiteit",
        "Pogingen eindtoets",
        "Casussen gehaald",
        "Beste score (%)",
        "Eindtoets gehaald",
        "Vast op de toets",
        "Evaluatie ingevuld",
        "Certificaat uitgegeven",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert len(by_name) == 4
    done = by_name[people["done"].full_name]
    assert done[1] == people["done"].email
    assert done[2] == "Huisarts"
    assert done[4:7] == ["100", "2", "2"]
    assert done[8:] == ["2", "1 van 1", "90", "ja", "nee", "ja", "ja"]
    stuck = by_name[people["stuck"].full_name]
    assert stuck[8:] == ["2", "0 van 1", "50", "nee", "ja", "nee", "nee"]
    idle = by_name[people["idle"].full_name]
    assert idle[4:] == ["0", "0", "2", "", "0", "0 van 1", "", "nee", "nee", "nee", "nee"]
    with app.app_context():
        assert db.session.scalar(
            select(func.count()).where(AuditEvent.action == "trainer.export_csv")
        )


def test_csv_neutralises_spreadsheet_formulas(app, client, auth, trainer, make_user):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, make_user(first_name="=HYPERLINK(1)", tussenvoegsel="", surname="X"))
    auth.login(trainer)
    text = client.get(f"/groepen/{cohort_id}/deelnemers.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK(1) X" in text


def test_csv_follows_the_current_filter(app, client, auth, trainer, cohort_with_learners):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    text = client.get(f"/groepen/{cohort_id}/deelnemers.csv?filter=vast").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [people["stuck"].full_name]


def summary_funnel(client: Any, cohort_id: int) -> str:
    page = client.get(f"/groepen/{cohort_id}").get_data(as_text=True)
    return re.search(r'alt="(Van aanmelding tot certificaat[^"]*)"', page).group(1)


def test_summary_follows_a_lesson_completed_after_the_trainers_last_view(
    app, client, auth, trainer, cohort_with_learners
):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    assert "Alle lessen af: 2 (50%)" in summary_funnel(client, cohort_id)
    with app.app_context():
        complete_lesson(people["busy"].id, COURSE, "tweede-les", utcnow())
        db.session.commit()
    assert "Alle lessen af: 3 (75%)" in summary_funnel(client, cohort_id)


def test_summary_is_recomputed_when_the_course_content_changed(
    app, client, auth, trainer, cohort_with_learners
):
    cohort_id, _ = cohort_with_learners
    auth.login(trainer)
    before = summary_funnel(client, cohort_id)
    with app.app_context():
        # Figures kept from an older version of the course: not to be trusted.
        db.session.execute(update(LearnerStanding).values(content_hash="older", lessons_done=0))
        db.session.commit()
    assert summary_funnel(client, cohort_id) == before


# --- reminders ------------------------------------------------------------------------------


def test_reminder_preview_shows_the_text_and_who_gets_it(
    app, client, auth, outbox, trainer, cohort_with_learners
):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}/herinnering?filter=zonder-certificaat").get_data(
        as_text=True
    )
    assert "naar <strong>1 deelnemer</strong>" in page
    assert people["done"].full_name in page
    assert "Beste [voornaam van de deelnemer]," in page
    assert "Gefeliciteerd: je hebt de eindtoets" in page
    assert 'name="aantal" value="1"' in page
    assert outbox() == []  # a preview sends nothing


def test_reminder_goes_through_the_outbox_with_only_the_first_name(
    app, client, auth, outbox, trainer, cohort_with_learners
):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    response = client.post(
        f"/groepen/{cohort_id}/herinnering", data={"filter": "zonder-certificaat", "aantal": "1"}
    )
    assert response.status_code == 302
    assert "filter=zonder-certificaat" in response.headers["Location"]
    [message] = outbox()
    done = people["done"]
    assert message["To"] == done.email
    text = message.get_content()
    assert text.startswith(f"Beste {done.first_name},")
    assert done.surname not in text and done.email not in text
    assert "/leren/" in text  # a link to the course page
    with app.app_context():
        entry = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "trainer.send_reminder")
        )
        assert entry.target_id == str(cohort_id)
        assert entry.detail["count"] == 1 and entry.detail["filter"] == "zonder-certificaat"


def test_reminder_is_not_sent_when_the_selection_changed_since_the_preview(
    app, client, auth, outbox, trainer, cohort_with_learners
):
    cohort_id, _ = cohort_with_learners
    auth.login(trainer)
    response = client.post(
        f"/groepen/{cohort_id}/herinnering", data={"filter": "niet-gestart", "aantal": "3"}
    )
    assert "/herinnering?filter=niet-gestart" in response.headers["Location"]
    assert outbox() == []


def test_reminder_cannot_go_to_everybody(app, client, auth, outbox, trainer, cohort_with_learners):
    cohort_id, _ = cohort_with_learners
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}/herinnering").get_data(as_text=True)
    assert "Kies aan wie de herinnering gaat" in page and 'name="aantal"' not in page
    client.post(f"/groepen/{cohort_id}/herinnering", data={"filter": "alle", "aantal": "4"})
    assert outbox() == []


def test_reminders_are_rate_limited_per_trainer(
    app, client, auth, outbox, trainer, cohort_with_learners
):
    cohort_id, _ = cohort_with_learners
    auth.login(trainer)
    statuses = [
        client.post(
            f"/groepen/{cohort_id}/herinnering", data={"filter": "niet-gestart", "aantal": "1"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert len(outbox()) == 5


def test_charts_are_svg_without_inline_styles(app, client, auth, trainer, cohort_with_learners):
    cohort_id, _ = cohort_with_learners
    auth.login(trainer)
    for name in ("trechter", "scores"):
        response = client.get(f"/groepen/{cohort_id}/grafiek/{name}.svg")
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        svg = response.get_data(as_text=True)
        assert svg.startswith("<svg") and "<title>" in svg
        assert "style=" not in svg and "<script" not in svg and "<style" not in svg
    page = client.get(f"/groepen/{cohort_id}").get_data(as_text=True)
    assert f'href="/groepen/{cohort_id}/grafiek/trechter.svg"' in page
    assert 'src="data:image/svg+xml;base64,' in page  # drawn once with the page
    funnel = (
        "Aangemeld: 4 (100%); Alle lessen af: 2 (50%); Alle casussen gehaald: 1 (25%); "
        "Evaluatie ingevuld: 1 (25%); Certificaat: 0 (0%)"
    )
    assert funnel in page  # alt text
    assert "<td>Evaluatie ingevuld</td><td>1 (25%)</td>" in page  # and the figures as a table


def test_histograms_bin_as_labelled():
    scores = charts.score_histogram([0.0, 0.09, 0.7, 0.695, 1.0], pass_mark=70)
    assert scores.counts == (2, 0, 0, 0, 0, 0, 0, 2, 0, 1)
    assert scores.ok_from == 7
    svg = charts.render_svg(scores)
    assert svg.count('fill="#1d6b35"') == 3  # bars at or above the pass mark


@pytest.mark.parametrize(
    "chart",
    [charts.score_histogram([0.3, 1.0], pass_mark=70), charts.funnel(10, 6, 4, 3, 2)],
    ids=["histogram", "funnel"],
)
def test_chart_text_is_at_least_12_px_on_a_phone(chart):
    svg = charts.svg(chart)
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) * charts.NARROWEST_SHOWN / width >= 12


def test_funnel_bars_are_shares_of_the_registered_learners():
    svg = charts.svg(charts.funnel(10, 5, 0, 0, 0))
    bars = re.findall(r'<rect x="8" y="[\d.]+" width="([\d.]+)" height="20" fill="#0b5563"', svg)
    assert [float(width) for width in bars][:3] == [464.0, 232.0, 0.0]


# --- learner detail --------------------------------------------------------------------------


def test_a_failed_practice_check_is_not_shown_as_failed_to_the_trainer(
    app, client, auth, trainer, learner
):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, learner)
    add_attempt(app, learner, 1, 0.2, quiz="check-eerste-les")
    add_attempt(app, learner, 1, 0.4)
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}/deelnemers/{learner.id}").get_data(as_text=True)
    practice, assessment = page.split("Oefenvragen:")[1], page.split("Eindtoets:")[1]
    assert '<span class="badge">oefening</span>' in practice.split("</li>")[0]
    assert "niet gehaald" not in practice.split("</li>")[0]
    assert "niet gehaald" in assessment.split("</li>")[0]


def test_learner_detail_shows_answers_and_only_shared_reflections(
    app, client, auth, trainer, learner, make_user
):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, learner)
    complete_lessons(app, learner, "eerste-les")
    reflection = {"question_id": "reflectie-eigen-gevoel", "score": None}
    add_attempt(
        app,
        learner,
        1,
        0.5,
        [
            {
                "question_id": "alleen-spreken",
                "response": ["vraag-alleen"],
                "readable": "Je vraagt de begeleider even in de wachtkamer te wachten",
                "score": 1.0,
            },
            {
                **reflection,
                "response": "Mijn patiënte mevrouw K. uit de Dorpsstraat",
                "readable": "Mijn patiënte mevrouw K. uit de Dorpsstraat",
                "shared": False,
            },
        ],
    )
    add_attempt(
        app,
        learner,
        2,
        0.8,
        [
            {
                **reflection,
                "response": "Ik vind doorvragen lastig.",
                "readable": "Ik vind doorvragen lastig.",
                "shared": True,
            }
        ],
    )
    auth.login(trainer)
    response = client.get(f"/groepen/{cohort_id}/deelnemers/{learner.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Les 1" in page
    assert "Je vraagt de begeleider even in de wachtkamer te wachten" in page
    assert "Ik vind doorvragen lastig." in page
    assert "Dorpsstraat" not in page
    assert "Reflectie niet gedeeld door de deelnemer" in page
    # Nor anywhere else a trainer can look.
    for url in (f"/groepen/{cohort_id}", f"/groepen/{cohort_id}/deelnemers.csv"):
        assert "Dorpsstraat" not in client.get(url).get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "trainer.view_learner")
        ).one()
        assert (event.actor_id, event.target_type, event.target_id) == (
            trainer.id,
            "user",
            str(learner.id),
        )


def test_answers_of_an_open_attempt_are_not_shown(app, client, auth, trainer, learner):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, learner)
    add_attempt(
        app,
        learner,
        1,
        None,
        [{"question_id": "alleen-spreken", "response": ["x"], "readable": "Halfaf", "score": None}],
    )
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}/deelnemers/{learner.id}").get_data(as_text=True)
    assert "nog niet ingeleverd" in page and "Halfaf" not in page


def test_trainer_grants_an_extra_attempt(app, client, auth, trainer, learner):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, learner)
    for number in (1, 2, 3):
        add_attempt(app, learner, number, 0.5)
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}/deelnemers/{learner.id}").get_data(as_text=True)
    assert "3 van 3" in page and "alle pogingen gebruikt" in page
    response = client.post(f"/groepen/{cohort_id}/deelnemers/{learner.id}/extra-poging/{CASE}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "heeft een extra poging" in page and "3 van 4" in page
    with app.app_context():
        grant = db.session.scalars(select(AttemptGrant)).one()
        assert (grant.user_id, grant.quiz_slug, grant.granted_by_id) == (
            learner.id,
            CASE,
            trainer.id,
        )
        assert db.session.scalar(
            select(func.count()).where(AuditEvent.action == "trainer.grant_attempt")
        )


def test_grant_is_refused_without_csrf_token(app, client, auth, trainer, learner, config_overrides):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, learner)
    app.config["WTF_CSRF_ENABLED"] = True
    auth.login(trainer)
    client.post(f"/groepen/{cohort_id}/deelnemers/{learner.id}/extra-poging/{CASE}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptGrant)) == 0


# --- item analysis ---------------------------------------------------------------------------


def choice_question(qid: str, qtype: str, correct: str, others: str) -> Question:
    options = tuple(Option(o, o.upper(), True, "", "les") for o in correct) + tuple(
        Option(o, o.upper(), False, "", "les") for o in others
    )
    return Question(id=qid, type=qtype, prompt=qid, options=options, lesson="les")


def test_item_analysis_matches_a_hand_computed_example():
    """Four learners, three items; every figure below is worked out by hand.

    item scores      q1   q2   q3   total
    learner 1         1    1    1   3
    learner 2         1   .5    0   1.5
    learner 3         0   .5    1   1.5
    learner 4         1    0    0   1

    q1: p = 3/4 = .75. Rest scores (total - q1) = 2, .5, 1.5, 0 (mean 1).
        Deviations q1: .25 .25 -.75 .25; rest: 1 -.5 .5 -1.
        Sxy = .25 - .125 - .375 - .25 = -.5; Sxx = .75; Syy = 2.5
        r = -.5 / sqrt(.75 * 2.5) = -.5 / 1.36931 = -0.36515  -> negative discrimination flag
    q2: p = 2/4 = .5 (partial scores count as fractions). Rest = 2, 1, 1, 1 (mean 1.25).
        Deviations q2: .5 0 0 -.5; rest: .75 -.25 -.25 -.25.
        Sxy = .375 + .125 = .5; Sxx = .5; Syy = .75
        r = .5 / sqrt(.375) = 0.81650
    q3: p = .5. Rest = 2, 1.5, .5, 1 (mean 1.25).
        Deviations q3: .5 -.5 .5 -.5; rest: .75 .25 -.75 -.25.
        Sxy = .375 - .125 - .375 + .125 = 0 -> r = 0 (not negative: no flag)
    Cronbach's alpha: item variances .1875 + .125 + .25 = .5625; total variance .5625;
        alpha = 3/2 * (1 - 1) = 0.
    Mean score = mean(3, 1.5, 1.5, 1) / 3 items = 1.75 / 3 = .58333
    """
    q1 = choice_question("q1", "single", "a", "bc")
    q2 = choice_question("q2", "multiple", "xy", "z")
    q3 = choice_question("q3", "single", "m", "n")
    reflection = Question(id="r", type="reflection", prompt="r", options=(), lesson="les")
    r = ItemResponse
    sittings = [
        {"q1": r(1, ("a",)), "q2": r(1, ("x", "y")), "q3": r(1, ("m",)), "r": r(None)},
        {"q1": r(1, ("a",)), "q2": r(0.5, ("x",)), "q3": r(0, ("n",))},
        {"q1": r(0, ("b",)), "q2": r(0.5, ("y", "z", "x")), "q3": r(1, ("m",))},
        {"q1": r(1, ("a",)), "q2": r(0, ("z",))},  # q3 left unanswered: counts as 0
    ]
    result = analyse([q1, q2, reflection, q3], sittings)
    by_id = {item.question_id: item for item in result.items}
    assert list(by_id) == ["q1", "q2", "q3"]  # reflections are not analysed
    assert result.n == 4
    assert by_id["q1"].p == pytest.approx(0.75)
    assert by_id["q2"].p == pytest.approx(0.5)
    assert by_id["q3"].p == pytest.approx(0.5)
    assert by_id["q1"].discrimination == pytest.approx(-0.5 / math.sqrt(0.75 * 2.5))
    assert by_id["q1"].discrimination == pytest.approx(-0.36515, abs=1e-5)
    assert by_id["q2"].discrimination == pytest.approx(0.81650, abs=1e-5)
    assert by_id["q3"].discrimination == pytest.approx(0.0, abs=1e-12)
    assert by_id["q1"].flags == ("negatief",)
    assert by_id["q2"].flags == () and by_id["q3"].flags == ()
    assert result.alpha == pytest.approx(0.0, abs=1e-12)
    assert result.mean_score == pytest.approx(1.75 / 3)
    counts = {item.question_id: {o.id: o.count for o in item.options} for item in result.items}
    assert counts == {
        "q1": {"a": 3, "b": 1, "c": 0},
        "q2": {"x": 3, "y": 2, "z": 2},
        "q3": {"m": 2, "n": 1},
    }
    assert by_id["q1"].options[0].share == pytest.approx(0.75)


def test_item_analysis_flags_too_easy_and_too_hard_items():
    easy = choice_question("easy", "single", "a", "b")
    hard = choice_question("hard", "single", "a", "b")
    middle = choice_question("middle", "single", "a", "b")
    r = ItemResponse
    sittings = [
        {"easy": r(1, ("a",)), "hard": r(0, ("b",)), "middle": r(m, ("a",) if m else ("b",))}
        for m in (1, 0, 1, 0)
    ]
    items = {i.question_id: i for i in analyse([easy, hard, middle], sittings).items}
    assert items["easy"].p == 1.0 and items["easy"].flags == ("te-makkelijk",)
    assert items["hard"].p == 0.0 and items["hard"].flags == ("te-moeilijk",)
    # No spread in the item: the correlation is undefined, not zero.
    assert items["easy"].discrimination is None
    assert items["middle"].flags == ()


def test_item_analysis_counts_ordering_options_in_their_right_place():
    order = Question(
        id="o",
        type="ordering",
        prompt="o",
        options=tuple(Option(x, x, False, "", "les") for x in ("een", "twee", "drie")),
        lesson="les",
    )
    sittings = [
        {"o": ItemResponse(1.0, ("een", "twee", "drie"))},
        {"o": ItemResponse(1 / 3, ("twee", "een", "drie"))},
    ]
    [item] = analyse([order], sittings).items
    assert [(o.id, o.count) for o in item.options] == [("een", 1), ("twee", 1), ("drie", 2)]


def test_item_analysis_counts_each_variant_over_the_attempts_that_drew_it():
    """Variants are rows of their own; n, p and option counts run over those who drew them."""
    primary = choice_question("q", "single", "a", "b")
    variant = dataclasses.replace(choice_question("q-b", "single", "c", "d"), variant_of="q")
    other = choice_question("o", "single", "x", "y")
    r = ItemResponse
    sittings = [
        {"q": r(1, ("a",)), "o": r(1, ("x",))},
        {"q": r(0, ("b",)), "o": r(0, ("y",))},
        {"q-b": r(1, ("c",)), "o": r(1, ("x",))},
        {"q-b": r(None), "o": r(0, ("y",))},  # drew the variant, left it open
        {"o": r(1, ("x",))},  # from before variants: the primary, unanswered
    ]
    result = analyse([primary, variant, other], sittings)
    by_id = {item.question_id: item for item in result.items}
    assert list(by_id) == ["q", "q-b", "o"]
    assert (by_id["q"].n, by_id["q-b"].n, by_id["o"].n) == (3, 2, 5)
    assert by_id["q"].p == pytest.approx(1 / 3)
    assert by_id["q-b"].p == pytest.approx(1 / 2)
    assert by_id["q-b"].variant_of == "q"
    assert [(o.id, o.count, o.share) for o in by_id["q-b"].options] == [
        ("c", 1, 0.5),
        ("d", 0, 0.0),
    ]
    # Two groups, one point each: totals 2, 0, 2, 0, 1.
    assert result.mean_score == pytest.approx(5 / 10)


def test_pearson_is_none_without_spread():
    assert pearson([1, 1, 1], [0, 1, 2]) is None
    assert pearson([0, 1], [0, 1]) == pytest.approx(1.0)


def test_item_analysis_page_uses_each_learners_first_submitted_attempt(
    app, client, auth, trainer, make_user
):
    cohort_id, _ = make_cohort(app, trainer)
    first, second = make_user(), make_user()
    for user in (first, second):
        add_member(app, cohort_id, user)
    # First learner: wrong at first, right on the retry; only the first try counts.
    add_attempt(app, first, 1, 0.0, scored_answers(**{"alleen-spreken": 0.0}))
    add_attempt(app, first, 2, 1.0, scored_answers(**{"alleen-spreken": 1.0}))
    add_attempt(app, second, 1, 1.0, scored_answers(**{"alleen-spreken": 1.0}))
    add_attempt(app, second, 2, None)  # open: ignored
    with app.app_context():
        from app.trainer.queries import item_sums

        item = item_sums(COURSE, (get_catalog().course(COURSE).quizzes[CASE],), cohort_id)[CASE]
        # Two sittings, one per learner, scored 0 and 1 on the question.
        assert (item.totals.n, item.items["alleen-spreken"].x) == (2, 1.0)
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}/itemanalyse").get_data(as_text=True)
    assert "2 deelnemers" in page
    assert "Moeilijkheid p = 0,50" in page
    assert "Minder dan 20 deelnemers" in page
    # A new first sitting counts at once (the kept sums are recomputed).
    third = make_user()
    add_member(app, cohort_id, third)
    add_attempt(app, third, 1, 1.0, scored_answers(**{"alleen-spreken": 1.0}))
    page = client.get(f"/groepen/{cohort_id}/itemanalyse").get_data(as_text=True)
    assert "3 deelnemers" in page
    assert "Moeilijkheid p = 0,67" in page


# --- scale -----------------------------------------------------------------------------------


def count_queries(app: Flask, action: Any) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_overview_query_count_does_not_grow_with_the_cohort(app, client, auth):
    from app.demo.seed import DEMO_TRAINER, seed

    with app.app_context():
        course = get_catalog().course(COURSE)
        small = seed(course, 20, "Klein", random_seed=1).cohort_id
        large = seed(course, 200, "Groot", random_seed=2).cohort_id
        db.session.commit()
    auth.login(DEMO_TRAINER, "demo-opleider-2026")
    pages = {}
    for cohort_id in (small, large):
        url = f"/groepen/{cohort_id}"
        client.get(url)  # warm up (first request loads the user, etc.)
        pages[cohort_id] = (
            count_queries(app, lambda url=url: client.get(url)),
            count_queries(app, lambda url=url: client.get(url + "/deelnemers.csv")),
            count_queries(app, lambda url=url: client.get(url + "/grafiek/scores.svg")),
        )
    assert pages[small] == pages[large]
    overview_queries = pages[small][0]
    assert overview_queries <= 15
    page = client.get(f"/groepen/{large}").get_data(as_text=True)
    assert "200</span> deelnemers" in page
    assert "Pagina 1 van 2" in page


def test_item_analysis_queries_do_not_grow_and_match_the_analysis_in_memory(app, client, auth):
    from app.demo.seed import DEMO_TRAINER, seed
    from app.trainer.queries import first_sittings_by_user, item_sums

    with app.app_context():
        course = get_catalog().course(COURSE)
        small = seed(course, 20, "Klein", random_seed=1).cohort_id
        large = seed(course, 200, "Groot", random_seed=2).cohort_id
        db.session.execute(delete(KeptItemSums))  # the seed kept them; sum them from scratch
        db.session.commit()
    auth.login(DEMO_TRAINER, "demo-opleider-2026")
    counts = []
    for cohort_id in (small, large):
        url = f"/groepen/{cohort_id}/itemanalyse"
        client.get(f"/groepen/{cohort_id}")  # warm up (user load, etc.)
        computed = count_queries(app, lambda url=url: client.get(url))
        kept = count_queries(app, lambda url=url: client.get(url))
        counts.append((computed, kept))
    assert counts[0] == counts[1]
    assert counts[0][1] < counts[0][0]  # the second view reuses the sums
    # The sums from the database give the figures of the analysis over every sitting in memory.
    with app.app_context():
        quizzes = course.assessment_quizzes
        summed = item_sums(COURSE, quizzes, large)
        sittings = first_sittings_by_user(COURSE, tuple(q.slug for q in quizzes), large)
        for quiz in quizzes:
            expected = analyse(quiz.questions, list(sittings[quiz.slug].values()))
            got = analyse_sums(quiz.questions, summed[quiz.slug])
            assert got.n == expected.n > 0
            assert got.alpha == pytest.approx(expected.alpha)
            assert got.mean_score == pytest.approx(expected.mean_score)
            for mine, theirs in zip(got.items, expected.items, strict=True):
                assert (mine.question_id, mine.n, mine.flags, mine.options) == (
                    theirs.question_id,
                    theirs.n,
                    theirs.flags,
                    theirs.options,
                )
                assert mine.p == pytest.approx(theirs.p)
                assert mine.discrimination == pytest.approx(theirs.discrimination)


def test_submissions_keep_the_item_sums_current(app, client, auth):
    """A submission adds to the kept sums: the next view computes nothing and agrees with a
    count from scratch (first attempts add their answers, retakes only move the count)."""
    from app.demo.seed import DEMO_TRAINER, seed
    from app.quizzes import attempts as domain
    from app.trainer.queries import computed_item_sums, item_sums

    with app.app_context():
        course = get_catalog().course(COURSE)
        quizzes = course.assessment_quizzes
        cohort_id = seed(course, 30, "Groep", random_seed=4).cohort_id
        item_sums(COURSE, quizzes, cohort_id)  # computed once and kept
        item_sums(COURSE, quizzes, None)
        db.session.commit()
        members = db.session.scalars(
            select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)
        ).all()
        submitted = {"first": 0, "retake": 0}
        for quiz in quizzes:
            for user_id in members[:8]:
                try:
                    attempt = domain.start_attempt(user_id, quiz)
                except domain.AttemptLimitReached:
                    continue
                before = domain.quiz_status(user_id, COURSE, quiz).best_score
                attempt.stages_revealed = len(quiz.stages)
                saved = domain.answers_by_question(attempt.id)
                for question in domain.attempt_questions(attempt, quiz):
                    response = (
                        "Tekst" if question.type == "reflection" else [question.options[-1].id]
                    )
                    if question.type == "ordering":
                        response = [option.id for option in question.options]
                    if question.type == "multiple":
                        response = [option.id for option in question.options[:2]]
                    domain.save_answers(
                        attempt, quiz, [domain.PostedAnswer(question.id, response)], saved
                    )
                domain.submit(attempt.id, quiz)
                submitted["first" if before is None else "retake"] += 1
                leaver = user_id
        db.session.commit()
        assert submitted["first"] and submitted["retake"]
        for scope in (cohort_id, None):
            reads = count_queries(app, lambda scope=scope: item_sums(COURSE, quizzes, scope))
            assert reads == 2  # the count per quiz and the kept rows: nothing computed again
            kept = item_sums(COURSE, quizzes, scope)
            fresh = computed_item_sums(COURSE, quizzes, scope)
            for quiz in quizzes:
                got = analyse_sums(quiz.questions, kept[quiz.slug])
                expected = analyse_sums(quiz.questions, fresh[quiz.slug])
                assert got.n == expected.n > 0
                assert got.alpha == pytest.approx(expected.alpha)
                for mine, theirs in zip(got.items, expected.items, strict=True):
                    assert (mine.n, mine.options) == (theirs.n, theirs.options)
                    assert mine.p == pytest.approx(theirs.p)
                    assert mine.discrimination == pytest.approx(theirs.discrimination)
    # A member who leaves takes submitted attempts along: the view sums again, once.
    auth.login(DEMO_TRAINER, "demo-opleider-2026")
    url = f"/groepen/{cohort_id}/itemanalyse"
    client.get(url)
    kept_view = count_queries(app, lambda: client.get(url))
    with app.app_context():
        db.session.execute(
            delete(CohortMember).where(
                CohortMember.cohort_id == cohort_id, CohortMember.user_id == leaver
            )
        )
        db.session.commit()
    assert count_queries(app, lambda: client.get(url)) > kept_view
    assert count_queries(app, lambda: client.get(url)) == kept_view


# --- flask seed ------------------------------------------------------------------------------


def test_flask_seed_creates_learners_with_varied_progress(app, runner):
    result = runner.invoke(args=["seed", "--learners", "40", "--cohort-name", "Scholingsdag"])
    assert result.exit_code == 0, result.output
    assert "40 deelnemers aangemaakt in groep 'Scholingsdag'" in result.output
    with app.app_context():
        cohort = db.session.scalars(select(Cohort).where(Cohort.name == "Scholingsdag")).one()
        assert [t.email for t in cohort.trainers] == ["opleider@demo.signaal.nl"]
        members = db.session.scalar(select(func.count()).where(CohortMember.cohort_id == cohort.id))
        assert members == 40
        learners = db.session.scalar(select(func.count()).where(User.role == "learner"))
        assert learners >= 40
        assert db.session.scalar(select(func.count()).select_from(LessonProgress)) > 0
        attempts = db.session.scalars(select(Attempt).where(Attempt.quiz_slug == CASE)).all()
        assert (
            attempts
            and any(a.passed for a in attempts)
            and any(a.passed is False for a in attempts)
        )
        assert db.session.scalar(select(func.count()).select_from(Answer)) > 0
    # Running it again adds a second batch to the same cohort.
    runner.invoke(args=["seed", "--learners", "5", "--cohort-name", "Scholingsdag"])
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).where(CohortMember.cohort_id == cohort.id)) == 45
        )


def test_seeded_rows_read_back_as_the_app_writes_them(app, runner, client):
    """The seed writes through the driver: what the pages read must be what the app would
    have stored (graded answers in words, zone-aware times, booleans), and its learners log in."""
    from app.demo.seed import SEED_PASSWORD
    from app.quizzes.attempts import attempt_questions, readable_answer
    from app.quizzes.grading import grade, grade_question

    result = runner.invoke(args=["seed", "--learners", "30", "--random-seed", "7"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        course = get_catalog().course(COURSE)
        attempts = db.session.scalars(select(Attempt)).all()
        assert attempts
        for attempt in attempts:
            quiz = course.quizzes[attempt.quiz_slug]
            assert attempt.started_at.tzinfo is not None
            assert isinstance(attempt.question_ids, list)
            questions = {q.id: q for q in attempt_questions(attempt, quiz)}
            responses = {answer.question_id: answer.response for answer in attempt.answers}
            for answer in attempt.answers:
                question = questions[answer.question_id]
                assert answer.readable == readable_answer(question, answer.response)
                assert isinstance(answer.shared, bool)
                assert answer.updated_at.tzinfo is not None
                if attempt.submitted_at is not None:
                    assert answer.score == grade_question(question, answer.response)
            if attempt.submitted_at is not None:
                graded = grade(quiz, responses, questions=tuple(questions.values()))
                assert attempt.score == pytest.approx(graded.score)
                assert attempt.passed is graded.passed
        learner = db.session.scalars(
            select(User).where(User.email.startswith("deelnemer")).order_by(User.id)
        ).first()
        assert learner is not None
    login = client.post(
        "/account/inloggen", data={"email": learner.email, "password": SEED_PASSWORD}
    )
    assert login.status_code == 302


def test_the_same_random_seed_gives_the_same_learners(app):
    from app.demo.seed import seed

    def journeys(random_seed: int) -> list[tuple[Any, ...]]:
        """The seed's attempts on an empty database (then rolled back: the seed only flushes)."""
        cohort_id = seed(course, 25, "Groep", random_seed=random_seed, now=now).cohort_id
        rows = db.session.execute(
            select(Attempt.quiz_slug, Attempt.number, Attempt.score, Attempt.question_ids)
            .join(CohortMember, CohortMember.user_id == Attempt.user_id)
            .where(CohortMember.cohort_id == cohort_id)
            .order_by(Attempt.id)
        ).all()
        db.session.rollback()
        return [tuple(row) for row in rows]

    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    with app.app_context():
        course = get_catalog().course(COURSE)
        first = journeys(5)
        assert first and journeys(5) == first
        assert journeys(6) != first


def test_guessing_join_codes_is_rate_limited(app, client, auth, learner):
    auth.login(learner)
    statuses = [
        client.post("/groep/aansluiten", data={"code": f"ZZZZ-ZZ{n:02d}"}).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


def test_an_unconfirmed_account_cannot_take_over_an_invitation(
    app, client, auth, outbox, trainer, make_user
):
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(trainer)
    client.post(
        f"/groepen/{cohort_id}/uitnodigen", data={"uitnodigen-emails": "dokter@praktijk.nl"}
    )
    link = invite_link(outbox()[0])
    token = link.rsplit("/", 1)[1]
    auth.logout()
    squatter = make_user(email="dokter@praktijk.nl", confirmed=False)
    auth.login(squatter)

    page = client.get("/groep/mijn-opleiders").get_data(as_text=True)
    assert token not in page
    assert "Bevestig eerst je e-mailadres" in page
    client.post(link)
    assert "Bevestig eerst je e-mailadres" in client.get(link).get_data(as_text=True)
    with app.app_context():
        assert not cohorts.is_member(squatter.id, cohort_id)


def test_open_invitations_are_listed_without_their_link(app, client, auth, trainer, make_user):
    invited = make_user(email="dokter@praktijk.nl")
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(trainer)
    client.post(f"/groepen/{cohort_id}/uitnodigen", data={"uitnodigen-emails": invited.email})
    auth.logout()
    auth.login(invited)
    page = client.get("/groep/mijn-opleiders").get_data(as_text=True)
    assert "Praktijk De Linde" in page and "/groep/uitnodiging/" not in page


def test_overview_pages_continue_in_order_and_page_two_is_the_rest(
    app, client, auth, trainer, make_user, monkeypatch
):
    from app.trainer import overview

    monkeypatch.setattr(overview, "PAGE_SIZE", 2)
    cohort_id, _ = make_cohort(app, trainer)
    for surname in ("Eerde", "Appel", "Dijk", "Bos", "Cats"):
        add_member(app, cohort_id, make_user(first_name="Jan", tussenvoegsel="", surname=surname))
    auth.login(trainer)
    pages = [
        table_names(client.get(f"/groepen/{cohort_id}?pagina={n}").get_data(as_text=True))
        for n in (1, 2, 3)
    ]
    assert pages == [["Jan Appel", "Jan Bos"], ["Jan Cats", "Jan Dijk"], ["Jan Eerde"]]
    last = client.get(f"/groepen/{cohort_id}?pagina=3&volgorde=aflopend").get_data(as_text=True)
    assert table_names(last) == ["Jan Appel"]
    # A page beyond the last shows the last one.
    page = client.get(f"/groepen/{cohort_id}?pagina=99").get_data(as_text=True)
    assert table_names(page) == ["Jan Eerde"] and "Pagina 3 van 3" in page


def test_overview_search_takes_wildcards_literally(app, client, auth, trainer, make_user):
    cohort_id, _ = make_cohort(app, trainer)
    add_member(app, cohort_id, make_user(first_name="Anna", tussenvoegsel="van", surname="Dam"))
    add_member(app, cohort_id, make_user(first_name="Piet", tussenvoegsel="", surname="Per_cent"))
    auth.login(trainer)
    for needle, expected in [
        ("%", []),
        ("_", ["Piet Per_cent"]),
        ("anna van dam", ["Anna van Dam"]),
        ("PIET PER", ["Piet Per_cent"]),
    ]:
        page = client.get(f"/groepen/{cohort_id}", query_string={"zoek": needle})
        assert table_names(page.get_data(as_text=True)) == expected, needle


def test_overview_sorts_never_active_learners_as_least_recent(
    app, client, auth, trainer, cohort_with_learners
):
    cohort_id, people = cohort_with_learners
    auth.login(trainer)
    page = client.get(f"/groepen/{cohort_id}?sort=activiteit").get_data(as_text=True)
    assert table_names(page)[0] == people["idle"].full_name
    page = client.get(f"/groepen/{cohort_id}?sort=activiteit&volgorde=aflopend")
    assert table_names(page.get_data(as_text=True))[-1] == people["idle"].full_name
