"""Sending due boosters: claim a row and queue its mail in the same transaction.

Safe to run twice at once (cron overlap): the unique row per learner and booster lets only one
run commit it, so each booster is queued once; the mail outbox delivers and retries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from ..content import get_catalog
from ..extensions import db
from ..mail import queue_mail
from ..web import public_url
from .schedule import DueBooster, claim, due_boosters, opt_out_token


@dataclass
class Report:
    sent: list[str] = field(default_factory=list)


def _mail(booster: DueBooster) -> tuple[str, str]:
    quiz_url = public_url(
        "quizzes.show", course_slug=booster.course.slug, quiz_slug=booster.quiz.slug
    )
    unsubscribe_url = public_url("boosters.opt_out", token=opt_out_token(booster.user))
    body = render_template(
        "boosters/mail_booster.txt",
        booster=booster,
        quiz_url=quiz_url,
        unsubscribe_url=unsubscribe_url,
    )
    return gettext("Booster van twee minuten: %(title)s", title=booster.quiz.title), body


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
            with force_locale(booster.user.language):
                subject, body = _mail(booster)

            # The claim and the queued mail commit together: the outbox delivers (and retries).
            queue_mail(booster.user.email, subject, body)
            row.sent_at = now
            db.session.commit()
            report.sent.append(label)
    return report
