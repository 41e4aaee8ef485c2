"""Certificates: numbers, eligibility, evaluation, issuing exactly once, PDF, signature, export."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from pypdf import PdfReader
from sqlalchemy import select

from app.certificates import eligibility, issuing, numbers, pdf, signing
from app.certificates.facts import CertificateFacts, Provider
from app.content import get_catalog
from app.extensions import db
from app.models import AuditEvent, Certificate, CohortMember, Evaluation, User
from app.trainer import cohorts

from .certificate_helpers import (
    COURSE,
    DONE_AT,
    certificates,
    complete_lessons,
    evaluate,
    issue_for,
    make_eligible,
    pass_assessment,
)
from .conftest import PASSWORD

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# --- numbers ---------------------------------------------------------------------------------


def test_new_numbers_are_grouped_crockford_with_a_valid_check_symbol():
    for _ in range(200):
        number = numbers.new_number()
        assert re.fullmatch(
            r"SIG-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]", number
        )
        assert numbers.parse(number) == numbers.ParsedNumber("ok", number)


@pytest.mark.parametrize(
    "typed",
    [
        "sig-7k3m-q9xd-{c}",
        " SIG 7K3M Q9XD {c} ",
        "7K3MQ9XD{c}",
        "SIG7K3M-Q9XD-{c}",
        "s1g-7k3m-q9xd-{c}",
    ],
)
def test_typed_numbers_are_normalised_for_case_spaces_and_hyphens(typed):
    assert numbers.parse(typed.format(c="k")).number == "SIG-7K3M-Q9XD-K"


def test_letters_o_i_and_l_are_read_as_digits():
    number = _number_with_digits("0", "1")
    data = number.replace("SIG-", "").replace("-", "")
    typed = data.replace("0", "O").replace("1", "l", 1).replace("1", "I")
    assert numbers.parse(typed).number == number


def _number_with_digits(*digits: str) -> str:
    while True:
        number = numbers.new_number()
        if all(d in number[4:13] for d in digits):
            return number


def test_every_single_wrong_symbol_is_recognised_as_mistyped():
    for _ in range(20):
        symbols = numbers.normalise(numbers.new_number())
        for position in range(len(symbols)):
            for other in numbers.ALPHABET:
                if other != symbols[position]:
                    typo = symbols[:position] + other + symbols[position + 1 :]
                    assert numbers.parse(typo).status == "mistyped", typo


def test_every_swap_of_two_adjacent_symbols_is_recognised_as_mistyped():
    for _ in range(100):
        symbols = numbers.normalise(numbers.new_number())
        for position in range(len(symbols) - 1):
            a, b = symbols[position], symbols[position + 1]
            if a != b:
                swapped = symbols[:position] + b + a + symbols[position + 2 :]
                assert numbers.parse(swapped).status == "mistyped", swapped


@given(st.text(max_size=20))
def test_parsing_any_text_never_fails(text):
    assert numbers.parse(text).status in ("ok", "mistyped")


def test_a_missing_or_extra_symbol_is_mistyped():
    number = numbers.new_number()
    assert numbers.parse(number[:-2]).status == "mistyped"
    assert numbers.parse(number + "7").status == "mistyped"


# --- eligibility (pure) ----------------------------------------------------------------------


@pytest.fixture
def course(app: Flask):
    with app.app_context():
        return get_catalog().course(COURSE)


def passed(value: bool = True) -> SimpleNamespace:
    return SimpleNamespace(passed=value)


def check(course, **overrides):
    values = {
        "completed_lessons": frozenset(lesson.slug for lesson in course.lessons),
        "assessment": {slug: passed() for slug in course.assessment},
        "evaluation_done": True,
        "study_seconds": 12 * 60,
        "email_confirmed": True,
        "profession": "gp",
        "big_number": "12345678901",
        "completed_on": dt.date(2026, 6, 1),
    }
    values.update(overrides)
    return eligibility.check(course, **values)


@pytest.mark.parametrize(
    ("overrides", "eligible", "kind"),
    [
        ({}, True, "accreditation"),
        ({"profession": "gp_trainee"}, True, "accreditation"),
        ({"profession": "practice_nurse", "big_number": None}, True, "participation"),
        ({"profession": "doctors_assistant", "big_number": None}, True, "participation"),
        ({"profession": "gp", "big_number": None}, True, "participation"),
        ({"completed_on": dt.date(2025, 12, 31)}, True, "participation"),
        ({"completed_on": dt.date(2028, 1, 1)}, True, "participation"),
        ({"completed_on": dt.date(2026, 1, 1)}, True, "accreditation"),
        ({"completed_on": dt.date(2027, 12, 31)}, True, "accreditation"),
        ({"completed_lessons": frozenset({"eerste-les"})}, False, "accreditation"),
        ({"assessment": {"testcasus": passed(False)}}, False, "accreditation"),
        ({"assessment": {}}, False, "accreditation"),
        ({"evaluation_done": False}, False, "accreditation"),
        ({"study_seconds": 9 * 60 + 59}, False, "accreditation"),
        ({"email_confirmed": False}, False, "accreditation"),
    ],
)
def test_eligibility_matrix(course, overrides, eligible, kind):
    result = check(course, **overrides)
    assert result.eligible is eligible
    assert result.kind == kind
    assert bool(result.kind_reason) is (kind == "participation")


def test_participation_reason_names_the_booked_professions_in_words(course):
    result = check(course, profession="practice_nurse", big_number=None)
    assert result.kind_reason.startswith(
        "ABC1 boekt punten alleen voor huisarts en huisarts in opleiding (aios):"
    )


def test_checklist_names_what_is_missing_with_links(course):
    result = check(
        course,
        completed_lessons=frozenset({"eerste-les"}),
        study_seconds=4 * 60,
        evaluation_done=False,
    )
    missing = {item.label: item for item in result.missing}
    assert "Alle lessen afgerond (1 van 2)" in missing
    assert any(label.startswith("Minstens 10 minuten studietijd (nu 4;") for label in missing)
    assert missing["Evaluatie van de cursus ingevuld"].endpoint == "certificates.evaluation"
    assert [Markup(item.label).striptags() for item in result.checklist if item.done] == [
        "Je e-mailadres is bevestigd",
        "Casus “Anna, 22 jaar, met buikpijn” met voldoende afgerond (minstens 70%)",
    ]
    # The case title is Dutch content inside the sentence: marked for screen readers.
    done = [item.label for item in result.checklist if item.done]
    assert '<span lang="nl">Anna, 22 jaar, met buikpijn</span>' in done[1]


def test_requirements_switched_off_in_course_toml_are_not_on_the_checklist(course):
    relaxed = dataclasses.replace(
        course,
        requirements=dataclasses.replace(
            course.requirements, evaluation=False, min_study_minutes=0, all_lessons=False
        ),
    )
    result = check(relaxed, completed_lessons=frozenset(), evaluation_done=False, study_seconds=0)
    assert result.eligible
    assert len(result.checklist) == 2  # e-mail and the one case


# --- PDF -------------------------------------------------------------------------------------


def facts(**overrides) -> CertificateFacts:
    values = {
        "number": "SIG-7K3M-Q9XD-K",
        "kind": "accreditation",
        "initials": "A.B.",
        "tussenvoegsel": "van der",
        "surname": "Berg",
        "big_number": "12345678901",
        "profession": "gp",
        "course_title": "Testcursus signalen van mensenhandel",
        "course_version": "2026.1",
        "completed_on": dt.date(2026, 3, 10),
        "study_load_minutes": 30,
        "accreditation_body": "ABC1",
        "accreditation_status": "applied",
        "accreditation_id": "",
        "points": 0,
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2027, 12, 31),
        "provider": PROVIDER,
    }
    values.update(overrides)
    return CertificateFacts(**values)


PROVIDER = Provider(
    name="Signaal e-learning",
    address="Teststraat 1, 3511 AA Utrecht",
    signatory_name="(naam verantwoordelijke: test)",
    signatory_role="(functie verantwoordelijke: test)",
)


def layout():
    return pdf.latest_layout(PROJECT_ROOT / "certificates", "signaal")


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def render(**overrides) -> bytes:
    return pdf.render(
        facts(**overrides), layout(), "https://signaal.example.nl/verify/SIG-7K3M-Q9XD-K"
    )


def test_pdf_is_one_a4_page_with_every_field():
    data = render()
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = pdf_text(data)
    for expected in (
        "A.B. van der Berg",
        "BIG-nummer 12345678901",
        "Huisarts",
        "Testcursus signalen van mensenhandel",
        "toets met voldoende afgerond",
        "10 maart 2026",
        "0,5 uur (30 minuten)",
        "ABC1",
        "Accreditatie aangevraagd bij ABC1",
        "Signaal e-learning",
        "Teststraat 1, 3511 AA Utrecht",
        "SIG-7K3M-Q9XD-K",
        "https://signaal.example.nl/verify/SIG-7K3M-Q9XD-K",
    ):
        assert expected in text, expected


def test_pdf_for_a_requested_accreditation_never_prints_an_id_or_points():
    text = pdf_text(render())
    assert "Accreditatie aangevraagd bij ABC1" in text
    assert "Accreditatie-ID" not in text
    assert "Punten" not in text


def test_pending_certificate_is_titled_participation_with_accreditation_applied_for():
    text = pdf_text(render())
    assert "Certificaat van deelname – accreditatie aangevraagd bij ABC1" in text
    assert "en accreditatie" not in text
    # No period that reads as if the certificate itself expired.
    assert "Geldigheid" not in text
    assert "2027" not in text


def test_pdf_names_the_provider_and_the_responsible_person_from_the_settings():
    text = pdf_text(render())
    assert "Aanbieder Signaal e-learning, Teststraat 1, 3511 AA Utrecht" in text
    assert (
        "Verantwoordelijk (naam verantwoordelijke: test), (functie verantwoordelijke: test)" in text
    )


def test_pdf_for_a_granted_accreditation_prints_id_points_and_validity():
    text = pdf_text(
        render(accreditation_status="accredited", accreditation_id="123456", points=2.0)
    )
    assert "Accreditatie-ID 123456" in text
    assert "Punten 2" in text
    assert "applied" not in text
    assert "Certificaat van deelname en accreditatie" in text
    assert "Accreditatieperiode 1 januari 2026 t/m 31 december 2027" in text


def test_pdf_of_participation_states_study_load_without_points():
    text = pdf_text(render(kind="participation", profession="practice_nurse", big_number=None))
    assert "Bewijs van deelname" in text
    assert "Praktijkondersteuner" in text
    assert "0,5 uur (30 minuten)" in text
    assert "Punten geen (bewijs van deelname)" in text
    assert "BIG-nummer" not in text


def test_unicode_names_print_correctly_with_the_embedded_font():
    data = render(initials="É.Ł.", tussenvoegsel="", surname="Yıldız-Ğökçe Æøå Ωμέγα Жукова")
    assert "É.Ł. Yıldız-Ğökçe Æøå Ωμέγα Жукова" in pdf_text(data)
    fonts = set()
    page = PdfReader(io.BytesIO(data)).pages[0]
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # TrueType embedded, not a standard font
        fonts.add(str(font["/BaseFont"]))
    assert all("DejaVuSans" in name for name in fonts), fonts


def test_qr_code_is_encoded_once_per_pdf(monkeypatch):
    from reportlab.graphics.barcode import qrencoder

    calls = []
    original = qrencoder.QRCode.make
    monkeypatch.setattr(qrencoder.QRCode, "make", lambda self: calls.append(1) or original(self))
    render()
    assert len(calls) == 1


def test_qr_matrix_is_a_square_qr_code_with_finder_patterns():
    matrix = pdf.qr_matrix("https://signaal.example.nl/verify/SIG-7K3M-Q9XD-K")
    size = len(matrix)
    assert size >= 21 and (size - 17) % 4 == 0 and all(len(row) == size for row in matrix)
    finder = [row[:7] for row in matrix[:7]]
    assert finder[0] == [True] * 7 and finder[3][2:5] == [True, True, True]
    assert finder[1][1:6] == [False] * 5


def test_layout_can_be_restyled_by_adding_a_new_version(tmp_path):
    for file in (PROJECT_ROOT / "certificates").rglob("*"):
        if file.is_file():
            target = tmp_path / file.relative_to(PROJECT_ROOT / "certificates")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.read_bytes())
    v2 = (tmp_path / "signaal-v2.toml").read_text()
    (tmp_path / "signaal-v3.toml").write_text(
        v2.replace("Hierbij verklaren wij dat", "Wij verklaren dat").replace("#0b5563", "#7a1f5c")
    )
    newest = pdf.latest_layout(tmp_path, "signaal")
    assert newest.version == "signaal-v3"
    assert newest.colours["primary"] == "#7a1f5c"
    data = pdf.render(facts(kind="participation"), newest, "https://x.nl/verify/1")
    assert "Wij verklaren dat" in pdf_text(data)


def test_layout_with_missing_settings_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "kaal-v1.toml").write_text("[colours]\nprimary = '#000000'\n")
    with pytest.raises(pdf.LayoutError, match="fonts.regular"):
        pdf.latest_layout(tmp_path, "kaal")


# --- signing ---------------------------------------------------------------------------------


@pytest.fixture
def signing_pair(tmp_path):
    key, cert = tmp_path / "keys" / "key.pem", tmp_path / "keys" / "cert.pem"
    signing.ensure_dev_keys(key, cert)
    return key, cert


def test_signed_pdf_validates_and_a_modified_copy_fails(signing_pair):
    key, cert = signing_pair
    signed = signing.sign_pdf(render(), signing.load_signer(key, cert))
    trusted = signing.load_certificate(cert)
    assert signing.check_signature(signed, trusted).ok

    position = signed.index(b"/Title")
    altered = signed[:position] + b"/Titel" + signed[position + 6 :]
    result = signing.check_signature(altered, trusted)
    assert not result.ok
    assert "gewijzigd" in result.problem


def test_unsigned_pdf_and_a_pdf_signed_with_another_key_fail(signing_pair, tmp_path):
    _, cert = signing_pair
    trusted = signing.load_certificate(cert)
    assert signing.check_signature(render(), trusted).problem == (
        "Deze PDF heeft geen digitale handtekening."
    )
    other_key, other_cert = tmp_path / "other" / "key.pem", tmp_path / "other" / "cert.pem"
    signing.ensure_dev_keys(other_key, other_cert)
    forged = signing.sign_pdf(render(), signing.load_signer(other_key, other_cert))
    assert not signing.check_signature(forged, trusted).ok


def test_dev_keys_command_creates_a_pair_once(runner, app):
    key = Path(app.config["SIGNING_KEY"])
    first = runner.invoke(args=["certificates", "dev-keys"])
    assert first.exit_code == 0, first.output
    assert "Ontwikkelsleutel gemaakt" in first.output
    content = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    second = runner.invoke(args=["certificates", "dev-keys"])
    assert "aanwezig" in second.output
    assert key.read_bytes() == content


# --- evaluation ------------------------------------------------------------------------------

EVALUATION = {
    "relevance": "5",
    "content_quality": "4",
    "didactics": "3",
    "study_time": "too_short",
    "comments": "Meer casussen graag.",
}


def test_evaluation_is_stored_once_per_learner(client, auth, app, make_user):
    user = make_user()
    auth.login(user)
    page = client.get(f"/certificaat/{COURSE}/evaluatie").get_data(as_text=True)
    assert 'type="radio"' in page and "<legend>" in page
    assert client.post(f"/certificaat/{COURSE}/evaluatie", data=EVALUATION).status_code == 302
    again = client.post(f"/certificaat/{COURSE}/evaluatie", data={**EVALUATION, "relevance": "1"})
    assert "Je hebt de evaluatie ingevuld op" in again.get_data(as_text=True)
    with app.app_context():
        [evaluation] = db.session.scalars(select(Evaluation)).all()
        assert (evaluation.relevance, evaluation.study_time) == (5, "too_short")
        assert evaluation.course_version == "2026.1"


def test_evaluation_without_answers_says_what_is_missing(client, auth, app, make_user):
    auth.login(make_user())
    response = client.post(f"/certificaat/{COURSE}/evaluatie", data={"comments": "x"})
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("Kies een antwoord.") >= 4
    with app.app_context():
        assert db.session.scalars(select(Evaluation)).all() == []


def _evaluated_learners(make_user, count: int, **evaluation) -> list[User]:
    """`count` learners, each with a submitted evaluation (the caller's app context commits)."""
    learners = [make_user() for _ in range(count)]
    for number, learner in enumerate(learners, start=1):
        evaluate(learner.id, comments=f"Opmerking {number}.", **evaluation)
    return learners


def _trainer_with_cohort(make_user, learners: list[User]) -> User:
    trainer = make_user(role="trainer", profession="other", big_number=None)
    cohort = cohorts.create_cohort(db.session.get(User, trainer.id), "Praktijk De Linde", COURSE)
    for learner in learners:
        db.session.add(CohortMember(cohort_id=cohort.id, user_id=learner.id))
    return trainer


def test_trainers_see_the_aggregate_of_their_own_cohorts_and_no_comments(
    client, auth, app, make_user
):
    with app.app_context():
        own = _evaluated_learners(make_user, 5)
        _evaluated_learners(make_user, 2, relevance=1)  # in nobody's cohort
        trainer = _trainer_with_cohort(make_user, own)
        db.session.commit()
    auth.login(own[0])
    assert client.get(f"/certificaat/{COURSE}/evaluaties").status_code == 403
    auth.logout()
    auth.login(trainer)
    page = client.get(f"/certificaat/{COURSE}/evaluaties").get_data(as_text=True)
    assert "5 evaluaties ingevuld" in page
    assert "<td>5,0</td>" in page  # the two outsiders' 1s are not counted
    assert "Opmerking 1." not in page and "Opmerkingen" not in page


def test_a_trainer_sees_no_aggregate_of_fewer_than_five_evaluations(client, auth, app, make_user):
    with app.app_context():
        trainer = _trainer_with_cohort(make_user, _evaluated_learners(make_user, 4))
        db.session.commit()
    auth.login(trainer)
    page = client.get(f"/certificaat/{COURSE}/evaluaties").get_data(as_text=True)
    assert "4 evaluaties ingevuld" in page
    assert "vanaf 5 evaluaties" in page
    assert "<td>5,0</td>" not in page


def test_admins_see_comments_from_five_evaluations_without_dates(client, auth, app, make_user):
    admin = make_user(role="admin", profession="other", big_number=None)
    with app.app_context():
        _evaluated_learners(make_user, 4)
        db.session.commit()
    auth.login(admin)
    for url in ("/beheer/evaluaties", f"/certificaat/{COURSE}/evaluaties"):
        page = client.get(url).get_data(as_text=True)
        assert "4 evaluaties ingevuld" in page and "<td>5,0</td>" in page
        assert "Opmerking 1." not in page and "vanaf 5 evaluaties" in page
    with app.app_context():
        _evaluated_learners(make_user, 1)
        db.session.commit()
    for url in ("/beheer/evaluaties", f"/certificaat/{COURSE}/evaluaties"):
        page = client.get(url).get_data(as_text=True)
        assert "5 evaluaties ingevuld" in page and "Opmerking 4." in page
        assert "10 maart 2026" not in page and "2026-03-10" not in page


# --- issuing ---------------------------------------------------------------------------------


def test_provider_settings_default_to_placeholders_that_say_what_to_set(tmp_path, monkeypatch):
    from app.config import load_config

    for name in ("PROVIDER_NAME", "PROVIDER_SIGNATORY_NAME"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(tmp_path)
    assert config["PROVIDER_NAME"] == "(naam aanbieder: in te stellen)"
    assert config["PROVIDER_SIGNATORY_NAME"] == "(naam verantwoordelijke: in te stellen)"


def test_learner_page_and_course_page_name_a_pending_accreditation_plainly(
    client, auth, app, make_user
):
    user = make_user()
    make_eligible(app, user)
    issue_for(app, user)
    auth.login(user)
    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    assert "Certificaat van deelname – accreditatie aangevraagd bij ABC1" in page
    assert "Certificaat met accreditatie" not in page
    course_page = client.get(f"/leren/{COURSE}").get_data(as_text=True)
    assert "Accreditatie aangevraagd bij ABC1 (2 punten na toekenning)" in course_page


def test_certificate_page_shows_the_checklist_with_links(client, auth, app, make_user):
    user = make_user()
    with app.app_context():
        complete_lessons(user.id, minutes_each=1)
        db.session.commit()
    auth.login(user)
    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    assert "Alle lessen afgerond (2 van 2)" in page
    assert "Minstens 10 minuten studietijd (nu 2;" in page
    assert f'href="/certificaat/{COURSE}/evaluatie"' in page
    assert "Certificaat aanmaken" not in page


def test_learner_confirms_name_and_big_number_before_the_first_issue(
    client, auth, app, make_user, outbox
):
    user = make_user(initials="J.P.", tussenvoegsel="de", surname="Vries", big_number="19876543210")
    make_eligible(app, user)
    auth.login(user)
    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    name_at, big_at, button_at = (
        page.index("J.P. de Vries"),
        page.index("19876543210"),
        page.index("Certificaat aanmaken"),
    )
    assert page.index("Voorwaarden") < name_at < button_at and big_at < button_at

    unconfirmed = client.post(
        f"/certificaat/{COURSE}",
        data={"shown_name": "J.P. de Vries", "shown_big_number": "19876543210"},
    )
    assert unconfirmed.status_code == 400
    assert "Vink aan" in unconfirmed.get_data(as_text=True)
    assert certificates(app) == []

    response = client.post(
        f"/certificaat/{COURSE}",
        data={"shown_name": "J.P. de Vries", "shown_big_number": "19876543210", "confirm": "y"},
    )
    assert response.status_code == 302
    [certificate] = certificates(app)
    assert (certificate.initials, certificate.tussenvoegsel, certificate.surname) == (
        "J.P.",
        "de",
        "Vries",
    )
    assert certificate.big_number == "19876543210"
    assert certificate.kind == "accreditation"
    assert certificate.accreditation_status == "applied"
    assert (certificate.accreditation_id, certificate.points) == ("", 0)
    assert certificate.completed_on == dt.date(2026, 3, 10)
    assert certificate.layout_version == "signaal-v2"
    assert certificate.study_load_minutes == 30
    assert len(certificate.sha256) == 64

    [mail] = outbox()
    assert mail["To"] == user.email
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"certificaat-{certificate.number}.pdf"
    assert attachment.get_content() == certificate.pdf
    body = mail.get_body().get_content()
    assert f"https://signaal.example.nl/verify/{certificate.number}" in body
    # The same salutation as every other mail, and the BIG number masked as on the verify page.
    assert body.startswith("Beste Anna,")
    assert "BIG-nummer: ********210" in body
    assert "19876543210" not in body

    page = client.get(f"/certificaat/{COURSE}").get_data(as_text=True)
    assert certificate.number in page and "Certificaat aanmaken" not in page
    download = client.get(f"/certificaat/{COURSE}/{certificate.number}.pdf")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data == certificate.pdf


def test_a_name_changed_after_the_page_was_shown_is_not_printed_unseen(
    client, auth, app, make_user
):
    user = make_user(surname="Jansen")
    make_eligible(app, user)
    auth.login(user)
    response = client.post(
        f"/certificaat/{COURSE}",
        data={
            "shown_name": "A.B. van der Janssen",
            "shown_big_number": user.big_number,
            "confirm": "y",
        },
    )
    assert response.status_code == 302
    assert certificates(app) == []
    assert "intussen gewijzigd" in client.get(f"/certificaat/{COURSE}").get_data(as_text=True)


def test_a_learner_who_is_not_eligible_gets_no_certificate(client, auth, app, make_user):
    user = make_user()
    with app.app_context():
        complete_lessons(user.id)
        db.session.commit()
    auth.login(user)
    response = client.post(
        f"/certificaat/{COURSE}",
        data={"shown_name": user.formal_name, "shown_big_number": user.big_number, "confirm": "y"},
        follow_redirects=True,
    )
    assert "Je voldoet nog niet aan alle voorwaarden" in response.get_data(as_text=True)
    assert certificates(app) == []


def test_only_the_owner_can_download_the_pdf(client, auth, app, make_user):
    owner, other = make_user(), make_user()
    make_eligible(app, owner)
    certificate = issue_for(app, owner)
    auth.login(other)
    assert client.get(f"/certificaat/{COURSE}/{certificate.number}.pdf").status_code == 404
    auth.logout()
    response = client.get(f"/certificaat/{COURSE}/{certificate.number}.pdf")
    assert response.status_code == 302 and "/account/inloggen" in response.location


def test_two_parallel_requests_yield_one_certificate(app, make_user, monkeypatch):
    user = make_user()
    make_eligible(app, user)
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    # Both requests must pass the "already issued?" check before either inserts.
    barrier = threading.Barrier(2, timeout=20)
    original = issuing.render_signed

    def render_after_both_checked(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(issuing, "render_signed", render_after_both_checked)
    data = {"shown_name": user.formal_name, "shown_big_number": user.big_number, "confirm": "y"}
    responses = [None, None]

    def post(index: int) -> None:
        responses[index] = clients[index].post(f"/certificaat/{COURSE}", data=data)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in responses] == [302, 302]
    [certificate] = certificates(app)
    pages = [c.get(f"/certificaat/{COURSE}").get_data(as_text=True) for c in clients]
    assert all(certificate.number in page for page in pages)
    with app.app_context():
        issued = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "certificate.issue")
        ).all()
        assert len(issued) == 1


