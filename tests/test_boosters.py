"""Boosters: due 3 and 6 months (fixture course) after the first valid certificate, sent once even
when `flask boosters send` runs twice at once, never after an opt-out, never part of the
assessment; and the trainer's retention figures against a hand-computed example."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.boosters.schedule import add_months
from app.boosters.sending import send_due_boosters
from app.certificates import numbers
from app.content import ContentError, get_catalog, load_catalog
from app.extensions import db
from app.mail import deliver_due
from app.models import Attempt, BoosterMail, Certificate, User
from app.quizzes.attempts import assessment_status
from app.trainer import cohorts
from tests.factories import build_attempt

COURSE = "test-cursus"
CERTIFIED_AT = dt.datetime(2026, 1, 31, 10, 0, tzinfo=dt.UTC)
FIXTURE = Path(__file__).resolve().parent / "content"


def certify(user: User, issued_at: dt.datetime = CERTIFIED_AT, status: str = "valid") -> None:
    """A certificate row as issuing leaves it (the PDF bytes do not matter here)."""
    pdf = b"%PDF-1.7 test"
    db.session.add(
        Certificate(
            number=numbers.new_number(),
            user_id=user.id,
            kind="participation",
            course_slug=COURSE,
            course_version="2026.1",
            course_hash="0" * 64,
            course_title="Testcursus",
            initials=user.initials,
            surname=user.surname,
            profession=user.profession,
            completed_on=issued_at.date(),
            study_load_minutes=30,
            accreditation_body="ABC1",
            accreditation_status="applied",
            period_start=issued_at.date(),
            layout_version="test-v1",
            pdf=pdf,
            sha256=hashlib.sha256(pdf).hexdigest(),
            status=status,
            issued_at=issued_at,
        )
    )
    db.session.commit()


def sent_boosters() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(User.email, BoosterMail.quiz_slug)
        .join(User, User.id == BoosterMail.user_id)
        .where(BoosterMail.sent_at.is_not(None))
        .order_by(User.email, BoosterMail.quiz_slug)
    )
    return [tuple(row) for row in rows]


def booster_mails(app: Flask, outbox: Callable[[], list]) -> list:
    """The booster mails, once the outbox has delivered what the sender queued."""
    with app.app_context():
        deliver_due()
    return [m for m in outbox() if m["Subject"].startswith("Booster van twee minuten")]


# --- schedule --------------------------------------------------------------------------------


def test_months_are_added_by_the_calendar() -> None:
    assert add_months(CERTIFIED_AT, 3) == dt.datetime(2026, 4, 30, 10, 0, tzinfo=dt.UTC)
    assert add_months(CERTIFIED_AT, 1) == dt.datetime(2026, 2, 28, 10, 0, tzinfo=dt.UTC)
    assert add_months(CERTIFIED_AT, 12) == dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.UTC)


def test_each_booster_goes_out_on_its_date_and_only_once(app: Flask, make_user, outbox) -> None:
    learner = make_user(email="lotte@example.nl")
    with app.app_context():
        certify(learner)
        just_before = dt.datetime(2026, 4, 30, 9, 59, tzinfo=dt.UTC)
        assert send_due_boosters(just_before).sent == []
        three_months = dt.datetime(2026, 4, 30, 10, 0, tzinfo=dt.UTC)
        assert send_due_boosters(three_months).sent == ["lotte@example.nl: booster-drie"]
        assert send_due_boosters(three_months + dt.timedelta(days=1)).sent == []
        six_months = dt.datetime(2026, 7, 31, 10, 0, tzinfo=dt.UTC)
        assert send_due_boosters(six_months).sent == ["lotte@example.nl: booster-zes"]
        assert send_due_boosters(six_months + dt.timedelta(days=200)).sent == []
        assert sent_boosters() == [
            ("lotte@example.nl", "booster-drie"),
            ("lotte@example.nl", "booster-zes"),
        ]
    mails = booster_mails(app, outbox)
    assert [m["To"] for m in mails] == ["lotte@example.nl", "lotte@example.nl"]
    body = mails[0].get_content()
    assert "https://signaal.example.nl/quiz/test-cursus/booster-drie" in body
    assert "3 maanden geleden" in body and "tellen niet mee voor je certificaat" in body


def test_a_learner_certified_long_ago_gets_the_current_booster_not_the_missed_one(
    app: Flask, make_user
) -> None:
    learner = make_user(email="late@example.nl")
    with app.app_context():
        certify(learner)
        seven_months = dt.datetime(2026, 8, 31, 12, 0, tzinfo=dt.UTC)
        assert send_due_boosters(seven_months).sent == ["late@example.nl: booster-zes"]


def test_revoked_certificates_and_deleted_accounts_get_no_boosters(app: Flask, make_user) -> None:
    revoked, gone = make_user(), make_user()
    with app.app_context():
        certify(revoked, status="revoked")
        certify(gone)
        db.session.get(User, gone.id).deleted_at = CERTIFIED_AT
        db.session.commit()
        assert send_due_boosters(dt.datetime(2026, 5, 1, tzinfo=dt.UTC)).sent == []


def test_the_command_uses_the_app_clock(app: Flask, make_user, outbox, tmp_path: Path) -> None:
    learner = make_user(email="klok@example.nl")
    with app.app_context():
        certify(learner, issued_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["boosters", "send"])
    assert result.exit_code == 0 and "0 booster(s) in de mailwachtrij" in result.output
    clock = tmp_path / "clock"
    clock.write_text(str(60 * 86400))  # 100 days after the certificate: the first booster
    app.config["TEST_CLOCK_FILE"] = str(clock)
    result = runner.invoke(args=["boosters", "send"])
    assert result.exit_code == 0, result.output
    assert "klok@example.nl: booster-drie" in result.output
    assert [m["To"] for m in booster_mails(app, outbox)] == ["klok@example.nl"]


def test_two_runs_at_once_send_each_booster_once(app: Flask, make_user, outbox) -> None:
    learners = [make_user() for _ in range(6)]
    with app.app_context():
        for learner in learners:
            certify(learner)
    now = dt.datetime(2026, 5, 2, tzinfo=dt.UTC)
    start = threading.Barrier(2)
    reports = []
    errors = []

    def run() -> None:
        try:
            with app.app_context():
                start.wait()
                reports.append(send_due_boosters(now))
                db.session.remove()
        except Exception as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(report.sent) for report in reports) == 6
    assert sorted(m["To"] for m in booster_mails(app, outbox)) == sorted(u.email for u in learners)
    with app.app_context():
        assert len(sent_boosters()) == 6


# --- opting out ------------------------------------------------------------------------------


def test_no_booster_after_opting_out_in_the_profile(
    app: Flask, client: FlaskClient, auth, make_user, outbox
) -> None:
    learner = make_user(email="nee@example.nl")
    auth.login(learner)
    page = client.get("/account/profiel").get_data(as_text=True)
    assert "Geen boostermails" in page
    profile = {
        "initials": learner.initials,
        "first_name": learner.first_name,
        "tussenvoegsel": learner.tussenvoegsel,
        "surname": learner.surname,
        "profession": learner.profession,
        "big_number": learner.big_number,
        "booster_opt_out": "y",
        "language": "nl",
    }
    assert client.post("/account/profiel", data=profile).status_code == 302
    with app.app_context():
        assert db.session.get(User, learner.id).booster_opt_out
        certify(learner)
        assert send_due_boosters(dt.datetime(2026, 5, 1, tzinfo=dt.UTC)).sent == []
    assert booster_mails(app, outbox) == []


def test_the_link_in_the_mail_unsubscribes_without_logging_in(
    app: Flask, client: FlaskClient, make_user, outbox
) -> None:
    learner = make_user(email="afmelden@example.nl")
    with app.app_context():
        certify(learner)
        send_due_boosters(dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    body = booster_mails(app, outbox)[0].get_content()
    link = re.search(r"https://signaal\.example\.nl(/boosters/afmelden/\S+)", body)[1]
    page = client.get(link)
    assert page.status_code == 200 and "Ja, afmelden voor boosters" in page.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(User, learner.id).booster_opt_out  # a GET changes nothing
    done = client.post(link)
    assert "Je bent afgemeld" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, learner.id).booster_opt_out
        assert send_due_boosters(dt.datetime(2026, 8, 1, tzinfo=dt.UTC)).sent == []
    assert len(booster_mails(app, outbox)) == 1
    assert client.get(link[:-3] + "xyz").status_code == 404  # a forged token


# --- boosters are formative ------------------------------------------------------------------


def test_a_booster_attempt_is_recorded_but_never_counts_for_the_assessment(
    app: Flask, client: FlaskClient, auth, make_user
) -> None:
    learner = make_user()
    auth.login(learner)
    client.post("/quiz/test-cursus/booster-drie/starten")
    answers = {
        "attempt": "1",
        "stage": "0",
        "answer-alleen-spreken": "alleen",
        "answer-advies": "veilig-thuis",
    }
    answers["question"] = ["alleen-spreken", "advies"]
    client.post("/quiz/test-cursus/booster-drie/opslaan", data=answers)
    response = client.post("/quiz/test-cursus/booster-drie/inleveren", data={"attempt": "1"})
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == learner.id)).one()
        assert attempt.quiz_slug == "booster-drie" and attempt.score == 1.0
        course = get_catalog().course(COURSE)
        assert "booster-drie" not in course.assessment
        assert not any(status.passed for status in assessment_status(learner.id, course).values())


def test_booster_rules_are_validated_with_file_and_line(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    path = root / "quizzes/test-cursus/booster-zes.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("booster_months = 6", "booster_months = 3")
    text = text.replace('mode = "formative"', 'mode = "summative"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_catalog(root / "courses", root / "quizzes")
    problems = info.value.problems
    lines = text.splitlines()
    mode_line = next(n for n, line in enumerate(lines, 1) if line.startswith("mode"))
    assert (
        f'quizzes/test-cursus/booster-zes.toml:{mode_line}: een booster (kind = "booster") is '
        'altijd mode = "formative".'
    ) in problems
    assert any("allebei de booster na 3 maanden" in p for p in problems)


# --- retention -------------------------------------------------------------------------------


def _attempt(user: User, quiz: str, number: int, score: float) -> Attempt:
    moment = CERTIFIED_AT + dt.timedelta(days=number)
    return build_attempt(user.id, quiz, number=number, score=score, at=moment, started_at=moment)


def test_retention_figures_match_a_hand_computed_example(
    app: Flask, client: FlaskClient, auth, make_user
) -> None:
    trainer = make_user(role="trainer")
    anna, bram, cees, other = (make_user() for _ in range(4))
    with app.app_context():
        group = cohorts.create_cohort(db.session.get(User, trainer.id), "Groep A", COURSE)
        elsewhere = cohorts.create_cohort(db.session.get(User, trainer.id), "Groep B", COURSE)
        for user in (anna, bram, cees):
            cohorts.add_member(user, group)
        cohorts.add_member(other, elsewhere)
        db.session.add_all(
            [
                # Anna: final best 0.9 (0.5 then 0.9); boosters first tries 0.5 and 1.0 -> 0.75.
                _attempt(anna, "testcasus", 1, 0.5),
                _attempt(anna, "testcasus", 2, 0.9),
                _attempt(anna, "booster-drie", 1, 0.5),
                _attempt(anna, "booster-drie", 2, 1.0),
                _attempt(anna, "booster-zes", 1, 1.0),
                # Bram: final 0.8, booster 1.0.
                _attempt(bram, "testcasus", 1, 0.8),
                _attempt(bram, "booster-drie", 1, 1.0),
                # Cees did no booster: not in the comparison. Other is in another cohort.
                _attempt(cees, "testcasus", 1, 1.0),
                _attempt(other, "testcasus", 1, 0.2),
                _attempt(other, "booster-drie", 1, 0.0),
            ]
        )
        for user, quiz in (
            (anna, "booster-drie"),
            (bram, "booster-drie"),
            (cees, "booster-drie"),
            (anna, "booster-zes"),
            (other, "booster-drie"),
        ):
            db.session.add(
                BoosterMail(
                    user_id=user.id,
                    course_slug=COURSE,
                    quiz_slug=quiz,
                    due_at=CERTIFIED_AT,
                    claimed_at=CERTIFIED_AT,
                    sent_at=CERTIFIED_AT,
                )
            )
        db.session.commit()
        group_id = group.id

        from app.boosters.retention import cohort_retention

        retention = cohort_retention(group_id, get_catalog().course(COURSE))
        assert [(u.quiz.slug, u.sent, u.done) for u in retention.uptake] == [
            ("booster-drie", 3, 2),
            ("booster-zes", 1, 1),
        ]
        assert retention.mean_final == pytest.approx(0.85)  # (0.9 + 0.8) / 2
        assert retention.mean_booster == pytest.approx(0.875)  # (0.75 + 1.0) / 2

    auth.login(trainer)
    page = client.get(f"/groepen/{group_id}/boosters").get_data(as_text=True)
    assert "op de eindtoets <strong>85%</strong>" in page
    assert "op hun boosters <strong>88%</strong>" in page
    analysis = client.get(f"/groepen/{group_id}/itemanalyse").get_data(as_text=True)
    assert "Booster na drie maanden" in analysis
