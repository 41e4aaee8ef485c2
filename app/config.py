"""Settings: safe defaults, then the environment, then a test configuration."""

from __future__ import annotations

import math
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The app cannot start with these settings."""


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} moet een geheel getal zijn, niet {value!r}.") from exc


def _sqlite_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'signaal.sqlite3'}"


def _development_secret_key(instance_path: Path) -> str:
    """Generate a secret key once and keep it in instance/ so sessions survive restarts."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: Path, test_config: dict | None = None) -> dict:
    """Build the settings dict: defaults, then environment, then test_config."""
    env = os.environ
    production = env.get("SIGNAAL_ENV", "development") == "production"
    config: dict = {
        "PRODUCTION": production,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            env.get("DATABASE_URL") or _sqlite_url(instance_path)
        ),
        # Connections are pinged before use only after a rest (app.pool.ping_when_idle).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": env.get("SECRET_KEY"),
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").rstrip("/"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "1") not in ("0", "false", "no"),
        "MAIL_FROM": env.get("MAIL_FROM", "Signaal <noreply@signaal.local>"),
        "MAIL_OUTBOX": Path(env.get("MAIL_OUTBOX") or instance_path / "outbox"),
        #: PE-online's attendance service (GAIA). Booking is off while URL or user id is empty.
        "PE_ONLINE_URL": env.get("PE_ONLINE_URL", ""),
        "PE_ONLINE_USER_ID": env.get("PE_ONLINE_USER_ID", ""),
        "PE_ONLINE_USER_KEY": env.get("PE_ONLINE_USER_KEY", ""),
        "PE_ONLINE_ORG_ID": _env_int("PE_ONLINE_ORG_ID", 19),
        "PE_ONLINE_LANGUAGE_ID": _env_int("PE_ONLINE_LANGUAGE_ID", 1),
        "PE_ONLINE_TIMEOUT": _env_int("PE_ONLINE_TIMEOUT", 30),
        "COURSES_DIR": Path(env.get("COURSES_DIR") or PROJECT_ROOT / "courses"),
        "QUIZZES_DIR": Path(env.get("QUIZZES_DIR") or PROJECT_ROOT / "quizzes"),
        "CERTIFICATES_DIR": Path(env.get("CERTIFICATES_DIR") or PROJECT_ROOT / "certificates"),
        # The provider that issues and signs the certificates: printed on each certificate (as a
        # snapshot) and in the attendance export. The defaults say what is still to be set.
        "PROVIDER_NAME": env.get("PROVIDER_NAME") or "(naam aanbieder: in te stellen)",
        "PROVIDER_ADDRESS": env.get("PROVIDER_ADDRESS") or "(adres aanbieder: in te stellen)",
        "PROVIDER_SIGNATORY_NAME": env.get("PROVIDER_SIGNATORY_NAME")
        or "(naam verantwoordelijke: in te stellen)",
        "PROVIDER_SIGNATORY_ROLE": env.get("PROVIDER_SIGNATORY_ROLE")
        or "(functie verantwoordelijke: in te stellen)",
        "SIGNING_KEY": env.get("SIGNING_KEY") or str(instance_path / "signing" / "key.pem"),
        "SIGNING_CERT": env.get("SIGNING_CERT") or str(instance_path / "signing" / "cert.pem"),
        "SIGNING_KEY_PASSPHRASE": env.get("SIGNING_KEY_PASSPHRASE", ""),
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        "PASSWORD_RESET_MAX_AGE": _env_int("PASSWORD_RESET_MAX_AGE", 3600),
        "EMAIL_CONFIRM_MAX_AGE": _env_int("EMAIL_CONFIRM_MAX_AGE", 7 * 24 * 3600),
        #: Certificates use the highest version of this layout in CERTIFICATES_DIR.
        "CERTIFICATE_LAYOUT": env.get("CERTIFICATE_LAYOUT") or "signaal",
        #: Rate limits (Flask-Limiter notation), per learner for saving answers, per address else.
        "QUIZ_SAVE_RATE_LIMIT": env.get("QUIZ_SAVE_RATE_LIMIT") or "120 per minute",
        "VERIFY_RATE_LIMIT": env.get("VERIFY_RATE_LIMIT") or "60 per minute",
        "VERIFY_UPLOAD_RATE_LIMIT": env.get("VERIFY_UPLOAD_RATE_LIMIT") or "10 per minute",
        #: The largest PDF the public verification page compares (bytes).
        "VERIFY_UPLOAD_MAX": _env_int("VERIFY_UPLOAD_MAX", 2 * 1024 * 1024),
        #: A gap between two study-time heartbeats counts for at most this long (seconds).
        "STUDY_IDLE_CAP": _env_int("STUDY_IDLE_CAP", 300),
        #: Heartbeats one learner may send (all tabs together); more add no time anyway.
        "HEARTBEAT_RATE_LIMIT": env.get("HEARTBEAT_RATE_LIMIT", "20 per minute"),
        #: Browser tests only (ignored in production): a file with seconds to add to the clock.
        "TEST_CLOCK_FILE": env.get("TEST_CLOCK_FILE", ""),
        #: A signed-in session ends after this long without a request (a shared practice computer).
        "SESSION_IDLE_MINUTES": _env_int("SESSION_IDLE_MINUTES", 30),
        #: ... and this long after signing in, however busy.
        "SESSION_LIFETIME_HOURS": _env_int("SESSION_LIFETIME_HOURS", 12),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        #: Where learners and verifiers write to (contact and privacy pages); empty: not shown.
        "CONTACT_EMAIL": env.get("CONTACT_EMAIL", ""),
    }
    if test_config:
        config.update(test_config)
    _check(config, instance_path)
    return config


#: A production SECRET_KEY must hold at least this much randomness (32 random bytes).
MIN_SECRET_BITS = 256


def secret_key_bits(key: str) -> float:
    """A generous estimate of the randomness in a key: length times the bits per character of
    the alphabet it draws from; repetitive keys (few distinct characters) count as nothing."""
    if len(set(key)) < 8:
        return 0.0
    if all(ch in "0123456789abcdefABCDEF" for ch in key):
        per_char = 4.0
    elif key.isalnum():
        per_char = math.log2(62)
    else:
        per_char = 6.0
    return len(key) * per_char


def _check(config: dict, instance_path: Path) -> None:
    if config["PRODUCTION"]:
        missing = [name for name in ("SECRET_KEY", "PUBLIC_BASE_URL") if not config.get(name)]
        if missing:
            raise ConfigError(
                "In productie (SIGNAAL_ENV=production) zijn deze instellingen verplicht: "
                + ", ".join(missing)
                + ". Zet ze in de omgeving en start opnieuw."
            )
        if secret_key_bits(config["SECRET_KEY"]) < MIN_SECRET_BITS:
            raise ConfigError(
                "SECRET_KEY is te kort of te voorspelbaar: wie hem raadt, kan sessies en "
                "herstellinks vervalsen. Maak een sleutel van 32 willekeurige bytes met "
                "python3 -c 'import secrets; print(secrets.token_hex(32))' en zet die als "
                "SECRET_KEY (dezelfde op elke machine)."
            )
    else:
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _development_secret_key(instance_path)
        if not config.get("PUBLIC_BASE_URL"):
            config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
