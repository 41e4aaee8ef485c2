"""Certificate timings, in process: PDF unsigned and signed, and a verification lookup.

Each figure is the median of N runs after one warm-up (fonts registered, signer loaded), so it is
the steady cost per certificate a running server pays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from .data import app_env, create_schema, in_process_app
from .report import Report, table

#: Goals from the issue (ms per certificate).
UNSIGNED_GOAL_MS = 20.0
SIGNED_GOAL_MS = 100.0


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` in ms over `runs` runs, after one warm-up run."""
    action()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def sample_facts(course: object, number: str, provider: object) -> object:
    from app.certificates.facts import CertificateFacts

    return CertificateFacts(
        number=number,
        kind="accreditation",
        initials="J.",
        tussenvoegsel="de",
        surname="Vries",
        big_number="12345678901",
        profession="gp",
        course_title=course.title,
        course_version=course.version,
        completed_on=dt.date(2026, 11, 25),
        study_load_minutes=course.study_load_minutes,
        accreditation_body=course.accreditation.body,
        accreditation_status=course.accreditation.status,
        accreditation_id=course.accreditation.activity_id,
        points=0.0,
        period_start=None,
        period_end=None,
        provider=provider,
    )


def run(runs: int, workdir: Path, report: Report) -> dict[str, float]:
    """Time rendering, signing and verifying; add the table to the report."""
    from app.certificates import issuing, numbers, pdf, signing
    from app.content import get_catalog
    from app.extensions import db
    from app.models import Certificate

    workdir.mkdir(parents=True, exist_ok=True)
    env = app_env(f"sqlite:///{workdir / 'certificates.sqlite3'}", workdir)
    create_schema(env)
    app = in_process_app(env, RATELIMIT_ENABLED=False)
    figures: dict[str, float] = {}
    with app.app_context():
        course = next(iter(get_catalog().courses.values()))
        settings = issuing.Settings.from_config(app.config)
        number = numbers.new_number()
        facts = sample_facts(course, number, settings.provider)
        url = settings.verification_url(number)
        signer = settings.signer()  # creates the development key pair once

        def unsigned() -> bytes:
            layout = pdf.latest_layout(settings.certificates_dir, settings.layout_name)
            return pdf.render(facts, layout, url)

        document = unsigned()
        figures["unsigned"] = median_ms(unsigned, runs)
        figures["qr"] = median_ms(lambda: pdf.qr_matrix(url), runs)
        figures["sign"] = median_ms(
            lambda: signing.sign_pdf(document, signer, reason="bench", location="bench"), runs
        )
        figures["signed"] = median_ms(lambda: issuing.render_signed(facts, settings), runs)
        signed, layout_version = issuing.render_signed(facts, settings)

        db.session.add(
            Certificate(
                number=number,
                user_id=None,
                kind="accreditation",
                course_slug=course.slug,
                course_version=course.version,
                course_hash=course.content_hash,
                course_title=course.title,
                initials="J.",
                tussenvoegsel="de",
                surname="Vries",
                profession="gp",
                big_number="12345678901",
                completed_on=dt.date(2026, 11, 25),
                study_load_minutes=course.study_load_minutes,
                accreditation_body=course.accreditation.body,
                accreditation_status=course.accreditation.status,
                period_start=dt.date(2026, 11, 25),
                layout_version=layout_version,
                pdf=signed,
                sha256=hashlib.sha256(signed).hexdigest(),
            )
        )
        db.session.commit()
        db.session.remove()
    client = app.test_client()

    def page() -> None:
        response = client.get(f"/verify/{number}")
        assert response.status_code == 200, response.status_code

    def api() -> None:
        response = client.get(f"/api/v1/certificates/{number}")
        assert response.status_code == 200, response.status_code

    figures["verify_page"] = median_ms(page, runs)
    figures["verify_api"] = median_ms(api, runs)
    with app.app_context():
        db.engine.dispose()

    def verdict(value: float, goal: float) -> str:
        return f"{'met' if value <= goal else 'missed'} (≤ {goal:.0f} ms)"

    report.heading(f"Certificates (in process, median of {runs} runs)", 3)
    report.add(
        table(
            ["what", "ms", "goal"],
            [
                [
                    "PDF, unsigned (layout + reportlab + QR)",
                    f"{figures['unsigned']:.1f}",
                    verdict(figures["unsigned"], UNSIGNED_GOAL_MS),
                ],
                ["– of which the QR code", f"{figures['qr']:.1f}", ""],
                [
                    "PDF, signed (render + pyHanko)",
                    f"{figures['signed']:.1f}",
                    verdict(figures["signed"], SIGNED_GOAL_MS),
                ],
                ["– of which signing", f"{figures['sign']:.1f}", ""],
                ["verification page /verify/<number>", f"{figures['verify_page']:.1f}", ""],
                [
                    "verification API /api/v1/certificates/<number>",
                    f"{figures['verify_api']:.1f}",
                    "",
                ],
            ],  # fmt: skip
            align="lrl",
        )
    )
    report.add(f"Signed PDF size: {len(signed) / 1024:.0f} kB.")
    return figures
