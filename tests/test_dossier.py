"""The accreditation dossier against a small example computed by hand."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from app.accreditation import dossier
from app.content import get_catalog
from app.extensions import db
from app.models import Answer, Certificate, LessonProgress
from tests.factories import build_attempt

from .certificate_helpers import COURSE

MOMENT = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
ITEMS = [
    "signalen-eerste-consult",
    "alleen-spreken",
    "gespreksvolgorde",
    "volgende-stap",
    "wat-vastleggen",
]
#: Per learner: lesson minutes, first-attempt item scores, and whether attempts 1 and 2 passed.
LEARNERS = {
    "a": ((10, 20), (1, 1, 1, 1, 1), (True,)),
    "b": ((30, 30), (1, 1, 0, 1, 0), (False, True)),
    "c": ((20, 40), (0, 0, 0, 1, 0), (False,)),
}


def certificate(user_id: int, number: str) -> Certificate:
    return Certificate(
        number=number,
        user_id=user_id,
        kind="accreditation",
        course_slug=COURSE,
        course_version="2026.1",
        course_hash="x",
        course_title="Testcursus",
        initials="A.",
        surname="Deelnemer",
        profession="gp",
        big_number=None,
        completed_on=MOMENT.date(),
        study_load_minutes=30,
        accreditation_body="ABC1",
        accreditation_status="applied",
        period_start=MOMENT.date(),
        layout_version="test",
        sha256="x",
        issued_at=MOMENT,
    )


@pytest.fixture
def example(app, make_user):
    users = {
        key: make_user(email=f"{key}@example.nl", big_number=f"1000000000{i}")
        for i, key in enumerate(LEARNERS)
    }
    with app.app_context():
        course = get_catalog().course(COURSE)
        quiz = course.assessment_quizzes[0]
        for key, (minutes, scores, passes) in LEARNERS.items():
            user_id = users[key].id
            for lesson, spent in zip(course.lessons, minutes, strict=True):
                db.session.add(
                    LessonProgress(
                        user_id=user_id,
                        course_slug=COURSE,
                        lesson_slug=lesson.slug,
                        first_seen_at=MOMENT,
                        last_seen_at=MOMENT,
                        completed_at=MOMENT,
                        seconds_on_task=spent * 60,
                    )
                )
            for number, passed in enumerate(passes, start=1):
                attempt = build_attempt(
                    user_id,
                    quiz.slug,
                    course_slug=COURSE,
                    number=number,
                    score=1.0 if passed else 0.2,
                    at=MOMENT,
                    started_at=MOMENT,
                )
                db.session.add(attempt)
                db.session.flush()
                if number == 1:
                    for item, score in zip(ITEMS, scores, strict=True):
                        stage = quiz.stages[quiz.stage_of(item)].id
                        db.session.add(
                            Answer(
                                attempt_id=attempt.id,
                                stage_id=stage,
                                question_id=item,
                                response=[],
                                score=float(score),
                            )
                        )
            db.session.add(certificate(user_id, f"TEST-{key}"))
        db.session.commit()
    return users


def test_dossier_figures_match_the_hand_computed_example(app, example):
    with app.app_context():
        figures = dossier.build(get_catalog().course(COURSE))
    # Totals 30, 60 and 60 minutes: median 60, quartiles (inclusive) 45 and 60.
    assert figures.study_time == dossier.Spread(3, 60, 45, 60)
    first, second = (figures.study_time_per_lesson[s] for s in figures.study_time_per_lesson)
    assert (first.median, second.median) == (20, 30)
    # Item variances 2/9, 2/9, 2/9, 0, 2/9; total variance 8/3: alpha = 5/4 * (1 - 1/3).
    assert figures.final_alpha == pytest.approx(5 / 6)
    assert figures.final_n == 3
    analysis = figures.analyses["testcasus"]
    difficulty = {item.question_id: item.p for item in analysis.items}
    assert difficulty["alleen-spreken"] == pytest.approx(2 / 3)
    assert difficulty["volgende-stap"] == pytest.approx(1.0)
    assert figures.pass_rate_per_attempt == {1: (3, 1), 2: (1, 1)}
    assert figures.per_year == {2026: (3, 3)}


def test_dossier_pdf_and_csv_for_an_admin(app, client, auth, make_user, example):
    auth.login(make_user(role="admin", email="beheer@example.nl"))
    page = client.get(f"/beheer/accreditatie/{COURSE}").get_data(as_text=True)
    assert "mediaan 60 minuten" in page and "0,83" in page
    response = client.get(f"/beheer/accreditatie/{COURSE}.pdf")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")
    for expected in (
        "Accreditatiedossier",
        "Leerdoelen per les",
        "Cronbachs alfa",
        "0,83",
        "mediaan 60 min",
    ):
        assert expected in text, expected
    annex = client.get(f"/beheer/accreditatie/{COURSE}.csv").data.decode("utf-8-sig")
    assert annex.splitlines()[0] == "casus;vraag;variant_van;type;n;p;rit;signaal"
    assert "testcasus;alleen-spreken;;single;3;0,667" in annex


def test_dossier_command_writes_both_files(app, runner, example, tmp_path):
    result = runner.invoke(
        args=["accreditation", "dossier", "--course", COURSE, "--output", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"accreditatiedossier-{COURSE}.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / f"accreditatiedossier-{COURSE}.csv").exists()


def test_every_font_of_the_dossier_is_embedded(app, client, auth, make_user, example):
    auth.login(make_user(role="admin", email="beheer@example.nl"))
    data = client.get(f"/beheer/accreditatie/{COURSE}.pdf").data
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "/FontDescriptor" in font, font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
