"""`flask certificates dev-keys` and `flask certificates export`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..audit import audit
from ..extensions import db
from . import export as exporting
from .signing import ensure_dev_keys

certificates_cli = AppGroup("certificates", help="Certificaten: ondertekensleutels en export.")


@certificates_cli.command("dev-keys")
def dev_keys() -> None:
    """Create a self-signed development signing pair in SIGNING_KEY/SIGNING_CERT if missing."""
    key, cert = current_app.config["SIGNING_KEY"], current_app.config["SIGNING_CERT"]
    if current_app.config.get("PRODUCTION") and not (Path(key).exists() and Path(cert).exists()):
        raise click.ClickException(
            "In productie maken we geen ontwikkelsleutel: zet SIGNING_KEY en SIGNING_CERT."
        )
    if ensure_dev_keys(key, cert):
        click.echo(
            f"Ontwikkelsleutel gemaakt: {key} en {cert} (zelfondertekend, niet voor productie)."
        )
    else:
        click.echo(f"Ondertekensleutel aanwezig: {key}")


@certificates_cli.command("export")
@click.option("--course", "course_slug", required=True, help="Slug van de cursus.")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--until", "date_until", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--only-new", is_flag=True, help="Alleen certificaten die nog niet zijn geëxporteerd."
)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="CSV-bestand.")
def export_command(
    course_slug: str,
    date_from: dt.datetime,
    date_until: dt.datetime,
    only_new: bool,
    output: Path | None,
) -> None:
    """Write the attendance list (CSV) for the accreditation register; marks rows exported."""
    from ..content import get_catalog

    course = get_catalog().course(course_slug)
    if course is None:
        raise click.ClickException(f"Onbekende cursus: {course_slug}.")
    if warning := exporting.pending_warning(course):
        click.echo(f"Let op: {warning}", err=True)
    result = exporting.export(
        course,
        date_from.date(),
        date_until.date(),
        current_app.config["PROVIDER_NAME"],
        only_new=only_new,
    )
    audit(
        None,
        "certificate.export",
        course=course.slug,
        date_from=date_from.date().isoformat(),
        date_until=date_until.date().isoformat(),
        only_new=only_new,
        count=result.count,
        via="cli",
    )
    if output is None:
        click.echo(result.csv_text, nl=False)
    else:
        output.write_bytes(result.csv_text.encode(exporting.ENCODING))
    db.session.commit()
    if output is not None:
        click.echo(f"{result.count} certificaten geëxporteerd naar {output}.")
    if result.count == 0:
        click.echo(
            "Let op: er waren geen "
            + ("nieuwe " if only_new else "")
            + "certificaten om te exporteren; het bestand heeft alleen de kopregel.",
            err=True,
        )
    if result.without_id:
        click.echo(
            f"Let op: {result.without_id} regels zonder accreditatie-ID "
            "(de accreditatie was nog aangevraagd toen ze werden uitgegeven).",
            err=True,
        )
