"""Cohort rules: creating cohorts, join codes, joining, invitations and who may see what.

Functions add and flush; the view commits.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from flask_babel import gettext, lazy_gettext
from sqlalchemy import Select, func, select

from .. import clock
from ..content import get_catalog
from ..dates import AMSTERDAM, local_date
from ..extensions import db
from ..mail import queue_mail_in
from ..models import Cohort, CohortInvite, CohortMember, CohortTrainer, User
from ..web import public_url

#: Letters and digits that are hard to mistake for one another (no 0/O, 1/I/L, U/V).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 8
#: How long an e-mail invitation stays valid.
INVITE_DAYS = 30


class JoinError(ValueError):
    """A learner cannot join; the message says why and what to do next."""


def today() -> dt.date:
    """Today's date in the Netherlands: join codes end at midnight Amsterdam time."""
    return dt.datetime.now(AMSTERDAM).date()


def new_join_code() -> str:
    """A random code of CODE_LENGTH unambiguous characters that no cohort uses yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(func.count()).where(Cohort.join_code == code)) == 0:
            return code


def normalise_code(raw: str) -> str:
    """Upper-case the code and drop spaces and dashes, so 'abcd-2345' matches ABCD2345."""
    return re.sub(r"[^A-Z0-9]", "", (raw or "").upper())


def format_code(code: str) -> str:
    """Show a code in two groups of four, easier to read aloud and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if len(code) == CODE_LENGTH else code


def create_cohort(
    trainer: User, name: str, course_slug: str, join_until: dt.date | None = None
) -> Cohort:
    """A new cohort with a fresh join code, followed by this trainer."""
    cohort = Cohort(
        name=name.strip(),
        course_slug=course_slug,
        join_code=new_join_code(),
        join_open=True,
        join_until=join_until,
    )
    db.session.add(cohort)
    db.session.flush()
    db.session.add(CohortTrainer(cohort_id=cohort.id, user_id=trainer.id))
    db.session.flush()
    return cohort


def is_trainer_of(user: User, cohort: Cohort) -> bool:
    """Whether this user follows the cohort as a trainer."""
    return (
        db.session.scalar(
            select(func.count()).where(
                CohortTrainer.cohort_id == cohort.id, CohortTrainer.user_id == user.id
            )
        )
        > 0
    )


def can_view(user: User, cohort: Cohort) -> bool:
    """Admins see every cohort; trainers only the cohorts they follow."""
    return user.has_role("admin") or (user.has_role("trainer") and is_trainer_of(user, cohort))


def learner_ids_of(trainer: User, course_slug: str) -> Select[tuple[int]]:
    """The ids of the members of the cohorts this trainer follows for this course."""
    return (
        select(CohortMember.user_id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id)
        .where(CohortTrainer.user_id == trainer.id, Cohort.course_slug == course_slug)
    )


def is_member(user_id: int, cohort_id: int) -> bool:
    return db.session.get(CohortMember, (cohort_id, user_id)) is not None


def join_problem(cohort: Cohort | None, on: dt.date | None = None) -> str | None:
    """Why a join code cannot be used (a sentence for the learner), or None."""
    if cohort is None:
        return gettext(
            "Deze code kennen we niet. Controleer de code bij je opleider: hij heeft "
            "%(length)s tekens, bijvoorbeeld ABCD-2345.",
            length=CODE_LENGTH,
        )
    if not cohort.join_open:
        return gettext(
            "Aansluiten bij de groep ‘%(name)s’ met deze code kan niet meer: de opleider heeft "
            "de code gesloten. Vraag je opleider om een uitnodiging of een nieuwe code.",
            name=cohort.name,
        )
    if cohort.join_until is not None and (on or today()) > cohort.join_until:
        return gettext(
            "Deze code was geldig tot en met %(date)s. Vraag je opleider om een uitnodiging of "
            "een nieuwe code.",
            date=local_date(cohort.join_until),
        )
    return None


def find_by_code(raw: str) -> Cohort | None:
    code = normalise_code(raw)
    if not code:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.join_code == code))


def add_member(user: User, cohort: Cohort) -> bool:
    """Add the learner to the cohort; False when they already were a member."""
    if is_member(user.id, cohort.id):
        return False
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
    db.session.flush()
    return True


def join_with_code(user: User, raw_code: str) -> tuple[Cohort, bool]:
    """Join the cohort behind this code: (cohort, newly joined); JoinError says why not."""
    cohort = find_by_code(raw_code)
    if (problem := join_problem(cohort)) is not None:
        raise JoinError(problem)
    assert cohort is not None
    return cohort, add_member(user, cohort)


def leave(user: User, cohort: Cohort) -> bool:
    """Remove the learner from the cohort; their trainers no longer see them."""
    membership = db.session.get(CohortMember, (cohort.id, user.id))
    if membership is None:
        return False
    db.session.delete(membership)
    db.session.flush()
    return True


def create_invites(cohort: Cohort, emails: list[str]) -> list[CohortInvite]:
    """One invitation per address (lower-cased, duplicates and open invites skipped)."""
    pending = set(
        db.session.scalars(
            select(CohortInvite.email).where(
                CohortInvite.cohort_id == cohort.id,
                CohortInvite.accepted_at.is_(None),
                CohortInvite.created_at >= clock.now() - dt.timedelta(days=INVITE_DAYS),
            )
        )
    )
    invites = []
    for address in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        if address in pending:
            continue
        invite = CohortInvite(cohort_id=cohort.id, email=address, token=secrets.token_urlsafe(32))
        db.session.add(invite)
        invites.append(invite)
    db.session.flush()
    return invites


