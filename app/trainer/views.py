"""Trainer views (under /groepen): thin; they read the request, call the domain, commit once, redirect."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user
from sqlalchemy import select

from ..accounts.access import role_required
from ..audit import audit
from ..boosters.retention import cohort_retention
from ..content import get_catalog
from ..content.model import Course
from ..extensions import db, limiter, user_or_address
from ..forms import EmptyForm, offer_courses
from ..models import PROFESSIONS, TRAINER_ROLES, Cohort, CohortInvite, User
from ..quizzes.attempts import assessment_status_for_users, grant_attempt
from ..web import course_or_404, paged, public_url
from . import charts, cohorts, detail, item_analysis, overview, queries, reminders
from .forms import CohortForm, InviteForm, JoinSettingsForm

# Trainer pages live under /groepen; the learner-facing pages under /groep are `app.groups`.
bp = Blueprint("trainer", __name__)


def _cohort_or_404(cohort_id: int) -> Cohort:
    """The cohort if the current user may see it; others get 404 (not even its existence)."""
    cohort = db.get_or_404(Cohort, cohort_id)
    if not cohorts.can_view(current_user, cohort):
        abort(404)
    return cohort


def _member_or_404(cohort: Cohort, user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.deleted_at is not None or not cohorts.is_member(user.id, cohort.id):
        abort(404)
    return user


def _join_link(cohort: Cohort) -> str:
    return public_url("groups.join", code=cohorts.format_code(cohort.join_code))


# --- trainer pages -------------------------------------------------------------------------


@bp.get("/groepen", endpoint="cohorts")
@role_required(*TRAINER_ROLES)
def cohorts_index() -> Any:
    """List the cohorts the trainer follows (admins: all)."""
    return render_template(
        "trainer/cohorts.html",
        rows=cohorts.visible_cohorts(current_user),
        catalog=get_catalog(),
        format_code=cohorts.format_code,
    )


@bp.route("/groepen/nieuw", methods=["GET", "POST"])
@role_required(*TRAINER_ROLES)
def create() -> Any:
    """Create a cohort and show its join code."""
    form = CohortForm()
    offer_courses(form.course)
    if form.validate_on_submit():
        cohort = cohorts.create_cohort(
            current_user, form.name.data, form.course.data, form.join_until.data
        )
        audit(current_user, "cohort.create", cohort, name=cohort.name)
        db.session.commit()
        flash(
            gettext(
                "De groep ‘%(name)s’ is aangemaakt. Deel de code of de link met je deelnemers.",
                name=cohort.name,
            ),
            "success",
        )
        return redirect(url_for("trainer.manage", cohort_id=cohort.id))
    return render_template("trainer/create.html", form=form)


@bp.get("/groepen/<int:cohort_id>")
@role_required(*TRAINER_ROLES)
def cohort(cohort_id: int) -> Any:
    """The cohort overview: summary, charts and the learners' table."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    cohort_overview = overview.Overview.of(group, course)
    view = overview.View.from_args(request.args)
    tally = cohort_overview.tally(view)
    shown = paged(
        lambda limit, offset: cohort_overview.rows(view, limit=limit, offset=offset),
        view.page,
        overview.PAGE_SIZE,
        total=tally.matched,
    )
    audit(current_user, "trainer.view_cohort", group, learners=tally.summary.learners)
    db.session.commit()
    return render_template(
        "trainer/cohort.html",
        cohort=group,
        course=course,
        view=view,
        rows=shown.rows,
        matched=tally.matched,
        page=shown.page,
        pages=shown.pages,
        summary=tally.summary,
        charts=_charts(tally, course),
        chart_uri=charts.data_uri,
        filters=overview.FILTERS,
        sorts=overview.SORTS,
        reminder_filters=reminders.SUBJECTS,
        format_code=cohorts.format_code,
    )


