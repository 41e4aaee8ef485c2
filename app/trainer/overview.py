"""The cohort overview: one row per learner, filters, sorting, the summary and the CSV export.

Filtering, sorting, paging and counting all happen in the database over
`queries.learner_facts`, so a page costs a fixed number of queries and reads one page of rows,
whatever the size of the cohort; the CSV streams the rows as the database hands them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask_babel import force_locale, gettext, lazy_gettext
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)

from .. import clock, csvsafe
from ..content.model import Course
from ..dates import local_datetime
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE
from ..models import Cohort, CohortMember, User
from ..web import page_number
from . import queries
from .queries import Member, flag

#: Filter keys (query argument `filter`) and their labels.
FILTERS = {
    "alle": lazy_gettext("Iedereen"),
    "niet-gestart": lazy_gettext("Niet gestart"),
    "bezig": lazy_gettext("Bezig met de lessen"),
    "inactief": lazy_gettext("Al 30 dagen niet actief"),
    "vast": lazy_gettext("Vast op de toets"),
    "geslaagd": lazy_gettext("Eindtoets gehaald"),
    "zonder-certificaat": lazy_gettext("Gehaald, nog geen certificaat"),
    "certificaat": lazy_gettext("Certificaat ontvangen"),
}
#: Sort keys (query argument `sort`) and their column labels.
SORTS = {
    "naam": lazy_gettext("Naam"),
    "voortgang": lazy_gettext("Voortgang"),
    "lessen": lazy_gettext("Lessen af"),
    "activiteit": lazy_gettext("Laatste activiteit"),
    "pogingen": lazy_gettext("Pogingen"),
    "score": lazy_gettext("Beste score"),
    "geslaagd": lazy_gettext("Eindtoets"),
    "evaluatie": lazy_gettext("Evaluatie"),
    "certificaat": lazy_gettext("Certificaat"),
}
INACTIVE_DAYS = 30
PAGE_SIZE = 100


@dataclass(frozen=True)
class LearnerRow:
    member: Member
    percent: int
    lessons_done: int
    lessons_total: int
    started: bool
    last_activity: dt.datetime | None
    #: Attempts started at the final-assessment cases, all cases together.
    attempts: int
    cases_passed: int
    cases_total: int
    #: Mean of the best scores (0..1) over the cases with a graded attempt; None before any.
    best_score: float | None
    passed: bool
    #: Used all attempts at a case without passing it, or failed it twice or more.
    stuck: bool
    evaluated: bool
    certified: bool

    @property
    def user_id(self) -> int:
        return self.member.user_id

    @property
    def best_percent(self) -> int | None:
        return None if self.best_score is None else round(self.best_score * 100)

    @property
    def status(self) -> str:
        if self.certified:
            return gettext("Certificaat")
        if self.passed:
            return gettext("Eindtoets gehaald")
        if self.stuck:
            return gettext("Vast op de toets")
        if not self.started:
            return gettext("Niet gestart")
        return gettext("Bezig")


@dataclass(frozen=True)
class Summary:
    learners: int
    not_started: int
    #: Learners who completed every lesson.
    lessons_done: int
    passed: int
    stuck: int
    evaluated: int
    certified: int
    mean_percent: int


@dataclass(frozen=True)
class View:
    """What the trainer asked for in the query string, cleaned."""

    filter: str = "alle"
    sort: str = "naam"
    descending: bool = False
    search: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> View:
        filter_key = args.get("filter", "alle")
        sort_key = args.get("sort", "naam")
        return cls(
            filter=filter_key if filter_key in FILTERS else "alle",
            sort=sort_key if sort_key in SORTS else "naam",
            descending=args.get("volgorde") == "aflopend",
            search=(args.get("zoek") or "").strip()[:100],
            page=page_number(args),
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query arguments for a link to this view with some changes (defaults left out)."""
        values = {
            "filter": self.filter,
            "sort": self.sort,
            "volgorde": "aflopend" if self.descending else "oplopend",
            "zoek": self.search,
            "pagina": self.page,
        }
        values.update(changes)
        defaults = {
            "filter": "alle",
            "sort": "naam",
            "volgorde": "oplopend",
            "zoek": "",
            "pagina": 1,
        }
        return {k: v for k, v in values.items() if v != defaults[k]}

    def sort_args(self, key: str) -> dict[str, Any]:
        """Link arguments for a column header: sort by it, or reverse when already sorted."""
        descending = not self.descending if key == self.sort else key != "naam"
        return self.args(sort=key, volgorde="aflopend" if descending else "oplopend", pagina=1)


