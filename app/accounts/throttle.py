"""Failed logins counted per account and client address: after FAILED_LOGINS the pair waits.

A stranger elsewhere cannot lock the owner out, as a lock on the account would let them. The
counts live in the rate limiter's storage (Redis in production), shared by every worker.
With the limiter off (`RATELIMIT_ENABLED=False`, as the benchmarks run) nothing is counted: it
then has no storage, and a login must not fail for that.
"""

from __future__ import annotations

from flask_limiter.util import get_remote_address
from limits import parse

from ..extensions import limiter

FAILED_LOGINS = parse("5 per 15 minutes")


def _key(email: str) -> tuple[str, str, str]:
    return ("login-failures", email.strip().lower(), get_remote_address())


def is_throttled(email: str) -> bool:
    """Whether this address has failed too often for this account lately."""
    return limiter.enabled and not limiter.limiter.test(FAILED_LOGINS, *_key(email))


def record_failure(email: str) -> None:
    if limiter.enabled:
        limiter.limiter.hit(FAILED_LOGINS, *_key(email))


def forget_failures(email: str) -> None:
    """A successful login starts the count afresh."""
    if limiter.enabled:
        limiter.limiter.clear(FAILED_LOGINS, *_key(email))
