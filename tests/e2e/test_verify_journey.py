"""Journey 3: someone checks a certificate by number (mistyped, then right) and by its PDF."""

from __future__ import annotations

from io import BytesIO

from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from .flows import assert_accessible, shot

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def mistype(number: str) -> str:
    """Change one symbol of the number's data part, as a slip of the finger would."""
    position = len("SIG-")
    wrong = next(s for s in "7KMQ" if s != number[position])
    return number[:position] + wrong + number[position + 1 :]


def altered(pdf: bytes) -> bytes:
    """The same certificate, re-saved with something changed (here its document title)."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    writer.add_metadata({"/Title": "Certificaat (aangepast)"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_verifier_is_told_about_a_typo_and_accepts_only_the_genuine_pdf(
    certified_gp, live_server, page, screenshot_dir
):
    number = certified_gp.number
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Certificaat controleren").click()
    page.get_by_label("Certificaatnummer").fill(mistype(number))
    page.get_by_role("button", name="Controleren").click()
    expect(page.locator(".cert-verdict")).to_contain_text("Vermoedelijk verkeerd overgetypt")
    shot(page, screenshot_dir, "verify-mistyped")
    assert_accessible(page, "verification: mistyped number")

    page.get_by_label("Certificaatnummer").fill(number.lower().replace("-", " "))
    page.get_by_role("button", name="Controleren").click()
    expect(page.locator(".cert-verdict")).to_contain_text("Geldig certificaat")
    expect(page.get_by_role("main")).to_contain_text(certified_gp.person.formal_name)

    upload = page.get_by_label("PDF van het certificaat")
    upload.set_input_files(
        files=[
            {"name": "certificaat.pdf", "mimeType": "application/pdf", "buffer": certified_gp.pdf}
        ]
    )
    page.get_by_role("button", name="Bestand controleren").click()
    verdict = page.get_by_role("region", name="Het PDF-bestand controleren").get_by_role("status")
    expect(verdict).to_contain_text("Het bestand is echt")
    shot(page, screenshot_dir, "verify-pdf-genuine")
    assert_accessible(page, "verification: genuine PDF")

    upload.set_input_files(
        files=[
            {
                "name": "certificaat.pdf",
                "mimeType": "application/pdf",
                "buffer": altered(certified_gp.pdf),
            }
        ]
    )
    page.get_by_role("button", name="Bestand controleren").click()
    expect(verdict).to_contain_text("Het bestand is niet bevestigd")
    expect(verdict).to_contain_text("gewijzigd")
    shot(page, screenshot_dir, "verify-pdf-altered")
    assert_accessible(page, "verification: altered PDF")
