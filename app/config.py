"""Settings: safe defaults, then the environment, then a test configuration."""

from __future__ import annotations

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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
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
        "COURSES_DIR": Path(env.get("COURSES_DIR") or PROJECT_ROOT / "courses"),
        "QUIZZES_DIR": Path(env.get("QUIZZES_DIR") or PROJECT_ROOT / "quizzes"),
        "CERTIFICATES_DIR": Path(env.get("CERTIFICATES_DIR") or PROJECT_ROOT / "certificates"),
        "SIGNING_KEY": env.get("SIGNING_KEY") or str(instance_path / "signing" / "key.pem"),
        "SIGNING_CERT": env.get("SIGNING_CERT") or str(instance_path / "signing" / "cert.pem"),
        "SIGNING_KEY_PASSPHRASE": env.get("SIGNING_KEY_PASSPHRASE", ""),
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        "PASSWORD_RESET_MAX_AGE": _env_int("PASSWORD_RESET_MAX_AGE", 3600),
        "EMAIL_CONFIRM_MAX_AGE": _env_int("EMAIL_CONFIRM_MAX_AGE", 7 * 24 * 3600),
        #: A gap between two study-time heartbeats counts for at most this long (seconds).
        "STUDY_IDLE_CAP": _env_int("STUDY_IDLE_CAP", 300),
        #: Heartbeats one learner may send (all tabs together); more add no time anyway.
        "HEARTBEAT_RATE_LIMIT": env.get("HEARTBEAT_RATE_LIMIT", "20 per minute"),
        #: Browser tests only (ignored in production): a file with seconds to add to the clock.
        "TEST_CLOCK_FILE": env.get("TEST_CLOCK_FILE", ""),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    }
    if test_config:
        config.update(test_config)
    _check(config, instance_path)
    return config


def _check(config: dict, instance_path: Path) -> None:
    if config["PRODUCTION"]:
        missing = [name for name in ("SECRET_KEY", "PUBLIC_BASE_URL") if not config.get(name)]
        if missing:
            raise ConfigError(
                "In productie (SIGNAAL_ENV=production) zijn deze instellingen verplicht: "
                + ", ".join(missing)
                + ". Zet ze in de omgeving en start opnieuw."
            )
    else:
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _development_secret_key(instance_path)
        if not config.get("PUBLIC_BASE_URL"):
            config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