def _charts(tally: overview.Tally, course: Course) -> dict[str, charts.Histogram | charts.Funnel]:
    pass_marks = {q.pass_mark for q in course.assessment_quizzes}
    summary = tally.summary
    return {
        "trechter": charts.funnel(
            summary.learners,
            summary.lessons_done,
            summary.passed,
            summary.evaluated,
            summary.certified,
        ),
        "scores": charts.score_histogram(
            tally.best_scores,
            pass_marks.pop() if len(pass_marks) == 1 else None,
        ),
    }


@bp.get("/groepen/<int:cohort_id>/grafiek/<name>.svg")
@role_required(*TRAINER_ROLES)
def chart(cohort_id: int, name: str) -> Any:
    """A summary chart of the cohort as an SVG image."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    if name not in ("trechter", "scores"):
        abort(404)
    chosen = _charts(overview.Overview.of(group, course).tally(), course)[name]
    response = Response(charts.svg(chosen), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/groepen/<int:cohort_id>/deelnemers.csv")
@role_required(*TRAINER_ROLES)
def cohort_csv(cohort_id: int) -> Any:
    """The overview (with the current filter and sort) as CSV for Excel, streamed."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    cohort_overview = overview.Overview.of(group, course)
    view = overview.View.from_args(request.args)
    learners = cohort_overview.tally(view).matched
    audit(current_user, "trainer.export_csv", group, learners=learners, filter=view.filter)
    db.session.commit()
    filename = f"signaal-groep-{group.id}-voortgang.csv"
    # The rows are read while the response is sent, a chunk at a time, in a new transaction.
    body = stream_with_context(overview.to_csv(cohort_overview.rows(view), PROFESSIONS))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/groepen/<int:cohort_id>/herinnering")
@role_required(*TRAINER_ROLES)
def reminder(cohort_id: int) -> Any:
    """Preview the reminder to the learners of the current filter, with a button to send it."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    view = overview.View.from_args(request.args)
    cohort_overview = overview.Overview.of(group, course)
    count = cohort_overview.tally(view).matched if reminders.allowed(view) else 0
    return render_template(
        "trainer/reminder.html",
        cohort=group,
        course=course,
        view=view,
        count=count,
        filters=overview.FILTERS,
        subjects=reminders.SUBJECTS,
        subject=reminders.SUBJECTS.get(view.filter),
        body=reminders.body(view, group, course, reminders.FIRST_NAME_PLACEHOLDER)
        if count
        else None,
        names=[row.member.name for row in cohort_overview.rows(view, limit=overview.PAGE_SIZE)]
        if count
        else [],
        page_size=overview.PAGE_SIZE,
    )


@bp.post("/groepen/<int:cohort_id>/herinnering")
@role_required(*TRAINER_ROLES)
@limiter.limit("5 per hour;20 per day", key_func=user_or_address)
def send_reminder(cohort_id: int) -> Any:
    """Queue the previewed reminder, one mail per selected learner, in this transaction."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    view = overview.View.from_args(request.form)
    preview = url_for("trainer.reminder", cohort_id=group.id, **view.args(pagina=1))
    if not EmptyForm().validate_on_submit() or not reminders.allowed(view):
        return redirect(preview)
    cohort_overview = overview.Overview.of(group, course)
    if str(cohort_overview.tally(view).matched) != request.form.get("aantal"):
        flash(
            gettext(
                "De selectie is veranderd sinds je het voorbeeld bekeek. Controleer het opnieuw "
                "en verstuur dan."
            ),
            "warning",
        )
        return redirect(preview)
    count = reminders.queue(cohort_overview, view, group, course)
    audit(
        current_user,
        "trainer.send_reminder",
        group,
        count=count,
        filter=view.filter,
        q=view.search,
    )
    db.session.commit()
    flash(
        ngettext(
            "De herinnering staat klaar voor %(num)d deelnemer en wordt zo verstuurd.",
            "De herinnering staat klaar voor %(num)d deelnemers en wordt zo verstuurd.",
            count,
        ),
        "success",
    )
    return redirect(url_for("trainer.cohort", cohort_id=group.id, **view.args(pagina=1)))