def test_a_revoked_certificate_can_be_issued_again_corrected(app, make_user):
    user = make_user(surname="Jansen")
    make_eligible(app, user)
    first = issue_for(app, user)
    with app.app_context():
        issuing.revoke(db.session.get(Certificate, first.id), "Naam verkeerd gespeld", None)
        person = db.session.get(User, user.id)
        person.surname = "Janssen"
        db.session.commit()
    second = issue_for(app, user)
    assert second.number != first.number
    assert second.surname == "Janssen"
    assert [(c.number, c.status) for c in certificates(app)] == [
        (first.number, "revoked"),
        (second.number, "valid"),
    ]


def test_issuing_again_returns_the_same_certificate(app, make_user):
    user = make_user()
    make_eligible(app, user)
    assert issue_for(app, user).number == issue_for(app, user).number
    assert len(certificates(app)) == 1


def test_completion_date_is_the_amsterdam_date_of_the_last_requirement(app, make_user):
    user = make_user()
    late_evening = dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.UTC)  # 1 July 00:30 in Amsterdam
    with app.app_context():
        complete_lessons(user.id, at=DONE_AT)
        pass_assessment(user.id, at=DONE_AT)
        evaluate(user.id, at=late_evening)
        db.session.commit()
    assert issue_for(app, user).completed_on == dt.date(2026, 7, 1)


