"""Sending due boosters: claim a row and commit, then mail, then record the sending.

Safe to run twice at once (cron overlap): the unique row per learner and booster is committed
before the mail goes, so the second run finds it taken and sends nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app, render_template, url_for

from ..content import get_catalog
from ..extensions import db
from ..mail import send_mail
from .schedule import DueBooster, claim, due_boosters, opt_out_token


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def deliver(to: str, subject: str, body: str) -> None:
    """The one place boosters hand a mail on (switch to the outbox here)."""
    send_mail(to, subject, body)


def _mail(booster: DueBooster) -> tuple[str, str]:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    quiz_url = base + url_for(
        "quizzes.show", course_slug=booster.course.slug, quiz_slug=booster.quiz.slug
    )
    unsubscribe_url = base + url_for("boosters.opt_out", token=opt_out_token(booster.user))
    body = render_template(
        "boosters/mail_booster.txt",
        booster=booster,
        quiz_url=quiz_url,
        unsubscribe_url=unsubscribe_url,
    )
    return f"Booster van twee minuten: {booster.quiz.title}", body


def send_due_boosters(now: dt.datetime) -> Report:
    """Claim and mail every booster due at `now`; commits per booster."""
    report = Report()
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"] or None):
        for booster in due_boosters(get_catalog(), now):
            label = f"{booster.user.email}: {booster.quiz.slug}"
            row = claim(booster, now)
            if row is None:
                db.session.rollback()
                continue
            db.session.commit()
            subject, body = _mail(booster)
            try:
                deliver(booster.user.email, subject, body)
            except OSError as exc:  # SMTP down: claimed, so never sent twice; reported
                current_app.logger.warning("booster mail to %s failed: %s", label, exc)
                report.failed.append(label)
                continue
            row.sent_at = now
            db.session.commit()
            report.sent.append(label)
    return report
