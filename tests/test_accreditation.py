"""Booking attendance in PE-online (GAIA) against a local double that speaks ProcessXML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from app.accreditation import bookings
from app.extensions import db
from app.models import Booking, Certificate, User

from .certificate_helpers import COURSE, issue_for, make_eligible
from .pe_online_double import PEOnline, serve
from .test_certificates import pdf_text

PE_COURSE = "9471"


@pytest.fixture
def pe_online() -> Iterator[tuple[PEOnline, str]]:
    service = PEOnline(courses={PE_COURSE: (dt.date(2026, 1, 1), dt.date(2027, 12, 31))})
    server, url = serve(service)
    yield service, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def config_overrides(pe_online) -> dict:
    _, url = pe_online
    return {
        "PE_ONLINE_URL": url,
        "PE_ONLINE_USER_ID": "signaal",
        "PE_ONLINE_USER_KEY": "geheim",
        "PE_ONLINE_TIMEOUT": 2,
    }


def grant(app: Flask, **changes) -> None:
    """Make the fixture course's accreditation granted, with a PE-online course id."""
    catalog = app.extensions["catalog"]
    course = catalog.courses[COURSE]
    fields = {"status": "accredited", "activity_id": "445566", "pe_course_id": PE_COURSE}
    granted = dataclasses.replace(course.accreditation, **{**fields, **changes})
    app.extensions["catalog"] = dataclasses.replace(
        catalog, courses={COURSE: dataclasses.replace(course, accreditation=granted)}
    )


def certified(app: Flask, make_user, big_number: str, known: PEOnline | None = None) -> User:
    user = make_user(big_number=big_number, email=f"{big_number}@example.nl")
    make_eligible(app, user)
    issue_for(app, user)
    if known is not None:
        known.people.add(big_number)
    return user


def states(app: Flask) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Booking.big_number, Booking.state)).all())


def book(runner, *args: str):
    return runner.invoke(args=["accreditation", "book", *args])


def test_a_booking_waits_for_the_accreditation_then_is_accepted(app, runner, make_user, pe_online):
    service, _ = pe_online
    certified(app, make_user, "12345678901", service)
    result = book(runner)
    assert result.exit_code == 0, result.output
    assert states(app) == {"12345678901": "waiting"}
    assert service.calls == 0

    grant(app)
    # The certificate issued while pending is re-issued with the points, then booked.
    other = certified(app, make_user, "22345678901", service)
    result = book(runner)
    assert result.exit_code == 0, result.output
    assert "Geboekt: 2" in result.output
    assert states(app) == {"12345678901": "accepted", "22345678901": "accepted"}
    assert sorted(service.booked) == [("12345678901", PE_COURSE), ("22345678901", PE_COURSE)]
    with app.app_context():
        booking = db.session.scalars(
            select(Booking).where(Booking.big_number == "22345678901")
        ).one()
        assert booking.accepted_at is not None
        assert booking.certificate.user_id == other.id


def test_accepted_attendance_is_never_sent_again(app, runner, make_user, pe_online):
    service, _ = pe_online
    grant(app)
    certified(app, make_user, "12345678901", service)
    assert book(runner).exit_code == 0
    assert book(runner).exit_code == 0
    assert service.booked == [("12345678901", PE_COURSE)]
    assert service.calls == 1


def test_unknown_big_number_is_rejected_with_the_reason_and_resent_after_correction(
    app, runner, make_user, pe_online
):
    service, _ = pe_online
    grant(app)
    certified(app, make_user, "12345678901", service)
    user = certified(app, make_user, "99999999999")  # PE-online does not know this one
    result = book(runner)
    assert "Geboekt: 1, geweigerd: 1" in result.output
    assert states(app)["99999999999"] == "rejected"
    with app.app_context():
        booking = db.session.scalars(select(Booking).where(Booking.state == "rejected")).one()
        assert booking.error_number == 100
        assert "regel 2" in booking.error_message
        assert "controleer het in je profiel" in bookings.advice(booking).learner

    # Nothing changed: a second run does not resend the rejected row.
    calls = service.calls
    book(runner)
    assert service.calls == calls

    with app.app_context():
        db.session.get(User, user.id).big_number = "33345678901"
        db.session.commit()
    service.people.add("33345678901")
    result = book(runner)
    assert "Geboekt: 1" in result.output
    assert ("33345678901", PE_COURSE) in service.booked


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"pe_course_id": "1111"}, "bestaat niet"),
        ({"valid_from": dt.date(2026, 1, 1)}, None),
    ],
)
def test_course_errors_are_rejected_per_row(app, runner, make_user, pe_online, changes, fragment):
    service, _ = pe_online
    grant(app, **changes)
    certified(app, make_user, "12345678901", service)
    book(runner)
    if fragment is None:
        assert states(app) == {"12345678901": "accepted"}
        return
    assert states(app) == {"12345678901": "rejected"}
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert fragment in booking.error_message
        assert "pe_course_id" in bookings.advice(booking).admin


