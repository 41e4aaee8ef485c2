"""The "Wat nu?" aid: its content file is validated, and the page is a complete guide without
JavaScript that offers nothing to send, with an offline worker and a manifest."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.content import ContentError, load_catalog

FIXTURE = Path(__file__).resolve().parent / "content"
AID = "courses/test-cursus/wat-nu.toml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target)
    return target


def problems_after(root: Path, old: str, new: str) -> list[str]:
    path = root / AID
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_catalog(root / "courses", root / "quizzes")
    return info.value.problems


def line_of(root: Path, needle: str) -> int:
    lines = (root / AID).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def test_the_fixture_and_the_shipped_aid_load() -> None:
    project = Path(__file__).resolve().parent.parent
    for base in (FIXTURE, project):
        course = next(iter(load_catalog(base / "courses", base / "quizzes").courses.values()))
        assert course.aid is not None
        assert [step.step for step in course.aid.steps] == [1, 2, 3, 4, 5]
        assert course.aid.reviewed and course.aid.sources


def test_a_step_name_that_differs_from_the_signalenkaart_is_refused_with_file_and_line(
    root: Path,
) -> None:
    problems = problems_after(root, 'name = "Gesprek met betrokkenen"', 'name = "Het gesprek"')
    line = line_of(root, 'name = "Het gesprek"')
    assert any(
        p.startswith(f"{AID}:{line}: ") and "wijkt af van de signalenkaart" in p for p in problems
    ), problems


def test_a_malformed_aid_file_is_refused_with_file_and_line(root: Path) -> None:
    problems = problems_after(root, 'type = "choice"', 'type = "kies"')
    line = line_of(root, 'type = "kies"')
    assert (
        f'{AID}:{line}: onbekende waarde \'type\' = \'kies\'; kies uit "text", "choice", "checks".'
        in problems
    )


def test_a_toml_syntax_error_names_its_line(root: Path) -> None:
    problems = problems_after(root, "reviewed = 2026-11-30", 'reviewed = 2026-11-30 "')
    assert problems[0].startswith(f"{AID}:{line_of(root, 'reviewed')}: ongeldige TOML")


def test_a_missing_step_a_source_without_year_and_another_phone_number_are_refused(
    root: Path,
) -> None:
    text = (root / AID).read_text(encoding="utf-8")
    text = text.replace(
        '[[steps]]\nstep = 4\nname = "Overleg met betrokken professionals"\ntitle = "Overleg"\ntext = "Overleg zo nodig."\n\n',
        "",
    )
    text = text.replace("year = 2023\n", "")
    text = text.replace(
        'phone = "0800-2000"\nwhen = "Advies, ook anoniem."',
        'phone = "0800-0000"\nwhen = "Advies, ook anoniem."',
    )
    (root / AID).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_catalog(root / "courses", root / "quizzes")
    joined = "\n".join(info.value.problems)
    assert "de vijf stappen van de meldcode, elk één keer" in joined
    assert "verplicht veld 'year' ontbreekt" in joined
    assert "'Veilig Thuis' heeft op de signalenkaart nummer 0800-2000" in joined


def test_content_check_reports_a_malformed_aid(app: Flask, root: Path) -> None:
    problems_after(root, "reviewed = 2026-11-30", 'reviewed = "gisteren"')
    app.config.update(COURSES_DIR=root / "courses", QUIZZES_DIR=root / "quizzes")
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert f"{AID}:{line_of(root, 'reviewed')}: 'reviewed' moet een datum" in result.output


def test_the_page_is_a_complete_guide_without_javascript(client: FlaskClient) -> None:
    response = client.get("/wat-nu")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for step in (
        "Onderzoek, kindcheck en mantelzorgverleningscheck",
        "(Anoniem) advies vragen",
        "Gesprek met betrokkenen",
        "Overleg met betrokken professionals",
        "Beslissen over melden",
    ):
        assert step in html
    assert "0800-2000" in html and "Acuut gevaar?" in html
    assert "Een begeleider die de vragen beantwoordt" in html  # the signalenkaart's signals
    assert "Bel 112." in html  # follow-ups are visible text until a script hides them
    assert "niet naar de server gestuurd" in " ".join(html.split())
    assert "Laatst herzien: 30 november 2026" in html
    # The note's skeleton lists what to record, so it can be filled in by hand or on paper.
    note = re.search(r"<textarea id=\"dossiernotitie\"[^>]*>(.*?)</textarea>", html, re.S)
    assert note is not None
    assert "- Waargenomen: \n- Acuut gevaar: \n" in note.group(1)
    assert "- Besluit: \n  Reden: " in note.group(1)


def test_the_page_offers_nothing_to_send_and_forbids_fetching(client: FlaskClient) -> None:
    response = client.get("/wat-nu")
    html = response.get_data(as_text=True)
    aid = html[html.index("data-watnu") : html.index("</main>")]
    assert "<form" not in aid and 'name="csrf_token"' not in aid
    assert "connect-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<script" not in aid  # the CSP forbids inline scripts anyway


def test_the_service_worker_may_control_the_page_and_caches_what_it_needs(
    client: FlaskClient,
) -> None:
    response = client.get("/wat-nu/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/wat-nu"
    urls = json.loads(re.search(r"const URLS = (\[.*?\]);", response.get_data(as_text=True))[1])
    assert "/wat-nu" in urls and "/static/js/wat-nu.js" in urls
    for url in urls:
        with client.get(url) as asset:
            assert asset.status_code == 200, url


def test_the_manifest_starts_the_aid(client: FlaskClient) -> None:
    response = client.get("/wat-nu/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/wat-nu" and manifest["display"] == "standalone"


def test_without_an_aid_the_page_is_not_found(app: Flask, client: FlaskClient) -> None:
    catalog = app.extensions["catalog"]
    saved = dict(catalog.courses)
    try:
        for slug, course in saved.items():
            catalog.courses[slug] = type(course)(**{**course.__dict__, "aid": None})
        assert client.get("/wat-nu").status_code == 404
    finally:
        catalog.courses.update(saved)
