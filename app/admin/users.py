"""Users and roles for admins: finding accounts and changing a role (never leaving no admin).

Functions flush, never commit: the view owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import Select, func, or_, select

from ..accounts.roles import is_last_admin
from ..audit import audit
from ..extensions import db
from ..models import (
    ROLES,
    AuditEvent,
    Certificate,
    Cohort,
    CohortMember,
    CohortTrainer,
    User,
)

#: How many audit events the user detail page shows.
RECENT_EVENTS = 20


class RoleError(ValueError):
    """A role change the rules refuse; the message is a sentence for the admin, translated."""


def search(query: str = "", role: str = "") -> Select[tuple[User]]:
    """Active accounts matching a part of the e-mail address or name, or a BIG number's digits."""
    statement = select(User).where(User.deleted_at.is_(None))
    query = query.strip()
    if query:
        needle = query.lower()
        conditions = [
            User.email.contains(needle, autoescape=True),
            func.lower(User.surname).contains(needle, autoescape=True),
            func.lower(User.first_name).contains(needle, autoescape=True),
        ]
        if query.isdigit():
            conditions.append(User.big_number.endswith(query))
        statement = statement.where(or_(*conditions))
    if role in ROLES:
        statement = statement.where(User.role == role)
    return statement.order_by(func.lower(User.surname), func.lower(User.first_name), User.id)


def change_role(actor: User, user: User, role: str) -> bool:
    """Give the user another role (audit-logged); False when it already had that role.

    Refuses to take the admin role away from the last admin: nobody could then manage the
    site (or give the role back) without shell access.
    """
    if role not in ROLES:
        raise RoleError(gettext("Kies een bestaande rol."))
    if user.deleted_at is not None:
        raise RoleError(gettext("Dit account is verwijderd."))
    if user.role == role:
        return False
    if is_last_admin(user):
        raise RoleError(
            gettext(
                "Dit is het laatste beheerdersaccount. Geef eerst iemand anders de rol "
                "beheerder; daarna kan deze rol eraf."
            )
        )
    old = user.role
    user.role = role
    audit(actor, "user.role_change", user, email=user.email, old=old, new=role)
    db.session.flush()
    return True


@dataclass(frozen=True)
class Account:
    """What an admin sees of one account: its groups, certificates and recent audit events."""

    user: User
    member_of: list[Cohort]
    trains: list[Cohort]
    certificates: list[Certificate]
    #: Events by this person or about them, newest first.
    events: list[AuditEvent]


def account(user: User) -> Account:
    """Gather an account's groups, certificates and most recent audit events."""
    member_of = db.session.scalars(
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user.id)
        .order_by(Cohort.name)
    )
    trains = db.session.scalars(
        select(Cohort)
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .where(CohortTrainer.user_id == user.id)
        .order_by(Cohort.name)
    )
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc())
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.target_type == "user") & (AuditEvent.target_id == str(user.id)),
            )
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(RECENT_EVENTS)
    )
    return Account(user, list(member_of), list(trains), list(certificates), list(events))
