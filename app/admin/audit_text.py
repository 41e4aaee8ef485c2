"""The audit log in plain Dutch: one sentence for each kind of event, all in this one table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select

from ..content import get_catalog
from ..dates import local_date
from ..extensions import db
from ..models import ROLE_LABELS, AuditEvent, Cohort, User

#: Action -> sentence. {wie} is the person who acted, {doel} what it was done to (a person,
#: a group or a certificate number); other names are the event's details, made readable.
SENTENCES = {
    "admin.view_users": "{wie} bekeek de gebruikerslijst",
    "admin.view_user": "{wie} bekeek het account van {doel}",
    "admin.view_certificates": "{wie} bekeek de lijst met certificaten",
    "admin.view_certificate": "{wie} bekeek certificaat {number}",
    "user.role_change": "{wie} maakte {doel} {new} (was {old})",
    "certificate.issue": "{wie} kreeg certificaat {number}",
    "certificate.revoke": "{wie} trok certificaat {number} in, want: {reason}",
    "certificate.export": (
        "{wie} exporteerde {count} certificaten van {course} ({date_from} tot en met "
        "{date_until}) voor het accreditatieregister"
    ),
    "cohort.create": "{wie} maakte {doel} aan",
    "cohort.settings": "{wie} wijzigde het aansluiten bij {doel}",
    "cohort.new_code": "{wie} maakte een nieuwe code voor {doel}",
    "cohort.invite": "{wie} verstuurde uitnodigingen ({count}) voor {doel}",
    "cohort.join": "{wie} sloot aan bij {doel}",
    "cohort.leave": "{wie} verliet {doel}",
    "trainer.view_cohort": "{wie} bekeek het overzicht van {doel}",
    "trainer.export_csv": "{wie} downloadde de voortgang van {doel} als CSV",
    "trainer.view_learner": "{wie} bekeek de voortgang van {doel}",
    "trainer.send_reminder": (
        "{wie} stuurde een herinnering aan {count} deelnemer(s) van {doel} (selectie: {filter})"
    ),
    "trainer.grant_attempt": "{wie} gaf {doel} een extra poging voor {quiz}",
    "account.two_factor_on": "{wie} zette tweestapsverificatie aan",
    "account.two_factor_off": "{wie} zette tweestapsverificatie uit",
    "account.deleted": "Een account werd verwijderd (nummer {target_id})",
    "account.purge_inactive": "{count} accounts zonder activiteit in {years} jaar werden verwijderd",
    "certificate.reissue": "{wie} gaf certificaat {number} uit met de toegekende punten (vervangt {supersedes})",
    "admin.view_bookings": "{wie} bekeek de boekingen in GAIA",
    "booking.retry": "{wie} zette een geweigerde boeking opnieuw klaar (certificaat-id {certificate})",
    "admin.paste_list": "{wie} haalde de plaklijst op voor {course} ({count} BIG-nummers)",
    "admin.view_dossier": "{wie} bekeek het accreditatiedossier van {course}",
    "admin.download_dossier": "{wie} downloadde het accreditatiedossier van {course} ({kind})",
    "admin.view_mail": "{wie} bekeek de uitgaande e-mail",
    "live.start": "{wie} startte een live sessie met casus {quiz}",
    "live.end": "{wie} sloot een live sessie af",
    "live.report": "{wie} downloadde het verslag van een live sessie ({participants} deelnemers)",
    "live.attendance": (
        "{wie} downloadde de presentielijst van een live sessie ({participants} deelnemers)"
    ),
    "booster.opt_out": "{doel} meldde zich af voor boosters",
}
#: Said of an event whose actor's account no longer exists, or that nobody started.
NOBODY = "Het systeem of een verwijderd account"


class _Values(dict[str, str]):
    """Sentence values; a detail an older event lacks reads as a question mark, never a crash."""

    def __missing__(self, key: str) -> str:
        return "?"


def sentences(events: Sequence[AuditEvent]) -> list[str]:
    """One plain Dutch sentence per event, naming the people and groups involved."""
    users = _by_id(User, [e.actor_id for e in events] + _target_ids(events, "user"))
    cohorts = _by_id(Cohort, _target_ids(events, "cohort"))
    return [_sentence(event, users, cohorts) for event in events]


def _target_ids(events: Iterable[AuditEvent], kind: str) -> list[int]:
    return [int(e.target_id) for e in events if e.target_type == kind and e.target_id.isdigit()]


def _by_id(model: Any, ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(wanted)))}


def _sentence(event: AuditEvent, users: dict[int, User], cohorts: dict[int, Cohort]) -> str:
    actor = users.get(event.actor_id) if event.actor_id is not None else None
    values = _Values({key: _readable(key, value) for key, value in (event.detail or {}).items()})
    values["wie"] = actor.full_name if actor is not None else NOBODY
    values["doel"] = _target(event, users, cohorts)
    values["target_id"] = event.target_id or "?"
    template = SENTENCES.get(event.action)
    if template is None:
        return f"{values['wie']}: {event.action}"
    sentence = template.format_map(values)
    search = (event.detail or {}).get("q")
    if search:
        sentence += f", gezocht op ‘{search}’"
    # A reason typed with its own full stop does not get a second one.
    return sentence.rstrip(".") + "."


def _target(event: AuditEvent, users: dict[int, User], cohorts: dict[int, Cohort]) -> str:
    if not event.target_id.isdigit():
        return "?"
    if event.target_type == "user":
        user = users.get(int(event.target_id))
        return user.full_name if user is not None else "een verwijderd account"
    if event.target_type == "cohort":
        cohort = cohorts.get(int(event.target_id))
        return f"de groep ‘{cohort.name}’" if cohort is not None else "een verwijderde groep"
    return f"{event.target_type} {event.target_id}"


def _readable(key: str, value: Any) -> str:
    """A detail as people read it: role names, course and quiz titles, Dutch dates."""
    if key in ("old", "new", "role") and value in ROLE_LABELS:
        return ROLE_LABELS[value].lower()
    if key == "course":
        course = get_catalog().course(value)
        return course.title if course is not None else str(value)
    if key == "quiz":
        quizzes = [c.quizzes.get(value) for c in get_catalog().courses.values()]
        quiz = next((q for q in quizzes if q is not None), None)
        return quiz.title if quiz is not None else str(value)
    if key.startswith("date_") and isinstance(value, str):
        try:
            return local_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)
