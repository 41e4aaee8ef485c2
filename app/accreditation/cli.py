"""`flask accreditation book`: send pending attendances to PE-online (safe from cron anywhere)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import lazy_gettext

from .. import clock
from ..certificates import issuing
from ..content import Catalog, get_catalog
from ..dates import local_date
from ..extensions import db
from . import bookings, dossier
from .dossier_pdf import render_csv, render_pdf
from .pe_online import ConfigurationError, ServiceError, Settings, process

accreditation_cli = AppGroup("accreditation", help="Accreditatie: punten boeken in PE-online.")

#: Also shown on the admin page "Punten in GAIA", hence translated (commands print it in Dutch).
NOT_CONFIGURED = lazy_gettext(
    "Boeken in PE-online staat uit: zet PE_ONLINE_URL, PE_ONLINE_USER_ID en PE_ONLINE_USER_KEY "
    "(van Xaurum) en per cursus pe_course_id in course.toml [accreditation]."
)


def _reissue_with_points(catalog: Catalog) -> int:
    """Certificates issued while the accreditation was pending get the points, one by one."""
    settings = issuing.Settings.from_config(current_app.config)
    count = 0
    # The certificate mail links to pages of the app: build its addresses as a request would.
    base_url = current_app.config["PUBLIC_BASE_URL"] or None
    with current_app.test_request_context(base_url=base_url):
        for course in catalog.courses.values():
            for old in issuing.awaiting_points(course):
                new = issuing.reissue_with_points(old, course, settings)
                holder = issuing.holder_of(new)
                if holder is not None:
                    issuing.mail_certificate(
                        new, holder, settings.verification_url(new.number), old.number
                    )
                db.session.commit()  # the new certificate and its mail in one transaction
                count += 1
    return count


@accreditation_cli.command("book")
@click.option("--dry-run", is_flag=True, help="Laat zien wat verstuurd zou worden; verstuur niets.")
def book_command(dry_run: bool) -> None:
    """Send pending bookings in batches of at most 100 and record PE-online's answer."""
    settings = Settings.from_config(current_app.config)
    catalog = get_catalog()
    if not dry_run:
        reissued = _reissue_with_points(catalog)
        if reissued:
            click.echo(f"Opnieuw uitgegeven met de toegekende punten: {reissued} certificaten.")
    now = clock.now()
    for course in catalog.courses.values():
        bookings.sync(course, now)
    db.session.commit()
    if dry_run:
        for course in catalog.courses.values():
            counts = bookings.counts(course.slug)
            summary = ", ".join(f"{bookings.STATE_LABELS[s]}: {n}" for s, n in counts.items())
            click.echo(f"{course.slug}: {summary}")
        click.echo("Proefdraai: er is niets verstuurd.")
        if settings is None:
            click.echo(str(NOT_CONFIGURED))
        return
    if settings is None:
        raise click.ClickException(str(NOT_CONFIGURED))

    totals: Counter = Counter()
    while True:
        now = clock.now()
        _, batch = bookings.claim_batch(now)
        db.session.commit()
        if not batch:
            break
        courses = {b.id: catalog.course(b.course_slug) for b in batch}
        sendable = [b for b in batch if (c := courses[b.id]) is not None and bookings.bookable(c)]
        # A course that lost its grant (or its files) since: those bookings wait again.
        bookings.release([b for b in batch if b not in sendable], now, state="waiting")
        if not sendable:
            db.session.commit()
            continue
        attendances = [bookings.attendance_of(b, courses[b.id]) for b in sendable]
        try:
            summary = process(settings, attendances)
        except ConfigurationError as exc:
            bookings.release(sendable, now)
            db.session.commit()
            raise click.ClickException(
                f"{exc}. Niets geboekt; controleer de instellingen voor PE-online "
                "(userID, userKey, adres) en probeer opnieuw."
            ) from exc
        except ServiceError as exc:
            bookings.record_failure(sendable, str(exc), now)
            db.session.commit()
            totals["failed"] += len(sendable)
            click.echo(f"{exc} {len(sendable)} boekingen volgen later opnieuw.", err=True)
            break
        totals.update(bookings.record_summary(sendable, summary, now))
        db.session.commit()
    click.echo(
        f"Geboekt: {totals['accepted']}, geweigerd: {totals['rejected']}, "
        f"later opnieuw: {totals['failed']}."
    )


@accreditation_cli.command("dossier")
@click.option("--course", "course_slug", required=True, help="Slug van de cursus.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    help="Map voor de PDF en de CSV-bijlage.",
)
def dossier_command(course_slug: str, output: Path) -> None:
    """Write the accreditation dossier (PDF) and its item statistics (CSV) from the live data."""
    course = get_catalog().course(course_slug)
    if course is None:
        raise click.ClickException(f"Onbekende cursus: {course_slug}.")
    figures = dossier.build(course)
    output.mkdir(parents=True, exist_ok=True)
    pdf_path = output / f"accreditatiedossier-{course.slug}.pdf"
    csv_path = output / f"accreditatiedossier-{course.slug}.csv"
    fonts = current_app.config["CERTIFICATES_DIR"] / "fonts"
    pdf_path.write_bytes(render_pdf(figures, fonts, local_date(clock.now())))
    csv_path.write_bytes(render_csv(figures))
    click.echo(f"Geschreven: {pdf_path} en {csv_path}")