@bp.route("/groepen/<int:cohort_id>/beheer", methods=["GET", "POST"])
@role_required(*TRAINER_ROLES)
def manage(cohort_id: int) -> Any:
    """Join code, link, end date, invitations."""
    group = _cohort_or_404(cohort_id)
    form = JoinSettingsForm(
        prefix="instellingen", data={"join_open": group.join_open, "join_until": group.join_until}
    )
    if form.validate_on_submit():
        group.join_open = bool(form.join_open.data)
        group.join_until = form.join_until.data
        audit(
            current_user,
            "cohort.settings",
            group,
            join_open=group.join_open,
            join_until=group.join_until.isoformat() if group.join_until else None,
        )
        db.session.commit()
        flash(gettext("De instellingen voor aansluiten zijn opgeslagen."), "success")
        return redirect(url_for("trainer.manage", cohort_id=group.id))
    return _render_manage(group, settings_form=form, invite_form=InviteForm(prefix="uitnodigen"))


def _render_manage(group: Cohort, settings_form: Any, invite_form: Any) -> Any:
    invites = db.session.scalars(
        select(CohortInvite)
        .where(CohortInvite.cohort_id == group.id)
        .order_by(CohortInvite.created_at.desc())
        .limit(200)
    ).all()
    return render_template(
        "trainer/manage.html",
        cohort=group,
        course=get_catalog().course(group.course_slug),
        settings_form=settings_form,
        invite_form=invite_form,
        invites=invites,
        join_link=_join_link(group),
        code=cohorts.format_code(group.join_code),
        problem=cohorts.join_problem(group),
    )


@bp.post("/groepen/<int:cohort_id>/nieuwe-code")
@role_required(*TRAINER_ROLES)
def new_code(cohort_id: int) -> Any:
    """Replace the join code; the old code and link stop working."""
    group = _cohort_or_404(cohort_id)
    if EmptyForm().validate_on_submit():
        group.join_code = cohorts.new_join_code()
        group.join_open = True
        audit(current_user, "cohort.new_code", group)
        db.session.commit()
        flash(
            gettext(
                "De nieuwe code is %(code)s. De oude code werkt niet meer.",
                code=cohorts.format_code(group.join_code),
            ),
            "success",
        )
    return redirect(url_for("trainer.manage", cohort_id=group.id))


@bp.post("/groepen/<int:cohort_id>/uitnodigen")
@role_required(*TRAINER_ROLES)
def invite(cohort_id: int) -> Any:
    """Send invitations by e-mail; a learner joins by accepting while logged in."""
    group = _cohort_or_404(cohort_id)
    form = InviteForm(prefix="uitnodigen")
    if not form.validate_on_submit():
        settings = JoinSettingsForm(
            prefix="instellingen",
            formdata=None,
            data={"join_open": group.join_open, "join_until": group.join_until},
        )
        return _render_manage(group, settings_form=settings, invite_form=form)
    invites = cohorts.send_invites(group, current_user, form.addresses(), str(get_locale()))
    audit(current_user, "cohort.invite", group, count=len(invites))
    db.session.commit()
    skipped = len(form.addresses()) - len(invites)
    sent = ngettext(
        "%(num)d uitnodiging verstuurd.", "%(num)d uitnodigingen verstuurd.", len(invites)
    )
    if skipped:
        sent += " " + ngettext(
            "%(num)d adres overgeslagen: dubbel of al uitgenodigd.",
            "%(num)d adressen overgeslagen: dubbel of al uitgenodigd.",
            skipped,
        )
    flash(sent, "success")
    return redirect(url_for("trainer.manage", cohort_id=group.id))