def test_a_new_course_version_gives_a_new_certificate_and_the_old_stays(app, make_user):
    user = make_user()
    make_eligible(app, user)
    first = issue_for(app, user)
    catalog = app.extensions["catalog"]
    course = catalog.courses[COURSE]
    app.extensions["catalog"] = dataclasses.replace(
        catalog, courses={COURSE: dataclasses.replace(course, version="2027.1")}
    )
    second = issue_for(app, user)
    assert second.number != first.number and second.course_version == "2027.1"
    assert [c.status for c in certificates(app)] == ["valid", "valid"]


def test_participation_certificate_for_a_practice_nurse(app, make_user):
    user = make_user(profession="practice_nurse", big_number=None)
    make_eligible(app, user)
    certificate = issue_for(app, user)
    assert certificate.kind == "participation" and certificate.points == 0
    text = pdf_text(certificate.pdf)
    assert "Bewijs van deelname" in text and "0,5 uur (30 minuten)" in text


def test_granted_accreditation_snapshots_id_and_points(app, make_user):
    user = make_user()
    make_eligible(app, user)
    catalog = app.extensions["catalog"]
    course = catalog.courses[COURSE]
    granted = dataclasses.replace(
        course.accreditation, status="accredited", activity_id="445566", points=2.0
    )
    app.extensions["catalog"] = dataclasses.replace(
        catalog, courses={COURSE: dataclasses.replace(course, accreditation=granted)}
    )
    certificate = issue_for(app, user)
    assert (certificate.accreditation_id, certificate.points) == ("445566", 2.0)
    assert "Accreditatie-ID 445566" in pdf_text(certificate.pdf)