def test_date_outside_the_accreditation_period_is_rejected(app, runner, make_user, pe_online):
    service, _ = pe_online
    service.courses[PE_COURSE] = (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    grant(app)
    certified(app, make_user, "12345678901", service)
    book(runner)
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.state == "rejected"
        assert "buiten elke accreditatieperiode" in booking.error_message
        assert "accreditatieperiode" in bookings.advice(booking).admin


def test_a_wrong_key_stops_the_run_loudly_and_books_nothing(app, runner, make_user, pe_online):
    service, _ = pe_online
    service.users = {"signaal": "een-andere-sleutel"}
    grant(app)
    certified(app, make_user, "12345678901", service)
    result = book(runner)
    assert result.exit_code != 0
    assert "PE-online-fout 400" in result.output
    assert states(app) == {"12345678901": "pending"}
    assert service.booked == []


def test_an_invalid_structure_is_a_configuration_error(app, runner, make_user, pe_online):
    service, _ = pe_online
    grant(app, pe_module_id="Module_A")
    # The double knows no module element: PE-online answers 505 for an unknown element.
    import tests.pe_online_double as double

    original = double.ATTENDANCE
    double.ATTENDANCE = tuple(t for t in original if t != "externalmoduleID")
    try:
        certified(app, make_user, "12345678901", service)
        result = book(runner)
    finally:
        double.ATTENDANCE = original
    assert result.exit_code != 0 and "PE-online-fout 505" in result.output
    assert states(app) == {"12345678901": "pending"}


def test_connection_refused_leaves_the_booking_to_be_retried_with_backoff(
    app, runner, make_user, pe_online
):
    service, _ = pe_online
    grant(app)
    certified(app, make_user, "12345678901", service)
    app.config["PE_ONLINE_URL"] = "http://127.0.0.1:9/nergens"  # discard port: refused
    result = book(runner)
    assert result.exit_code == 0
    assert "niet bereikbaar" in result.output
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.state == "failed" and booking.tries == 1
        assert booking.next_try_at is not None
    # Not due yet: the next run sends nothing.
    app.config["PE_ONLINE_URL"] = service_url(pe_online)
    book(runner)
    assert service.booked == []


def test_a_timeout_counts_as_a_failure_not_a_rejection(app, runner, make_user, pe_online):
    service, _ = pe_online
    app.config["PE_ONLINE_TIMEOUT"] = 1  # the shortest the setting allows (whole seconds)
    service.delay = 2  # longer than PE_ONLINE_TIMEOUT
    grant(app)
    certified(app, make_user, "12345678901", service)
    book(runner)
    assert states(app) == {"12345678901": "failed"}


def test_an_admin_retry_makes_a_rejected_booking_sendable(app, runner, make_user, pe_online):
    service, _ = pe_online
    grant(app)
    certified(app, make_user, "12345678901")
    book(runner)
    assert states(app) == {"12345678901": "rejected"}
    service.people.add("12345678901")
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert bookings.retry(booking, None, dt.datetime.now(dt.UTC))
        db.session.commit()
    book(runner)
    assert states(app) == {"12345678901": "accepted"}


def test_batches_hold_at_most_one_hundred_attendances(app, runner, make_user, pe_online):
    service, _ = pe_online
    grant(app)
    with app.app_context():
        for n in range(101):
            certificate = Certificate(
                number=f"TEST-{n:04d}",
                kind="accreditation",
                course_slug=COURSE,
                course_version="2026.1",
                course_hash="x",
                course_title="Testcursus",
                initials="A.",
                surname=f"Deelnemer {n}",
                profession="gp",
                big_number=f"{n:011d}",
                completed_on=dt.date(2026, 3, 10),
                study_load_minutes=30,
                accreditation_body="ABC1",
                accreditation_status="accredited",
                points=2,
                period_start=dt.date(2026, 1, 1),
                layout_version="test",
                sha256="x",
            )
            db.session.add(certificate)
            service.people.add(f"{n:011d}")
        db.session.commit()
    result = book(runner)
    assert "Geboekt: 101" in result.output, result.output
    assert service.calls == 2
    assert len(set(service.booked)) == 101


def test_two_runs_at_once_send_each_attendance_once(app, runner, make_user, pe_online):
    service, _ = pe_online
    service.delay = 0.2
    grant(app)
    for n in range(6):
        certified(app, make_user, f"1234567890{n}", service)
    results = []

    def run() -> None:
        results.append(app.test_cli_runner().invoke(args=["accreditation", "book"]))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.exit_code == 0 for r in results), [(r.output, r.exception) for r in results]
    assert sorted(service.booked) == sorted({(f"1234567890{n}", PE_COURSE) for n in range(6)})
    assert set(states(app).values()) == {"accepted"}


