"""The outbox: requests queue mail in their own transaction; `flask mail send` delivers it to a
real SMTP server on loopback, retries with backoff when it is down, and records refusals."""

from __future__ import annotations

import datetime as dt
import email
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from app import mail
from app.extensions import db
from app.models import MailMessage, utcnow

from .conftest import PASSWORD
from .smtpserver import SmtpServer, free_port
from .test_trainer import make_cohort

REGISTRATION = {
    "email": "nieuw@example.nl",
    "password": "een-lang-nieuw-wachtwoord",
    "confirm": "een-lang-nieuw-wachtwoord",
    "initials": "N.",
    "first_name": "Nina",
    "surname": "Nieuw",
    "profession": "other",
    "big_number": "",
}


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def config_overrides(smtp_port: int) -> dict[str, Any]:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_USE_TLS": False}


@pytest.fixture
def smtp(smtp_port: int) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()


def rows(app: Flask) -> list[MailMessage]:
    with app.app_context():
        return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def test_registration_queues_mail_that_flask_mail_send_delivers(app, client, runner, smtp):
    response = client.post("/account/registreren", data=REGISTRATION)
    assert response.status_code == 302
    assert smtp.messages == []  # the request only queued it
    [queued] = rows(app)
    assert (queued.recipient, queued.status) == ("nieuw@example.nl", "queued")

    result = runner.invoke(args=["mail", "send"])
    assert "1 verstuurd" in result.output
    [message] = smtp.messages
    assert message["To"] == "nieuw@example.nl"
    assert "Bevestig" in message["Subject"]
    assert "/account/bevestigen/" in message.get_content()
    [sent] = rows(app)
    assert sent.status == "sent" and sent.message == b""  # the link does not stay in the table

    runner.invoke(args=["mail", "send"])
    assert len(smtp.messages) == 1  # delivered once


def test_a_down_server_keeps_mail_queued_and_a_later_run_delivers_it(
    app, client, runner, smtp_port
):
    response = client.post("/account/registreren", data=REGISTRATION)
    assert response.status_code == 302  # the account exists; no 500 for a mail problem

    result = runner.invoke(args=["mail", "send"])
    assert "1 later opnieuw" in result.output
    [waiting] = rows(app)
    assert waiting.status == "queued" and waiting.attempts == 1
    assert "Connection" in waiting.last_error or "refused" in waiting.last_error.lower()
    assert waiting.next_attempt_at > utcnow() + dt.timedelta(seconds=50)

    server = SmtpServer(smtp_port).start()
    try:
        with app.app_context():
            assert mail.deliver_due(utcnow()).sent == 0  # not due yet
            assert mail.deliver_due(utcnow() + dt.timedelta(minutes=2)).sent == 1
    finally:
        server.stop()
    assert [m["To"] for m in server.messages] == ["nieuw@example.nl"]


def test_retries_back_off_and_give_up_after_the_last_attempt(app, smtp_port):
    with app.app_context():
        mail.queue_mail("iemand@example.nl", "Onderwerp", "Tekst")
        db.session.commit()
        moment = utcnow()
        waits = []
        for _ in range(mail.MAX_ATTEMPTS):
            mail.deliver_due(moment)
            row = db.session.scalars(select(MailMessage)).one()
            waits.append(row.next_attempt_at - moment)
            moment = row.next_attempt_at
        assert waits[:4] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
        assert max(waits[:-1]) == mail.LONGEST_WAIT
        assert row.status == "failed" and row.attempts == mail.MAX_ATTEMPTS


def test_a_refused_recipient_fails_and_the_others_are_delivered(
    app, client, auth, runner, make_user, smtp
):
    smtp.recorder.refuse.add("bestaat-niet@praktijk.nl")
    trainer = make_user(role="trainer", profession="other", big_number=None)
    cohort_id, _ = make_cohort(app, trainer)
    auth.login(trainer)
    addresses = "een@praktijk.nl\nbestaat-niet@praktijk.nl\ntwee@praktijk.nl"
    client.post(f"/groepen/{cohort_id}/uitnodigen", data={"uitnodigen-emails": addresses})

    result = runner.invoke(args=["mail", "send"])
    assert "2 verstuurd" in result.output and "1 opgegeven" in result.output
    assert sorted(m["To"] for m in smtp.messages) == ["een@praktijk.nl", "twee@praktijk.nl"]
    failed = next(r for r in rows(app) if r.recipient == "bestaat-niet@praktijk.nl")
    assert failed.status == "failed" and "550" in failed.last_error


def test_two_senders_at_once_deliver_each_message_once(app, smtp):
    with app.app_context():
        for n in range(30):
            mail.queue_mail(f"deelnemer{n}@example.nl", f"Bericht {n}", "Tekst")
        db.session.commit()

    def send() -> None:
        with app.app_context():
            mail.deliver_due()

    senders = [threading.Thread(target=send) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    received = sorted(m["To"] for m in smtp.messages)
    assert received == sorted(f"deelnemer{n}@example.nl" for n in range(30))
    assert {r.status for r in rows(app)} == {"sent"}


def test_admins_see_mail_that_did_not_go_out(app, client, auth, make_user, smtp_port):
    with app.app_context():
        mail.queue_mail("vastgelopen@example.nl", "Uitnodiging voor de groep", "Tekst")
        db.session.commit()
        mail.deliver_due()
    admin = make_user(role="admin", profession="other", big_number=None)
    auth.login(admin)
    page = client.get("/beheer/mail").get_data(as_text=True)
    assert "vastgelopen@example.nl" in page
    assert "Uitnodiging voor de groep" in page
    assert "1 poging" in page


def test_a_line_break_in_a_cohort_name_does_not_break_the_invitation(app, client, auth, make_user):
    trainer = make_user(role="trainer", profession="other", big_number=None)
    cohort_id, _ = make_cohort(app, trainer, name="Groep\r\nBcc: iedereen@example.nl")
    auth.login(trainer)
    response = client.post(
        f"/groepen/{cohort_id}/uitnodigen", data={"uitnodigen-emails": "een@praktijk.nl"}
    )
    assert response.status_code == 302
    [queued] = rows(app)
    assert "\n" not in queued.subject
    assert email.message_from_bytes(queued.message)["Bcc"] is None


def test_deleting_an_account_drops_mail_still_waiting_for_it(app, client, auth, make_user):
    user = make_user()
    with app.app_context():
        mail.queue_mail(user.email, "Je certificaat", "Tekst met persoonlijke gegevens")
        db.session.commit()
    auth.login(user)
    client.post("/account/verwijderen", data={"password": PASSWORD, "confirm": "VERWIJDER"})
    assert rows(app) == []
