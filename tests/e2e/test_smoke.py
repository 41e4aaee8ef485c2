"""A first look: the home page and registration work in a real browser."""

from __future__ import annotations


def test_visitor_registers_and_lands_on_their_courses(live_server, page, screenshot_dir):
    page.goto(live_server.url + "/")
    page.screenshot(path=screenshot_dir / "home-desktop.png", full_page=True)
    page.goto(live_server.url + "/account/registreren")
    page.get_by_label("Voorletters").fill("R.")
    page.get_by_label("Voornaam").fill("Rahma")
    page.get_by_label("Achternaam").fill("El Amrani")
    page.get_by_label("Beroep").select_option("gp")
    page.get_by_label("BIG-nummer").fill("49012345678")
    page.get_by_label("E-mailadres").fill("rahma@example.nl")
    page.get_by_label("Wachtwoord", exact=True).fill("een-veilig-wachtwoord-voor-e2e")
    page.get_by_label("Herhaal wachtwoord").fill("een-veilig-wachtwoord-voor-e2e")
    page.get_by_role("button", name="Account aanmaken").click()
    assert "bevestigen" in page.locator(".flash").inner_text()
    page.screenshot(path=screenshot_dir / "after-register-desktop.png", full_page=True)
