"""Certificate numbers people can read aloud and type: Crockford base32 groups and a check symbol.

A number looks like ``SIG-7K3M-Q9XD-K``: eight random symbols and one check symbol (Crockford's
mod-37 check), so one wrong symbol or two adjacent symbols swapped is recognised as mistyped.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

#: Crockford's base32 alphabet: digits and letters without I, L, O and U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "SIG"
DATA_LENGTH = 8
GROUP = 4
#: Read-alikes people type for a symbol (Crockford's decoding rules).
_READ_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -.\u00a0\u2010\u2011\u2012\u2013\u2014_")


def _value(symbols: str) -> int:
    value = 0
    for symbol in symbols:
        value = value * 32 + ALPHABET.index(symbol)
    return value


def check_value(data: str) -> int:
    """Crockford's check: the number's value modulo 37 (0..36)."""
    return _value(data) % 37


def new_number() -> str:
    """A fresh random number, formatted; its check symbol is always an ordinary base32 symbol."""
    while True:
        data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
        check = check_value(data)
        # Crockford's checks 32..36 are the symbols * ~ $ = U, awkward to read aloud and type:
        # draw again (32 in 37 draws pass), which keeps the check's error detection intact.
        if check < 32:
            return format_number(data + ALPHABET[check])


def format_number(symbols: str) -> str:
    """Group nine symbols as SIG-XXXX-XXXX-C."""
    data, check = symbols[:DATA_LENGTH], symbols[DATA_LENGTH:]
    groups = [data[i : i + GROUP] for i in range(0, DATA_LENGTH, GROUP)]
    return "-".join([PREFIX, *groups, check])


@dataclass(frozen=True)
class ParsedNumber:
    """What a typed number turned out to be."""

    #: "ok" (well formed, check symbol right) or "mistyped" (wrong length, symbol or check).
    status: str
    #: The canonical form (SIG-XXXX-XXXX-C) when status is "ok", else "".
    number: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def normalise(text: str) -> str:
    """Upper-case, drop spaces and hyphens and the SIG prefix, read O as 0 and I/L as 1."""
    compact = (text or "").upper().translate(_SEPARATORS)
    for prefix in (PREFIX, "S1G", "SLG"):
        if compact.startswith(prefix) and len(compact) > DATA_LENGTH + 1:
            compact = compact[len(prefix) :]
            break
    return compact.translate(_READ_ALIKES)


def parse(text: str) -> ParsedNumber:
    """Check a typed number: canonical form if it is well formed, otherwise "mistyped"."""
    symbols = normalise(text)
    if len(symbols) != DATA_LENGTH + 1 or any(s not in ALPHABET for s in symbols):
        return ParsedNumber("mistyped")
    data, check = symbols[:DATA_LENGTH], symbols[DATA_LENGTH]
    if ALPHABET.index(check) != check_value(data):
        return ParsedNumber("mistyped")
    return ParsedNumber("ok", format_number(symbols))


def verification_url(public_base_url: str, number: str) -> str:
    """The public address that checks a certificate: PUBLIC_BASE_URL, never the request's host."""
    return f"{public_base_url}/verify/{number}"
