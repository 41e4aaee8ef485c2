"""Journey: an EKC plays a case live; two GPs follow and answer on phones; the EKC gets the report."""

from __future__ import annotations

import io

from playwright.sync_api import expect
from pypdf import PdfReader

from .flows import Person, create_learner, download, horizontal_overflow, login, shot

EKC = Person("E.", "Els", "Koster", "els.koster@toetsgroep-e2e.example", "19283746510")
GPS = (
    Person("M.", "Mirjam", "Veldhuis", "mirjam.veldhuis@toetsgroep-e2e.example", "29384756120"),
    Person("J.", "Joost", "Brandsma", "joost.brandsma@toetsgroep-e2e.example", "39485761230"),
)
#: The issue's promise: what phones show follows the EKC within two seconds.
FOLLOW_MS = 2000


def test_ekc_leads_a_case_live_and_two_phones_follow(new_page, live_server, screenshot_dir):
    base = live_server.url
    ekc = new_page()
    login(ekc, base, create_learner(live_server, EKC, role="trainer").email, EKC.password)
    ekc.goto(f"{base}/live/leiden")
    ekc.get_by_label("Casus").select_option(index=1)
    ekc.get_by_role("button", name="Sessie starten").click()
    code = ekc.locator(".live-code-inline").first.inner_text().strip()
    screen = ekc.context.new_page()
    screen.goto(ekc.url + "/scherm")
    expect(screen.locator(".live-code")).to_have_text(code)
    expect(screen.locator("svg.live-qr")).to_be_visible()
    shot(screen, screenshot_dir, "live-screen-lobby")

    phones = []
    for person in GPS:
        phone = new_page(phone=True)
        login(phone, base, create_learner(live_server, person).email, person.password)
        phone.goto(f"{base}/live/{code}")  # what the QR code opens
        phone.get_by_role("button", name="Doe mee").tap()
        expect(phone.get_by_role("heading", name="Je doet mee")).to_be_visible()
        phones.append(phone)
    expect(screen.get_by_text("2 deelnemers")).to_be_visible(timeout=FOLLOW_MS)

    def press(label: str) -> None:
        ekc.get_by_role("button", name=label).click()

    press("Volgend deel")
    stage_title = ekc.locator(".live-stage-title").inner_text()
    for phone in phones:
        expect(phone.locator(".live-stage-title")).to_have_text(stage_title, timeout=FOLLOW_MS)
    expect(screen.locator(".live-stage-title")).to_have_text(stage_title, timeout=FOLLOW_MS)

    press("Vragen openen")
    for index, phone in enumerate(phones):
        form = phone.locator(".live-answer-form")
        expect(form).to_be_visible(timeout=FOLLOW_MS)
        for question in form.locator("fieldset.live-question").all():
            question.locator(".live-option").nth(index).tap()
        assert horizontal_overflow(phone) == 0, "the live page scrolls sideways on a phone"
        shot(phone, screenshot_dir, f"live-phone-{index + 1}-answering")
        phone.get_by_role("button", name="Antwoord versturen").tap()
        expect(phone.locator(".flash-success")).to_contain_text("Je antwoord is ontvangen")
    expect(ekc.get_by_text("2 hebben geantwoord")).to_be_visible(timeout=FOLLOW_MS)

    press("Vragen sluiten")
    press("Verdeling tonen")
    expect(screen.get_by_text("2 deelnemers hebben geantwoord").first).to_be_visible(
        timeout=FOLLOW_MS
    )
    for phone in phones:
        expect(phone.locator(".live-count").first).to_be_visible(timeout=FOLLOW_MS)
        for person in GPS:
            expect(phone.get_by_text(person.surname)).to_have_count(0)
    shot(screen, screenshot_dir, "live-screen-distribution")

    press("Feedback tonen")
    for phone in phones:
        expect(phone.locator(".live-correct").first).to_be_visible(timeout=FOLLOW_MS)
    ekc.get_by_label("Notities bij dit deel").fill(
        "De groep besprak hoe je de begeleider weg vraagt."
    )
    ekc.get_by_role("button", name="Notitie opslaan").click()
    expect(ekc.locator(".flash-success")).to_contain_text("opgeslagen")

    ekc.once("dialog", lambda dialog: dialog.accept())
    press("Sessie beëindigen")
    for phone in phones:
        expect(phone.get_by_role("heading", name="De sessie is afgelopen")).to_be_visible(
            timeout=FOLLOW_MS
        )
    _, pdf = download(ekc, "Verslag (PDF)")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for person in GPS:
        assert person.surname in text and person.big_number in text
    assert "De groep besprak hoe je de begeleider weg vraagt." in text
    name, attendance = download(ekc, "Presentielijst (CSV)")
    assert name.endswith(".csv") and GPS[0].big_number in attendance.decode("utf-8-sig")
