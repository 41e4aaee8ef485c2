"""Administration: admins only; revoke with a reason (audit-logged), audit log, export, evaluations."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent

from .certificate_helpers import COURSE, certificates, evaluate, issue_for, make_eligible

HEADER = (
    "Organisatie;Cursustitel;Datum;Accreditatie-ID;Achternaam;Tussenvoegsel;Voorletters;"
    "Beroep;BIG-nummer;Punten;Certificaatnummer"
)


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", profession="anders", big_number=None)


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
        data={"reason": "Naam verkeerd gespeld"},
        follow_redirects=True,
    )
    assert "is ingetrokken" in response.get_data(as_text=True)
    [certificate] = certificates(app)
    assert certificate.status == "revoked" and certificate.revoked_at is not None
    assert certificate.revoked_reason == "Naam verkeerd gespeld"
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "certificate.revoke")
        ).one()
        assert event.actor_id == admin.id
        assert event.detail == {"number": issued.number, "reason": "Naam verkeerd gespeld"}
    verify = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "Ingetrokken" in verify
    log = client.get("/beheer/auditlog").get_data(as_text=True)
    assert "certificate.revoke" in log and admin.email in log and "Naam verkeerd gespeld" in log


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
    assert response.mimetype == "text/csv"
    assert (
        "presentielijst-test-cursus-2026-01-01-2026-12-31.csv"
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
    assert again.data.decode("utf-8-sig").splitlines() == [HEADER]
    everything = client.post("/beheer/export", data={**form, "only_new": ""})
    assert len(everything.data.decode("utf-8-sig").splitlines()) == 2
    assert certificates(app)[0].exported_at == certificate.exported_at  # first export kept


def test_export_leaves_out_other_periods_revoked_and_participation(
    app, client, auth, admin, issued, make_user
):
    nurse = make_user(profession="praktijkondersteuner", big_number=None)
    make_eligible(app, nurse)
    issue_for(app, nurse)
    auth.login(admin)
    form = {"course": COURSE, "date_from": "2026-04-01", "date_until": "2026-12-31"}
    outside = client.post("/beheer/export", data=form)
    assert outside.data.decode("utf-8-sig").splitlines() == [HEADER]
    client.post(f"/beheer/certificaten/{issued.number}/intrekken", data={"reason": "Fout in naam"})
    revoked = client.post("/beheer/export", data={**form, "date_from": "2026-01-01"})
    assert revoked.data.decode("utf-8-sig").splitlines() == [HEADER]


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
