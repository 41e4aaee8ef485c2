"""Admin page "Punten in GAIA": bookings per state, rejections with what to do, the paste list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from .. import clock
from ..accounts.access import role_required
from ..audit import audit
from ..content import get_catalog
from ..dates import local_date
from ..extensions import db
from ..models import Booking
from ..web import course_or_404
from . import bookings, dossier
from .cli import NOT_CONFIGURED
from .dossier_pdf import render_csv, render_pdf
from .pe_online import Settings

bp = Blueprint("accreditation", __name__, url_prefix="/beheer")


@bp.before_request
@role_required("admin")
def _admins_only() -> None:
    """Every page here is for admins."""


@bp.get("/gaia")
def overview() -> Any:
    """Counts per state per course, and the bookings that need someone."""
    catalog = get_catalog()
    now = clock.now()
    for course in catalog.courses.values():
        bookings.sync(course, now)
    courses = [
        {
            "course": course,
            "bookable": bookings.bookable(course),
            "counts": bookings.counts(course.slug),
            "attention": [
                (booking, bookings.advice(booking))
                for booking in bookings.needing_attention(course.slug)
            ],
        }
        for course in catalog.courses.values()
    ]
    audit(current_user, "admin.view_bookings")
    db.session.commit()
    return render_template(
        "accreditation/overview.html",
        courses=courses,
        configured=Settings.from_config(current_app.config) is not None,
        not_configured=NOT_CONFIGURED,
        labels=bookings.STATE_LABELS,
    )


@bp.post("/gaia/<int:booking_id>/opnieuw")
def retry(booking_id: int) -> Any:
    """Send a rejected or failed booking again on the next run."""
    booking = db.get_or_404(Booking, booking_id)
    if bookings.retry(booking, current_user, clock.now()):
        db.session.commit()
        flash(gettext("De boeking gaat mee met de volgende verzending naar PE-online."), "success")
    else:
        flash(gettext("Deze boeking hoeft niet opnieuw verstuurd te worden."), "info")
    return redirect(url_for("accreditation.overview"))


@bp.get("/gaia/<course_slug>/plaklijst.txt")
def paste_list(course_slug: str) -> Response:
    """BIG numbers, one per line, for PE-online's screen "presentie invoeren"."""
    course = course_or_404(course_slug)
    bookings.sync(course, clock.now())
    numbers = bookings.paste_list(course.slug)
    audit(current_user, "admin.paste_list", course=course.slug, count=len(numbers))
    db.session.commit()
    response = Response("".join(f"{number}\n" for number in numbers), mimetype="text/plain")
    response.headers["Content-Disposition"] = f'inline; filename="plaklijst-{course.slug}.txt"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/accreditatie/<course_slug>")
def dossier_page(course_slug: str) -> Any:
    """The dossier's key figures, with the PDF and the CSV annex to download."""
    course = course_or_404(course_slug)
    figures = dossier.build(course)
    audit(current_user, "admin.view_dossier", course=course.slug)
    db.session.commit()
    return render_template("accreditation/dossier.html", dossier=figures, course=course)


@bp.get("/accreditatie/<course_slug>.<any(pdf, csv):kind>")
def dossier_file(course_slug: str, kind: str) -> Response:
    """The dossier as a PDF for the application, or its item statistics as a CSV annex."""
    course = course_or_404(course_slug)
    figures = dossier.build(course)
    if kind == "pdf":
        fonts = current_app.config["CERTIFICATES_DIR"] / "fonts"
        data = render_pdf(figures, fonts, local_date(clock.now()))
        mimetype = "application/pdf"
    else:
        data, mimetype = render_csv(figures), "text/csv"
    audit(current_user, "admin.download_dossier", course=course.slug, kind=kind)
    db.session.commit()
    response = Response(data, mimetype=mimetype)
    if kind == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="accreditatiedossier-{course.slug}.{kind}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
