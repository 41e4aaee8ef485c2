"""What verification concludes: a typed number's status, an uploaded PDF, the public JSON.

Shows exactly the facts the certificate prints (BIG number masked but for its last three
digits); an upload counts only if it is byte-for-byte the issued file and its signature holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from ..certificates import numbers
from ..certificates.facts import facts_of, lines, mask_big
from ..certificates.issuing import find_by_number
from ..certificates.signing import check_signature, load_certificate
from ..extensions import db
from ..models import Certificate

#: The public API keeps its documented v1 values: Dutch words, as the database stored them when
#: v1 was published. The database now stores English values; this is the one place that maps
#: them back, per field (a value missing here would leak; a test checks every one is mapped).
V1_VALUES: dict[str, dict[str, str]] = {
    "profession": {
        "gp": "huisarts",
        "gp_trainee": "aios",
        "practice_nurse": "praktijkondersteuner",
        "doctors_assistant": "doktersassistent",
        "other": "anders",
    },
    "accreditation_status": {"applied": "aangevraagd", "accredited": "geaccrediteerd"},
}


def v1_value(field: str, value: str) -> str:
    """The documented v1 API value of a stored value of this field."""
    return V1_VALUES[field].get(value, value)


@dataclass(frozen=True)
class Verdict:
    #: "valid", "revoked", "superseded" (re-issued with points), "unknown" or "mistyped".
    status: str
    #: The canonical number when the typed one was well formed, else what was typed.
    number: str
    certificate: Certificate | None = None


def verdict(typed: str) -> Verdict:
    """Look a typed number up: a failed check symbol is "mistyped", a missing one "unknown"."""
    parsed = numbers.parse(typed)
    if not parsed.ok:
        return Verdict("mistyped", typed.strip())
    certificate = find_by_number(parsed.number)
    if certificate is None:
        return Verdict("unknown", parsed.number)
    return Verdict(certificate.status, parsed.number, certificate)


def public_lines(certificate: Certificate) -> list[tuple[str, str]]:
    """The printed facts with the BIG number masked."""
    return lines(facts_of(certificate), mask=True)


@dataclass(frozen=True)
class UploadResult:
    #: True only for the issued file, unaltered, with a valid signature.
    genuine: bool
    message: str


def check_upload(certificate: Certificate, data: bytes, signing_cert: Path | str) -> UploadResult:
    """Compare an uploaded file with the issued one (SHA-256), then check the issued file's signature.

    Only a file whose hash is an issued certificate's is parsed: those bytes are Signaal's own,
    so parsing costs what our own certificate costs. Any other upload (altered, crafted,
    unreadable) is answered from its hash alone, without reading its PDF structure.
    """
    if data.lstrip()[:5] != b"%PDF-":
        return UploadResult(
            False, gettext("Dit bestand is geen PDF. Kies het PDF-bestand van het certificaat.")
        )
    digest = hashlib.sha256(data).hexdigest()
    if digest != certificate.sha256:
        return _not_this_certificate(certificate, digest)
    try:
        signature = check_signature(data, load_certificate(signing_cert))
    except OSError:
        signature = None
    if signature is None or not signature.ok:
        return UploadResult(
            False,
            gettext(
                "Het bestand is gelijk aan het uitgegeven bestand, maar de handtekening kan nu "
                "niet worden bevestigd. Neem contact op met de aanbieder."
            ),
        )
    if certificate.status == "revoked":
        return UploadResult(
            False,
            gettext(
                "Dit is precies het bestand dat is uitgegeven, maar het certificaat is "
                "ingetrokken: het geldt niet meer."
            ),
        )
    if certificate.status == "superseded":
        return UploadResult(
            False,
            gettext(
                "Dit is precies het bestand dat is uitgegeven, maar het is vervangen door een "
                "nieuwer certificaat met de accreditatiepunten: vraag de houder om dat "
                "certificaat."
            ),
        )
    return UploadResult(
        True,
        gettext("Dit is precies het bestand dat is uitgegeven, en de digitale handtekening klopt."),
    )


def _not_this_certificate(certificate: Certificate, digest: str) -> UploadResult:
    """The answer for a file that is not, byte for byte, the one issued with this number."""
    other = db.session.scalars(select(Certificate).where(Certificate.sha256 == digest)).first()
    if other is not None:
        return UploadResult(
            False,
            gettext(
                "Dit bestand is certificaat %(other)s, niet %(number)s. Controleer het nummer "
                "op het certificaat.",
                other=other.number,
                number=certificate.number,
            ),
        )
    return UploadResult(
        False,
        gettext(
            "Dit bestand is geen geldig Signaal-certificaat met dit nummer: het is gewijzigd of "
            "het is een ander bestand. Vraag de houder om het PDF-bestand zoals het is uitgegeven."
        ),
    )


def as_json(result: Verdict, verification_url: str) -> dict[str, Any]:
    """The public JSON for a number: status and the printed facts (BIG number masked)."""
    body: dict[str, Any] = {
        "number": result.number,
        "status": result.status,
        "verification_url": verification_url,
        "certificate": None,
    }
    certificate = result.certificate
    if certificate is None:
        return body
    facts = facts_of(certificate)
    body["certificate"] = {
        "kind": facts.kind,
        "name": facts.name,
        "initials": facts.initials,
        "tussenvoegsel": facts.tussenvoegsel,
        "surname": facts.surname,
        "big_number_masked": mask_big(facts.big_number) or None,
        "profession": v1_value("profession", facts.profession),
        "profession_label": facts.profession_label,
        "course": {
            "slug": certificate.course_slug,
            "title": facts.course_title,
            "version": facts.course_version,
        },
        "result": "toets met voldoende afgerond",  # i18n: keep (a documented API value)
        "completed_on": facts.completed_on.isoformat(),
        "study_load_minutes": facts.study_load_minutes,
        "accreditation": {
            "body": facts.accreditation_body if facts.kind == "accreditation" else None,
            "status": v1_value("accreditation_status", facts.accreditation_status),
            "activity_id": facts.accreditation_id if facts.granted else None,
            "points": facts.points if facts.granted else None,
            "valid_from": facts.period_start.isoformat() if facts.period_start else None,
            "valid_until": facts.period_end.isoformat() if facts.period_end else None,
        },
        "issued_at": certificate.issued_at.isoformat(),
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        "sha256": certificate.sha256,
        "lines": [{"label": label, "value": value} for label, value in public_lines(certificate)],
    }
    return body
