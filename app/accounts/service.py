"""Account rules: creating users, passwords, tokens, demo accounts."""

from __future__ import annotations

import re
from importlib import resources

from flask import current_app
from flask_babel import gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..extensions import db
from ..models import BIG_REQUIRED, PROFESSIONS, User

MIN_PASSWORD_LENGTH = 12
BIG_PATTERN = re.compile(r"^\d{11}$")

DEMO_ACCOUNTS = (
    (
        "huisarts@demo.signaal.nl",
        "demo-huisarts-2026",
        "learner",
        "J.",
        "Jasmijn",
        "de",
        "Vries",
        "gp",
        "12345678901",
    ),
    (
        "opleider@demo.signaal.nl",
        "demo-opleider-2026",
        "trainer",
        "M.",
        "Mehmet",
        "",
        "Yıldız",
        "other",
        None,
    ),
    (
        "beheer@demo.signaal.nl",
        "demo-beheer-2026",
        "admin",
        "A.",
        "Anouk",
        "",
        "Bakker",
        "other",
        None,
    ),
)


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why."""


def _common_passwords() -> frozenset[str]:
    text = resources.files("app.accounts").joinpath("common-passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    """Why this password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return gettext("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH)
    if password.lower() in _common_passwords():
        return gettext(
            "Dit wachtwoord komt voor in lijsten van veelgebruikte wachtwoorden. Kies een ander."
        )
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user(email: str) -> User | None:
    """The account with this e-mail address, ignoring letter case."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def big_number_taken(big_number: str) -> bool:
    return db.session.scalar(select(func.count()).where(User.big_number == big_number)) > 0


def create_user(
    *,
    email: str,
    password: str,
    role: str = "learner",
    initials: str = "",
    first_name: str = "",
    tussenvoegsel: str = "",
    surname: str = "",
    profession: str = "other",
    big_number: str | None = None,
    confirmed: bool = False,
) -> User:
    """Validate and add a user (flushes; the caller commits)."""
    email = email.strip().lower()
    big_number = (big_number or "").strip() or None
    if find_user(email) is not None:
        raise AccountError(gettext("Er bestaat al een account met dit e-mailadres."))
    if (problem := password_problem(password)) is not None:
        raise AccountError(problem)
    if profession not in PROFESSIONS:
        raise AccountError(gettext("Onbekend beroep: %(profession)s.", profession=profession))
    if profession in BIG_REQUIRED and big_number is None:
        raise AccountError(
            gettext("Vul je BIG-nummer in: de accreditatiepunten worden daarop geboekt.")
        )
    if big_number is not None:
        if not BIG_PATTERN.match(big_number):
            raise AccountError(gettext("Een BIG-nummer bestaat uit 11 cijfers."))
        if big_number_taken(big_number):
            raise AccountError(gettext("Dit BIG-nummer hoort al bij een ander account."))
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        initials=initials,
        first_name=first_name,
        tussenvoegsel=tussenvoegsel,
        surname=surname,
        profession=profession,
        big_number=big_number,
        email_confirmed_at=clock.now() if confirmed else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str, *, throttled: bool = False) -> User | None:
    """The user if the password is right; None otherwise, or when throttled.

    Every way to fail spends one password hash, so timing reveals neither unknown addresses nor
    throttling.
    """
    user = find_user(email)
    if throttled or user is None or user.deleted_at is not None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("signaal_dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash("not-a-real-password", method=method)
    return cache[method]


def set_password(user: User, password: str) -> None:
    """Change the password and end every other session of this user."""
    if (problem := password_problem(password)) is not None:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.session_version += 1


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"signaal-{purpose}")


def make_token(user: User, purpose: str) -> str:
    """A signed, time-limited token; it dies when the password (session version) changes."""
    return _serializer(purpose).dumps({"id": user.id, "v": user.session_version, "e": user.email})


def read_token(token: str, purpose: str, max_age: int) -> User | None:
    """The user a valid token belongs to, or None when it is expired, used or forged."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("id"))
    if user is None or user.session_version != data.get("v") or user.email != data.get("e"):
        return None
    return user


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts if missing; return (e-mail, password, role) for each."""
    logins = []
    for email, password, role, initials, first, tussen, surname, profession, big in DEMO_ACCOUNTS:
        if find_user(email) is None:
            create_user(
                email=email,
                password=password,
                role=role,
                initials=initials,
                first_name=first,
                tussenvoegsel=tussen,
                surname=surname,
                profession=profession,
                big_number=big,
                confirmed=True,
            )
        logins.append((email, password, role))
    return logins