def _row(facts: Any, lessons_total: int, cases_total: int) -> LearnerRow:
    member = Member(
        facts.user_id,
        facts.first_name,
        facts.tussenvoegsel,
        facts.surname,
        facts.email,
        facts.profession,
        facts.joined_at,
    )
    return LearnerRow(
        member=member,
        percent=int(facts.percent),
        lessons_done=int(facts.lessons_done),
        lessons_total=lessons_total,
        started=bool(facts.started),
        last_activity=facts.last_activity,
        attempts=int(facts.attempts),
        cases_passed=int(facts.cases_passed),
        cases_total=cases_total,
        best_score=None if facts.best_score is None else float(facts.best_score),
        passed=bool(facts.passed),
        stuck=bool(facts.stuck),
        evaluated=bool(facts.evaluated),
        certified=bool(facts.certified),
    )


def _condition(
    facts: Subquery, key: str, now: dt.datetime, lessons_total: int
) -> ColumnElement[bool] | None:
    """The SQL condition of the filter with this key (None: everybody)."""
    c = facts.c
    if key == "niet-gestart":
        return c.started == 0
    if key == "bezig":
        return and_(c.started == 1, c.lessons_done < lessons_total)
    if key == "inactief":
        cutoff = now - dt.timedelta(days=INACTIVE_DAYS)
        return and_(
            c.started == 1,
            c.passed == 0,
            or_(c.last_activity.is_(None), c.last_activity < cutoff),
        )
    if key == "vast":
        return c.stuck == 1
    if key == "geslaagd":
        return c.passed == 1
    if key == "zonder-certificaat":
        return and_(c.passed == 1, c.certified == 0)
    if key == "certificaat":
        return c.certified == 1
    return None


def _name_order(columns: Any) -> list[ColumnElement[Any]]:
    """Dutch name order (surname without tussenvoegsel, first name), the id breaking ties.

    `columns` is the User model or the facts' columns: both name the fields alike.
    """
    user_id = columns.id if columns is User else columns.user_id
    return [func.lower(columns.surname), func.lower(columns.first_name), user_id]


def _ordered(columns: list[ColumnElement[Any]], descending: bool) -> list[ColumnElement[Any]]:
    return [column.desc() for column in columns] if descending else columns


def _search(columns: Any, text: str) -> ColumnElement[bool]:
    """Name or e-mail contains the text (wildcards taken literally, letter case ignored)."""
    needle = text.lower()
    name = columns.first_name + " " + columns.tussenvoegsel + " " + columns.surname
    spaced = func.replace(name, "  ", " ")  # an empty tussenvoegsel leaves two spaces
    return or_(
        func.lower(spaced).contains(needle, autoescape=True),
        func.lower(columns.email).contains(needle, autoescape=True),
    )


def _member_ids(cohort_id: int, search: str) -> Select[tuple[int]]:
    """The ids of the cohort's learners (accounts not deleted) the search lets through."""
    statement = (
        select(User.id)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort_id, User.deleted_at.is_(None))
    )
    return statement.where(_search(User, search)) if search else statement


