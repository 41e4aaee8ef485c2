"""Privacy and account protection: data download, account deletion, two-factor sign-in."""

from __future__ import annotations

import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from app.certificates import issuing
from app.content import get_catalog
from app.extensions import db
from app.models import AuditEvent, Certificate, CohortMember, LessonProgress, User, utcnow
from app.trainer import cohorts

from .certificate_helpers import COURSE, issue_for, make_eligible
from .conftest import PASSWORD


def test_learner_downloads_all_their_data_as_json(client, auth, app, make_user):
    user = make_user()
    with app.app_context():
        db.session.add(
            LessonProgress(
                user_id=user.id,
                course_slug="test-cursus",
                lesson_slug="eerste-les",
                seconds_on_task=120,
                completed_at=utcnow(),
            )
        )
        db.session.commit()
    auth.login(user)
    response = client.get("/account/mijn-gegevens.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["email"] == user.email
    assert data["account"]["big_number"] == user.big_number
    assert data["lesson_progress"][0]["lesson"] == "eerste-les"
    assert data["lesson_progress"][0]["seconds_on_task"] == 120


def test_deleting_an_account_removes_personal_data_and_records_it(client, auth, app, make_user):
    user = make_user()
    with app.app_context():
        db.session.add(
            LessonProgress(user_id=user.id, course_slug="test-cursus", lesson_slug="eerste-les")
        )
        db.session.commit()
    auth.login(user)
    wrong = client.post(
        "/account/verwijderen", data={"password": "niet-mijn-wachtwoord", "confirm": "VERWIJDER"}
    )
    assert wrong.status_code == 400
    response = client.post(
        "/account/verwijderen", data={"password": PASSWORD, "confirm": "VERWIJDER"}
    )
    assert response.status_code == 302
    with app.app_context():
        gone = db.session.get(User, user.id)
        assert gone.deleted_at is not None
        assert user.email not in gone.email and gone.surname == "" and gone.big_number is None
        assert db.session.scalars(select(LessonProgress)).all() == []
        assert db.session.scalar(select(AuditEvent.action)) == "account.deleted"
    assert client.get("/account/profiel").status_code == 302
    assert auth.login(user).status_code == 200  # cannot log in any more


def _enable_two_factor(client, app, user) -> str:
    client.get("/account/tweestapsverificatie")
    with client.session_transaction() as session:
        secret = session["totp_setup_secret"]
    response = client.post("/account/tweestapsverificatie", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def test_trainer_signs_in_with_a_second_factor(client, auth, app, make_user):
    trainer = make_user(role="trainer", profession="other", big_number=None)
    auth.login(trainer)
    secret = _enable_two_factor(client, app, trainer)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.two_factor_on")
        ).one()
        assert (event.target_type, event.target_id) == ("user", str(trainer.id))
    auth.logout()
    response = auth.login(trainer)
    assert response.location.endswith("/account/inloggen/code")
    assert client.get("/account/profiel").status_code == 302  # not logged in yet
    bad = client.post("/account/inloggen/code", data={"code": "000000"})
    assert "klopt niet" in bad.get_data(as_text=True)
    # The code used to turn it on works only once: the next one (accepted for clock drift) signs in.
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    good = client.post("/account/inloggen/code", data={"code": next_code})
    assert good.status_code == 302
    assert client.get("/account/profiel").status_code == 200


def test_learners_cannot_turn_on_two_factor(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/account/tweestapsverificatie").status_code == 403


def _delete_own_account(client, auth, user) -> None:
    auth.login(user)
    response = client.post(
        "/account/verwijderen", data={"password": PASSWORD, "confirm": "VERWIJDER"}
    )
    assert response.status_code == 302
    auth.logout()


def test_deletion_scrubs_the_person_from_the_audit_log(client, auth, app, make_user):
    admin = make_user(role="admin", surname="Beheer", profession="other", big_number=None)
    person = make_user(
        email="k.de.wit@praktijk.example",
        first_name="Karin",
        surname="Wit",
        big_number="98765432101",
    )
    auth.login(admin)
    client.post(f"/beheer/gebruikers/{person.id}/rol", data={"role": "trainer"})
    for term in ("k.de.wit", "wit", "432101", "onbekend-iemand"):
        client.get("/beheer/gebruikers", query_string={"q": term})
    client.get("/beheer/certificaten", query_string={"q": "Wit"})
    auth.logout()
    person_again = make_user(email="iemand.anders@example.nl")
    assert person_again.id != person.id
    _delete_own_account(client, auth, person)
    auth.login(admin)
    log = client.get("/beheer/auditlog").get_data(as_text=True)
    for trace in ("k.de.wit", "praktijk.example", "432101", "Wit"):
        assert trace not in log, trace
    assert "onbekend-iemand" in log  # a search that did not find the person stays as it was
    with app.app_context():
        details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert "k.de.wit" not in details and "432101" not in details


def test_deletion_leaves_no_trace_in_the_sqlite_files(client, auth, app, make_user):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("the write-ahead log is SQLite's")
    path = Path(url.removeprefix("sqlite:///"))
    person = make_user(email="spoor.in.wal@praktijk.example", surname="Walvis")
    _delete_own_account(client, auth, person)
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    stored = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"spoor.in.wal@praktijk.example" not in stored
    assert b"Walvis" not in stored


def test_the_data_download_says_who_granted_looked_invited_and_what_certificates_print(
    client, auth, app, make_user
):
    trainer = make_user(
        role="trainer",
        first_name="Tessa",
        tussenvoegsel="",
        surname="Opleider",
        profession="other",
        big_number=None,
    )
    admin = make_user(
        role="admin",
        first_name="Bram",
        tussenvoegsel="",
        surname="Beheer",
        profession="other",
        big_number=None,
    )
    learner = make_user(initials="E.", tussenvoegsel="", surname="Gül", big_number="12345678987")
    make_eligible(app, learner)
    certificate = issue_for(app, learner)
    with app.app_context():
        cohort = cohorts.create_cohort(
            db.session.get(User, trainer.id), "Praktijk De Linde", COURSE
        )
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id))
        other = cohorts.create_cohort(db.session.get(User, trainer.id), "Andere groep", COURSE)
        cohorts.create_invites(other, [learner.email])
        issuing.revoke(db.session.get(Certificate, certificate.id), "Naam verkeerd", None)
        db.session.commit()
        cohort_id = cohort.id
        quiz = get_catalog().course(COURSE).assessment_quizzes[0].slug
    auth.login(trainer)
    assert client.get(f"/groepen/{cohort_id}/deelnemers/{learner.id}").status_code == 200
    client.post(f"/groepen/{cohort_id}/deelnemers/{learner.id}/extra-poging/{quiz}")
    auth.logout()
    auth.login(admin)
    assert client.get(f"/beheer/certificaten/{certificate.number}").status_code == 200
    auth.logout()
    auth.login(learner)
    data = client.get("/account/mijn-gegevens.json").get_json()

    [grant] = data["extra_attempts"]
    assert (grant["quiz"], grant["granted_by"]) == (quiz, "Tessa Opleider")
    seen = {(view["by"], view["action"]) for view in data["seen_by"]}
    assert ("Tessa Opleider", "trainer.view_learner") in seen
    assert ("Bram Beheer", "admin.view_certificate") in seen
    assert all(view["at"] and view["what"] for view in data["seen_by"])
    assert [i["cohort"] for i in data["invitations"] if i["open"]] == ["Andere groep"]
    [printed] = data["certificates"]
    assert (printed["name"], printed["big_number"]) == ("E. Gül", "12345678987")
    assert printed["status"] == "revoked" and printed["revoked_at"]
