"""Public verification: pages, PDF upload and the JSON API; no login, rate-limited."""

from __future__ import annotations

import io
import time

import pytest
from flask import Flask
from sqlalchemy import update
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.certificates import issuing, numbers
from app.extensions import db
from app.models import ACCREDITATION_STATUSES, PROFESSIONS, Certificate
from app.verify import checks

from .certificate_helpers import COURSE, issue_for, make_eligible


@pytest.fixture
def issued(app: Flask, make_user):
    """A valid certificate for a GP with BIG number 12345678987."""
    user = make_user(initials="E.", tussenvoegsel="", surname="Gül", big_number="12345678987")
    make_eligible(app, user)
    return issue_for(app, user)


def revoke(app: Flask, certificate: Certificate, reason: str = "Naam verkeerd gespeld") -> None:
    with app.app_context():
        issuing.revoke(db.session.get(Certificate, certificate.id), reason, None)
        db.session.commit()


def mistype(number: str) -> str:
    """Change one symbol of the number's data part."""
    position = 4
    replacement = "0" if number[position] != "0" else "1"
    return number[:position] + replacement + number[position + 1 :]


def unknown_number() -> str:
    return numbers.new_number()


def upload(client, number: str, data: bytes, name: str = "certificaat.pdf"):
    # Encoded in memory: the test client spools a large body to a file it never closes.
    boundary, body = encode_multipart({"pdf": FileStorage(io.BytesIO(data), name)})
    return client.post(
        f"/verify/{number}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_lookup_form_leads_to_the_canonical_verification_page(client, issued):
    assert client.get("/verify").status_code == 200
    typed = issued.number.lower().replace("-", " ")
    response = client.get("/verify", query_string={"number": typed})
    assert response.status_code == 302
    assert response.location.endswith(f"/verify/{issued.number}")


def test_lookup_without_a_number_asks_for_one(client):
    response = client.get("/verify", query_string={"number": ""})
    assert response.status_code == 400
    assert "Vul het certificaatnummer in." in response.get_data(as_text=True)


def test_a_sloppily_typed_number_redirects_to_its_canonical_page(client, issued):
    response = client.get(f"/verify/{issued.number.lower()}")
    assert response.status_code == 301
    assert response.location.endswith(f"/verify/{issued.number}")


def test_valid_certificate_shows_the_printed_facts_with_masked_big_number(client, issued):
    response = client.get(f"/verify/{issued.number}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Geldig certificaat" in page
    for fact in (
        "E. Gül",
        "Huisarts",
        "Testcursus signalen van mensenhandel",
        "toets met voldoende afgerond",
        "10 maart 2026",
        "Accreditatie aangevraagd bij ABC1",
        issued.number,
    ):
        assert fact in page, fact
    assert "********987" in page
    assert "12345678987" not in page


def test_verification_needs_no_login(client, issued):
    assert client.get(f"/verify/{issued.number}").status_code == 200
    assert client.get(f"/api/v1/certificates/{issued.number}").status_code == 200


def test_revoked_certificate_is_shown_as_revoked_with_its_date(app, client, issued):
    revoke(app, issued, reason="Naam verkeerd gespeld")
    page = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "Ingetrokken" in page and "geldt niet meer" in page
    assert "Geldig certificaat" not in page
    assert "Naam verkeerd gespeld" not in page  # the reason stays internal


def test_unknown_number_is_reported_as_unknown(client):
    number = unknown_number()
    response = client.get(f"/verify/{number}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Onbekend nummer" in page
    assert "Vermoedelijk verkeerd overgetypt" not in page


def test_mistyped_number_is_reported_as_mistyped(client, issued):
    response = client.get(f"/verify/{mistype(issued.number)}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Vermoedelijk verkeerd overgetypt" in page
    assert "Onbekend nummer" not in page


def test_uploading_the_issued_pdf_confirms_it(client, issued):
    page = upload(client, issued.number, issued.pdf).get_data(as_text=True)
    assert "Het bestand is echt" in page
    assert "precies het bestand dat is uitgegeven" in page


def test_uploading_an_altered_pdf_says_it_was_changed(client, issued):
    position = issued.pdf.index(b"/Title")
    altered = issued.pdf[:position] + b"/Titel" + issued.pdf[position + 6 :]
    page = upload(client, issued.number, altered).get_data(as_text=True)
    assert "Het bestand is niet bevestigd" in page
    assert "gewijzigd" in page


def test_uploading_another_certificate_names_the_right_number(app, client, issued, make_user):
    other_user = make_user()
    make_eligible(app, other_user)
    other = issue_for(app, other_user)
    page = upload(client, issued.number, other.pdf).get_data(as_text=True)
    assert f"Dit bestand is certificaat {other.number}, niet {issued.number}" in page


def test_uploading_something_that_is_not_a_pdf_says_so(client, issued):
    page = upload(client, issued.number, b"MZ\x90\x00 not a pdf", "virus.exe").get_data(
        as_text=True
    )
    assert "Dit bestand is geen PDF" in page


def test_uploading_a_genuine_but_revoked_pdf_says_it_no_longer_counts(app, client, issued):
    revoke(app, issued)
    page = upload(client, issued.number, issued.pdf).get_data(as_text=True)
    assert "ingetrokken" in page and "Het bestand is echt" not in page


def test_an_oversized_upload_is_refused(app, client, issued):
    app.config["VERIFY_UPLOAD_MAX"] = 10_000
    response = upload(client, issued.number, b"%PDF-1.4\n" + b"0" * 20_000)
    assert response.status_code == 413
    assert "groter dan" in response.get_data(as_text=True)


def test_api_returns_the_printed_facts_as_json(client, issued):
    response = client.get(f"/api/v1/certificates/{issued.number.lower()}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "valid"
    assert body["number"] == issued.number
    assert body["verification_url"] == f"https://signaal.example.nl/verify/{issued.number}"
    certificate = body["certificate"]
    assert certificate["name"] == "E. Gül"
    assert certificate["big_number_masked"] == "********987"
    assert certificate["completed_on"] == "2026-03-10"
    assert certificate["course"] == {
        "slug": COURSE,
        "title": "Testcursus signalen van mensenhandel",
        "version": "2026.1",
    }
    assert certificate["accreditation"] == {
        "body": "ABC1",
        "status": "aangevraagd",
        "activity_id": None,
        "points": None,
        "valid_from": "2026-01-01",
        "valid_until": "2027-12-31",
    }
    assert certificate["sha256"] == issued.sha256
    assert "12345678987" not in response.get_data(as_text=True)
    # The database stores "gp" and "applied"; the API keeps its documented v1 values.
    assert (certificate["profession"], certificate["profession_label"]) == ("huisarts", "Huisarts")
    assert issued.profession == "gp" and issued.accreditation_status == "applied"


def test_api_keeps_its_v1_value_for_every_stored_value():
    assert checks.V1_VALUES["profession"] == {
        "gp": "huisarts",
        "gp_trainee": "aios",
        "practice_nurse": "praktijkondersteuner",
        "doctors_assistant": "doktersassistent",
        "other": "anders",
    }
    assert checks.V1_VALUES["accreditation_status"] == {
        "applied": "aangevraagd",
        "accredited": "geaccrediteerd",
    }
    # A value added to the models without a v1 value would leak its English name.
    assert set(checks.V1_VALUES["profession"]) == set(PROFESSIONS)
    assert set(checks.V1_VALUES["accreditation_status"]) == set(ACCREDITATION_STATUSES)


def test_api_names_a_granted_accreditation_and_a_nurse_in_v1_words(app, client, make_user):
    nurse = make_user(profession="practice_nurse", big_number=None)
    make_eligible(app, nurse)
    certificate = issue_for(app, nurse)
    with app.app_context():
        db.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id)
            .values(accreditation_status="accredited")
        )
        db.session.commit()
    body = client.get(f"/api/v1/certificates/{certificate.number}").get_json()["certificate"]
    assert body["profession"] == "praktijkondersteuner"
    assert body["profession_label"] == "Praktijkondersteuner"
    assert body["accreditation"]["status"] == "geaccrediteerd"


def test_api_reports_revoked_unknown_and_mistyped(app, client, issued):
    revoke(app, issued)
    revoked = client.get(f"/api/v1/certificates/{issued.number}").get_json()
    assert revoked["status"] == "revoked" and revoked["certificate"]["revoked_at"]
    unknown = client.get(f"/api/v1/certificates/{unknown_number()}")
    assert (unknown.status_code, unknown.get_json()["status"]) == (404, "unknown")
    mistyped = client.get(f"/api/v1/certificates/{mistype(issued.number)}")
    assert (mistyped.status_code, mistyped.get_json()["status"]) == (404, "mistyped")
    assert mistyped.get_json()["certificate"] is None


@pytest.fixture
def config_overrides():
    return {"VERIFY_RATE_LIMIT": "5 per minute", "VERIFY_UPLOAD_RATE_LIMIT": "2 per minute"}


def test_verification_is_rate_limited(client):
    number = unknown_number()
    statuses = [client.get(f"/api/v1/certificates/{number}").status_code for _ in range(6)]
    assert statuses[:5] == [404] * 5
    assert statuses[5] == 429
    assert client.get(f"/api/v1/certificates/{number}").get_json()["error"] == "Even geduld"


def test_verification_page_names_the_provider_and_responsible_person(client, issued):
    page = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "uitgegeven door Signaal e-learning" in page
    assert "Signaal e-learning, Teststraat 1, 3511 AA Utrecht" in page
    # Not configured in the tests: the placeholder says so instead of inventing a person.
    assert "(naam verantwoordelijke: in te stellen)" in page
    assert "Certificaat van deelname – accreditatie aangevraagd bij ABC1" in page


def test_an_empty_upload_is_called_empty_not_a_non_pdf(client, issued):
    response = upload(client, issued.number, b"")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dit bestand is leeg" in page
    assert "geen PDF" not in page


def test_the_upload_states_its_limit_in_megabytes(client, issued):
    page = client.get(f"/verify/{issued.number}").get_data(as_text=True)
    assert "Alleen PDF, tot 2 MB." in page


def test_a_request_too_large_to_read_gets_a_page_with_the_limit_and_the_way_back(
    app, client, issued
):
    app.config["VERIFY_UPLOAD_MAX"] = 10 * 1024  # keeps the test request small
    response = upload(client, issued.number, b"%PDF-1.4\n" + b"0" * 200_000)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "je kunt een PDF tot 10 kB laten controleren" in page
    assert f'href="/verify/{issued.number}#bestand"' in page


def pdf_file(objects: list[bytes], root: int = 1) -> bytes:
    """A minimal PDF with these object bodies (numbered from 1) and a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj " % number + body + b" endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def nested_kids_pdf(depth: int) -> bytes:
    """A form field whose /Kids nest `depth` levels deep."""
    pages = [b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>"]
    pages += [b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R >>"]
    kids = [b"<< /T (f) /Kids [%d 0 R] >>" % (number + 1) for number in range(4, 4 + depth)]
    return pdf_file(pages + kids + [b"<< /FT /Sig /T (s) >>"])


def many_fields_pdf(count: int) -> bytes:
    """A form with `count` signature fields."""
    refs = b" ".join(b"%d 0 R" % number for number in range(4, 4 + count))
    head = [b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [" + refs + b"] >> >>"]
    head += [b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R >>"]
    return pdf_file(head + [b"<</FT/Sig>>"] * count)


def test_a_pdf_with_a_broken_xref_is_not_a_valid_certificate(client, issued):
    position = issued.pdf.rindex(b"xref") + len(b"xref\n0 ")
    broken = issued.pdf[:position] + b"9" + issued.pdf[position + 1 :]
    response = upload(client, issued.number, broken)
    assert response.status_code == 200
    assert "geen geldig Signaal-certificaat" in response.get_data(as_text=True)


def test_deeply_nested_form_fields_are_not_a_valid_certificate(client, issued):
    response = upload(client, issued.number, nested_kids_pdf(20_000))
    assert response.status_code == 200
    assert "geen geldig Signaal-certificaat" in response.get_data(as_text=True)


def test_a_pdf_with_many_form_fields_is_answered_at_once(client, issued):
    crafted = many_fields_pdf(34_000)
    assert len(crafted) < 2 * 1024 * 1024
    started = time.perf_counter()
    response = upload(client, issued.number, crafted)
    elapsed = time.perf_counter() - started
    assert "geen geldig Signaal-certificaat" in response.get_data(as_text=True)
    assert elapsed < 1.0, f"{elapsed:.1f} s"