def _sort_columns(facts: Subquery, key: str) -> list[ColumnElement[Any]]:
    """What to order by for this sort key; the name (then the id) breaks ties."""
    c = facts.c
    name = _name_order(c)
    first: list[ColumnElement[Any]] = {
        "naam": [],
        "voortgang": [c.percent],
        "lessen": [c.lessons_done],
        # Never active sorts as the oldest, on every database (NULLs order differently).
        "activiteit": [case((c.last_activity.is_(None), 0), else_=1), c.last_activity],
        "pogingen": [c.attempts],
        "score": [func.coalesce(c.best_score, -1)],
        "geslaagd": [c.passed, c.cases_passed],
        "evaluatie": [c.evaluated],
        "certificaat": [c.certified],
    }[key]
    return first + name


@dataclass(frozen=True)
class Overview:
    """A cohort in the database: what the trainer's view selects from it."""

    course: Course
    cohort_id: int

    @classmethod
    def of(cls, cohort: Cohort, course: Course) -> Overview:
        return cls(course, cohort.id)

    @cached_property
    def facts(self) -> Subquery:
        """Every learner's figures, aggregated live (built only when a view needs it)."""
        return queries.learner_facts(self.cohort_id, self.course)

    def _shown(
        self, view: View, now: dt.datetime | None, facts: Subquery | None = None
    ) -> ColumnElement[bool] | None:
        """The SQL condition for the learners the view's filter and search let through.

        Over the live facts, or over other facts with the same column names (the standings).
        """
        if view.filter == "alle" and not view.search:
            return None
        facts = self.facts if facts is None else facts
        conditions = []
        condition = _condition(facts, view.filter, now or clock.now(), len(self.course.lessons))
        if condition is not None:
            conditions.append(condition)
        if view.search:
            conditions.append(_search(facts.c, view.search))
        return and_(*conditions)

    def rows(
        self, view: View, limit: int | None = None, offset: int = 0, now: dt.datetime | None = None
    ) -> Iterator[LearnerRow]:
        """The learners the view selects, in its order; `limit` rows from `offset` (streamed)."""
        if view.sort == "naam" and view.filter == "alle" and limit is not None:
            # Name order needs no aggregates: choose the page's members first, then
            # aggregate only theirs (the common default view of a large cohort).
            page = _member_ids(self.cohort_id, view.search)
            page = page.order_by(*_ordered(_name_order(User), view.descending))
            facts = queries.learner_facts(
                self.cohort_id, self.course, page.offset(offset).limit(limit)
            )
            statement = select(facts).order_by(*_ordered(_name_order(facts.c), view.descending))
        else:
            statement = select(self.facts)
            if (shown := self._shown(view, now)) is not None:
                statement = statement.where(shown)
            order = _sort_columns(self.facts, view.sort)
            statement = (
                statement.order_by(*_ordered(order, view.descending)).offset(offset).limit(limit)
            )
        statement = statement.execution_options(yield_per=500)
        lessons_total, cases_total = len(self.course.lessons), len(self.course.assessment)
        for facts in db.session.execute(statement):
            yield _row(facts, lessons_total, cases_total)

    def tally(self, view: View | None = None, now: dt.datetime | None = None) -> Tally:
        """The summary, the charts' figures and how many learners the view shows.

        Read from the learners' standings (one row each, computed once and again after a
        change, see LearnerStanding), counted per combination of the figures shown (the best
        score to a whole percentage): a few hundred rows at most, however large the cohort.
        Only the inactivity filter counts live: it depends on every heartbeat.
        """
        live = view is not None and view.filter == "inactief"
        standing = queries.standing_facts(self.cohort_id, self.course)
        shown = None if view is None or live else self._shown(view, now, standing)
        c = standing.c
        groups = [
            c.percent,
            cast(func.round(c.best_score * 100), Integer).label("best"),
            c.started,
            c.passed,
            c.stuck,
            c.evaluated,
            c.certified,
            c.missing,
            (literal(1) if shown is None else flag(shown)).label("shown"),
        ]
        counted = select(*groups, func.count().label("count")).group_by(*groups)
        rows = db.session.execute(counted).all()
        if any(row.missing for row in rows):
            queries.fill_standings(self.cohort_id, self.course)
            rows = db.session.execute(counted).all()
        counts = dict.fromkeys(
            ("not_started", "lessons_done", "passed", "stuck", "evaluated", "certified"), 0
        )
        learners = matched = percent_sum = 0
        scores: list[float] = []
        for row in rows:
            n = row.count
            learners += n
            matched += n if row.shown else 0
            counts["not_started"] += 0 if row.started else n
            counts["lessons_done"] += n if row.percent >= 100 else 0
            counts["passed"] += n if row.passed else 0
            counts["stuck"] += n if row.stuck else 0
            counts["evaluated"] += n if row.evaluated else 0
            counts["certified"] += n if row.certified else 0
            percent_sum += int(row.percent) * n
            if row.best is not None:
                scores += [row.best / 100] * n
        if live:
            shown = self._shown(view, now)
            statement = select(func.count()).select_from(self.facts)
            matched = db.session.scalar(statement if shown is None else statement.where(shown))
        return Tally(
            summary=Summary(
                learners=learners,
                mean_percent=round(percent_sum / learners) if learners else 0,
                **counts,
            ),
            matched=matched,
            best_scores=scores,
        )


