"""Administration: admins only; revoke with a reason (audit-logged), audit log, export, evaluations."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User

from .certificate_helpers import (
    COURSE,
    certificates,
    complete_lessons,
    evaluate,
    issue_for,
    make_eligible,
    pass_assessment,
)

HEADER = (
    "Organisatie;Cursustitel;Datum;Accreditatie-ID;Achternaam;Tussenvoegsel;Voorletters;"
    "Beroep;BIG-nummer;Punten;Certificaatnummer"
)


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", profession="other", big_number=None)


@pytest.fixture
def issued(app: Flask, make_user):
    user = make_user(initials="S.", tussenvoegsel="de", surname="Wit", big_number="24681357911")
    make_eligible(app, user)
    return issue_for(app, user)


ADMIN_PAGES = [
    "/beheer",
    "/beheer/certificaten",
    "/beheer/auditlog",
    "/beheer/evaluaties",
    "/beheer/export",
]


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_get_403_on_every_admin_page(client, auth, make_user, role, issued):
    auth.login(make_user(role=role))
    for path in [*ADMIN_PAGES, f"/beheer/certificaten/{issued.number}"]:
        assert client.get(path).status_code == 403, path
    response = client.post(
        f"/beheer/certificaten/{issued.number}/intrekken", data={"reason": "Ik wil dit weg"}
    )
    assert response.status_code == 403


def test_revocation_by_a_learner_or_trainer_changes_nothing(app, client, auth, make_user, issued):
    for role in ("learner", "trainer"):
        auth.login(make_user(role=role))
        client.post(
            f"/beheer/certificaten/{issued.number}/intrekken", data={"reason": "Ik wil dit weg"}
        )
        auth.logout()
    assert [c.status for c in certificates(app)] == ["valid"]
    page = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "Geldig certificaat" in page


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/beheer")
    assert response.status_code == 302 and "/account/inloggen" in response.location


def test_admin_sees_every_admin_page(client, auth, admin, issued):
    auth.login(admin)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path


def test_admin_revokes_with_a_reason_and_verification_shows_revoked(
    app, client, auth, admin, issued
):
    auth.login(admin)
    page = client.get(f"/beheer/certificaten/{issued.number}").get_data(as_text=True)
    assert "S. de Wit" in page and "Certificaat intrekken" in page
    response = client.post(
        f"/beheer/certificaten/{issued.number}/intrekken",
        data={"reason": "Naam verkeerd gespeld."},
        follow_redirects=True,
    )
    assert "is ingetrokken" in response.get_data(as_text=True)
    [certificate] = certificates(app)
    assert certificate.status == "revoked" and certificate.revoked_at is not None
    assert certificate.revoked_reason == "Naam verkeerd gespeld."
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "certificate.revoke")
        ).one()
        assert event.actor_id == admin.id
        assert event.detail == {"number": issued.number, "reason": "Naam verkeerd gespeld."}
    verify = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "Ingetrokken" in verify
    log = client.get("/beheer/auditlog").get_data(as_text=True)
    sentence = (
        f"{admin.full_name} trok certificaat {issued.number} in, want: Naam verkeerd gespeld."
    )
    assert sentence in log and "certificate.revoke" not in log


def test_revoking_without_a_reason_is_refused(app, client, auth, admin, issued):
    auth.login(admin)
    response = client.post(f"/beheer/certificaten/{issued.number}/intrekken", data={"reason": ""})
    assert response.status_code == 400
    assert "Geef de reden" in response.get_data(as_text=True)
    assert [c.status for c in certificates(app)] == ["valid"]


def test_certificate_search_by_number_surname_and_big_digits(
    client, auth, admin, issued, app, make_user
):
    other = make_user(surname="Bakker")
    make_eligible(app, other)
    other_certificate = issue_for(app, other)
    auth.login(admin)

    def found(query: str) -> set[str]:
        page = client.get("/beheer/certificaten", query_string={"q": query}).get_data(as_text=True)
        return {n for n in (issued.number, other_certificate.number) if n in page}

    assert found(issued.number.lower()) == {issued.number}
    assert found("Wit") == {issued.number}
    assert found("911") == {issued.number}
    assert found("") == {issued.number, other_certificate.number}


def test_a_percent_sign_or_underscore_in_the_certificate_search_is_not_a_wildcard(
    client, auth, admin, issued
):
    auth.login(admin)
    for query in ("%", "_", "W_t", "%it"):
        page = client.get("/beheer/certificaten", query_string={"q": query}).get_data(as_text=True)
        assert issued.number not in page, query
    page = client.get("/beheer/certificaten", query_string={"q": "it"}).get_data(as_text=True)
    assert issued.number in page


def test_export_downloads_register_columns_and_only_new_skips_exported(
    app, client, auth, admin, issued
):
    auth.login(admin)
    form = {
        "course": COURSE,
        "date_from": "2026-01-01",
        "date_until": "2026-12-31",
        "only_new": "y",
    }
    response = client.post("/beheer/export", data=form)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        "concept-presentielijst-test-cursus-2026-01-01-2026-12-31.csv"
        in (response.headers["Content-Disposition"])
    )
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert lines[1].split(";") == [
        "Signaal e-learning",
        "Testcursus signalen van mensenhandel",
        "10-03-2026",
        "",
        "Wit",
        "de",
        "S.",
        "Huisarts",
        "24681357911",
        "0",
        issued.number,
    ]
    [certificate] = certificates(app)
    assert certificate.exported_at is not None

    again = client.post("/beheer/export", data=form)
    assert again.mimetype == "text/html"
    assert "Er zijn geen nieuwe certificaten om te exporteren" in again.get_data(as_text=True)
    everything = client.post("/beheer/export", data={**form, "only_new": ""})
    assert len(everything.data.decode("utf-8-sig").splitlines()) == 2
    assert certificates(app)[0].exported_at == certificate.exported_at  # first export kept


def test_export_leaves_out_other_periods_revoked_and_participation(
    app, client, auth, admin, issued, make_user
):
    nurse = make_user(profession="practice_nurse", big_number=None)
    make_eligible(app, nurse)
    issue_for(app, nurse)
    auth.login(admin)
    form = {"course": COURSE, "date_from": "2026-04-01", "date_until": "2026-12-31"}
    outside = client.post("/beheer/export", data=form)
    assert "Er zijn geen certificaten om te exporteren" in outside.get_data(as_text=True)
    client.post(f"/beheer/certificaten/{issued.number}/intrekken", data={"reason": "Fout in naam"})
    revoked = client.post("/beheer/export", data={**form, "date_from": "2026-01-01"})
    assert "Er zijn geen certificaten om te exporteren" in revoked.get_data(as_text=True)


def test_export_warns_while_the_accreditation_is_only_applied_for(client, auth, admin):
    auth.login(admin)
    page = client.get("/beheer/export").get_data(as_text=True)
    assert "de accreditatie is nog aangevraagd bij ABC1" in page
    assert "geen activiteit-ID en geen punten" in page
    assert "nog niet klaar voor het register" in page


def test_export_with_dates_the_wrong_way_round_explains(client, auth, admin):
    auth.login(admin)
    response = client.post(
        "/beheer/export",
        data={"course": COURSE, "date_from": "2026-12-31", "date_until": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "De einddatum ligt vóór de begindatum." in response.get_data(as_text=True)


@pytest.mark.parametrize("surname", ["=HYPERLINK(1)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)"])
def test_export_cells_that_look_like_formulas_are_defused(
    app, client, auth, admin, make_user, surname
):
    user = make_user(surname=surname)
    make_eligible(app, user)
    issue_for(app, user)
    auth.login(admin)
    response = client.post(
        "/beheer/export",
        data={"course": COURSE, "date_from": "2026-01-01", "date_until": "2026-12-31"},
    )
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][4] == "'" + surname


def test_admin_sees_the_evaluation_aggregate(app, client, auth, admin, make_user):
    learner = make_user()
    with app.app_context():
        evaluate(learner.id)
        db.session.commit()
    auth.login(admin)
    page = client.get("/beheer/evaluaties").get_data(as_text=True)
    assert "1 evaluatie ingevuld" in page
    assert "Nuttig." not in page  # comments from five evaluations on


def test_revocation_mails_the_holder_why_and_what_to_do(app, client, auth, admin, issued, outbox):
    auth.login(admin)
    client.post(
        f"/beheer/certificaten/{issued.number}/intrekken", data={"reason": "Naam verkeerd gespeld"}
    )
    [mail] = [m for m in outbox() if "ingetrokken" in m["Subject"]]
    with app.app_context():
        holder = db.session.get(User, issued.user_id)
    assert mail["To"] == holder.email
    body = mail.get_content()
    assert body.startswith(f"Beste {holder.first_name},")
    assert issued.number in body and "Naam verkeerd gespeld" in body
    assert f"https://signaal.example.nl/certificaat/{COURSE}" in body  # where to get a new one
    assert "https://signaal.example.nl/account/profiel" in body  # where to correct details
    assert holder.big_number not in body


def test_verification_of_a_replaced_certificate_says_a_newer_one_exists(
    app, client, auth, admin, issued
):
    auth.login(admin)
    client.post(f"/beheer/certificaten/{issued.number}/intrekken", data={"reason": "Typfout"})
    page = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "nieuwer certificaat" not in page  # revoked, not (yet) replaced
    with app.app_context():
        holder = db.session.get(User, issued.user_id)
        db.session.expunge(holder)
    replacement = issue_for(app, holder)
    page = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "Ingetrokken" in page
    assert "Er is een nieuwer certificaat voor deze cursus uitgegeven" in page
    assert replacement.number not in page  # the holder's other data is not shown


def test_admin_compares_the_stated_study_load_with_what_certified_learners_spent(
    app, client, auth, admin, make_user
):
    for minutes_each in (5, 10, 15, 20):  # two lessons each: 10, 20, 30 and 40 minutes
        learner = make_user()
        with app.app_context():
            complete_lessons(learner.id, minutes_each=minutes_each)
            pass_assessment(learner.id)
            evaluate(learner.id)
            db.session.commit()
        issue_for(app, learner)
    uncertified = make_user()
    with app.app_context():
        complete_lessons(uncertified.id, minutes_each=300)  # not counted: no certificate
        db.session.commit()
    auth.login(admin)
    page = client.get("/beheer/evaluaties").get_data(as_text=True)
    assert "Op het certificaat staat 30 minuten." in page
    assert "de 4 deelnemers met een geldig certificaat: mediaan <strong>25 minuten</strong>" in page
    assert "tussen 18 minuten en 32 minuten" in page
