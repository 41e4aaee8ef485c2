"""Journey 4: an admin revokes a certificate; the public check says so; the GP issues a new one."""

from __future__ import annotations

from playwright.sync_api import expect

from .flows import DEMO, assert_accessible, issue_certificate, login, shot


def test_revoked_certificate_shows_revoked_to_verifiers(
    certified_gp, live_server, new_page, screenshot_dir
):
    base = live_server.url
    number = certified_gp.number
    admin = new_page()
    login(admin, base, *DEMO["admin"])
    admin.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beheer").click()
    admin.get_by_role("main").get_by_role("link", name="Certificaten").first.click()
    admin.get_by_label("Zoeken").fill(certified_gp.person.surname)
    admin.get_by_role("button", name="Zoeken").click()
    admin.get_by_role("link", name=number).click()
    admin.get_by_label("Reden van intrekken").fill(
        "Naam verkeerd gespeld; deelnemer maakt een nieuw certificaat aan."
    )
    admin.get_by_role("button", name="Certificaat intrekken").click()
    expect(admin.locator(".flash-success")).to_contain_text(f"Certificaat {number} is ingetrokken")
    shot(admin, screenshot_dir, "admin-certificate-revoked")
    assert_accessible(admin, "admin: revoked certificate")

    verifier = new_page()
    verifier.goto(f"{base}/verify/{number}")
    expect(verifier.locator(".cert-verdict").first).to_contain_text("Ingetrokken")
    shot(verifier, screenshot_dir, "verify-revoked")
    answer = verifier.request.get(f"{base}/api/v1/certificates/{number}").json()
    assert answer["status"] == "revoked"

    # The GP makes a corrected certificate; the revoked one stays revoked.
    gp = new_page()
    login(gp, base, certified_gp.person.email, certified_gp.person.password)
    new_number, pdf = issue_certificate(gp, base, certified_gp.person)
    assert new_number != number
    expect(gp.get_by_role("main")).to_contain_text(f"{number}: ingetrokken")
    certified_gp.revoked_numbers.append(number)
    certified_gp.number, certified_gp.pdf = new_number, pdf
    verifier.goto(f"{base}/verify/{new_number}")
    expect(verifier.locator(".cert-verdict").first).to_contain_text("Geldig certificaat")
