"""Certificates for admins: finding them by name, number or BIG number."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from ..certificates import numbers
from ..models import Certificate


def search(query: str = "", status: str = "") -> Select[tuple[Certificate]]:
    """Certificates, newest first, whose surname or number contains the query (letter case
    ignored, `%` and `_` taken literally), with the number it spells, or whose BIG number ends
    in its digits; only those of `status` when that is "valid" or "revoked"."""
    statement = select(Certificate)
    query = query.strip()
    if query:
        conditions = [
            Certificate.surname.icontains(query, autoescape=True),
            Certificate.number.icontains(query, autoescape=True),
        ]
        parsed = numbers.parse(query)
        if parsed.ok:
            conditions.append(Certificate.number == parsed.number)
        if query.isdigit():
            conditions.append(Certificate.big_number.endswith(query))
        statement = statement.where(or_(*conditions))
    if status in ("valid", "revoked"):
        statement = statement.where(Certificate.status == status)
    return statement.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
