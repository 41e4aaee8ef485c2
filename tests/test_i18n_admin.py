"""The admin and accreditation pages in English for an administrator who chose English."""

from __future__ import annotations

import pytest
from flask import Flask

from app.extensions import db
from app.models import User

from .certificate_helpers import issue_for, make_eligible


def _speaks(app: Flask, user: User, language: str) -> None:
    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()


@pytest.fixture
def english_admin(app, make_user):
    admin = make_user(role="admin", profession="other", big_number=None)
    _speaks(app, admin, "en")
    return admin


@pytest.fixture
def issued(app: Flask, make_user):
    user = make_user(surname="Wit", big_number="24681357911")
    make_eligible(app, user)
    return issue_for(app, user)


@pytest.mark.parametrize(
    ("path", "english", "dutch"),
    [
        ("/beheer", "Find and revoke certificates", "Certificaten zoeken"),
        ("/beheer/certificaten", "No certificates found", "Geen certificaten gevonden"),
        ("/beheer/gebruikers", "Users and roles", "Gebruikers en rollen"),
        ("/beheer/export", "Download attendance list (CSV)", "Presentielijst downloaden"),
        ("/beheer/evaluaties", "Study load: stated and measured", "Studiebelasting"),
        ("/beheer/mail", "Outgoing email that did not arrive", "Uitgaande e-mail"),
        ("/beheer/gaia", "Points in GAIA", "Punten in GAIA"),
    ],
)
def test_admin_pages_speak_english(client, auth, english_admin, path, english, dutch):
    auth.login(english_admin)
    page = client.get(path + ("?q=zzz" if path.endswith("certificaten") else ""))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert english in text and dutch not in text
    assert "Audit log" in text and "Overzicht" not in text  # the admin menu


def test_the_audit_log_reads_in_english_and_in_dutch(app, client, auth, english_admin, issued):
    auth.login(english_admin)
    client.get("/beheer/gebruikers?q=wit")
    page = client.get("/beheer/auditlog").get_data(as_text=True)
    assert "viewed the user list, searching for ‘wit’." in page
    assert "received certificate" in page and "bekeek" not in page
    _speaks(app, english_admin, "nl")
    page = client.get("/beheer/auditlog").get_data(as_text=True)
    assert "bekeek de gebruikerslijst, gezocht op ‘wit’." in page


def test_a_certificate_page_in_english_keeps_the_printed_facts_dutch(
    client, auth, english_admin, issued
):
    auth.login(english_admin)
    page = client.get(f"/beheer/certificaten/{issued.number}").get_data(as_text=True)
    assert "Reason for revocation" in page and "Revoke certificate" in page
    assert "Intrekken kan niet" not in page
    # The facts print as on the certificate, in the course's language, and say so.
    assert '<dt lang="nl">Naam</dt>' in page


def test_a_role_change_is_confirmed_in_english(client, auth, english_admin, make_user):
    learner = make_user()
    auth.login(english_admin)
    response = client.post(f"/beheer/gebruikers/{learner.id}/rol", data={"role": "trainer"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"{learner.email} now has the role" in page
