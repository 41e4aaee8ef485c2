"""An English-speaking learner: the pages and mails speak English, while the certificate itself
prints in Dutch, the language of the course and of the accreditation register."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.certificate_helpers import COURSE, make_eligible


def test_an_english_learner_gets_english_pages_and_mail_but_a_dutch_certificate(
    client, auth, app, make_user, outbox
):
    user = make_user(
        initials="J.P.", tussenvoegsel="", surname="Vries", big_number="19876543210", language="en"
    )
    make_eligible(app, user)
    auth.login(user)
    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    assert "Requirements" in page and "Create certificate" in page
    assert "Voorwaarden" not in page

    response = client.post(
        f"/certificaat/{COURSE}",
        data={"shown_name": "J.P. Vries", "shown_big_number": "19876543210", "confirm": "y"},
        follow_redirects=True,
    )
    assert "has been created" in response.get_data(as_text=True)

    [mail] = [m for m in outbox() if m["To"] == user.email]
    assert mail["Subject"].startswith("Your certificate:")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Congratulations" in body and "Gefeliciteerd" not in body
    [attachment] = [part for part in mail.iter_attachments()]
    printed = PdfReader(io.BytesIO(attachment.get_content())).pages[0].extract_text()
    assert "Huisarts" in printed  # the profession label as the register books it
    assert "GP" not in printed.split()
    assert any(
        month in printed
        for month in (
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        )
    )


def test_the_course_page_marks_dutch_content_for_an_english_reader(client, auth, make_user):
    auth.login(make_user(language="en"))
    page = client.get(f"/leren/{COURSE}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Your progress" in page and "Learning path" in page
    assert '<h1 lang="nl">' in page  # the course title is Dutch content
