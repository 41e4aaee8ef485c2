"""App-wide behaviour: health check, security headers, error pages, configuration."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigError


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/nope.sqlite3",
            "COURSES_DIR": Path(__file__).parent / "content" / "courses",
            "QUIZZES_DIR": Path(__file__).parent / "content" / "quizzes",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_security_headers_on_every_page(client):
    response = client.get("/account/inloggen")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    user = make_user()
    response = client.post(
        "/account/inloggen", data={"email": user.email, "password": "een-lang-test-wachtwoord"}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_page_is_friendly_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNAAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://signaal.example.nl")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


@pytest.mark.parametrize("key", ["geheim", "s" * 64, "signaal-productie-2026", "0123456789abcdef"])
def test_production_refuses_a_trivial_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("SIGNAAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://signaal.example.nl")
    with pytest.raises(ConfigError, match="secrets.token_hex"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


@pytest.mark.parametrize("key", [secrets.token_hex(32), secrets.token_urlsafe(32)])
def test_production_starts_with_a_random_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("SIGNAAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://signaal.example.nl")
    assert create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_production_refuses_to_start_without_public_base_url(monkeypatch, tmp_path):
    monkeypatch.setenv("SIGNAAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas only")
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_pages_for_a_signed_in_person_are_not_stored_by_the_browser(client, auth, make_user):
    auth.login(make_user())
    for path in ("/account/profiel", "/account/mijn-gegevens.json", "/leren/test-cursus", "/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    with client.get("/static/css/signaal.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"
