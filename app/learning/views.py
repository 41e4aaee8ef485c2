"""Learning: the catalogue, course pages with progress, lessons and the reference card."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import bindparam, select

from .. import clock
from ..accounts.privacy import RETENTION_YEARS
from ..accreditation import bookings
from ..certificates.pdf import latest_layout
from ..content import Course, Lesson, get_catalog
from ..dates import local_date
from ..extensions import db, limiter, user_or_address
from ..forms import EmptyForm
from ..kept_pages import render_kept
from ..models import PROFESSIONS, LessonProgress, User
from ..quizzes.attempts import assessment_status
from ..session_user import read_with_user, with_user
from ..web import course_or_404, unlimited
from .outline import outline
from .pocket_card import render_pocket_card
from .progress import (
    DEFAULT_IDLE_CAP,
    case_key,
    complete_lesson,
    completed_at,
    course_progress,
    record_heartbeat,
)

bp = Blueprint("learning", __name__)


@bp.app_template_filter("study_time")
def study_time(minutes: int) -> str:
    """Show a number of minutes as '1 uur 5 minuten', '45 minuten' or '2 uur'."""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(ngettext("%(num)d uur", "%(num)d uur", hours))
    if rest or not hours:
        parts.append(ngettext("%(num)d minuut", "%(num)d minuten", rest))
    return " ".join(parts)


def _lesson_or_404(course_slug: str, lesson_slug: str) -> tuple[Course, Lesson]:
    course = course_or_404(course_slug)
    lesson = course.lesson(lesson_slug)
    if lesson is None:
        abort(404)
    return course, lesson


def _idle_cap() -> int:
    return int(current_app.config.get("STUDY_IDLE_CAP", DEFAULT_IDLE_CAP))


@bp.get("/")
def catalogue() -> Any:
    """Show the landing page, or the learner's courses with their progress."""
    courses = list(get_catalog().courses.values())
    if not current_user.is_authenticated:
        return render_template("learning/landing.html", courses=courses)
    progress = {course.slug: course_progress(current_user.id, course) for course in courses}
    return render_template("learning/catalogue.html", courses=courses, progress=progress)


@bp.get("/cursus/<course_slug>")
def public_course(course_slug: str) -> Any:
    """The course before sign-up: goals, load, accreditation, who stands behind it."""
    return render_template(
        "learning/public_course.html", course=course_or_404(course_slug), professions=PROFESSIONS
    )


@bp.get("/logo.png")
def logo() -> Any:
    """The one logo: the certificate layout's, so the site and the PDF always show the same."""
    config = current_app.config
    layout = latest_layout(Path(config["CERTIFICATES_DIR"]), config["CERTIFICATE_LAYOUT"])
    if layout.logo is None:
        abort(404)
    return send_file(layout.logo, mimetype="image/png", max_age=86400)


@bp.get("/privacy")
def privacy() -> Any:
    """The privacy statement: what Signaal keeps, why, for how long, and your rights."""
    return render_template("learning/privacy.html", retention_years=RETENTION_YEARS)


@bp.get("/contact")
def contact() -> Any:
    return render_template("learning/contact.html")


@bp.get("/leren/<course_slug>")
@login_required
def course(course_slug: str) -> Any:
    """Show the course: what it is, the learning path and the learner's progress."""
    course = course_or_404(course_slug)
    return render_template(
        "learning/course.html",
        course=course,
        progress=course_progress(current_user.id, course),
        cases=assessment_status(current_user.id, course),
        professions=PROFESSIONS,
        points=bookings.points_status_of(current_user.id, course.slug),
    )


def _lesson_context(course: Course, lesson: Lesson) -> dict[str, Any]:
    """What a lesson page shows alike to every learner: the body with its table of contents,
    the numbered list of sources and the neighbouring lessons."""
    previous, following = course.neighbours(lesson.slug)
    sources = render_template(
        "learning/_lesson_sources.html", lesson=lesson, lesson_language=course.language
    )
    return {
        "course": course,
        "lesson": lesson,
        "sections": outline(lesson),
        "sources": Markup(sources),
        "previous": previous,
        "following": following,
    }


#: When the learner completed the lesson of the address, read in the same query as the user
#: (app.session_user.read_with_user): the lesson page then reads the database once.
_LESSON_COMPLETED_AT = "lesson_completed_at"
read_with_user(
    "learning.lesson",
    select(LessonProgress.completed_at)
    .where(
        LessonProgress.user_id == User.id,
        LessonProgress.course_slug == bindparam("course_slug"),
        LessonProgress.lesson_slug == bindparam("lesson_slug"),
    )
    .scalar_subquery()
    .label(_LESSON_COMPLETED_AT),
)
_UNREAD = object()


