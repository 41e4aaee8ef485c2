"""Admin users and roles: search, change a role (CSRF, audit-logged), never lose the last admin."""

from __future__ import annotations

import re
import threading
import time

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts import roles
from app.accounts.privacy import delete_account
from app.admin.users import RoleError, change_role
from app.extensions import db
from app.models import AuditEvent, User

from .conftest import PASSWORD


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", surname="Beheer", profession="other", big_number=None)


def role_of(app: Flask, user: User) -> str:
    with app.app_context():
        return db.session.get(User, user.id).role


def role_events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_change"))
        )


def listed(client, **query: str) -> set[str]:
    page = client.get("/beheer/gebruikers", query_string=query).get_data(as_text=True)
    return set(re.findall(r"gebruiker\d+@example\.nl", page))


def test_admin_finds_accounts_by_email_name_big_digits_and_role(client, auth, admin, make_user):
    bakker = make_user(surname="Bakker", big_number="12345678901")
    jansen = make_user(surname="Jansen", first_name="Piet", role="trainer")
    auth.login(admin)
    assert listed(client, q="Bakk") == {bakker.email}
    assert listed(client, q="piet") == {jansen.email}
    assert listed(client, q=jansen.email.upper()) == {jansen.email}
    assert listed(client, q="8901") == {bakker.email}
    assert listed(client, role="trainer") == {jansen.email}
    assert listed(client) == {admin.email, bakker.email, jansen.email}


def test_a_percent_sign_in_the_search_is_not_a_wildcard(client, auth, admin, make_user):
    make_user()
    auth.login(admin)
    assert listed(client, q="%") == set()
    assert listed(client, q="_") == set()


def test_deleted_accounts_are_not_listed_and_keep_their_role(app, client, auth, admin, make_user):
    gone = make_user(surname="Weg")
    with app.app_context():
        delete_account(db.session.get(User, gone.id))
        db.session.commit()
    auth.login(admin)
    assert listed(client) == {admin.email}
    response = client.post(f"/beheer/gebruikers/{gone.id}/rol", data={"role": "admin"})
    assert response.status_code == 404
    assert role_of(app, gone) == "learner"


def test_viewing_the_user_list_is_audit_logged(app, client, auth, admin):
    auth.login(admin)
    client.get("/beheer/gebruikers", query_string={"q": "berg"})
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin.view_users")
        ).one()
        assert event.actor_id == admin.id and event.detail["q"] == "berg"


def test_admin_makes_a_learner_trainer_and_the_change_is_audit_logged(
    app, client, auth, admin, make_user
):
    learner = make_user()
    auth.login(admin)
    response = client.post(
        f"/beheer/gebruikers/{learner.id}/rol", data={"role": "trainer"}, follow_redirects=True
    )
    assert f"{learner.email} heeft nu de rol opleider." in response.get_data(as_text=True)
    assert role_of(app, learner) == "trainer"
    [event] = role_events(app)
    assert event.actor_id == admin.id and event.target_id == str(learner.id)
    assert event.detail == {"email": learner.email, "old": "learner", "new": "trainer"}
    auth.logout()
    auth.login(learner)
    assert client.get("/groepen").status_code == 200


def test_setting_the_same_role_again_changes_and_logs_nothing(app, client, auth, admin, make_user):
    learner = make_user()
    auth.login(admin)
    response = client.post(
        f"/beheer/gebruikers/{learner.id}/rol", data={"role": "learner"}, follow_redirects=True
    )
    assert "had de rol deelnemer al" in response.get_data(as_text=True)
    assert role_events(app) == []


def test_an_unknown_role_is_refused(app, client, auth, admin, make_user):
    learner = make_user()
    auth.login(admin)
    response = client.post(
        f"/beheer/gebruikers/{learner.id}/rol", data={"role": "superuser"}, follow_redirects=True
    )
    assert "Kies een van de rollen" in response.get_data(as_text=True)
    assert role_of(app, learner) == "learner" and role_events(app) == []


def test_the_last_admin_cannot_demote_themselves(app, client, auth, admin):
    auth.login(admin)
    page = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert "Laatste beheerder" in page
    response = client.post(
        f"/beheer/gebruikers/{admin.id}/rol", data={"role": "learner"}, follow_redirects=True
    )
    assert "laatste beheerdersaccount" in response.get_data(as_text=True)
    assert role_of(app, admin) == "admin" and role_events(app) == []
    assert client.get("/beheer").status_code == 200


def test_an_admin_may_step_down_when_another_admin_remains(app, client, auth, admin, make_user):
    other = make_user(role="admin")
    auth.login(admin)
    response = client.post(f"/beheer/gebruikers/{admin.id}/rol", data={"role": "trainer"})
    assert response.status_code == 302 and response.location.endswith("/")
    assert role_of(app, admin) == "trainer"
    assert client.get("/beheer").status_code == 403
    assert role_of(app, other) == "admin"


def test_change_role_refuses_to_leave_no_admin(app, admin):
    with app.app_context():
        me = db.session.get(User, admin.id)
        with pytest.raises(RoleError):
            change_role(me, me, "learner")
        with pytest.raises(RoleError):
            change_role(me, me, "owner")


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_cannot_change_roles(app, client, auth, make_user, admin, role):
    user = make_user(role=role)
    auth.login(user)
    assert client.get("/beheer/gebruikers").status_code == 403
    response = client.post(f"/beheer/gebruikers/{user.id}/rol", data={"role": "admin"})
    assert response.status_code == 403
    assert role_of(app, user) == role and role_events(app) == []


class TestWithCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_role_change_without_the_csrf_token_is_refused(self, app, client, admin, make_user):
        learner = make_user()
        page = client.get("/account/inloggen").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post(
            "/account/inloggen",
            data={
                "email": admin.email,
                "password": PASSWORD,
                "csrf_token": token,
            },
        )
        response = client.post(f"/beheer/gebruikers/{learner.id}/rol", data={"role": "admin"})
        assert response.status_code == 400
        assert role_of(app, learner) == "learner" and role_events(app) == []
        page = client.get("/beheer/gebruikers").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = client.post(
            f"/beheer/gebruikers/{learner.id}/rol", data={"role": "admin", "csrf_token": token}
        )
        assert response.status_code == 302 and role_of(app, learner) == "admin"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    app, make_user, monkeypatch
) -> None:
    """The first demotion holds the admin rows until it commits; the second then counts one."""
    first, second = make_user(role="admin"), make_user(role="admin")
    clients = {}
    for admin in (first, second):
        clients[admin.id] = app.test_client()
        clients[admin.id].post(
            "/account/inloggen", data={"email": admin.email, "password": PASSWORD}
        )
    counted = threading.Event()
    count = roles.admin_count

    def slow_count() -> int:
        result = count()
        if threading.current_thread().name == "first":
            counted.set()
            time.sleep(0.5)  # the second request arrives while this one holds the lock
        return result

    monkeypatch.setattr(roles, "admin_count", slow_count)
    statuses = {}

    def demote(actor: User, target: User) -> None:
        response = clients[actor.id].post(
            f"/beheer/gebruikers/{target.id}/rol", data={"role": "learner"}
        )
        statuses[threading.current_thread().name] = response.status_code

    one = threading.Thread(target=demote, args=(first, second), name="first")
    one.start()
    assert counted.wait(5)
    two = threading.Thread(target=demote, args=(second, first), name="second")
    two.start()
    one.join(10)
    two.join(10)
    assert statuses["first"] == 302
    with app.app_context():
        admins = db.session.scalars(select(User.id).where(User.role == "admin")).all()
    assert admins == [first.id]


def test_admins_looking_up_certificates_is_audit_logged(app, client, auth, admin, make_user):
    from .certificate_helpers import issue_for, make_eligible

    learner = make_user()
    make_eligible(app, learner)
    issued = issue_for(app, learner)
    auth.login(admin)
    client.get("/beheer/certificaten", query_string={"q": learner.surname})
    page = client.get(f"/beheer/certificaten/{issued.number}").get_data(as_text=True)
    assert "admin.view_certificate" not in page  # the history shows changes only
    with app.app_context():
        events = {
            e.action: e.detail
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == admin.id))
        }
    assert events["admin.view_certificates"] == {"q": learner.surname, "shown": 1}
    assert events["admin.view_certificate"] == {"number": issued.number}


def test_the_last_admin_cannot_delete_their_account(app, client, auth, admin, make_user):
    auth.login(admin)
    response = client.post(
        "/account/verwijderen", data={"password": PASSWORD, "confirm": "VERWIJDER"}
    )
    assert response.status_code == 400
    assert "Je bent de laatste beheerder" in response.get_data(as_text=True)
    assert role_of(app, admin) == "admin"
    make_user(role="admin")
    response = client.post(
        "/account/verwijderen", data={"password": PASSWORD, "confirm": "VERWIJDER"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, admin.id).deleted_at is not None


# --- the audit log in plain language, the user detail page ----------------------------------


def test_the_audit_log_reads_as_sentences_with_names_not_codes(app, client, auth, admin, make_user):
    learner = make_user(first_name="Sanne", tussenvoegsel="", surname="Jansen")
    auth.login(admin)
    client.get("/beheer/gebruikers", query_string={"q": "jans"})
    client.post(f"/beheer/gebruikers/{learner.id}/rol", data={"role": "trainer"})
    log = client.get("/beheer/auditlog").get_data(as_text=True)
    assert f"{admin.full_name} bekeek de gebruikerslijst, gezocht op ‘jans’." in log
    assert f"{admin.full_name} maakte Sanne Jansen opleider (was deelnemer)." in log
    assert "admin.view_users" not in log and "user.role_change" not in log
    assert "shown:" not in log and "q:" not in log


def test_the_admin_navigation_marks_the_current_page(client, auth, admin):
    auth.login(admin)
    page = client.get("/beheer/auditlog").get_data(as_text=True)
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', page) == ["/beheer/auditlog"]


def test_the_user_page_shows_role_groups_certificates_and_recent_events(
    app, client, auth, admin, make_user
):
    learner = make_user(first_name="Sanne", tussenvoegsel="", surname="Jansen")
    auth.login(admin)
    client.post(f"/beheer/gebruikers/{learner.id}/rol", data={"role": "trainer"})
    listing = client.get("/beheer/gebruikers", query_string={"q": "jansen"}).get_data(as_text=True)
    assert f'href="/beheer/gebruikers/{learner.id}"' in listing
    page = client.get(f"/beheer/gebruikers/{learner.id}").get_data(as_text=True)
    assert "<h1>Sanne Jansen</h1>" in page
    assert "<dt>Rol</dt><dd>Opleider" in page
    assert "Geen groepen." in page and "Nog geen certificaten." in page
    assert f"{admin.full_name} maakte Sanne Jansen opleider (was deelnemer)." in page
    assert 'aria-current="true">Gebruikers</a>' in page
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin.view_user")
        ).one()
        assert viewed.actor_id == admin.id and viewed.target_id == str(learner.id)


def test_a_deleted_account_has_no_user_page(app, client, auth, admin, make_user):
    learner = make_user()
    with app.app_context():
        delete_account(db.session.get(User, learner.id))
        db.session.commit()
    auth.login(admin)
    assert client.get(f"/beheer/gebruikers/{learner.id}").status_code == 404