def test_issued_pdf_contains_every_field_and_a_valid_signature(app, make_user):
    user = make_user(
        initials="Ł.", tussenvoegsel="", surname="Wałęsa-Öztürk", big_number="11122233344"
    )
    make_eligible(app, user)
    certificate = issue_for(app, user)
    text = pdf_text(certificate.pdf)
    for expected in (
        "Ł. Wałęsa-Öztürk",
        "11122233344",
        "Huisarts",
        "Testcursus signalen van mensenhandel",
        "toets met voldoende afgerond",
        "10 maart 2026",
        "0,5 uur (30 minuten)",
        "Accreditatie aangevraagd bij ABC1",
        "Signaal e-learning",
        "Teststraat 1, 3511 AA Utrecht",
        certificate.number,
        f"https://signaal.example.nl/verify/{certificate.number}",
    ):
        assert expected in text, expected
    trusted = signing.load_certificate(app.config["SIGNING_CERT"])
    assert signing.check_signature(certificate.pdf, trusted).ok
    import hashlib

    assert hashlib.sha256(certificate.pdf).hexdigest() == certificate.sha256


def test_qr_code_points_at_public_base_url_not_the_request_host(
    app, client, auth, make_user, monkeypatch
):
    user = make_user()
    make_eligible(app, user)
    encoded = []
    original = pdf.qr_matrix
    monkeypatch.setattr(pdf, "qr_matrix", lambda data: encoded.append(data) or original(data))
    host = "http://evil.example.com"
    client.post(
        "/account/inloggen", data={"email": user.email, "password": PASSWORD}, base_url=host
    )
    client.post(
        f"/certificaat/{COURSE}",
        data={"shown_name": user.formal_name, "shown_big_number": user.big_number, "confirm": "y"},
        base_url=host,
    )
    [certificate] = certificates(app)
    assert encoded == [f"https://signaal.example.nl/verify/{certificate.number}"]
    assert "evil.example.com" not in pdf_text(certificate.pdf)


