"""Optional TOTP two-factor sign-in for trainers and admins (RFC 6238 via pyotp)."""

from __future__ import annotations

import pyotp

from ..models import User

ISSUER = "Signaal"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def code_is_valid(secret: str, code: str) -> bool:
    """Accept the current code and the one before or after it (clock drift)."""
    code = "".join(ch for ch in code if ch.isdigit())
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def may_use(user: User) -> bool:
    return user.role in ("trainer", "admin")
