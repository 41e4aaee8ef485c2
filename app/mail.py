"""The app's mailer: SMTP when configured, otherwise the log and instance/outbox/."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from email.message import EmailMessage

from flask import current_app


def send_mail(
    to: str, subject: str, body: str, attachments: list[tuple[str, str, bytes]] | None = None
) -> EmailMessage:
    """Send a plain-text message; attachments are (filename, mime type, bytes)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for filename, mimetype, data in attachments or []:
        maintype, subtype = mimetype.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)

    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        outbox = config["MAIL_OUTBOX"]
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        slug = re.sub(r"[^a-z0-9]+", "-", subject.lower()).strip("-")[:40]
        path = outbox / f"{stamp}-{slug}.eml"
        path.write_bytes(bytes(message))
        current_app.logger.info("Mail aan %s: %s (%s)\n%s", to, subject, path, body)
    return message
