"""`flask boosters send`: mail the boosters that are due (run it daily from cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

boosters_cli = AppGroup("boosters", help="Boosters na het certificaat.")


@boosters_cli.command("send")
def boosters_send() -> None:
    """Mail every booster that is due now; safe to run twice at once."""
    from ..clock import now
    from .sending import send_due_boosters

    report = send_due_boosters(now())
    for label in report.sent:
        click.echo(f"  klaargezet: {label}")
    click.echo(f"{len(report.sent)} booster(s) in de mailwachtrij; `flask mail send` verstuurt ze.")
