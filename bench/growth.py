"""Growth: how the learner pages, the trainer overview and the exports scale with the learners.

For each N a fresh database gets `flask seed --learners N`, and every learner the seed gave an
evaluation (all cases passed) a certificate; then each page is timed in process (test client,
median). Goal: flat for learner pages, at most linear for trainer pages and exports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from sqlalchemy import insert, select

from .browser import form_on
from .data import (
    BENCH_DATABASE,
    analyse,
    app_env,
    in_process_app,
    open_attempts,
    seeded,
    seeded_database,
)
from .report import Report, table

#: Stop timing one page after this many runs or this many seconds, whichever comes first.
MAX_RUNS = 15
BUDGET_SECONDS = 8.0


def median_ms(
    action: Callable[[], object], runs: int = MAX_RUNS, budget: float = BUDGET_SECONDS
) -> float:
    action()  # warm-up: templates compiled, caches filled
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < runs and (time.perf_counter() - started < budget or len(times) < 3):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def issue_certificates(app: object, course_slug: str) -> int:
    """A certificate (with a real signed PDF, the same bytes for all) per evaluated learner."""
    from app.certificates import issuing, numbers
    from app.content import get_catalog
    from app.extensions import db
    from app.models import Certificate, Evaluation, User

    from .certs import sample_facts

    with app.app_context():
        course = get_catalog().course(course_slug)
        settings = issuing.Settings.from_config(app.config)
        document, layout_version = issuing.render_signed(
            sample_facts(course, numbers.new_number(), settings.provider), settings
        )
        digest = hashlib.sha256(document).hexdigest()
        learners = db.session.execute(
            select(User, Evaluation.submitted_at)
            .join(Evaluation, Evaluation.user_id == User.id)
            .where(Evaluation.course_slug == course.slug)
        ).all()
        rows = []
        for user, submitted_at in learners:
            completed = submitted_at.date()
            rows.append(
                {
                    "number": numbers.new_number(),
                    "user_id": user.id,
                    "kind": "accreditation" if user.big_number else "participation",
                    "course_slug": course.slug,
                    "course_version": course.version,
                    "course_hash": course.content_hash,
                    "course_title": course.title,
                    "initials": user.initials,
                    "tussenvoegsel": user.tussenvoegsel,
                    "surname": user.surname,
                    "profession": user.profession,
                    "big_number": user.big_number,
                    "completed_on": completed,
                    "study_load_minutes": course.study_load_minutes,
                    "accreditation_body": course.accreditation.body,
                    "accreditation_status": course.accreditation.status,
                    "accreditation_id": course.accreditation.activity_id,
                    "points": 0.0,
                    "period_start": completed,
                    "layout_version": layout_version,
                    "pdf": document,
                    "sha256": digest,
                    "status": "valid",
                    "revoked_reason": "",
                    "issued_at": submitted_at,
                }
            )
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(Certificate.__table__), rows[start : start + 1000])
        db.session.commit()
        db.session.remove()
        return len(rows)


def measure(
    kind: str,
    learners: int,
    workdir: Path,
    runs: int = MAX_RUNS,
    budget: float = BUDGET_SECONDS,
    cache: Path | None = None,
) -> dict[str, float]:
    """Seed N learners on a fresh database and time the pages (up to `runs` times or `budget`
    seconds each); figures in ms. With `cache`, start from a kept copy of the seeded database
    when one matches (see `data.seeded_database`)."""
    from app.certificates import export as exporting
    from app.content import get_catalog
    from app.extensions import db

    timed = partial(median_ms, runs=runs, budget=budget)
    folder = workdir / f"{kind}-{learners}"
    folder.mkdir(parents=True, exist_ok=True)
    figures: dict[str, float] = {}
    command = ["seed", "--learners", str(learners), "--random-seed", "1"]
    name = f"{BENCH_DATABASE}_growth"
    with seeded_database(kind, folder, [command], name=name, cache=cache) as filled:
        url = filled.url
        env = app_env(url, folder)
        figures["seed_s"] = filled.seconds[0]
        figures["seed_cached"] = float(filled.cached)
        app = in_process_app(env, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
        data = seeded(app)
        figures["certificates"] = issue_certificates(app, data.course_slug)
        analyse(url)
        with app.app_context():
            course = get_catalog().course(data.course_slug)
            lesson = course.lessons[2].slug
            case = next(iter(course.assessment))
        learner_id, email = data.learners[len(data.learners) // 2]
        open_attempts(app, [learner_id], [case], ready_to_submit=False)

        learner = app.test_client()
        login = learner.post(
            "/account/inloggen", data={"email": email, "password": data.learner_password}
        )
        assert login.status_code == 302, login.status_code
        lesson_path = f"/leren/{data.course_slug}/{lesson}"
        figures["lesson"] = timed(lambda: _ok(learner.get(lesson_path)))
        figures["course"] = timed(lambda: _ok(learner.get(f"/leren/{data.course_slug}")))
        quiz_page = learner.get(f"/quiz/{data.course_slug}/{case}").get_data(as_text=True)
        form = form_on(quiz_page, css_class="quiz-form")
        from werkzeug.datastructures import MultiDict

        fields = MultiDict(form.filled_unversioned())
        figures["save"] = timed(
            lambda: _ok(
                learner.post(form.action, data=fields, headers={"Accept": "application/json"})
            )
        )

        trainer = app.test_client()
        login = trainer.post(
            "/account/inloggen",
            data={"email": data.trainer_email, "password": data.trainer_password},
        )
        assert login.status_code == 302, login.status_code
        figures["overview"] = timed(lambda: _ok(trainer.get(f"/groepen/{data.cohort_id}")))
        figures["cohort_csv"] = timed(
            lambda: _ok(trainer.get(f"/groepen/{data.cohort_id}/deelnemers.csv"))
        )
        item_analysis = f"/groepen/{data.cohort_id}/itemanalyse"
        # The first view of a cohort is its own figure: later views reuse what it computed.
        began = time.perf_counter()
        _ok(trainer.get(item_analysis))
        figures["item_analysis_first"] = (time.perf_counter() - began) * 1000
        figures["item_analysis"] = timed(lambda: _ok(trainer.get(item_analysis)))

        def export() -> None:
            with app.app_context():
                exporting.export(
                    course, dt.date(2000, 1, 1), dt.date(2100, 1, 1), app.config["PROVIDER_NAME"]
                )
                db.session.rollback()  # leave the rows unexported for the next run

        figures["export"] = timed(export)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return figures


def _ok(response: object) -> None:
    assert response.status_code == 200, response.status_code


def run(
    kinds: tuple[str, ...],
    sizes: tuple[int, ...],
    workdir: Path,
    report: Report,
    runs: int = MAX_RUNS,
    budget: float = BUDGET_SECONDS,
    cache: Path | None = None,
) -> dict[str, dict[int, dict[str, float]]]:
    """Measure every size on every database; the figures by database and size."""
    report.heading("Growth with the number of learners (in process, median ms per request)", 3)
    measured: dict[str, dict[int, dict[str, float]]] = {}
    for kind in kinds:
        rows = []
        for n in sizes:
            print(f"[growth {kind}] seeding {n:,} learners", flush=True)
            f = measured.setdefault(kind, {})[n] = measure(kind, n, workdir, runs, budget, cache)
            rows.append(
                [
                    f"{n:,}",
                    f"{f['seed_s']:.1f} s" + (" (kept)" if f["seed_cached"] else ""),
                    f"{f['certificates']:,.0f}",
                    f"{f['lesson']:.1f}",
                    f"{f['course']:.1f}",
                    f"{f['save']:.1f}",
                    f"{f['overview']:.0f}",
                    f"{f['cohort_csv']:.0f}",
                    f"{f['item_analysis_first']:.0f}",
                    f"{f['item_analysis']:.0f}",
                    f"{f['export']:.0f}",
                ]
            )
            print("  " + " | ".join(rows[-1]), flush=True)
        report.add(f"**{'SQLite' if kind == 'sqlite' else 'PostgreSQL'}**")
        report.add(
            table(
                [
                    "learners",
                    "flask seed",
                    "certificates",
                    "lesson page",
                    "course page",
                    "answer save",
                    "trainer overview",
                    "cohort CSV",
                    "item analysis, first view",
                    "item analysis, again",
                    "accreditation export",
                ],
                rows,
            )  # fmt: skip
        )
    return measured
