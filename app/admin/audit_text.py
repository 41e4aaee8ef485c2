"""The audit log in plain language: one sentence for each kind of event, all in this one table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask_babel import LazyString, get_translations, gettext, lazy_gettext
from sqlalchemy import select

from ..content import get_catalog
from ..dates import local_date
from ..extensions import db
from ..models import ROLE_LABELS, AuditEvent, Cohort, User


class _Values(dict[str, str]):
    """Sentence values; a detail an older event lacks reads as a question mark, never a crash."""

    def __missing__(self, key: str) -> str:
        return "?"

    def number(self, key: str) -> int:
        """A count among the details, to choose singular or plural (plural when unknown)."""
        value = self.get(key, "")
        return int(value) if value.isdigit() else 2


#: Action -> sentence. %(who)s is the person who acted, %(target)s what it was done to (a
#: person, a group or a certificate number); other names are the event's details, made
#: readable. A sentence with a number in it chooses singular or plural: a function of the values.
SENTENCES: dict[str, LazyString | Callable[[_Values], str]] = {
    "admin.view_users": lazy_gettext("%(who)s bekeek de gebruikerslijst"),
    "admin.view_user": lazy_gettext("%(who)s bekeek het account van %(target)s"),
    "admin.view_certificates": lazy_gettext("%(who)s bekeek de lijst met certificaten"),
    "admin.view_certificate": lazy_gettext("%(who)s bekeek certificaat %(number)s"),
    "user.role_change": lazy_gettext("%(who)s maakte %(target)s %(new)s (was %(old)s)"),
    "certificate.issue": lazy_gettext("%(who)s kreeg certificaat %(number)s"),
    "certificate.revoke": lazy_gettext("%(who)s trok certificaat %(number)s in, want: %(reason)s"),
    "certificate.export": lambda v: get_translations().ngettext(
        "%(who)s exporteerde %(count)s certificaat van %(course)s (%(date_from)s tot en met "
        "%(date_until)s) voor het accreditatieregister",
        "%(who)s exporteerde %(count)s certificaten van %(course)s (%(date_from)s tot en "
        "met %(date_until)s) voor het accreditatieregister",
        v.number("count"),
    ),
    "cohort.create": lazy_gettext("%(who)s maakte %(target)s aan"),
    "cohort.settings": lazy_gettext("%(who)s wijzigde het aansluiten bij %(target)s"),
    "cohort.new_code": lazy_gettext("%(who)s maakte een nieuwe code voor %(target)s"),
    "cohort.invite": lambda v: get_translations().ngettext(
        "%(who)s verstuurde %(count)s uitnodiging voor %(target)s",
        "%(who)s verstuurde %(count)s uitnodigingen voor %(target)s",
        v.number("count"),
    ),
    "cohort.join": lazy_gettext("%(who)s sloot aan bij %(target)s"),
    "cohort.leave": lazy_gettext("%(who)s verliet %(target)s"),
    "trainer.view_cohort": lazy_gettext("%(who)s bekeek het overzicht van %(target)s"),
    "trainer.export_csv": lazy_gettext("%(who)s downloadde de voortgang van %(target)s als CSV"),
    "trainer.view_learner": lazy_gettext("%(who)s bekeek de voortgang van %(target)s"),
    "trainer.send_reminder": lambda v: get_translations().ngettext(
        "%(who)s stuurde een herinnering aan %(count)s deelnemer van %(target)s "
        "(selectie: %(filter)s)",
        "%(who)s stuurde een herinnering aan %(count)s deelnemers van %(target)s "
        "(selectie: %(filter)s)",
        v.number("count"),
    ),
    "trainer.grant_attempt": lazy_gettext("%(who)s gaf %(target)s een extra poging voor %(quiz)s"),
    "account.two_factor_on": lazy_gettext("%(who)s zette tweestapsverificatie aan"),
    "account.two_factor_off": lazy_gettext("%(who)s zette tweestapsverificatie uit"),
    "account.deleted": lazy_gettext("Een account werd verwijderd (nummer %(target_id)s)"),
    "account.purge_inactive": lambda v: get_translations().ngettext(
        "%(count)s account zonder activiteit in %(years)s jaar werd verwijderd",
        "%(count)s accounts zonder activiteit in %(years)s jaar werden verwijderd",
        v.number("count"),
    ),
    "certificate.reissue": lazy_gettext(
        "%(who)s gaf certificaat %(number)s uit met de toegekende punten (vervangt %(supersedes)s)"
    ),
    "admin.view_bookings": lazy_gettext("%(who)s bekeek de boekingen in GAIA"),
    "booking.retry": lazy_gettext(
        "%(who)s zette een geweigerde boeking opnieuw klaar (certificaat-id %(certificate)s)"
    ),
    "admin.paste_list": lambda v: get_translations().ngettext(
        "%(who)s haalde de plaklijst op voor %(course)s (%(count)s BIG-nummer)",
        "%(who)s haalde de plaklijst op voor %(course)s (%(count)s BIG-nummers)",
        v.number("count"),
    ),
    "admin.view_dossier": lazy_gettext("%(who)s bekeek het accreditatiedossier van %(course)s"),
    "admin.download_dossier": lazy_gettext(
        "%(who)s downloadde het accreditatiedossier van %(course)s (%(kind)s)"
    ),
    "admin.view_mail": lazy_gettext("%(who)s bekeek de uitgaande e-mail"),
    "live.start": lazy_gettext("%(who)s startte een live sessie met casus %(quiz)s"),
    "live.end": lazy_gettext("%(who)s sloot een live sessie af"),
    "live.report": lambda v: get_translations().ngettext(
        "%(who)s downloadde het verslag van een live sessie (%(participants)s deelnemer)",
        "%(who)s downloadde het verslag van een live sessie (%(participants)s deelnemers)",
        v.number("participants"),
    ),
    "live.attendance": lambda v: get_translations().ngettext(
        "%(who)s downloadde de presentielijst van een live sessie (%(participants)s deelnemer)",
        "%(who)s downloadde de presentielijst van een live sessie (%(participants)s deelnemers)",
        v.number("participants"),
    ),
    "booster.opt_out": lazy_gettext("%(target)s meldde zich af voor boosters"),
}
#: Said of an event whose actor's account no longer exists, or that nobody started.
NOBODY = lazy_gettext("Het systeem of een verwijderd account")


def sentences(events: Sequence[AuditEvent]) -> list[str]:
    """One plain sentence per event, in the interface's language, naming the people and groups involved."""
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
    values["who"] = actor.full_name if actor is not None else str(NOBODY)
    values["target"] = _target(event, users, cohorts)
    values["target_id"] = event.target_id or "?"
    template = SENTENCES.get(event.action)
    if template is None:
        return f"{values['who']}: {event.action}"
    sentence = (template(values) if callable(template) else str(template)) % values
    search = (event.detail or {}).get("q")
    if search:
        sentence = gettext(
            "%(sentence)s, gezocht op ‘%(search)s’", sentence=sentence, search=search
        )
    # A reason typed with its own full stop does not get a second one.
    return sentence.rstrip(".") + "."


def _target(event: AuditEvent, users: dict[int, User], cohorts: dict[int, Cohort]) -> str:
    if not event.target_id.isdigit():
        return "?"
    if event.target_type == "user":
        user = users.get(int(event.target_id))
        return user.full_name if user is not None else gettext("een verwijderd account")
    if event.target_type == "cohort":
        cohort = cohorts.get(int(event.target_id))
        if cohort is None:
            return gettext("een verwijderde groep")
        return gettext("de groep ‘%(name)s’", name=cohort.name)
    return f"{event.target_type} {event.target_id}"


def _readable(key: str, value: Any) -> str:
    """A detail as people read it: role names, course and quiz titles, dates in the language."""
    if key in ("old", "new", "role") and value in ROLE_LABELS:
        return str(ROLE_LABELS[value]).lower()
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
        return gettext("ja") if value else gettext("nee")
    return str(value)
