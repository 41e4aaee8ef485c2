"""The outbox: mail is queued in the transaction of the change that caused it and delivered
later by `flask mail send` (SMTP), with retries and backoff, so mail never breaks a request.

Without MAIL_SERVER (development, tests) delivery writes each message to instance/outbox/ and
the log, right after the request that queued it.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import Select, select, update

from . import clock
from .extensions import db
from .models import MailMessage

#: After this many tries (about a day of waiting) a message is marked failed for admins to see.
MAX_ATTEMPTS = 12
#: The wait after the first failure; it doubles with each further failure, up to LONGEST_WAIT.
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=6)
#: A claimed message returns to the queue after this long if its sender died mid-way.
CLAIM_LEASE = dt.timedelta(minutes=10)
#: Messages one run of `flask mail send` takes at most.
BATCH_SIZE = 200


def queue_mail(
    to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] | None = None
) -> MailMessage:
    """Put a plain-text message in the outbox (added to the session; the caller commits).

    Attachments are (filename, mime type, bytes).
    """
    # A line break in a header is refused by the mail library (and would be header injection).
    subject = " ".join(subject.split())
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for filename, mimetype, data in attachments or []:
        maintype, subtype = mimetype.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    row = MailMessage(recipient=to, subject=subject[:300], message=bytes(message))
    db.session.add(row)
    g.mail_queued = True
    return row


def queue_mail_in(
    language: str,
    to: str,
    subject: Any,
    template: str,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context: Any,
) -> MailMessage:
    """Render a mail template and its (lazy) subject in the recipient's language, then queue it:
    a mail sent on someone else's request (or a command's) is read by its recipient."""
    with force_locale(language):
        return queue_mail(to, str(subject), render_template(template, **context), attachments)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the given number of failed tries (exponential, capped)."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying will not help."""


class Transport(Protocol):
    def send(self, row: MailMessage) -> None: ...


class SmtpTransport:
    """One SMTP session for a whole batch."""

    def __init__(self, smtp: smtplib.SMTP, sender: str) -> None:
        self.smtp = smtp
        self.sender = sender

    def send(self, row: MailMessage) -> None:
        try:
            self.smtp.sendmail(self.sender, [row.recipient], row.message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentFailure(_describe(exc)) from exc
            raise
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(_describe(exc)) from exc
            raise


class FolderTransport:
    """Development: write each message to MAIL_OUTBOX and the log."""

    def send(self, row: MailMessage) -> None:
        outbox = current_app.config["MAIL_OUTBOX"]
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
        slug = re.sub(r"[^a-z0-9]+", "-", row.subject.lower()).strip("-")[:40]
        path = outbox / f"{stamp}-{row.id}-{slug}.eml"
        path.write_bytes(row.message)
        parsed = email.message_from_bytes(row.message, policy=email.policy.default)
        body = parsed.get_body(("plain",))
        current_app.logger.warning(
            "Mail aan %s: %s (geen MAIL_SERVER ingesteld; bewaard in %s)\n%s",
            row.recipient,
            row.subject,
            path,
            body.get_content() if body is not None else "",
        )


@contextmanager
def _transport() -> Iterator[Transport]:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        yield FolderTransport()
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        sender = re.search(r"<([^>]+)>", config["MAIL_FROM"])
        yield SmtpTransport(smtp, sender.group(1) if sender else config["MAIL_FROM"])


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(now: dt.datetime) -> list[MailMessage]:
    """Take the due messages for this run; a parallel run takes none of the same ones.

    Each row is claimed by a conditional UPDATE that pushes it a lease ahead: a second sender's
    UPDATE finds it no longer due (PostgreSQL re-checks the row after the first commits; SQLite
    serialises writers).
    """
    due = db.session.scalars(
        select(MailMessage.id)
        .where(MailMessage.status == "queued", MailMessage.next_attempt_at <= now)
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(BATCH_SIZE)
    ).all()
    claimed = []
    for message_id in due:
        result = db.session.execute(
            update(MailMessage)
            .where(
                MailMessage.id == message_id,
                MailMessage.status == "queued",
                MailMessage.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + CLAIM_LEASE, attempts=MailMessage.attempts + 1)
        )
        db.session.commit()
        if result.rowcount == 1:
            claimed.append(message_id)
    return list(db.session.scalars(select(MailMessage).where(MailMessage.id.in_(claimed))).all())


def _record_failure(row: MailMessage, exc: BaseException, now: dt.datetime) -> None:
    row.last_error = _describe(exc)
    if isinstance(exc, PermanentFailure) or row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
    else:
        row.next_attempt_at = now + retry_delay(row.attempts)


def deliver_due(now: dt.datetime | None = None) -> DeliveryReport:
    """Deliver the messages that are due; record each success or failure (commits per message)."""
    now = now or clock.now()
    report = DeliveryReport()
    rows = _claim(now)
    if not rows:
        return report
    handled = set()
    try:
        with _transport() as transport:
            for row in rows:
                try:
                    transport.send(row)
                except (OSError, smtplib.SMTPException, PermanentFailure) as exc:
                    _record_failure(row, exc, now)
                else:
                    row.status, row.sent_at, row.message, row.last_error = (
                        "sent",
                        clock.now(),
                        b"",
                        "",
                    )
                handled.add(row.id)
                db.session.commit()
    except (OSError, smtplib.SMTPException) as exc:
        # No connection (or it broke): everything not yet handled waits for the next run.
        for row in rows:
            if row.id not in handled:
                _record_failure(row, exc, now)
        db.session.commit()
    for row in rows:
        if row.status == "sent":
            report.sent += 1
        elif row.status == "failed":
            report.failed += 1
        else:
            report.retrying += 1
        if row.status != "sent":
            report.errors.append(f"{row.recipient}: {row.last_error}")
    return report


def stuck_messages() -> Select[tuple[MailMessage]]:
    """Messages not delivered yet that have failed at least once, oldest first (for admins)."""
    return (
        select(MailMessage)
        .where(MailMessage.status != "sent", MailMessage.attempts > 0)
        .order_by(MailMessage.created_at, MailMessage.id)
    )


def init_development_delivery(app: Flask) -> None:
    """Without MAIL_SERVER, hand mail a request queued to the folder once the request is done."""

    @app.after_request
    def _deliver_to_folder(response):  # type: ignore[no-untyped-def]
        if g.pop("mail_queued", False) and not app.config["MAIL_SERVER"]:
            deliver_due()
        return response