@bp.get("/groepen/<int:cohort_id>/deelnemers/<int:user_id>")
@role_required(*TRAINER_ROLES)
def learner(cohort_id: int, user_id: int) -> Any:
    """One learner's timeline of lessons and attempts, with their answers."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    person = _member_or_404(group, user_id)
    lessons = queries.lesson_rows(person.id, course.slug)
    attempts = queries.attempts_with_answers(person.id, course.slug)
    statuses = assessment_status_for_users([person.id], course).get(person.id, {})
    audit(current_user, "trainer.view_learner", person, cohort_id=group.id)
    db.session.commit()
    return render_template(
        "trainer/learner.html",
        cohort=group,
        course=course,
        person=person,
        events=detail.timeline(course, lessons, attempts),
        statuses=statuses,
        evaluation=queries.has_evaluation(person.id, course.slug),
        certificates=queries.valid_certificates(person.id, course.slug),
        form=EmptyForm(),
    )


@bp.post("/groepen/<int:cohort_id>/deelnemers/<int:user_id>/extra-poging/<quiz_slug>")
@role_required(*TRAINER_ROLES)
def grant(cohort_id: int, user_id: int, quiz_slug: str) -> Any:
    """Give the learner one extra attempt at a case of the final assessment."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    person = _member_or_404(group, user_id)
    if quiz_slug not in course.quizzes:
        abort(404)
    if EmptyForm().validate_on_submit():
        grant_attempt(person.id, course.slug, quiz_slug, current_user.id)
        audit(
            current_user,
            "trainer.grant_attempt",
            person,
            cohort_id=group.id,
            course=course.slug,
            quiz=quiz_slug,
        )
        db.session.commit()
        flash(
            gettext(
                "%(name)s heeft een extra poging voor ‘%(case)s’.",
                name=person.full_name,
                case=course.quizzes[quiz_slug].title,
            ),
            "success",
        )
    return redirect(url_for("trainer.learner", cohort_id=group.id, user_id=person.id))


@bp.get("/groepen/itemanalyse", endpoint="item_analysis", defaults={"cohort_id": None})
@bp.get("/groepen/<int:cohort_id>/itemanalyse", endpoint="item_analysis")
@role_required(*TRAINER_ROLES)
def item_analysis_page(cohort_id: int | None) -> Any:
    """Per question of the final assessment: difficulty, discrimination, options chosen."""
    catalog = get_catalog()
    if cohort_id is None:
        if not current_user.has_role("admin"):
            abort(403)
        group = None
        course = catalog.course(request.args.get("cursus", "")) or next(
            iter(catalog.courses.values()), None
        )
        if course is None:
            abort(404)
    else:
        group = _cohort_or_404(cohort_id)
        course = course_or_404(group.course_slug)
    quizzes = (*course.assessment_quizzes, *course.boosters)
    sums = queries.item_sums(course.slug, quizzes, cohort_id)
    analyses = [
        (
            quiz,
            item_analysis.analyse_sums(
                quiz.questions, sums.get(quiz.slug, item_analysis.QuizSums())
            ),
        )
        for quiz in quizzes
    ]
    db.session.commit()  # the sums computed again, if any, are kept for the next view
    return render_template(
        "trainer/item_analysis.html",
        cohort=group,
        course=course,
        courses=catalog.courses.values(),
        analyses=analyses,
        thresholds=(item_analysis.TOO_EASY, item_analysis.TOO_HARD),
        min_reliable=item_analysis.MIN_RELIABLE,
    )


@bp.get("/groepen/<int:cohort_id>/boosters")
@role_required(*TRAINER_ROLES)
def boosters(cohort_id: int) -> Any:
    """Booster uptake and retention: booster scores against final-test scores."""
    group = _cohort_or_404(cohort_id)
    course = course_or_404(group.course_slug)
    return render_template(
        "trainer/boosters.html",
        cohort=group,
        course=course,
        retention=cohort_retention(group.id, course),
    )