def mail_languages(addresses: list[str], default: str) -> dict[str, str]:
    """The language to write to each address in: the account's, else `default` (no account)."""
    known = dict(
        db.session.execute(
            select(func.lower(User.email), User.language).where(
                func.lower(User.email).in_(addresses), User.deleted_at.is_(None)
            )
        ).all()
    )
    return {address: known.get(address) or default for address in addresses}


def send_invites(
    cohort: Cohort, trainer: User, emails: list[str], default_language: str
) -> list[CohortInvite]:
    """Invite the addresses (as `create_invites`) and queue one mail each with its link.

    Each mail is in the invitee's language: their profile's if they have an account, else
    `default_language` (the trainer's).
    """
    invites = create_invites(cohort, emails)
    course = get_catalog().course(cohort.course_slug)
    languages = mail_languages([item.email for item in invites], default=default_language)
    for item in invites:
        link = public_url("groups.accept_invite", token=item.token)
        queue_mail_in(
            languages[item.email],
            item.email,
            lazy_gettext("Uitnodiging voor de groep %(name)s in Signaal", name=cohort.name),
            "trainer/mail_invite.txt",
            cohort=cohort,
            course=course,
            trainer=trainer,
            link=link,
            days=INVITE_DAYS,
        )
    return invites


UNCONFIRMED_INVITE = lazy_gettext(
    "Bevestig eerst je e-mailadres met de link in de mail die je bij het aanmaken van je account "
    "kreeg (of vraag op je profielpagina een nieuwe aan). Daarna kun je de uitnodiging aannemen."
)


@dataclass(frozen=True)
class InviteCheck:
    invite: CohortInvite | None
    problem: str | None


def check_invite(token: str, user: User) -> InviteCheck:
    """Whether this user may accept the invitation behind the token, and why not."""
    invite = db.session.scalar(select(CohortInvite).where(CohortInvite.token == token))
    if invite is None:
        return InviteCheck(
            None,
            gettext("Deze uitnodiging kennen we niet. Gebruik de link uit de e-mail, helemaal."),
        )
    if invite.accepted_at is not None:
        return InviteCheck(invite, gettext("Deze uitnodiging is al gebruikt."))
    if invite.created_at < clock.now() - dt.timedelta(days=INVITE_DAYS):
        return InviteCheck(
            invite,
            gettext("Deze uitnodiging is verlopen. Vraag je opleider om een nieuwe uitnodiging."),
        )
    if invite.email != user.email.lower():
        return InviteCheck(
            invite,
            gettext(
                "Deze uitnodiging is verstuurd naar een ander e-mailadres dan waarmee je bent "
                "ingelogd. Log uit en log in met het adres waarop je de uitnodiging ontving."
            ),
        )
    if user.email_confirmed_at is None:
        # Anyone can register an address; only its owner (who confirmed it) may use the invitation.
        return InviteCheck(invite, str(UNCONFIRMED_INVITE))

    return InviteCheck(invite, None)


def accept_invite(invite: CohortInvite, user: User) -> Cohort:
    """Mark the invitation used and add the learner to its cohort."""
    cohort = db.session.get_one(Cohort, invite.cohort_id)
    invite.accepted_at = clock.now()
    add_member(user, cohort)
    return cohort


def visible_cohorts(user: User) -> list[tuple[Cohort, int]]:
    """The cohorts this user may open, with their member counts, newest first."""
    members = (
        select(CohortMember.cohort_id, func.count().label("n"))
        .group_by(CohortMember.cohort_id)
        .subquery()
    )
    query = (
        select(Cohort, func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.cohort_id == Cohort.id)
        .order_by(Cohort.created_at.desc(), Cohort.id.desc())
    )
    if not user.has_role("admin"):
        query = query.join(CohortTrainer, CohortTrainer.cohort_id == Cohort.id).where(
            CohortTrainer.user_id == user.id
        )
    return [(cohort, count) for cohort, count in db.session.execute(query)]


@dataclass(frozen=True)
class FollowedBy:
    cohort: Cohort
    trainers: list[User]
    joined_at: dt.datetime


def followed_by(user: User) -> list[FollowedBy]:
    """The learner's cohorts and the trainers who follow each (for 'Mijn opleiders')."""
    memberships = db.session.scalars(
        select(CohortMember)
        .where(CohortMember.user_id == user.id)
        .join(Cohort, Cohort.id == CohortMember.cohort_id)
        .order_by(CohortMember.joined_at)
    ).all()
    result = []
    for membership in memberships:
        cohort = membership.cohort
        trainers = sorted(cohort.trainers, key=lambda t: (t.surname, t.first_name))
        result.append(FollowedBy(cohort, trainers, membership.joined_at))
    return result


def pending_invites(user: User) -> list[str]:
    """The names of the cohorts with an open invitation to this user's address (the invitation
    itself is accepted only through the link in the mail)."""
    return list(
        db.session.scalars(
            select(Cohort.name)
            .join(CohortInvite, CohortInvite.cohort_id == Cohort.id)
            .where(
                CohortInvite.email == user.email.lower(),
                CohortInvite.accepted_at.is_(None),
                CohortInvite.created_at >= clock.now() - dt.timedelta(days=INVITE_DAYS),
            )
            .order_by(CohortInvite.created_at)
        )
    )
