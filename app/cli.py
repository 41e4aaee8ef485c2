"""Command-line tools: `flask content check`, `flask users ...`, `flask mail send`, `flask demo`,
`flask seed`; `flask certificates ...`, `flask accreditation ...` and `flask boosters send` live
with their capability."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .content.cueing import CourseCueing, QuizCueing, measure_course
from .extensions import db
from .models import PROFESSIONS, ROLES

content_cli = AppGroup("content", help="Cursusinhoud controleren.")
users_cli = AppGroup("users", help="Accounts beheren.")
mail_cli = AppGroup("mail", help="De uitgaande e-mail.")


@content_cli.command("check")
def content_check() -> None:
    """Validate courses/ and quizzes/ and list every problem as file:line: message."""
    from .content import ContentError, load_catalog

    try:
        catalog = load_catalog(current_app.config["COURSES_DIR"], current_app.config["QUIZZES_DIR"])
    except ContentError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        raise SystemExit(1) from exc
    failing = []
    for course in catalog.courses.values():
        click.echo(
            f"{course.slug}: {len(course.lessons)} lessen, {len(course.quizzes)} quizzen "
            f"({len(course.assessment)} casussen in de eindtoets), versie {course.version}"
        )
        cueing = measure_course(course)
        click.echo("  Lengte als aanwijzing (test-wise: kiest steeds het langste antwoord):")
        for quiz in cueing.quizzes:
            click.echo(
                f"  {quiz.quiz.source}: {_cue_figures(quiz)}; "
                f"test-wise {_pct(quiz.testwise_expected)} (gunstigste trekking "
                f"{_pct(quiz.testwise_best)}, slaaggrens {quiz.quiz.pass_mark}%)"
            )
        click.echo(
            f"  cursus: {_cue_figures(cueing)}; eindtoets test-wise gemiddeld "
            f"{_pct(cueing.assessment_expected)}"
        )
        failing += cueing.failing
    for quiz in failing:
        giveaways = ", ".join(f"{q.id} (regel {q.line})" for q in quiz.giveaways) or "geen"
        click.echo(
            f"{quiz.quiz.source}:1: wie steeds het langste antwoord kiest, haalt deze casus van de "
            f"eindtoets zonder de stof te kennen ({_pct(quiz.testwise_best)} bij de gunstigste "
            f"trekking, slaaggrens {quiz.quiz.pass_mark}%). Maak sleutels en afleiders even lang "
            f"en even stellig. Vragen die zo helemaal goed gaan: {giveaways}.",
            err=True,
        )
    if failing:
        raise SystemExit(1)
    click.echo("Alle inhoud is geldig.")


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def _cue_figures(figures: QuizCueing | CourseCueing) -> str:
    """The length-cue figures of a quiz or of a whole course, in one line."""
    return (
        f"sleutel het langst in {figures.key_longest} van {figures.singles} single-vragen "
        f"({_pct(figures.share_longest)}), lengte sleutel/afleider "
        f"{_ratio(figures.mean_single_ratio)}, juist/onjuist (multiple) "
        f"{_ratio(figures.mean_multiple_ratio)}"
    )


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(ROLES), default="learner")
@click.option("--initials", default="")
@click.option("--first-name", default="")
@click.option("--surname", default="")
@click.option("--profession", type=click.Choice(tuple(PROFESSIONS)), default="other")
@click.option("--big-number", default=None)
def users_create(**fields: str) -> None:
    """Create an account (e-mail confirmed)."""
    from .accounts.service import AccountError, create_user

    try:
        user = create_user(confirmed=True, **fields)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Account {user.email} aangemaakt met rol {user.role}.")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(email: str, role: str) -> None:
    """Give an existing account another role."""
    from .accounts.service import find_user
    from .admin.users import RoleError, change_role

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"Geen account met e-mailadres {email}.")
    try:
        change_role(None, user, role)
    except RoleError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{user.email} heeft nu de rol {role}.")


@users_cli.command("purge-inactive")
@click.option("--dry-run", is_flag=True, help="Alleen tonen wat er verwijderd zou worden.")
def users_purge_inactive(dry_run: bool) -> None:
    """Delete accounts without activity for RETENTION_YEARS years (see docs/security.md)."""
    from .accounts.privacy import (
        RETENTION_YEARS,
        flush_deleted_to_disk,
        inactive_accounts,
        purge_inactive,
    )
    from .clock import now
    from .dates import local_date

    if dry_run:
        rows = [(user.email, last) for user, last in inactive_accounts(now())]
    else:
        rows = purge_inactive(now())
        db.session.commit()
        flush_deleted_to_disk()
    for email, last in rows:
        click.echo(f"  {email}  laatst actief {local_date(last)}")
    summary = f"{len(rows)} account(s) zonder activiteit in de laatste {RETENTION_YEARS} jaar"
    if dry_run:
        click.echo(f"{summary}. Proefdraai: er is niets verwijderd.")
    else:
        click.echo(f"{summary} verwijderd; uitgegeven certificaten blijven controleerbaar.")


@mail_cli.command("send")
def mail_send() -> None:
    """Deliver the queued mail that is due (run it every minute; two runs at once are safe)."""
    from .clock import now
    from .mail import deliver_due

    report = deliver_due(now())
    click.echo(
        f"{report.sent} verstuurd, {report.retrying} later opnieuw, {report.failed} opgegeven."
    )
    for error in report.errors:
        click.echo(f"  {error}", err=True)


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Create the demo learner and trainer (idempotent) and print their logins."""
    from .accounts.service import ensure_demo_accounts

    for email, password, role in ensure_demo_accounts():
        click.echo(f"  {role:<8} {email}  wachtwoord: {password}")
    db.session.commit()


@click.command("seed")
@click.option("--learners", type=click.IntRange(min=1), required=True, help="Aantal deelnemers.")
@click.option("--cohort-name", default="Demogroep", show_default=True, help="Naam van de groep.")
@click.option("--course", "course_slug", default=None, help="Cursus (standaard de eerste).")
@click.option("--random-seed", type=int, default=None, help="Vaste seed voor herhaalbare data.")
@with_appcontext
def seed_command(
    learners: int, cohort_name: str, course_slug: str | None, random_seed: int | None
) -> None:
    """Create N learners with varied progress in a cohort of the demo trainer."""
    from .content import get_catalog
    from .demo.seed import SEED_PASSWORD, seed

    catalog = get_catalog()
    course = (
        catalog.course(course_slug) if course_slug else next(iter(catalog.courses.values()), None)
    )
    if course is None:
        raise click.ClickException(f"Geen cursus met slug {course_slug}.")
    result = seed(course, learners, cohort_name, random_seed, commit=db.session.commit)
    db.session.commit()
    click.echo(
        f"{result.learners} deelnemers aangemaakt in groep '{result.cohort_name}' "
        f"(id {result.cohort_id}, opleider {result.trainer_email}) in {result.seconds:.1f} s: "
        f"{result.lesson_rows} lesregels, {result.attempts} pogingen, {result.answers} antwoorden, "
        f"{result.evaluations} evaluaties. Wachtwoord van elke deelnemer: {SEED_PASSWORD}"
    )


def register_cli(app: Flask) -> None:
    """Attach the command groups to `flask`."""
    from .accreditation.cli import accreditation_cli
    from .boosters.cli import boosters_cli
    from .certificates.cli import certificates_cli

    for command in (
        content_cli,
        users_cli,
        mail_cli,
        demo,
        seed_command,
        certificates_cli,
        accreditation_cli,
        boosters_cli,
    ):
        app.cli.add_command(command)
