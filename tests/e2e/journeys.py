"""The long journeys other tests build on, run once per session by fixtures in conftest.py.

A GP who earns a certificate (journey 1), and a trainer's cohort that a learner joins
(the first half of journey 2). Each step asserts what the person would see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from .flows import (
    COURSE,
    DEMO,
    CertifiedGP,
    Person,
    assert_accessible,
    course_files,
    issue_certificate,
    link_in_mail,
    login,
    read_lesson,
    shot,
    work_quiz,
)

GP = Person(
    initials="R.M.",
    first_name="Rahma",
    surname="El Idrissi",
    email="rahma.elidrissi@praktijk-e2e.example",
    big_number="49087654321",
)


def register(page: Page, base_url: str, person: Person, shots: Path) -> None:
    """Register from the landing page, first forgetting every field once."""
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, shots, "landing")
    assert_accessible(page, "landing page")
    page.get_by_role("main").get_by_role("link", name="Account aanmaken").click()
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("alert")).to_contain_text("Controleer het formulier")
    shot(page, shots, "register-errors")
    assert_accessible(page, "registration form with errors")
    page.get_by_label("Voorletters").fill(person.initials)
    page.get_by_label("Voornaam").fill(person.first_name)
    page.get_by_label("Achternaam").fill(person.surname)
    page.get_by_label("Beroep").select_option(person.profession)
    page.get_by_label("BIG-nummer").fill(person.big_number)
    page.get_by_label("E-mailadres").fill(person.email)
    page.get_by_label("Wachtwoord", exact=True).fill(person.password)
    page.get_by_label("Herhaal wachtwoord").fill(person.password)
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.locator(".flash-success")).to_contain_text("bevestigen")


def study_time_minutes(page: Page) -> int:
    """The study time the course page states, in minutes."""
    text = page.locator("p:has-text('Studietijd tot nu toe') strong").inner_text()
    found = re.fullmatch(r"(?:(\d+) uur)?\s*(?:(\d+) minuu?t(?:en)?)?", text.strip())
    assert found, text
    return int(found.group(1) or 0) * 60 + int(found.group(2) or 0)


def evaluate_course(page: Page) -> None:
    """Fill in the course evaluation from the certificate checklist."""
    page.get_by_role("link", name="Evaluatie van de cursus ingevuld").click()
    expect(page.get_by_role("heading", name="Evaluatie van de cursus")).to_be_visible()
    assert_accessible(page, "evaluation form")
    for legend, choice in (
        ("Hoe relevant is deze cursus voor je praktijk?", "5 (uitstekend)"),
        ("Hoe beoordeel je de kwaliteit van de inhoud?", "4"),
        ("Hoe beoordeel je de didactiek: de opbouw, de casussen en de feedback?", "4"),
        ("Klopte de opgegeven studietijd?", "Klopt ongeveer"),
    ):
        page.get_by_role("group", name=legend).get_by_label(choice, exact=True).check()
    page.get_by_label("Opmerkingen (niet verplicht)").fill("De casussen waren herkenbaar.")
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.locator(".flash-success")).to_contain_text("je evaluatie is opgeslagen")


def gp_completes_course(page: Page, server: Any, shots: Path, person: Person = GP) -> CertifiedGP:
    """Journey 1: register, confirm, study every lesson and check, fail a case once, pass all
    cases, evaluate, confirm name and BIG number, and download the certificate."""
    files = course_files()
    base = server.url
    register(page, base, person, shots)

    confirm_link = link_in_mail(server.outbox, person.email, "Bevestig", "/account/bevestigen/")
    page.goto(confirm_link)
    expect(page.locator(".flash-success")).to_contain_text("Je e-mailadres is bevestigd")
    shot(page, shots, "catalogue")

    page.get_by_role("link", name=files.title).click()
    shot(page, shots, "course-start")
    attempts: dict[str, list[int]] = {}
    checked_types: set[str] = set()
    for index, lesson_slug in enumerate(files.lessons):
        start = "Begin met les 1" if index == 0 else "Verder waar je was"
        page.get_by_role("link", name=start).click()
        expect(page).to_have_url(re.compile(rf"/leren/{COURSE}/{lesson_slug}$"))
        read_lesson(page, server)
        if index == 0:
            shot(page, shots, "lesson")
            assert_accessible(page, "lesson page")
        page.get_by_role("button", name="Les afronden").click()
        check = files.quizzes[files.checks[lesson_slug]]
        expect(page.get_by_role("heading", level=1)).to_have_text(check.title)
        work_quiz(page, check, right=True, checked_types=checked_types)
        attempts[check.slug] = [1]
        if index == 0:
            shot(page, shots, "check-result")
        page.get_by_role("link", name="Terug naar de cursus").click()

    expect(page.get_by_text("Alle lessen afgerond")).to_be_visible()
    minutes = study_time_minutes(page)
    assert minutes >= files.min_study_minutes, f"only {minutes} minutes of study time counted"
    shot(page, shots, "course-lessons-done")

    for index, case_slug in enumerate(files.cases):
        case = files.quizzes[case_slug]
        page.get_by_role("link", name=case.title, exact=True).click()
        if index == 0:
            # The first case goes wrong on purpose, then right on the second attempt.
            work_quiz(page, case, right=False, checked_types=checked_types)
            expect(page.locator(".quiz-score")).to_contain_text("Niet geslaagd")
            shot(page, shots, "case-failed")
            assert_accessible(page, "failed case result")
            attempts[case.slug] = [1, 2]
        else:
            attempts[case.slug] = [1]
        heading = work_quiz(page, case, right=True, checked_types=checked_types)
        assert heading.startswith(f"Resultaat poging {attempts[case.slug][-1]}"), heading
        expect(page.locator(".quiz-score")).to_contain_text("Geslaagd")
        page.get_by_role("link", name="Terug naar de cursus").click()

    # Every kind of question the course uses was checked by axe-core while open.
    assert checked_types == {
        question["type"]
        for quiz in files.quizzes.values()
        for stage in quiz.stages
        for question in stage["questions"]
    }, checked_types
    page.get_by_role("link", name="Certificaat en voorwaarden").click()
    expect(page.get_by_text(re.compile(r"^Nog 1 van \d+ voorwaarden te gaan"))).to_be_visible()
    shot(page, shots, "certificate-checklist")
    evaluate_course(page)
    number, pdf = issue_certificate(page, base, person)
    shot(page, shots, "certificate-issued")
    return CertifiedGP(person, number, pdf, confirm_link, attempts=attempts)


@dataclass(frozen=True)
class CohortRecord:
    id: int
    name: str
    code: str
    #: The demo learner who joined with the code.
    member_id: int
    member_name: str
    member_email: str


def trainer_creates_cohort_and_learner_joins(
    trainer: Page, learner: Page, server: Any, shots: Path
) -> CohortRecord:
    """Journey 2, first half: a trainer creates a cohort; the demo learner joins with its code."""
    base = server.url
    name = "Praktijk De Linde (e2e)"
    login(trainer, base, *DEMO["trainer"])
    trainer.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Groepen").click()
    trainer.get_by_role("link", name="Nieuwe groep").click()
    trainer.get_by_label("Naam van de groep").fill(name)
    trainer.get_by_role("button", name="Groep aanmaken").click()
    expect(trainer.locator(".flash-success")).to_contain_text("is aangemaakt")
    code = trainer.locator(".join-code").inner_text().strip()
    cohort_id = int(re.search(r"/groepen/(\d+)/beheer", trainer.url).group(1))
    shot(trainer, shots, "trainer-cohort-code")

    login(learner, base, *DEMO["learner"])
    learner.get_by_role("link", name="Mijn groep").click()
    learner.get_by_role("link", name="Aansluiten met een code").click()
    learner.get_by_label("Groepscode").fill(code.lower())
    learner.get_by_role("button", name="Aansluiten").click()
    expect(learner.locator(".flash-success")).to_contain_text(
        f"Je bent aangesloten bij de groep ‘{name}’"
    )

    trainer.goto(f"{base}/groepen/{cohort_id}")
    member = trainer.get_by_role("row").get_by_role("link", name="Jasmijn de Vries")
    expect(member).to_be_visible()
    member_id = int(re.search(r"/deelnemers/(\d+)$", member.get_attribute("href")).group(1))
    return CohortRecord(cohort_id, name, code, member_id, "Jasmijn de Vries", DEMO["learner"][0])
