"""What a certificate states, as plain data and as labelled lines.

The PDF and the public verification page print the same lines from here, so what a verifier
sees is exactly what the certificate says (the BIG number masked but for its last three digits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..dates import local_date
from ..models import Certificate, join_name, profession_label_in

#: A certificate prints in Dutch, the language of the course and of the accreditation register,
#: whatever language the holder reads the site in.
PRINTED_LANGUAGE = "nl"


@dataclass(frozen=True)
class Provider:
    """Who issues and signs the certificates, and the person responsible (from the settings)."""

    name: str = ""
    address: str = ""
    signatory_name: str = ""
    signatory_role: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Provider:
        return cls(
            name=config["PROVIDER_NAME"],
            address=config["PROVIDER_ADDRESS"],
            signatory_name=config["PROVIDER_SIGNATORY_NAME"],
            signatory_role=config["PROVIDER_SIGNATORY_ROLE"],
        )


@dataclass(frozen=True)
class CertificateFacts:
    """The snapshot a certificate prints; built from a Certificate row or before inserting one."""

    number: str
    #: "accreditation" (points booked) or "participation" (study load, no points).
    kind: str
    initials: str
    tussenvoegsel: str
    surname: str
    #: None for professions without one, and after the account was deleted.
    big_number: str | None
    profession: str
    course_title: str
    course_version: str
    completed_on: dt.date
    study_load_minutes: int
    accreditation_body: str
    #: "applied" or "accredited", as course.toml said when the certificate was issued.
    accreditation_status: str
    accreditation_id: str
    points: float
    period_start: dt.date | None
    period_end: dt.date | None
    #: Empty on certificates issued before the provider settings existed.
    provider: Provider = Provider()

    @property
    def name(self) -> str:
        """Initials, tussenvoegsel and surname, as the accreditation register books them."""
        return join_name(self.initials, self.tussenvoegsel, self.surname)

    @property
    def profession_label(self) -> str:
        return profession_label_in(self.profession, PRINTED_LANGUAGE)

    @property
    def granted(self) -> bool:
        """Points count: an accreditation certificate for a granted accreditation with an id."""
        return (
            self.kind == "accreditation"
            and self.accreditation_status == "accredited"
            and bool(self.accreditation_id)
        )


def facts_of(certificate: Certificate) -> CertificateFacts:
    """The facts stored on an issued certificate."""
    return CertificateFacts(
        number=certificate.number,
        kind=certificate.kind,
        initials=certificate.initials,
        tussenvoegsel=certificate.tussenvoegsel,
        surname=certificate.surname,
        big_number=certificate.big_number,
        profession=certificate.profession,
        course_title=certificate.course_title,
        course_version=certificate.course_version,
        completed_on=certificate.completed_on,
        study_load_minutes=certificate.study_load_minutes,
        accreditation_body=certificate.accreditation_body,
        accreditation_status=certificate.accreditation_status,
        accreditation_id=certificate.accreditation_id,
        points=certificate.points,
        period_start=certificate.period_start if certificate.period_end else None,
        period_end=certificate.period_end,
        provider=Provider(
            name=certificate.provider_name,
            address=certificate.provider_address,
            signatory_name=certificate.signatory_name,
            signatory_role=certificate.signatory_role,
        ),
    )


def long_date(day: dt.date) -> str:
    """25 november 2026."""
    return local_date(day, PRINTED_LANGUAGE)


def decimal(value: float) -> str:
    """2 or 1,5: Dutch decimal comma, no trailing zero."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def study_load(minutes: int) -> str:
    """2 uur (120 minuten)."""
    return f"{decimal(minutes / 60)} uur ({minutes} minuten)"


def mask_big(big_number: str | None) -> str:
    """All digits but the last three hidden: ********210."""
    if not big_number:
        return ""
    return "*" * (len(big_number) - 3) + big_number[-3:]


def kind_label(facts: CertificateFacts) -> str:
    """The certificate's kind, named no bigger than it is: pending accreditation says so."""
    if facts.kind != "accreditation":
        return "Bewijs van deelname"
    if facts.granted:
        return "Certificaat van deelname en accreditatie"
    return f"Certificaat van deelname – accreditatie aangevraagd bij {facts.accreditation_body}"


def accreditation_text(facts: CertificateFacts) -> str:
    """One phrase that is true: points with the register's id, applied for, or no points."""
    if facts.kind != "accreditation":
        return "geen accreditatiepunten (bewijs van deelname)"
    if facts.granted:
        return (
            f"{decimal(facts.points)} punten, {facts.accreditation_body} "
            f"activiteit {facts.accreditation_id}"
        )
    return f"Accreditatie aangevraagd bij {facts.accreditation_body}"


def lines(facts: CertificateFacts, *, mask: bool = False) -> list[tuple[str, str]]:
    """The labelled facts a certificate prints, in order; mask hides the BIG number's digits."""
    rows: list[tuple[str, str]] = [("Soort", kind_label(facts)), ("Naam", facts.name)]
    if facts.big_number:
        rows.append(("BIG-nummer", mask_big(facts.big_number) if mask else facts.big_number))
    rows += [
        ("Beroep", facts.profession_label),
        ("Cursus", facts.course_title),
        ("Cursusversie", facts.course_version),
        ("Resultaat", "toets met voldoende afgerond"),
        ("Datum afronding", long_date(facts.completed_on)),
        ("Studiebelasting", study_load(facts.study_load_minutes)),
    ]
    if facts.kind == "accreditation":
        rows.append(("Accrediterende instantie", facts.accreditation_body))
        if facts.granted:
            rows.append(("Accreditatie-ID", facts.accreditation_id))
            rows.append(("Punten", decimal(facts.points)))
        else:
            # No id has been granted yet: say so, and never print an id or points.
            rows.append(("Accreditatie", accreditation_text(facts)))
        # The period is the accreditation's, not the certificate's (which does not expire);
        # while it is only applied for, there is no period to state.
        if facts.granted and facts.period_start and facts.period_end:
            period = f"{long_date(facts.period_start)} t/m {long_date(facts.period_end)}"
            rows.append(("Accreditatieperiode", period))
    else:
        rows.append(("Punten", "geen (bewijs van deelname)"))
    rows.append(("Certificaatnummer", facts.number))
    provider = facts.provider
    if provider.name:
        rows.append(("Aanbieder", ", ".join(p for p in (provider.name, provider.address) if p)))
    if provider.signatory_name:
        rows.append(
            (
                "Verantwoordelijk",
                ", ".join(p for p in (provider.signatory_name, provider.signatory_role) if p),
            )
        )
    return rows
