"""The trainer pages and the mails to learners in English: pages in the reader's language,
mails in the recipient's (whoever sends them), course content left in Dutch."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from flask import Flask

from app.boosters.sending import send_due_boosters
from app.extensions import db
from app.mail import deliver_due
from app.models import User
from tests.test_boosters import certify
from tests.test_trainer import add_attempt, add_member, complete_lessons, make_cohort


def speaks(app: Flask, user: User, language: str) -> User:
    """Set the user's interface language in the profile."""
    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()
    user.language = language
    return user


@pytest.fixture
def english_trainer(app: Flask, make_user: Any) -> User:
    trainer = make_user(role="trainer", first_name="Emma", tussenvoegsel="", surname="Wood")
    return speaks(app, trainer, "en")


@pytest.fixture
def cohort(app: Flask, english_trainer: User, make_user: Any) -> tuple[int, dict[str, User]]:
    cohort_id, _ = make_cohort(app, english_trainer)
    dutch = make_user(first_name="Dirk", tussenvoegsel="", surname="Done")
    english = speaks(app, make_user(first_name="Eve", tussenvoegsel="", surname="Smith"), "en")
    for user in (dutch, english):
        add_member(app, cohort_id, user)
        complete_lessons(app, user, "eerste-les")
        add_attempt(app, user, 1, 0.4)
    return cohort_id, {"dutch": dutch, "english": english}


def test_the_overview_speaks_the_trainers_language(client, auth, english_trainer, cohort):
    cohort_id, _ = cohort
    auth.login(english_trainer)
    page = client.get(f"/groepen/{cohort_id}").get_data(as_text=True)
    for english in ("At a glance", "Participants", "Download as CSV (Excel)", "Send a reminder"):
        assert english in page
    for dutch in (
        "In één oogopslag",
        "Deelnemers",
        "gemiddelde voortgang",
        "Stuur een herinnering",
    ):
        assert dutch not in page
    # The charts are drawn with English labels as well.
    chart = client.get(f"/groepen/{cohort_id}/grafiek/trechter.svg").get_data(as_text=True)
    assert "From registration to certificate" in chart and "Aangemeld" not in chart


def test_the_learner_page_and_item_analysis_are_english_with_dutch_content_marked(
    client, auth, english_trainer, cohort
):
    cohort_id, people = cohort
    auth.login(english_trainer)
    page = client.get(f"/groepen/{cohort_id}/deelnemers/{people['dutch'].id}").get_data(
        as_text=True
    )
    assert "Timeline" in page and "Final test per case" in page
    assert "Tijdlijn" not in page and "Eindtoets per casus" not in page
    assert 'lang="nl"' in page  # the course's titles keep their language
    analysis = client.get(f"/groepen/{cohort_id}/itemanalyse").get_data(as_text=True)
    assert "How to read these figures" in analysis and "Zo lees je" not in analysis


def test_the_csv_has_english_headers_and_stable_values(client, auth, english_trainer, cohort):
    cohort_id, _ = cohort
    auth.login(english_trainer)
    raw = client.get(f"/groepen/{cohort_id}/deelnemers.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    assert rows[0][:3] == ["Name", "Email address", "Profession"]
    assert rows[1][-4:] == ["nee", "nee", "nee", "nee"]  # the same whichever language asks


def test_a_reminder_reaches_each_learner_in_their_own_language(
    app, client, auth, outbox, english_trainer, cohort
):
    cohort_id, people = cohort
    auth.login(english_trainer)
    response = client.post(
        f"/groepen/{cohort_id}/herinnering", data={"filter": "bezig", "aantal": "2"}
    )
    assert response.status_code == 302
    mails = {m["To"]: m for m in outbox()}
    english = mails[people["english"].email]
    assert english["Subject"] == "A reminder: the lessons in Signaal"
    assert english.get_content().startswith("Dear Eve,")
    assert "Kind regards" in english.get_content()
    dutch = mails[people["dutch"].email]
    assert dutch["Subject"] == "Een herinnering: de lessen in Signaal"
    assert dutch.get_content().startswith("Beste Dirk,")


def test_an_invitation_is_in_the_invitees_language_or_else_the_trainers(
    app, client, auth, outbox, english_trainer, make_user
):
    speaks(app, make_user(email="dutch@example.nl"), "nl")
    cohort_id, _ = make_cohort(app, english_trainer)
    auth.login(english_trainer)
    client.post(
        f"/groepen/{cohort_id}/uitnodigen",
        data={"uitnodigen-emails": "dutch@example.nl, new@example.nl"},
    )
    mails = {m["To"]: m for m in outbox()}
    assert mails["dutch@example.nl"]["Subject"].startswith("Uitnodiging voor de groep")
    assert "nodigt je uit" in mails["dutch@example.nl"].get_content()
    # No account yet: the trainer's language.
    assert mails["new@example.nl"]["Subject"].startswith("Invitation to the group")
    assert "invites you to join" in mails["new@example.nl"].get_content()


def test_a_booster_sent_by_the_cron_command_is_in_the_learners_language(app, make_user, outbox):
    learner = speaks(app, make_user(email="booster@example.nl", first_name="Eve"), "en")
    with app.app_context():
        certify(db.session.get(User, learner.id))
        send_due_boosters(dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
        deliver_due()
    [mail] = outbox()
    assert mail["Subject"].startswith("Two-minute booster:")
    body = mail.get_content()
    assert body.startswith("Dear Eve,") and "Start the booster:" in body
    assert "Liever geen boosters" not in body
