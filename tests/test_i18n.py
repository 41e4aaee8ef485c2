"""The interface in Dutch or English: browser preference, the profile's choice, dates, and
the lint check that finds Dutch text not marked for translation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.dates import local_date, local_datetime
from app.extensions import db
from app.i18n.strings import reads_as_dutch, unmarked_strings
from app.models import User

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.8,nl;q=0.5"}


def test_a_visitor_gets_the_browsers_language_and_dutch_otherwise(client):
    english = client.get("/inloggen", headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "Create account" in english and "Account aanmaken" not in english
    dutch = client.get("/inloggen", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="nl">' in dutch
    assert "Account aanmaken" in dutch


def test_a_learner_chooses_english_in_the_profile_and_keeps_it(client, auth, app, make_user):
    user = make_user()
    auth.login(user)
    page = client.get("/account/profiel").get_data(as_text=True)
    assert "Taal van Signaal" in page and 'value="en"' in page
    data = {
        "initials": user.initials,
        "first_name": user.first_name,
        "tussenvoegsel": user.tussenvoegsel,
        "surname": user.surname,
        "profession": user.profession,
        "big_number": user.big_number or "",
        "language": "en",
    }
    assert client.post("/account/profiel", data=data).status_code == 302
    # The choice wins over a Dutch browser, on every page.
    page = client.get("/account/profiel", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign out" in page
    with app.app_context():
        assert db.session.get(User, user.id).language == "en"


def test_a_language_outside_the_list_is_refused(client, auth, make_user):
    user = make_user()
    auth.login(user)
    data = {"initials": "A.", "first_name": "A", "surname": "B", "profession": user.profession}
    page = client.post("/account/profiel", data={**data, "language": "fr"})
    assert page.status_code == 200  # the form again, with an error; nothing stored


def test_dates_follow_the_language(app):
    moment = dt.datetime(2026, 11, 17, 13, 3, tzinfo=dt.UTC)
    with app.test_request_context():
        assert local_date(moment) == "17 november 2026"
        assert local_datetime(moment) == "17 november 2026 om 14:03"
    with app.test_request_context(headers=ENGLISH_BROWSER):
        assert local_date(moment) == "November 17, 2026"
        assert local_datetime(moment) == "November 17, 2026 at 14:03"
    # A document in the course's language asks for it, whatever the page's language.
    with app.test_request_context(headers=ENGLISH_BROWSER):
        assert local_date(moment.date(), "nl") == "17 november 2026"


def test_the_lint_check_finds_unmarked_dutch_text(tmp_path: Path):
    root = tmp_path / "app"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "page.html").write_text(
        "<h1>{{ _('Welkom') }}</h1>\n"
        '<p title="Meer uitleg">Lees eerst de les.</p>\n'
        "{% trans %}Dit is al gemarkeerd.{% endtrans %}\n"
        "{{ macro(hint='Vul je naam in') }}\n"
    )
    (root / "views.py").write_text(
        "from flask import flash\n"
        "from flask_babel import gettext as _\n"
        "def view():\n"
        '    """Dit is een docstring en die blijft."""\n'
        '    flash("Opgeslagen")\n'
        '    flash(_("Bewaard"))\n'
        '    return "Je hebt nog geen certificaat."\n'
    )
    found = sorted(unmarked_strings(root))
    assert found == [
        "app/templates/page.html:2: tekst niet gemarkeerd voor vertaling: 'Lees eerst de les.'",
        "app/templates/page.html:2: tekst niet gemarkeerd voor vertaling: 'Meer uitleg'",
        "app/templates/page.html:4: tekst niet gemarkeerd voor vertaling: 'Vul je naam in'",
        "app/views.py:5: tekst niet gemarkeerd voor vertaling: 'Opgeslagen'",
        "app/views.py:7: tekst niet gemarkeerd voor vertaling: 'Je hebt nog geen certificaat.'",
    ]


def test_a_certificate_number_is_not_read_as_dutch_words():
    # "ER" inside the random code once made an English heading read as Dutch ("er").
    assert not reads_as_dutch("Certificate SIG-S4F3-ER9C-Z")
    assert not reads_as_dutch("Certificate SIG-DEZE-HEBT-Z")
    assert reads_as_dutch("Er is een certificaat")


def test_a_forced_language_switches_the_page_text_and_back(app):
    """Templates keep the request's catalogue, but `force_locale` (mail, certificates) still
    switches it, in both directions."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Uitloggen') }}"
    with app.test_request_context(headers=ENGLISH_BROWSER):
        assert render_template_string(template) == "Sign out"
        with force_locale("nl"):
            assert render_template_string(template) == "Uitloggen"
        assert render_template_string(template) == "Sign out"
    with app.test_request_context():
        assert render_template_string(template) == "Uitloggen"
        with force_locale("en"):
            assert render_template_string(template) == "Sign out"
        # Template text is a format string: a percent sign in a {% trans %} block shows once.
        assert render_template_string("{% trans %}<b>0%</b> gelezen{% endtrans %}") == (
            "<b>0%</b> gelezen"
        )
        assert render_template_string("{{ _('%(n)s%% klaar', n='<i>') }}") == "&lt;i&gt;% klaar"


def test_macros_of_an_imported_template_speak_each_requests_language(app):
    """Jinja keeps an imported template's module (and its context) across renders: its macros
    must still translate in the language of the request that calls them."""
    from flask import render_template_string

    template = '{% from "quizzes/_review.html" import verdict %}{{ verdict(None) }}'
    with app.test_request_context(headers=ENGLISH_BROWSER):
        assert "Not answered" in render_template_string(template)
    with app.test_request_context():
        assert "Niet beantwoord" in render_template_string(template)
    with app.test_request_context(headers=ENGLISH_BROWSER):
        assert "Not answered" in render_template_string(template)
