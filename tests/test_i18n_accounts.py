"""Accounts, verification and error pages in English: pages, messages and mails follow the
person's language; the public API and the certificate's printed facts stay as they are."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import update

from app.extensions import db
from app.models import User
from app.web import file_size

from .certificate_helpers import issue_for, make_eligible
from .conftest import PASSWORD

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def prefers_english(app: Flask, user: User) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(language="en"))
        db.session.commit()


def test_registration_in_english_with_english_errors_and_an_english_mail(client, outbox):
    page = text_of(client.get("/account/registreren", headers=ENGLISH))
    assert "Create account" in page and "Surname" in page and "GP trainee (aios)" in page
    assert "Achternaam" not in page and "Huisarts in opleiding" not in page

    data = {"initials": "S.", "first_name": "Sara", "surname": "Meer", "profession": "gp"}
    refused = text_of(
        client.post(
            "/account/registreren",
            data={**data, "email": "sara@example.nl", "password": "kort", "confirm": "anders"},
            headers=ENGLISH,
        )
    )
    assert "Enter your BIG number" in refused
    assert "Choose a password of at least 12 characters." in refused
    assert "The passwords do not match." in refused
    assert "wachtwoord" not in refused.lower()

    client.post(
        "/account/registreren",
        data={
            **data,
            "big_number": "19876543210",
            "email": "sara@example.nl",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
        headers=ENGLISH,
    )
    [message] = outbox()
    body = message.get_content()
    assert message["Subject"] == "Confirm your email address for Signaal"
    assert body.startswith("Dear Sara,") and "Kind regards," in body
    assert "Bevestig" not in body and "Beste" not in body


def test_an_english_speaker_gets_the_reset_mail_and_its_messages_in_english(
    client, make_user, outbox
):
    user = make_user()
    answer = client.post(
        "/account/wachtwoord-vergeten",
        data={"email": user.email},
        headers=ENGLISH,
        follow_redirects=True,
    )
    assert "you will receive a link to set a new password" in text_of(answer)
    [message] = outbox()
    assert message["Subject"] == "Set a new password for Signaal"
    assert "valid for 60 minutes, usable once" in message.get_content()
    link = re.search(r"https://signaal\.example\.nl(/\S+)", message.get_content())
    assert link is not None
    form = text_of(client.get(link.group(1), headers=ENGLISH))
    assert "Set a new password" in form and "Repeat new password" in form


def test_a_failed_sign_in_and_an_expired_link_are_explained_in_english(client):
    failed = text_of(
        client.post(
            "/account/inloggen",
            data={"email": "niemand@example.nl", "password": "verkeerd-wachtwoord"},
            headers=ENGLISH,
        )
    )
    assert "The email address or password is incorrect" in failed
    expired = client.get("/account/bevestigen/ongeldig", headers=ENGLISH, follow_redirects=True)
    assert "This confirmation link has expired or is invalid." in text_of(expired)
    needs_login = client.get("/account/profiel", headers=ENGLISH, follow_redirects=True)
    assert "Sign in to view this page." in text_of(needs_login)


def test_the_profile_and_my_data_follow_the_chosen_language(app, client, auth, make_user):
    user = make_user()
    prefers_english(app, user)
    auth.login(user)
    profile = text_of(client.get("/account/profiel", headers={"Accept-Language": "nl"}))
    assert "Your profile" in profile and "Name on the certificate" in profile
    assert "Initials" in profile and "No booster emails" in profile
    assert "Je profiel" not in profile and "Voorletters" not in profile
    my_data = text_of(client.get("/account/mijn-gegevens"))
    assert "Type DELETE to confirm" in my_data and "Delete account permanently" in my_data

    # The confirmation word is the one the page asks for.
    gone = client.post(
        "/account/verwijderen",
        data={"password": PASSWORD, "confirm": "DELETE"},
        follow_redirects=True,
    )
    assert "Your account and your personal data have been deleted." in text_of(gone)


def test_verification_in_english_keeps_the_certificates_own_words(app, client, make_user):
    holder = make_user(initials="E.", tussenvoegsel="", surname="Gül", big_number="12345678987")
    make_eligible(app, holder)
    certificate = issue_for(app, holder)
    page = text_of(client.get(f"/verify/{certificate.number}", headers=ENGLISH))
    assert "Valid certificate" in page and "Check the PDF file" in page
    assert "Geldig certificaat" not in page and "Het PDF-bestand controleren" not in page
    # The facts are as printed (in Dutch) and marked so.
    assert '<dl class="facts" lang="nl">' in page and "Huisarts" in page

    api = client.get(f"/api/v1/certificates/{certificate.number}", headers=ENGLISH).get_json()
    assert api["certificate"]["profession_label"] == "Huisarts"
    assert api["certificate"]["result"] == "toets met voldoende afgerond"


def test_error_pages_in_english_but_the_api_keeps_its_answers(client):
    page = client.get("/bestaat-niet", headers=ENGLISH)
    assert page.status_code == 404 and "Page not found" in text_of(page)
    assert "Pagina niet gevonden" not in text_of(page)
    api = client.get("/api/v1/bestaat/niet/echt", headers=ENGLISH)
    assert api.status_code == 404 and api.get_json()["error"] == "Pagina niet gevonden"


def test_file_sizes_use_the_languages_decimal_mark(app):
    with app.test_request_context():
        assert file_size(3 * 1024 * 1024 // 2) == "1,5 MB"
    with app.test_request_context(headers=ENGLISH):
        assert file_size(3 * 1024 * 1024 // 2) == "1.5 MB"
        assert file_size(2 * 1024 * 1024) == "2 MB"
        assert file_size(500 * 1024) == "500 kB"
