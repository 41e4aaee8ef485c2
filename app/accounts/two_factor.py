"""Optional TOTP two-factor sign-in for trainers and admins (RFC 6238 via pyotp)."""

from __future__ import annotations

import hmac
import time

import pyotp

from ..models import User

ISSUER = "Signaal"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def accepted_step(secret: str, code: str, last_step: int | None = None) -> int | None:
    """The time step of a valid code (the current one, or the one before or after it for clock
    drift), or None. A code of a step not after `last_step` is refused: a code works once."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // totp.interval
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def may_use(user: User) -> bool:
    return user.role in ("trainer", "admin")
