"""The audit log: who did what to which row, and forgetting a deleted person in it."""

from __future__ import annotations

from typing import Any

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
