"""The rule that keeps the site manageable: there is always an admin left.

Both an admin changing someone's role (app.admin) and a person deleting their own account
(app.accounts) ask it, so it lives with the accounts, which admin builds on.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import User


def admin_count() -> int:
    """How many active accounts have the admin role."""
    return (
        db.session.scalar(
            select(func.count(User.id)).where(User.role == "admin", User.deleted_at.is_(None))
        )
        or 0
    )


def is_last_admin(user: User) -> bool:
    """Whether taking this account's admin role away would leave no admin.

    Locks the admin rows until the transaction ends: a no-op UPDATE takes the row locks on
    PostgreSQL and the write lock on SQLite, so two admins stepping down at the same moment
    cannot both see the other one still counted.
    """
    if user.role != "admin":
        return False
    db.session.execute(
        update(User)
        .where(User.role == "admin")
        .values(role=User.role)
        .execution_options(synchronize_session=False)
    )
    return admin_count() <= 1
