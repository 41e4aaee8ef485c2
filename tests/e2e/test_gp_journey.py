"""Journey 1: a GP earns the certificate, and the QR code on it leads to a page that says valid."""

from __future__ import annotations

from playwright.sync_api import expect

from .flows import mails_to, pdf_facts, shot


def test_gp_earns_a_certificate_whose_qr_code_shows_it_valid(
    certified_gp, live_server, new_page, screenshot_dir
):
    number = certified_gp.number
    person = certified_gp.person
    facts = pdf_facts(certified_gp.pdf)
    assert number in facts.text
    assert person.formal_name in facts.text
    verification_url = f"{live_server.url}/verify/{number}"
    # The QR code is a link to the verification page, and the address is printed beside it.
    assert verification_url in facts.links
    assert verification_url in "".join(facts.text.split())

    # The certificate was mailed too, with the same PDF attached.
    mail = [
        m
        for m in mails_to(live_server.outbox, person.email)
        if number in m["Subject"] + m.get_body(("plain",)).get_content()
    ]
    assert mail, "no mail with the certificate"
    attached = [part.get_content() for part in mail[-1].iter_attachments()]
    assert certified_gp.pdf in attached

    # Someone scans the QR code: no account, a fresh browser.
    verifier = new_page(phone=True)
    verifier.goto(verification_url)
    expect(verifier.locator(".cert-verdict")).to_contain_text("Geldig certificaat")
    expect(verifier.get_by_role("main")).to_contain_text(person.formal_name)
    shot(verifier, screenshot_dir, "verify-valid")
