"""Accounts: registration, login, password reset and change, roles, CSRF, rate limits."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import User

from .conftest import PASSWORD


def register(client, follow_redirects=False, **overrides):
    data = {
        "initials": "S.",
        "first_name": "Sara",
        "tussenvoegsel": "van der",
        "surname": "Meer",
        "profession": "gp",
        "big_number": "19876543210",
        "email": "sara@example.nl",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    data.update(overrides)
    return client.post("/account/registreren", data=data, follow_redirects=follow_redirects)


def users(app: Flask) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User)))


def test_register_creates_learner_and_sends_confirmation(client, app, outbox):
    response = register(client)
    assert response.status_code == 302
    assert client.get("/account/profiel").status_code == 302  # signed in by the mailed link
    [user] = users(app)
    assert (user.email, user.role, user.tussenvoegsel) == ("sara@example.nl", "learner", "van der")
    assert user.email_confirmed_at is None
    assert user.password_hash != PASSWORD
    [message] = outbox()
    assert message["To"] == "sara@example.nl"
    assert message.get_content().startswith("Beste Sara,")
    link = re.search(
        r"https://signaal\.example\.nl(/account/bevestigen/\S+)", message.get_content()
    )
    assert link is not None
    client.get(link.group(1))
    [user] = users(app)
    assert user.email_confirmed_at is not None
    assert client.get("/account/profiel").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "geen-adres"}, "Vul een geldig e-mailadres in."),
        ({"password": "kort1234", "confirm": "kort1234"}, "minstens 12 tekens"),
        ({"big_number": ""}, "Vul je BIG-nummer in"),
        ({"big_number": "1234"}, "precies 11 cijfers"),
        ({"big_number": "1234567890a"}, "precies 11 cijfers"),
        ({"confirm": "iets-heel-anders-123"}, "niet gelijk"),
        ({"password": "wachtwoord1234", "confirm": "wachtwoord1234"}, "veelgebruikte"),
    ],
)
def test_register_rejects_bad_input_with_a_clear_message(client, app, overrides, message):
    response = register(client, **overrides)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert users(app) == []


def test_big_number_is_optional_for_a_practice_nurse(client, app):
    response = register(client, profession="practice_nurse", big_number="")
    assert response.status_code == 302
    [user] = users(app)
    assert user.big_number is None


def _page_without_tokens(response) -> str:
    return re.sub(r'name="csrf_token"[^>]*>|value="[^"]*"', "", response.get_data(as_text=True))


def test_registering_a_known_address_answers_the_same_and_tells_the_owner(
    client, app, make_user, outbox
):
    make_user(email="sara@example.nl", big_number="11111111111")
    known = register(client, email="Sara@Example.NL", follow_redirects=True)
    unknown = register(
        app.test_client(), email="nieuw@example.nl", big_number="", profession="other",
        follow_redirects=True,
    )  # fmt: skip
    assert _page_without_tokens(known).replace("sara@example.nl", "X") == _page_without_tokens(
        unknown
    ).replace("nieuw@example.nl", "X")
    assert len(users(app)) == 2  # the known address got no second account
    to_owner = next(m for m in outbox() if m["To"] == "sara@example.nl")
    assert "al een account" in to_owner.get_content()
    assert "/account/wachtwoord-vergeten" in to_owner.get_content()


def test_registering_a_taken_big_number_answers_the_same_and_says_so_by_mail(
    client, app, make_user, outbox
):
    make_user(big_number="19876543210")
    response = register(client, follow_redirects=True)
    assert "hoort al bij" not in response.get_data(as_text=True)
    assert "We hebben een e-mail gestuurd" in response.get_data(as_text=True)
    assert len(users(app)) == 1
    [message] = [m for m in outbox() if m["To"] == "sara@example.nl"]
    assert "BIG-nummer" in message.get_content()


def test_big_number_changes_are_rate_limited(client, auth, make_user):
    make_user(big_number="33333333333")
    auth.login(make_user(big_number="22222222222"))
    profile = {
        "initials": "A.",
        "first_name": "Anna",
        "surname": "Berg",
        "profession": "gp",
        "language": "nl",
    }
    statuses = [
        client.post("/account/profiel", data={**profile, "big_number": "33333333333"}).status_code
        for _ in range(7)
    ]
    assert 429 in statuses and statuses[0] != 429
    # Saving the name with the same BIG number is not limited.
    same = client.post("/account/profiel", data={**profile, "big_number": "22222222222"})
    assert same.status_code != 429


def test_login_failure_does_not_reveal_which_part_was_wrong(client, make_user):
    user = make_user()
    wrong_password = client.post(
        "/account/inloggen", data={"email": user.email, "password": "fout-wachtwoord-123"}
    ).get_data(as_text=True)
    unknown_email = client.post(
        "/account/inloggen", data={"email": "niemand@example.nl", "password": PASSWORD}
    ).get_data(as_text=True)
    expected = "E-mailadres of wachtwoord klopt niet"
    assert expected in wrong_password and expected in unknown_email
    strip = re.compile(r'name="csrf_token"[^>]*>|value="[^"]*"')
    assert strip.sub("", wrong_password) == strip.sub("", unknown_email)


def test_login_and_logout(client, auth, make_user):
    user = make_user()
    assert auth.login(user).status_code == 302
    assert client.get("/account/profiel").status_code == 200
    auth.logout()
    response = client.get("/account/profiel")
    assert response.status_code == 302 and "/account/inloggen" in response.location


def test_a_cookie_kept_from_before_logout_no_longer_works(client, auth, make_user):
    user = make_user()
    auth.login(user)
    kept = client.get_cookie("session").value
    auth.logout()
    client.set_cookie("session", kept)
    response = client.get("/account/mijn-gegevens.json")
    assert response.status_code == 302 and "/account/inloggen" in response.location


def _advance_clock(app: Flask, tmp_path, minutes: float) -> None:
    clock = tmp_path / "clock"
    previous = float(clock.read_text()) if clock.exists() else 0.0
    clock.write_text(str(previous + minutes * 60))
    app.config["TEST_CLOCK_FILE"] = str(clock)


def test_a_session_ends_after_idle_time(app, client, auth, make_user, tmp_path):
    auth.login(make_user())
    _advance_clock(app, tmp_path, app.config["SESSION_IDLE_MINUTES"] - 1)
    assert client.get("/account/profiel").status_code == 200  # activity keeps it alive
    _advance_clock(app, tmp_path, app.config["SESSION_IDLE_MINUTES"] - 1)
    assert client.get("/account/profiel").status_code == 200
    _advance_clock(app, tmp_path, app.config["SESSION_IDLE_MINUTES"] + 1)
    response = client.get("/account/profiel")
    assert response.status_code == 302 and "/account/inloggen" in response.location
    assert "sessie is verlopen" in client.get(response.location).get_data(as_text=True)


def test_a_busy_session_still_ends_after_its_lifetime(app, client, auth, make_user, tmp_path):
    auth.login(make_user())
    step = app.config["SESSION_IDLE_MINUTES"] - 1
    for _ in range(app.config["SESSION_LIFETIME_HOURS"] * 60 // step):
        _advance_clock(app, tmp_path, step)
        client.get("/account/profiel")
    _advance_clock(app, tmp_path, step)
    response = client.get("/account/profiel")
    assert response.status_code == 302 and "/account/inloggen" in response.location


def test_login_redirect_ignores_other_sites(client, make_user):
    user = make_user()
    response = client.post(
        "/account/inloggen?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.location == "/"


def test_account_locks_after_repeated_failures(client, make_user):
    user = make_user()
    for _ in range(5):
        client.post("/account/inloggen", data={"email": user.email, "password": "fout-fout-fout"})
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200  # the right password does not get in while locked
    assert "tijdelijk geblokkeerd" in response.get_data(as_text=True)


def test_a_stranger_cannot_lock_the_owner_out(app, make_user):
    user = make_user()
    stranger, owner = app.test_client(), app.test_client()
    for _ in range(8):
        stranger.post(
            "/account/inloggen",
            data={"email": user.email, "password": "fout-fout"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
    response = owner.post(
        "/account/inloggen",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.20"},
    )
    assert response.status_code == 302


class TestThrottledLoginTiming:
    @pytest.fixture
    def config_overrides(self):
        return {"PASSWORD_HASH_METHOD": "pbkdf2:sha256:300000"}

    def test_a_throttled_login_takes_as_long_as_a_wrong_password(self, app, client, make_user):
        user = make_user()

        def seconds(password: str) -> float:
            start = time.perf_counter()
            client.post("/account/inloggen", data={"email": user.email, "password": password})
            return time.perf_counter() - start

        wrong = sorted(seconds(f"fout-{n}") for n in range(5))[2]  # the fifth one throttles
        throttled = sorted(seconds(PASSWORD) for _ in range(3))[1]
        assert throttled > wrong / 2


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": False}])
def test_with_the_rate_limiter_off_failed_logins_are_not_counted(client, make_user):
    """The benchmarks run with the limiter off: logging in must work, and never throttle."""
    user = make_user()
    for n in range(6):
        client.post("/account/inloggen", data={"email": user.email, "password": f"fout-{n}"})
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_login_is_rate_limited_per_address(client, make_user):
    statuses = [
        client.post(
            "/account/inloggen", data={"email": f"x{i}@example.nl", "password": "fout-fout-fout"}
        ).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    assert "Te veel pogingen" in client.post(
        "/account/inloggen", data={"email": "a@example.nl", "password": "x"}
    ).get_data(as_text=True)


class TestCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_post_without_token_is_rejected(self, client, app):
        response = register(client)
        assert response.status_code == 400
        assert "verlopen" in response.get_data(as_text=True)
        assert users(app) == []

    def test_post_with_token_from_the_form_is_accepted(self, client, app):
        page = client.get("/account/registreren").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert register(client, csrf_token=token).status_code == 302
        assert len(users(app)) == 1


def _reset_link(outbox) -> str:
    body = outbox()[-1].get_content()
    return re.search(
        r"https://signaal\.example\.nl(/account/wachtwoord-herstellen/\S+)", body
    ).group(1)


def test_password_reset_works_once(client, auth, make_user, outbox):
    user = make_user()
    client.post("/account/wachtwoord-vergeten", data={"email": user.email.upper()})
    link = _reset_link(outbox)
    new = "een-heel-nieuw-wachtwoord"
    response = client.post(link, data={"password": new, "confirm": new})
    assert response.status_code == 302 and response.location.endswith("/account/inloggen")
    assert auth.login(user, new).status_code == 302
    auth.logout()
    again = client.post(
        link, data={"password": "nog-een-ander-wachtwoord", "confirm": "nog-een-ander-wachtwoord"}
    )
    assert again.location.endswith("/account/wachtwoord-vergeten")
    assert auth.login(user, new).status_code == 302


def test_password_reset_link_expires(client, app, make_user, outbox):
    user = make_user()
    client.post("/account/wachtwoord-vergeten", data={"email": user.email})
    link = _reset_link(outbox)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.post(
        link, data={"password": "nieuw-wachtwoord-abc", "confirm": "nieuw-wachtwoord-abc"}
    )
    assert response.location.endswith("/account/wachtwoord-vergeten")


def test_reset_request_for_unknown_address_sends_nothing_and_says_the_same(
    client, outbox, make_user
):
    user = make_user()
    known = client.post(
        "/account/wachtwoord-vergeten", data={"email": user.email}, follow_redirects=True
    )
    unknown = client.post(
        "/account/wachtwoord-vergeten", data={"email": "onbekend@example.nl"}, follow_redirects=True
    )
    assert len(outbox()) == 1
    assert "Als er een account bij dit adres hoort" in known.get_data(as_text=True)
    assert "Als er een account bij dit adres hoort" in unknown.get_data(as_text=True)


def test_changing_password_ends_other_sessions(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    new = "mijn-nieuwe-wachtwoord-2026"
    response = laptop.post(
        "/account/wachtwoord", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert laptop.get("/account/profiel").status_code == 200
    assert phone.get("/account/profiel").status_code == 302


def test_profile_update_keeps_big_number_rules(client, auth, app, make_user):
    user = make_user(big_number="22222222222")
    other = make_user(big_number="33333333333")
    auth.login(user)
    data = {
        "initials": "A.",
        "first_name": "Anna",
        "tussenvoegsel": "",
        "surname": "Jansen",
        "profession": "gp",
        "big_number": other.big_number,
        "language": "nl",
    }
    assert "hoort al bij een ander account" in client.post("/account/profiel", data=data).get_data(
        as_text=True
    )
    data["big_number"] = "22222222222"
    assert client.post("/account/profiel", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).formal_name == "A. Jansen"


def test_cli_creates_users_and_sets_roles(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Trainer@Example.nl",
            "--password",
            PASSWORD,
            "--role",
            "trainer",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "set-role", "trainer@example.nl", "admin"])
    assert result.exit_code == 0, result.output
    [user] = users(app)
    assert (user.email, user.role) == ("trainer@example.nl", "admin")
    failed = runner.invoke(args=["users", "set-role", "niemand@example.nl", "admin"])
    assert failed.exit_code != 0 and "Geen account" in failed.output


def test_demo_accounts_are_created_once_and_can_log_in(runner, app, auth):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert len(users(app)) == 3
    email, password = re.search(r"learner\s+(\S+)\s+wachtwoord: (\S+)", first.output).groups()
    assert auth.login(email, password).status_code == 302


def test_cli_refuses_to_demote_the_last_admin(runner, app):
    runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "baas@example.nl",
            "--password",
            PASSWORD,
            "--role",
            "admin",
        ]
    )
    result = runner.invoke(args=["users", "set-role", "baas@example.nl", "learner"])
    assert result.exit_code != 0 and "laatste beheerdersaccount" in result.output
    [user] = users(app)
    assert user.role == "admin"


def _two_factor_user(app, make_user):
    secret = pyotp.random_base32()
    user = make_user(role="trainer", profession="other", big_number=None)
    with app.app_context():
        db.session.get(User, user.id).totp_secret = secret
        db.session.commit()
    return user, secret


def test_a_two_factor_code_works_only_once(app, client, auth, make_user):
    user, secret = _two_factor_user(app, make_user)
    code = pyotp.TOTP(secret).now()
    auth.login(user)
    assert client.post("/account/inloggen/code", data={"code": code}).status_code == 302
    auth.logout()
    auth.login(user)
    replay = client.post("/account/inloggen/code", data={"code": code})
    assert replay.status_code == 200 and "klopt niet" in replay.get_data(as_text=True)
    assert client.get("/account/profiel").status_code == 302


def test_wrong_two_factor_codes_are_limited_per_account(app, client, auth, make_user):
    user, secret = _two_factor_user(app, make_user)
    auth.login(user)
    for n in range(5):
        client.post("/account/inloggen/code", data={"code": f"00000{n}"})
    other_browser = app.test_client()
    other_browser.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    response = other_browser.post(
        "/account/inloggen/code",
        data={"code": pyotp.TOTP(secret).now()},
        environ_base={"REMOTE_ADDR": "198.51.100.20"},
    )
    assert response.status_code == 429


def test_a_remembered_session_cookie_still_needs_its_key_and_its_lifetime(
    app, client, auth, make_user, monkeypatch
):
    """Each distinct cookie is decoded once per process; it still signs in only while the
    app's secret key signed it and it is younger than the session lifetime."""
    auth.login(make_user())
    for _ in range(2):  # decoded, then remembered
        assert client.get("/account/profiel").status_code == 200
    cookie = client.get_cookie("session").value
    tampered = cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB")
    client.set_cookie("session", tampered)
    assert client.get("/account/profiel").status_code == 302
    client.set_cookie("session", cookie)
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 60)
    assert client.get("/account/profiel").status_code == 302  # too old, though remembered
    monkeypatch.undo()
    client.set_cookie("session", cookie)
    assert client.get("/account/profiel").status_code == 200
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-key-entirely")
    assert client.get("/account/profiel").status_code == 302
