"""Privacy and account protection: data download, account deletion, two-factor sign-in."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, LessonProgress, User, utcnow

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
    trainer = make_user(role="trainer", profession="anders", big_number=None)
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