@dataclass(frozen=True)
class Tally:
    """Figures about the whole cohort (and the view's share of it) for the overview."""

    summary: Summary
    #: Learners the view's filter and search let through (all, without a view).
    matched: int
    #: The best assessment score (0..1, to a whole percentage) of every learner with a graded
    #: attempt.
    best_scores: list[float]


CSV_HEADERS = (
    lazy_gettext("Naam"),
    lazy_gettext("E-mailadres"),
    lazy_gettext("Beroep"),
    lazy_gettext("Lid sinds"),
    lazy_gettext("Voortgang (%)"),
    lazy_gettext("Lessen afgerond"),
    lazy_gettext("Lessen totaal"),
    lazy_gettext("Laatste activiteit"),
    lazy_gettext("Pogingen eindtoets"),
    lazy_gettext("Casussen gehaald"),
    lazy_gettext("Beste score (%)"),
    lazy_gettext("Eindtoets gehaald"),
    lazy_gettext("Vast op de toets"),
    lazy_gettext("Evaluatie ingevuld"),
    lazy_gettext("Certificaat uitgegeven"),
)


def _yes_no(value: bool) -> str:
    return "ja" if value else "nee"


def to_csv(rows: Iterable[LearnerRow], profession_labels: Mapping[str, str]) -> Iterator[bytes]:
    """The rows as CSV for Dutch Excel (';' separated, UTF-8 with a byte-order mark), in chunks.

    The headers are in the trainer's language; the values in Dutch whatever the language
    (yes/no, dates, professions), so a sheet that reads the export keeps working.
    """
    yield "\ufeff".encode()
    header = [str(label) for label in CSV_HEADERS]
    with force_locale(DEFAULT_LANGUAGE):
        for text in csvsafe.chunks(
            header,
            (
                [
                    r.member.name,
                    r.member.email,
                    str(profession_labels.get(r.member.profession, r.member.profession)),
                    local_datetime(r.member.joined_at),
                    r.percent,
                    r.lessons_done,
                    r.lessons_total,
                    local_datetime(r.last_activity),
                    r.attempts,
                    f"{r.cases_passed} van {r.cases_total}",  # i18n: keep (stable CSV value)
                    "" if r.best_percent is None else r.best_percent,
                    _yes_no(r.passed),
                    _yes_no(r.stuck),
                    _yes_no(r.evaluated),
                    _yes_no(r.certified),
                ]
                for r in rows
            ),
        ):
            yield text.encode("utf-8")
