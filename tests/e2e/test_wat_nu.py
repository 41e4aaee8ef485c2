""" "Wat nu?" in a real browser: nothing leaves the device while the GP answers, the dossier note
follows the answers, acute danger is shown at once, and the page works offline after one visit."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE


def _visit_and_wait_for_the_service_worker(page, live_server) -> None:
    page.goto(live_server.url + "/wat-nu")
    # A function, not a string: the page's CSP forbids eval, which wait_for_function would use.
    page.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            while (!navigator.serviceWorker.controller) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        }"""
    )


def test_answering_sends_nothing_and_the_dossier_note_follows_the_answers(
    browser, live_server, screenshot_dir
):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    _visit_and_wait_for_the_service_worker(page, live_server)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(f"{request.method} {request.url}"))

    page.get_by_label("Hoge schuld bij werkgever, tussenpersoon of 'vriend'").check()
    page.get_by_label("Wat zag en hoorde je zelf? Feiten, met de bron.").fill(
        "Begeleider antwoordde op elke vraag; patiënt heeft geen eigen paspoort (zegt patiënt)."
    )
    page.locator("#veld-acuut-nee").check()
    assert "is-alert" not in (page.locator("#acuut").get_attribute("class") or "")
    page.locator("#veld-kindcheck-ja").check()
    page.get_by_label("Toelichting kindcheck").fill("Dochter van 4 woont bij patiënt.")
    page.locator("#veld-geraadpleegd-veilig-thuis").check()
    page.locator("#veld-geraadpleegd-collega").check()
    page.locator("#veld-gesprek-gevoerd").check()
    page.locator("#veld-vermoeden-ja").check()
    page.locator("#veld-onveilig-nee").check()
    page.locator("#veld-hulp-bieden-ja").check()
    page.locator("#veld-besluit-hulp").check()
    page.get_by_label("Reden en afspraken over het vervolg").fill("Controle over twee weken.")
    # The follow-up of a chosen answer shows; that of an unchosen one does not.
    assert page.locator("[data-then='veld-onveilig-nee']").is_visible()
    assert not page.locator("[data-then='veld-onveilig-ja']").is_visible()

    note = page.locator("#dossiernotitie").input_value()
    assert "Algemeen: Hoge schuld bij werkgever, tussenpersoon of 'vriend'" in note
    assert "Waargenomen: Begeleider antwoordde op elke vraag" in note
    assert "Acuut gevaar: Nee" in note
    assert "Kindcheck: Ja\n  Toelichting kindcheck: Dochter van 4 woont bij patiënt." in note
    assert "Geraadpleegd: Een collega, Veilig Thuis" in note
    assert "Afweging 2, acute of structurele onveiligheid: Nee" in note
    assert "Besluit: Zelf hulp bieden of organiseren" in note
    assert "Reden en afspraken over het vervolg: Controle over twee weken." in note
    assert "Afweging 4" not in note  # unanswered questions stay out of the note

    # Acute danger: the 112 box is brought into view at once.
    page.locator("#veld-acuut-ja").check()
    assert "is-alert" in page.locator("#acuut").get_attribute("class")
    expect(page.locator("#acuut").get_by_text("112", exact=True)).to_be_in_viewport()
    page.screenshot(path=screenshot_dir / "wat-nu-answered.png", full_page=True)

    assert requests == [], f"the aid sent requests while answering: {requests}"
    context.close()


def test_the_aid_works_offline_after_one_visit(browser, live_server, screenshot_dir):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _visit_and_wait_for_the_service_worker(page, live_server)
    context.set_offline(True)
    page.reload()
    assert page.get_by_role("heading", name="Acuut gevaar?").is_visible()
    page.locator("#veld-acuut-twijfel").check()  # the script came from the cache too
    assert "Acuut gevaar: Ik twijfel" in page.locator("#dossiernotitie").input_value()
    page.screenshot(path=screenshot_dir / "wat-nu-offline-phone.png", full_page=True)
    context.set_offline(False)
    context.close()