def test_forgetting_a_deleted_account_drops_pdf_and_big_number_but_keeps_it_verifiable(
    app, client, make_user
):
    user = make_user()
    make_eligible(app, user)
    certificate = issue_for(app, user)
    with app.app_context():
        assert issuing.forget_certificates_of(db.session.get(User, user.id)) == 1
        db.session.commit()
    [kept] = certificates(app)
    assert kept.pdf is None and kept.big_number is None
    assert (kept.sha256, kept.surname, kept.status) == (
        certificate.sha256,
        certificate.surname,
        "valid",
    )
    page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert "Geldig certificaat" in page and certificate.surname in page
    assert user.big_number[-3:] not in page.split("Wat op het certificaat staat")[1]
    upload = client.post(
        f"/verify/{certificate.number}",
        data={"pdf": (io.BytesIO(certificate.pdf), "certificaat.pdf")},
        content_type="multipart/form-data",
    )
    assert "Het bestand is echt" in upload.get_data(as_text=True)


# --- export ----------------------------------------------------------------------------------


def test_export_command_writes_register_columns_and_marks_rows(app, runner, make_user, tmp_path):
    nurse = make_user(profession="practice_nurse", big_number=None)
    doctor = make_user(initials="K.", tussenvoegsel="van", surname="Dijk", big_number="55566677788")
    for user in (nurse, doctor):
        make_eligible(app, user)
        issue_for(app, user)
    output = tmp_path / "lijst.csv"
    args = [
        "certificates",
        "export",
        "--course",
        COURSE,
        "--from",
        "2026-01-01",
        "--until",
        "2026-12-31",
    ]
    result = runner.invoke(args=[*args, "--only-new", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "1 certificaten geëxporteerd" in result.output
    lines = output.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Organisatie;Cursustitel;Datum;Accreditatie-ID;Achternaam;Tussenvoegsel;Voorletters;"
        "Beroep;BIG-nummer;Punten;Certificaatnummer"
    )
    [row] = [line.split(";") for line in lines[1:]]
    assert row[:10] == [
        "Signaal e-learning",
        "Testcursus signalen van mensenhandel",
        "10-03-2026",
        "",
        "Dijk",
        "van",
        "K.",
        "Huisarts",
        "55566677788",
        "0",
    ]
    again = runner.invoke(args=[*args, "--only-new"])
    assert again.stdout.strip().splitlines() == [lines[0]]
    everything = runner.invoke(args=args)
    assert len(everything.stdout.strip().splitlines()) == 2
    assert "1 regels zonder accreditatie-ID" in everything.stderr


def test_export_command_refuses_an_unknown_course(runner):
    result = runner.invoke(
        args=[
            "certificates",
            "export",
            "--course",
            "bestaat-niet",
            "--from",
            "2026-01-01",
            "--until",
            "2026-12-31",
        ]
    )
    assert result.exit_code != 0 and "Onbekende cursus" in result.output


def test_issuing_without_a_signing_key_in_production_explains_and_stores_nothing(
    app, client, auth, make_user, tmp_path
):
    user = make_user()
    make_eligible(app, user)
    app.config.update(
        PRODUCTION=True,
        SIGNING_KEY=str(tmp_path / "missing" / "key.pem"),
        SIGNING_CERT=str(tmp_path / "missing" / "cert.pem"),
    )
    auth.login(user)
    response = client.post(
        f"/certificaat/{COURSE}",
        data={"shown_name": user.formal_name, "shown_big_number": user.big_number, "confirm": "y"},
        follow_redirects=True,
    )
    assert "kan nu niet worden ondertekend" in response.get_data(as_text=True)
    assert certificates(app) == []
    assert not (tmp_path / "missing").exists()