def test_dry_run_sends_nothing(app, runner, make_user, pe_online):
    service, _ = pe_online
    grant(app)
    certified(app, make_user, "12345678901", service)
    result = book(runner, "--dry-run")
    assert result.exit_code == 0 and "Proefdraai" in result.output
    assert service.calls == 0


def test_without_settings_booking_is_off_and_says_how_to_turn_it_on(app, runner, make_user):
    app.config["PE_ONLINE_URL"] = ""
    result = book(runner)
    assert result.exit_code != 0
    assert "PE_ONLINE_URL" in result.output


def test_paste_list_has_big_numbers_only(app, runner, make_user, pe_online):
    grant(app)
    certified(app, make_user, "12345678901")
    certified(app, make_user, "22345678901")
    with app.app_context():
        bookings.sync(app.extensions["catalog"].courses[COURSE], dt.datetime.now(dt.UTC))
        db.session.commit()
        assert bookings.paste_list(COURSE) == ["12345678901", "22345678901"]


def service_url(pe_online) -> str:
    return pe_online[1]


def test_admin_page_shows_counts_rejections_with_advice_and_retries(
    app, client, auth, make_user, pe_online
):
    service, _ = pe_online
    grant(app)
    certified(app, make_user, "99999999999")
    result = app.test_cli_runner().invoke(args=["accreditation", "book"])
    assert states(app) == {"99999999999": "rejected"}, result.output
    admin = make_user(role="admin", email="beheer@example.nl", big_number="55555555555")
    auth.login(admin)
    page = client.get("/beheer/gaia").get_data(as_text=True)
    assert "Geweigerd door PE-online" in page
    assert "99999999999" in page and "BIG-nummer niet" in page
    with app.app_context():
        booking_id = db.session.scalars(select(Booking.id)).one()
    client.post(f"/beheer/gaia/{booking_id}/opnieuw")
    assert states(app) == {"99999999999": "pending"}
    paste = client.get(f"/beheer/gaia/{COURSE}/plaklijst.txt")
    assert paste.mimetype == "text/plain" and paste.get_data(as_text=True) == "99999999999\n"


def test_admin_page_says_how_to_turn_booking_on(app, client, auth, make_user):
    app.config["PE_ONLINE_URL"] = ""
    auth.login(make_user(role="admin"))
    page = client.get("/beheer/gaia").get_data(as_text=True)
    assert "PE_ONLINE_URL" in page
    # The course's accreditation is applied for: said in Dutch, not by its stored value.
    assert "Nog niet te boeken: de accreditatie is aangevraagd." in page


def test_learner_sees_where_the_points_stand(app, client, auth, make_user, runner, pe_online):
    service, _ = pe_online
    grant(app)
    user = certified(app, make_user, "12345678901")
    auth.login(user)
    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    assert "zodra de accreditatie is toegekend" in page
    book(runner)
    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    assert "controleer het in je profiel" in page
    service.people.add("12345678901")
    with app.app_context():
        bookings.retry(db.session.scalars(select(Booking)).one(), None, dt.datetime.now(dt.UTC))
        db.session.commit()
    book(runner)
    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    assert "bijgeschreven in GAIA op" in page
    assert "bijgeschreven in GAIA op" in client.get(f"/leren/{COURSE}").get_data(as_text=True)


def test_granting_the_accreditation_reissues_pending_certificates_with_points(
    app, client, runner, make_user, pe_online, outbox
):
    service, _ = pe_online
    user = certified(app, make_user, "12345678901", service)
    with app.app_context():
        old = db.session.scalars(select(Certificate)).one()
        old_number, old_pdf = old.number, old.pdf
    assert old.points == 0
    grant(app)
    result = book(runner)
    assert "Opnieuw uitgegeven met de toegekende punten: 1" in result.output, result.output
    assert "Geboekt: 1" in result.output
    with app.app_context():
        rows = {c.number: c for c in db.session.scalars(select(Certificate))}
        assert rows[old_number].status == "superseded"
        (new,) = [c for c in rows.values() if c.status == "valid"]
        assert new.points == 2 and new.accreditation_id == "445566"
        assert new.user_id == user.id and new.completed_on == rows[old_number].completed_on
        new_pdf = new.pdf
    assert "Accreditatie-ID 445566" in pdf_text(new_pdf)
    # The old one still verifies as what it was: genuine, but superseded.
    page = client.get(f"/verify/{old_number}").get_data(as_text=True)
    assert "Vervangen door een nieuwer certificaat" in page
    upload = client.post(
        f"/verify/{old_number}",
        data={"pdf": (io.BytesIO(old_pdf), "oud.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "vervangen door een" in upload
    # The re-issue queued its mail; the outbox delivers it (to the development folder here).
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    mails = outbox()
    assert any(old_number in m.get_body(("plain",)).get_content() for m in mails)
    # Running again re-issues nothing and books nothing twice.
    result = book(runner)
    assert "Opnieuw uitgegeven" not in result.output
    assert service.booked == [("12345678901", PE_COURSE)]
