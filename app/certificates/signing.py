"""PAdES signatures on certificate PDFs (pyHanko): sign, check, and a development key pair.

The key and certificate are PEM files named by the SIGNING_KEY and SIGNING_CERT settings. Outside
production a self-signed development pair is created there when missing (`flask certificates
dev-keys`, and on first use).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask_babel import gettext
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)

FIELD_NAME = "Certificaat"


class SigningError(RuntimeError):
    """The signing key or certificate cannot be used."""


def ensure_dev_keys(key_path: Path | str, cert_path: Path | str) -> bool:
    """Create a self-signed development key and certificate if either is missing; True if made."""
    key_path, cert_path = Path(key_path), Path(cert_path)
    if key_path.exists() and cert_path.exists():
        return False
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(
                NameOID.COMMON_NAME,
                "Signaal ontwikkelsleutel (niet voor productie)",  # i18n: keep (key name)
            ),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Signaal e-learning"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_path.write_bytes(key_bytes)
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return True


@lru_cache(maxsize=4)
def _signer(key_path: str, cert_path: str, passphrase: str, stamp: tuple[float, float]) -> Any:
    # The files' modification times are part of the cache key, so a replaced key is picked up.
    signer = signers.SimpleSigner.load(
        key_path, cert_path, key_passphrase=passphrase.encode() if passphrase else None
    )
    if signer is None:
        # For operators (the log), like the other operations messages.
        problem = (
            f"Kan de sleutel {key_path} of het certificaat {cert_path} niet lezen."  # i18n: keep
        )
        raise SigningError(problem)
    return signer


def load_signer(key_path: Path | str, cert_path: Path | str, passphrase: str = "") -> Any:
    """The pyHanko signer for this key and certificate (cached while the files are unchanged)."""
    key_path, cert_path = Path(key_path), Path(cert_path)
    try:
        stamp = (key_path.stat().st_mtime, cert_path.stat().st_mtime)
    except OSError as exc:
        raise SigningError(
            f"Ondertekenen kan niet: {exc.filename} ontbreekt. "  # i18n: keep (operators' log)
            "Zet SIGNING_KEY en SIGNING_CERT, of maak een ontwikkelpaar met "
            "`flask certificates dev-keys`."
        ) from exc
    return _signer(str(key_path), str(cert_path), passphrase, stamp)


def sign_pdf(pdf: bytes, signer: Any, *, reason: str = "", location: str = "") -> bytes:
    """Add a PAdES baseline signature that covers the whole file."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    """Outcome of checking a PDF's signature against the provider's certificate."""

    ok: bool
    #: Plain Dutch sentence saying what is wrong ("" when ok).
    problem: str = ""


def load_certificate(cert_path: Path | str) -> asn1_x509.Certificate:
    """Read a PEM certificate for use as the only trust root."""
    data = Path(cert_path).read_bytes()
    der = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(der)


#: What pyHanko raises on a malformed PDF (a broken xref, endlessly nested objects). Only issued
#: files are checked on the public page (app/verify/checks.py), but the check stays total.
_MALFORMED = (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError)


def check_signature(pdf: bytes, trusted: asn1_x509.Certificate) -> SignatureCheck:
    """Check that the PDF carries one intact signature by the trusted certificate over all of it."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (*_MALFORMED, IndexError) as exc:
        log.info("unreadable PDF upload: %s", exc)
        return SignatureCheck(False, gettext("Dit bestand is geen leesbare PDF."))
    if not signatures:
        return SignatureCheck(False, gettext("Deze PDF heeft geen digitale handtekening."))
    if len(signatures) > 1:
        return SignatureCheck(False, gettext("Deze PDF heeft meer dan één handtekening gekregen."))
    context = ValidationContext(trust_roots=[trusted], allow_fetching=False)
    usage = KeyUsageConstraints(key_usage={"digital_signature"}, match_all_key_usages=False)
    try:
        status = validate_pdf_signature(
            signatures[0], context, key_usage_settings=usage, skip_diff=True
        )
    except (SignatureValidationError, *_MALFORMED) as exc:
        log.info("signature validation failed: %s", exc)
        return SignatureCheck(
            False, gettext("De handtekening in deze PDF kan niet worden gecontroleerd.")
        )
    if not status.intact or not status.valid:
        return SignatureCheck(
            False,
            gettext("De handtekening klopt niet meer: het bestand is na ondertekenen gewijzigd."),
        )
    if not status.trusted:
        return SignatureCheck(
            False, gettext("De handtekening is niet gezet met de sleutel van Signaal.")
        )
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        return SignatureCheck(
            False, gettext("Na de handtekening is iets aan de PDF toegevoegd of gewijzigd.")
        )
    return SignatureCheck(True)