@bp.get("/leren/<course_slug>/<lesson_slug>")
@login_required
# A read that writes nothing has no limit, and skips the limiter's per-request work.
@unlimited
def lesson(course_slug: str, lesson_slug: str) -> Any:
    """Show a lesson; it writes nothing (study time comes from the page's heartbeat)."""
    course, lesson = _lesson_or_404(course_slug, lesson_slug)
    completed = with_user(_LESSON_COMPLETED_AT, _UNREAD)
    if completed is _UNREAD:  # the user was loaded otherwise (a test signing in in-request)
        completed = completed_at(current_user.id, course.slug, lesson.slug)
    # Jinja runs once per lesson, language, role and state; a request fills in its own values.
    return render_kept(
        "learning/lesson.html",
        lesson,
        {"completed_on": local_date(completed) if completed else None},
        lambda: _lesson_context(course, lesson),
    )


@bp.post("/leren/<course_slug>/<lesson_slug>/afronden")
@login_required
def complete(course_slug: str, lesson_slug: str) -> Any:
    """Mark the lesson completed, then go to its check quiz or the next lesson."""
    course, lesson = _lesson_or_404(course_slug, lesson_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = clock.now()
    # The button press is a sign of life from the lesson: reading up to it is study time too.
    record_heartbeat(current_user.id, course.slug, lesson.slug, now, _idle_cap())
    complete_lesson(current_user.id, course.slug, lesson.slug, now)
    db.session.commit()
    flash(gettext("Les %(number)s is afgerond.", number=lesson.number), "success")
    if lesson.check:
        return redirect(url_for("quizzes.show", course_slug=course.slug, quiz_slug=lesson.check))
    _, following = course.neighbours(lesson.slug)
    if following is not None:
        return redirect(
            url_for("learning.lesson", course_slug=course.slug, lesson_slug=following.slug)
        )
    return redirect(url_for("learning.course", course_slug=course.slug))


#: Pages that send a study-time heartbeat, by the `kind` they send: finds the page in the
#: course. Case pages (issue #20) join here once their time has a place to be stored.
def _lesson_page(course: Course, slug: str) -> str | None:
    return slug if course.lesson(slug) is not None else None


def _case_page(course: Course, slug: str) -> str | None:
    return case_key(slug) if slug in course.quizzes else None


#: Which pages keep the study clock running, and the progress row their time goes to.
_HEARTBEAT_PAGES = {"lesson": _lesson_page, "case": _case_page}


@bp.post("/leren/<course_slug>/actief")
@login_required
@limiter.limit(lambda: current_app.config["HEARTBEAT_RATE_LIMIT"], key_func=user_or_address)
def heartbeat(course_slug: str) -> Any:
    """Count study time while a page of the course stays open and in use.

    Form fields: `kind` (which sort of page: "lesson" or "case"), `page` (its slug) and `start=1` when
    the page just opened or came back into view. The learner's gap since their previous
    heartbeat, capped, goes to this page; parallel tabs share one clock.
    """
    course = course_or_404(course_slug)
    find = _HEARTBEAT_PAGES.get(request.form.get("kind", "lesson"))
    page = find(course, request.form.get("page", "")) if find else None
    if page is None:
        abort(404)
    record_heartbeat(
        current_user.id,
        course.slug,
        page,
        clock.now(),
        _idle_cap(),
        restart=request.form.get("start") == "1",
    )
    db.session.commit()
    return "", 204


def _card_or_404(course_slug: str) -> Course:
    course = course_or_404(course_slug)
    if course.reference is None:
        abort(404)
    return course


def _card_needs_login(course: Course) -> Any:
    """A shared link, opened logged out: say what the card is and how to get to it."""
    card_url = url_for("learning.reference_card", course_slug=course.slug)
    return render_template(
        "learning/reference_card_login.html",
        course=course,
        login_url=url_for("accounts.login", next=card_url),
    )


@bp.get("/leren/<course_slug>/signalenkaart")
def reference_card(course_slug: str) -> Any:
    """Show the course's reference card: signals, meldcode steps, phone numbers."""
    course = _card_or_404(course_slug)
    if not current_user.is_authenticated:
        return _card_needs_login(course)
    return render_template("learning/reference_card.html", course=course, card=course.reference)


@bp.get("/leren/<course_slug>/signalenkaart.pdf")
def reference_card_pdf(course_slug: str) -> Any:
    """Download the reference card as a pocket card: A6 pages."""
    course = _card_or_404(course_slug)
    if not current_user.is_authenticated:
        return _card_needs_login(course)
    fonts = Path(current_app.config["CERTIFICATES_DIR"]) / "fonts"
    pdf = render_pocket_card(course.reference, fonts)
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        download_name=f"signalenkaart-{course.slug}.pdf",
        max_age=0,
    )
