"""The audit log: who did what to which row, and forgetting a deleted person in it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select, update

from .extensions import db
from .models import AuditEvent, User


def audit(actor: User | None, action: str, target: Any = None, **detail: Any) -> AuditEvent:
    """Record who did what to which row (added to the session; the view commits)."""
    # current_user is a proxy: record the user it stands for, not the proxy's own type.
    target = getattr(target, "_get_current_object", lambda: target)()
    event = AuditEvent(
        actor_id=actor.id if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=str(getattr(target, "id", "")) if target is not None else "",
        detail=detail,
    )
    db.session.add(event)
    return event


#: What replaces a value in an event's detail that would identify a deleted person.
ERASED = "[verwijderd]"


def forget_person(person: User) -> int:
    """Erase from every event's detail what identifies this person; return how many changed.

    A value goes when it contains their e-mail address, BIG number or a name of theirs (as a
    word), and a search term (`q`) when it would have found them. The event itself stays: it
    records that something happened. Call before the account's own fields are blanked.
    """
    changed = {}
    rows = db.session.execute(select(AuditEvent.id, AuditEvent.detail)).yield_per(1000)
    for event_id, detail in rows:
        if not isinstance(detail, dict):
            continue
        scrubbed = {
            key: ERASED if _identifies(person, key, value) else value
            for key, value in detail.items()
        }
        if scrubbed != detail:
            changed[event_id] = scrubbed
    for event_id, scrubbed in changed.items():
        db.session.execute(
            update(AuditEvent).where(AuditEvent.id == event_id).values(detail=scrubbed)
        )
    return len(changed)


def _identifies(person: User, key: str, value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    text = value.strip().lower()
    exact = [v.lower() for v in (person.email, person.big_number) if v]
    if any(item in text for item in exact):
        return True
    names = [n.lower() for n in (person.first_name, person.surname, person.full_name) if n]
    if any(re.search(rf"\b{re.escape(name)}\b", text) for name in names):
        return True
    if key != "q":
        return False
    # The admin searches match part of an e-mail address or name, or the end of a BIG number.
    found_by_part = any(text in item for item in [person.email.lower(), *names])
    return found_by_part or bool(person.big_number and person.big_number.endswith(text))
