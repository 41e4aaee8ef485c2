"""`python -m bench` (`make bench`): load, certificate and growth benchmarks, printed as tables.

Every figure comes with a baseline measured in the same run on the same machine, so the ratios
mean something even where the absolute numbers do not travel. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import certs, growth, live
from .baseline_app import create_schema as create_baseline_schema
from .data import (
    POSTGRES_ADMIN_URL,
    analyse,
    app_env,
    discard_open,
    in_process_app,
    open_attempts,
    postgres_available,
    seeded,
    seeded_database,
    submitted_count,
)
from .load import WORKERS, Request, Result, run_wrk, serving, warm_up
from .report import Report, ms, percent, rate, table
from .scenarios import (
    FORM,
    heartbeat_requests,
    lesson_requests,
    log_in,
    log_in_trainer,
    page_request,
    refresh_sessions,
    save_requests,
    submit_requests,
)

#: Goals from the issue (#15), per database: throughput as a share of the bare baseline.
LESSON_GOAL = {"sqlite": 0.60, "postgres": 0.50}
#: The compass goal for the lesson page, beyond the issue's.
LESSON_COMPASS = 0.75
SAVE_GOAL = {"sqlite": 0.60, "postgres": 0.50}
SAVE_P99_GOAL_MS = 50.0
#: In process, for the largest growth cohort (10,000 learners in a full run), in ms.
GROWTH_GOALS = {"overview": 100.0, "cohort_csv": 1000.0, "item_analysis_first": 300.0}
#: Learners in the trainer's groups for the load runs: a large training group, and a cohort.
TRAINER_COHORT = 50
LARGE_COHORT = 1000
#: Participants polling in the live session (issue #18), and the bound on their update delay:
#: what a phone shows follows the EKC within two seconds.
LIVE_PARTICIPANTS = 50
LIVE_DELAY_GOAL_MS = 2000.0
#: Load scenarios in table order; reads are compared with the bare page, writes with the insert.
SCENARIOS = (
    "bare page",
    "bare insert",
    "lesson page",
    "heartbeat",
    "answer save",
    "submit attempt",
    f"overview, {TRAINER_COHORT}",
    f"overview, {LARGE_COHORT:,}",
)
READS = ("lesson page", f"overview, {TRAINER_COHORT}", f"overview, {LARGE_COHORT:,}")
CACHE_DEFAULT = str(Path.home() / ".cache" / "signaal-bench")


@dataclass(frozen=True)
class Options:
    databases: tuple[str, ...]
    seconds: float
    connections: tuple[int, ...]
    learners: int
    visitors: int
    growth_sizes: tuple[int, ...]
    certificate_runs: int
    load: bool
    #: Load runs of the bare page and the lesson page only (`--only lesson`).
    lesson_only: bool
    #: Another checkout whose lesson page runs beside this one's (`--compare`, with `--only lesson`).
    compare: Path | None
    certificates: bool
    growth: bool
    out: Path | None
    keep: bool
    workers: int
    #: Per page of the growth table: at most this many timed runs, or this many seconds.
    growth_runs: int = growth.MAX_RUNS
    growth_budget: float = growth.BUDGET_SECONDS
    #: Warm each load scenario up with a 1 s wrk run (else: a few requests, one at a time).
    long_warmup: bool = True
    #: EKC steps per phase of the live session, and the seconds between them.
    live_steps: int = 8
    live_step_seconds: float = 2.5
    #: Keep seeded databases here and start from a copy when nothing that shapes them changed.
    cache: Path | None = None


def parse(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short runs, few growth samples, short warm-ups, kept seeded databases",
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, help="seconds per wrk run (default 15, quick 3)")
    parser.add_argument("--connections", help="comma-separated (default 16,64; quick 16)")
    parser.add_argument("--learners", type=int, default=500, help="learners seeded for load runs")
    parser.add_argument(
        "--visitors",
        type=int,
        default=400,
        help="learners logged in under load; each brings one fresh attempt per quiz to submit",
    )
    parser.add_argument("--growth", default=None, help="learner counts (default 100,1000,10000)")
    parser.add_argument(
        "--only",
        choices=("load", "lesson", "certificates", "growth"),
        action="append",
        help="repeatable; 'lesson': the load runs of the bare page and the lesson page alone",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        help="with --only lesson: also serve the lesson page of this checkout (a git worktree of "
        "another commit), interleaved with this one's, for a before/after in one run",
    )
    parser.add_argument("--out", type=Path, help="also write the results as Markdown here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, SQLite)")
    parser.add_argument(
        "--reuse-seed",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="start from a kept copy of each seeded database when the seed's code, content and "
        f"day are unchanged (default with --quick); kept in $BENCH_CACHE ({CACHE_DEFAULT})",
    )
    parser.add_argument(
        "--workers", type=int, default=WORKERS, help=f"gunicorn sync workers (default {WORKERS})"
    )
    a = parser.parse_args(argv)
    only = set(a.only or ("load", "certificates", "growth"))
    reuse = a.quick if a.reuse_seed is None else a.reuse_seed
    return Options(
        databases=("sqlite", "postgres") if a.db == "both" else (a.db,),
        seconds=a.seconds or (3 if a.quick else 15),
        connections=tuple(
            int(c) for c in (a.connections or ("16" if a.quick else "16,64")).split(",")
        ),
        learners=min(a.learners, 120) if a.quick else a.learners,
        visitors=min(a.visitors, 60) if a.quick else a.visitors,
        growth_sizes=tuple(int(n) for n in (a.growth or "100,1000,10000").split(",")),
        certificate_runs=10 if a.quick else 40,
        load="load" in only or "lesson" in only,
        lesson_only="lesson" in only and "load" not in only,
        compare=a.compare,
        certificates="certificates" in only,
        growth="growth" in only,
        out=a.out,
        keep=a.keep,
        workers=a.workers,
        growth_runs=3 if a.quick else growth.MAX_RUNS,
        growth_budget=1.0 if a.quick else growth.BUDGET_SECONDS,
        long_warmup=not a.quick,
        live_steps=2 if a.quick else 8,
        live_step_seconds=2.0 if a.quick else 2.5,
        cache=Path(os.environ.get("BENCH_CACHE", CACHE_DEFAULT)) if reuse else None,
    )


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPU ({cpu or platform.machine()}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def result_row(r: Result, ratio: str = "", goal: str = "") -> list[str]:
    errors = str(r.errors)
    if r.unexpected:
        errors += (
            " ("
            + ", ".join(
                f"{n}×{c}" for c, n in sorted(r.statuses.items()) if int(c) not in r.expected
            )
            + ")"
        )
    return [
        r.name,
        str(r.connections),
        rate(r.rps),
        ms(r.p50),
        ms(r.p95),
        ms(r.p99),
        errors,
        ratio,
        goal,
    ]


def load_run(
    kind: str, options: Options, workdir: Path, report: Report
) -> tuple[dict[str, Result], list[live.Phase]]:
    """All load scenarios on one database: results keyed 'name@connections', and the live
    session's phases."""
    results: dict[str, Result] = {}
    phases: list[live.Phase] = []
    notes: list[str] = []
    folder = workdir / kind
    folder.mkdir(parents=True, exist_ok=True)
    seconds = options.seconds

    def run(name: str, url: str, requests: list[Request], c: int, **kw: object) -> Result:
        if kw.get("once"):
            pass
        elif options.long_warmup:
            run_wrk(name, url, requests, connections=c, seconds=1, **kw)  # warm caches
        else:
            warm_up(url, requests)
        result = run_wrk(name, url, requests, connections=c, seconds=seconds, **kw)
        results[f"{name}@{c}"] = result
        print(
            f"  {name:<22} {c:>3} conn  {rate(result.rps):>6} req/s  p99 {ms(result.p99):>6} ms"
            f"  errors {result.errors}",
            flush=True,
        )
        return result

    seed_command = ["seed", "--learners", str(options.learners), "--random-seed", "1"]
    group_command = ["seed", "--learners", str(TRAINER_COHORT), "--cohort-name", "Opleidingsgroep"]
    cohort_command = ["seed", "--learners", str(LARGE_COHORT), "--cohort-name", "Cohort"]
    lesson_only = options.lesson_only
    # `--only lesson` needs the learners only, not the trainer's group and cohort.
    commands = (
        (seed_command,)
        if lesson_only
        else (
            seed_command,
            [*group_command, "--random-seed", "2"],
            [*cohort_command, "--random-seed", "3"],
        )
    )
    with seeded_database(kind, folder, commands, cache=options.cache) as filled:
        database_url = filled.url
        seed_seconds = filled.seconds[0]
        env = app_env(database_url, folder)
        analyse(database_url)
        app = in_process_app(env)
        data = seeded(app)
        kept = " (a kept copy)" if filled.cached else ""
        print(
            f"[{kind}] seeded {len(data.learners)} learners in {seed_seconds:.1f} s{kept}",
            flush=True,
        )

        baseline_url = (
            f"sqlite:///{folder / 'baseline.sqlite3'}" if kind == "sqlite" else env["DATABASE_URL"]
        )
        if kind == "postgres":
            from app.config import normalise_database_url

            baseline_url = normalise_database_url(baseline_url)
        create_baseline_schema(baseline_url)

        from app.content import get_catalog

        with app.app_context():
            course = get_catalog().course(data.course_slug)
            lessons = [lesson.slug for lesson in course.lessons]
            cases = list(course.assessment)
            all_quizzes = list(course.quizzes)

        # Both servers run at once and each app figure follows its baseline right away, so a
        # change in the machine's load hits both sides of a ratio alike.
        with (
            serving(
                "bench.baseline_app:app",
                {"BASELINE_DATABASE_URL": baseline_url},
                folder / "baseline.log",
                workers=options.workers,
            ) as bare,
            serving("wsgi:app", env, folder / "app.log", workers=options.workers) as server,
        ):
            visitors = log_in(server.url, data, options.visitors)
            first_lesson = f"/leren/{data.course_slug}/{lessons[0]}"
            refreshed = [time.monotonic()]

            def reads() -> list[Request]:
                # A cookie older than a minute would be re-signed on every replayed request.
                if time.monotonic() - refreshed[0] > 40:
                    refresh_sessions(visitors, first_lesson)
                    refreshed[0] = time.monotonic()
                return lesson_requests(visitors, data.course_slug, lessons)

            if lesson_only:
                results = lesson_only_runs(options, kind, bare.url, server.url, reads, env, folder)
                report.heading(
                    f"Lesson page on {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}", 3
                )
                report.add(results.pop("table"))  # type: ignore[arg-type]
                report.add(
                    f"Seed: `flask {' '.join(seed_command)}`, {options.visitors} learners logged "
                    f"in, each reading every lesson; {LESSON_ROUNDS} rounds per connection count, "
                    "each app run right after its bare page run (`--only lesson`)."
                )
                return results, phases
            by_id = {v.user_id: v for v in visitors}
            ids = [v.user_id for v in visitors]
            open_attempts(app, ids, [cases[0]], ready_to_submit=False)
            saves = save_requests(visitors, data.course_slug, cases[0])
            beats = heartbeat_requests(visitors, data.course_slug, lessons)
            group = seeded(app, "Opleidingsgroep")
            cohort = seeded(app, "Cohort")
            trainer = log_in_trainer(server.url, data)
            overview = page_request(trainer, f"/groepen/{group.cohort_id}")
            large_overview = page_request(trainer, f"/groepen/{cohort.cohort_id}")
            insert = Request("POST", "/insert", {"Content-Type": FORM}, "key=vraag&value=antwoord")
            for c in options.connections:
                run("bare page", bare.url, [Request("GET", "/page", {})], c)
                run("lesson page", server.url, reads(), c)
                run("bare insert", bare.url, [insert], c)
                run("heartbeat", server.url, beats, c, expected=(204,))
                run("answer save", server.url, saves, c)
                attempts = open_attempts(app, ids, all_quizzes, ready_to_submit=True)
                result = run(
                    "submit attempt",
                    server.url,
                    submit_requests(by_id, data.course_slug, attempts),
                    c,
                    once=True,
                    expected=(302,),
                )
                graded = submitted_count(app, attempts)
                discard_open(app, attempts)
                if result.wrapped:
                    notes.append(
                        f"Submit at {c} connections: the {len(attempts):,} prepared attempts ran "
                        f"out; {result.wrapped:,} requests re-submitted one (the cheap "
                        "already-submitted path), so req/s is flattered. Raise --visitors."
                    )
                print(f"  submitted {graded} of {len(attempts)} prepared attempts", flush=True)
                run(f"overview, {TRAINER_COHORT}", server.url, overview, c)
                run(f"overview, {LARGE_COHORT:,}", server.url, large_overview, c)
            c = options.connections[0]
            participants = visitors[:LIVE_PARTICIPANTS]
            session_id, code = live.start_session(
                app,
                data.trainer_email,
                [v.user_id for v in participants],
                (data.course_slug, cases[0]),
            )
            ekc = live.Ekc(trainer, session_id)
            version = 1
            for name, beside in (
                ("pollers only", None),
                (
                    f"pollers + lesson page at {c} conn",
                    lambda seconds: run_wrk(
                        "lesson page during the session",
                        server.url,
                        reads(),
                        connections=c,
                        seconds=seconds,
                    ),
                ),
            ):
                phase, version = live.run_phase(
                    name,
                    server.url,
                    participants,
                    code,
                    ekc,
                    version,
                    options.live_steps,
                    options.live_step_seconds,
                    beside,
                )
                phases.append(phase)
                print(
                    f"  live, {name:<28} {phase.poll_rate:>5.0f} polls/s  "
                    f"304 {phase.not_modified_share:.0%}  delay p99 {ms(live.percentile(phase.delays, 0.99))} ms"
                    f"  missed {phase.missed}  errors {phase.errors}",
                    flush=True,
                )
    report.heading(f"Load on {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}", 3)
    report.add(load_table(kind, results, options.connections))
    report.add(
        f"Seed: `flask {' '.join(seed_command)}` ({len(data.learners)} learners in one cohort, "
        f"{seed_seconds:.1f} s{', started from a kept copy' if filled.cached else ''}), "
        f"{options.visitors} of them logged in; the trainer overviews show "
        f"a group of {TRAINER_COHORT} (`flask {' '.join(group_command)}`) and a cohort of "
        f"{LARGE_COHORT:,} (`flask {' '.join(cohort_command)}`). Each heartbeat is a learner's "
        "study-time POST from a lesson page; each answer save changes the answers (two versions "
        "per learner alternate); each submission grades a fresh attempt with every stage answered."
    )
    for note in notes:
        report.add(note)
    report.add(live_table(phases, results, options.connections[0]))
    report.add(
        f"Live session: {len(participants)} participants, each polling "
        f"`/live/<code>/status` once a second with `If-None-Match` and fetching its page after a "
        f"200, as `live.js` does; the EKC takes up to {options.live_steps} "
        f"steps {options.live_step_seconds:g} s apart per phase (posting the step, then loading the "
        "control page). Update delay = from the EKC sending a step to a participant holding the "
        "page that shows it; missed = steps a participant had not seen when the phase ended. "
        "The pollers run as threads of the bench process, on the same two cores."
    )
    return results, phases


#: `--only lesson`: rounds of (bare page, lesson page[, the compared checkout's]) per connections.
LESSON_ROUNDS = 3


def lesson_only_runs(
    options: Options,
    kind: str,
    bare_url: str,
    app_url: str,
    reads: Callable[[], list[Request]],
    env: dict[str, str],
    folder: Path,
) -> dict[str, Result]:
    """The bare page and the lesson page (and with `--compare` another checkout's lesson page on
    the same database), in rounds; results of the median round by ratio, and 'table'."""
    results: dict[str, Result] = {}
    rows: list[list[str]] = []
    this = "lesson page"
    with contextlib.ExitStack() as stack:
        apps = [(this, app_url)]
        if options.compare is not None:
            other = stack.enter_context(
                serving(
                    "wsgi:app",
                    env,
                    folder / "compare.log",
                    workers=options.workers,
                    cwd=options.compare.resolve(),
                )
            )
            apps.append((f"lesson page, {options.compare.name}", other.url))
        page_request_ = [Request("GET", "/page", {})]
        warm_up(bare_url, page_request_)
        for _, url in apps:
            warm_up(url, reads())
        for c in options.connections:
            rounds: list[dict[str, Result]] = []
            for number in range(1, LESSON_ROUNDS + 1):
                measured = {
                    "bare page": run_wrk(
                        "bare page", bare_url, page_request_, connections=c, seconds=options.seconds
                    )
                }
                # Alternate which build follows the bare page, so drift in load hits both alike.
                for name, url in apps if number % 2 else apps[::-1]:
                    measured[name] = run_wrk(
                        name, url, reads(), connections=c, seconds=options.seconds
                    )
                page = measured["bare page"]
                print(
                    f"  round {number}, {c} conn: bare {rate(page.rps)} req/s, "
                    + ", ".join(
                        f"{name} {rate(r.rps)} ({percent(r.rps / page.rps)})"
                        for name, r in measured.items()
                        if name != "bare page"
                    ),
                    flush=True,
                )
                rounds.append(measured)
                rows.append(
                    [str(c), str(number), rate(page.rps)]
                    + [
                        f"{rate(measured[name].rps)} ({percent(measured[name].rps / page.rps)}), "
                        f"p99 {ms(measured[name].p99)} ms, errors {measured[name].errors}"
                        for name, _ in apps
                    ]
                )
            rounds.sort(key=lambda m: m[this].rps / m["bare page"].rps)
            middle = rounds[len(rounds) // 2]
            results[f"bare page@{c}"] = middle["bare page"]
            results[f"lesson page@{c}"] = middle[this]
    results["table"] = table(  # type: ignore[assignment]
        ["conn", "round", "bare page req/s"] + [f"{name} req/s (vs bare)" for name, _ in apps],
        rows,
        align="rrr" + "r" * len(apps),
    )
    return results


def live_table(phases: list[live.Phase], results: dict[str, Result], c: int) -> str:
    """The live session's phases: the load the polls put on the workers and the update delay."""
    alone = results[f"lesson page@{c}"].rps
    rows = []
    for phase in phases:
        polls_ms = [elapsed for _, elapsed in phase.polls]
        lesson = ""
        if phase.lesson is not None:
            lesson = f"{rate(phase.lesson.rps)} ({percent(phase.lesson.rps / alone)} of alone)"
        rows.append(
            [
                phase.name,
                str(phase.steps),
                f"{phase.poll_rate:.0f}",
                percent(phase.not_modified_share),
                ms(live.percentile(polls_ms, 0.5)),
                ms(live.percentile(polls_ms, 0.99)),
                ms(live.percentile(phase.delays, 0.5)),
                ms(live.percentile(phase.delays, 0.99)),
                str(phase.missed),
                str(phase.errors),
                lesson,
            ]
        )
    return table(
        [
            "live session",
            "steps",
            "polls/s",
            "304s",
            "poll p50 ms",
            "poll p99 ms",
            "delay p50 ms",
            "delay p99 ms",
            "missed",
            "errors",
            "lesson page req/s",
        ],
        rows,
        align="lrrrrrrrrrl",
    )


def load_table(kind: str, results: dict[str, Result], connections: tuple[int, ...]) -> str:
    rows = []
    for c in connections:
        page, insert = results[f"bare page@{c}"], results.get(f"bare insert@{c}")
        for name in SCENARIOS:
            r = results.get(f"{name}@{c}")
            if r is None:  # not run (`--only lesson`)
                continue
            ratio = goal = ""
            if not name.startswith("bare"):
                share = r.rps / (page.rps if name in READS else insert.rps)  # type: ignore[union-attr]
                ratio = percent(share)
            if name == "lesson page":
                goal = _verdict(share >= LESSON_GOAL[kind], f"≥ {percent(LESSON_GOAL[kind])}")
            elif name == "answer save":
                ok = share >= SAVE_GOAL[kind] and (c != 16 or r.p99 < SAVE_P99_GOAL_MS)
                bound = f"≥ {percent(SAVE_GOAL[kind])}"
                bound += f", p99 < {SAVE_P99_GOAL_MS:.0f} ms" if c == 16 else ""
                goal = _verdict(ok, bound)
            rows.append(result_row(r, ratio, goal))
    return table(
        ["endpoint", "conn", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "vs bare", "goal"],
        rows,
        align="lrrrrrrrl",
    )


def _verdict(met: bool, bound: str) -> str:
    return f"{'met' if met else 'missed'} ({bound})"


def goals_table(
    load: dict[str, dict[str, Result]],
    sessions: dict[str, list[live.Phase]],
    growth_figures: dict[str, dict[int, dict[str, float]]],
    connections: tuple[int, ...],
) -> str:
    """Every goal of the issue in one table: measured, goal, met or missed."""
    rows = []
    c = 16 if 16 in connections else connections[0]
    for kind, results in load.items():
        name = "SQLite" if kind == "sqlite" else "PostgreSQL"
        lesson = results[f"lesson page@{c}"].rps / results[f"bare page@{c}"].rps
        rows.append(
            [
                f"lesson page vs bare page, {c} conn ({name})",
                percent(lesson),
                f"≥ {percent(LESSON_GOAL[kind])} (compass {percent(LESSON_COMPASS)})",
                "met" if lesson >= LESSON_GOAL[kind] else "missed",
            ]
        )
        save = results.get(f"answer save@{c}")
        if save is None:
            continue
        share = save.rps / results[f"bare insert@{c}"].rps
        rows.append(
            [
                f"answer save vs bare insert, {c} conn ({name})",
                f"{percent(share)}, p99 {ms(save.p99)} ms",
                f"≥ {percent(SAVE_GOAL[kind])}"
                + (f", p99 < {SAVE_P99_GOAL_MS:.0f} ms" if c == 16 else ""),
                "met"
                if share >= SAVE_GOAL[kind] and (c != 16 or save.p99 < SAVE_P99_GOAL_MS)
                else "missed",
            ]
        )
        for phase in sessions.get(kind, []):
            delay = live.percentile(phase.delays, 0.99)
            rows.append(
                [
                    f"live session update delay p99, {phase.name} ({name})",
                    f"{delay:,.0f} ms" + (f", {phase.missed} missed" if phase.missed else ""),
                    f"< {LIVE_DELAY_GOAL_MS:,.0f} ms, none missed (issue #18)",
                    "met" if delay < LIVE_DELAY_GOAL_MS and not phase.missed else "missed",
                ]
            )
    labels = {
        "overview": "trainer overview p50",
        "cohort_csv": "cohort CSV",
        "item_analysis_first": "item analysis, first view",
    }
    for kind, by_size in growth_figures.items():
        name = "SQLite" if kind == "sqlite" else "PostgreSQL"
        largest = max(by_size)
        for key, bound in GROWTH_GOALS.items():
            value = by_size[largest][key]
            note = "" if largest >= 10_000 else " (goal is for 10,000)"
            rows.append(
                [
                    f"{labels[key]}, {largest:,} learners, in process ({name})",
                    f"{value:,.0f} ms",
                    f"< {bound:,.0f} ms{note}",
                    "met" if value < bound else "missed",
                ]
            )
    return table(["goal", "measured", "bound", "verdict"], rows, align="lrll")


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.load and shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk (or run with --only certificates/growth)")
        return 2
    if "postgres" in options.databases and (problem := postgres_available()):
        if options.databases == ("postgres",):
            print(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {problem}")
            return 2
        print(f"! PostgreSQL is not reachable ({problem}): SQLite only. Set BENCH_POSTGRES_URL.")
        options = replace(options, databases=("sqlite",))
    workdir = Path(tempfile.mkdtemp(prefix="signaal-bench-"))
    report = Report()
    began = time.perf_counter()
    command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    report.heading("Results", 2)
    load_average = os.getloadavg()[0]
    report.add(
        f"`{command.strip()}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Machine: {machine()}; "
        f"load average {load_average:.2f} at the start."
    )
    if load_average > 0.5:
        print("! The machine is busy: figures will be lower and noisier than on an idle machine.")
    if options.load:
        report.add(
            f"Load runs: gunicorn {options.workers} sync workers on 127.0.0.1, wrk 2 threads, "
            f"{options.seconds:g} s per run after "
            + ("a 1 s warm-up" if options.long_warmup else "a warm-up of a few requests")
            + "; latencies in ms; errors = socket "
            "errors + responses other than the endpoint's success status (200; 204 for a heartbeat; 302 for a "
            "submission); 'vs bare' = requests/s as a share of the bare page (reads) or the bare "
            "insert (writes) at the same connections."
        )
    load: dict[str, dict[str, Result]] = {}
    sessions: dict[str, list[live.Phase]] = {}
    growth_figures: dict[str, dict[int, dict[str, float]]] = {}
    try:
        if options.load:
            for kind in options.databases:
                load[kind], sessions[kind] = load_run(kind, options, workdir, report)
        if options.certificates:
            certs.run(options.certificate_runs, workdir / "certificates", report)
        if options.growth:
            growth_figures = growth.run(
                options.databases,
                options.growth_sizes,
                workdir / "growth",
                report,
                runs=options.growth_runs,
                budget=options.growth_budget,
                cache=options.cache,
            )
        report.heading("Goals of the run", 3)
        report.add(goals_table(load, sessions, growth_figures, options.connections))
    finally:
        if options.keep:
            print(f"\nWork folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report.add(f"Total time: {time.perf_counter() - began:.0f} s.")
    if options.out:
        options.out.write_text(report.markdown(), encoding="utf-8")
        print(f"\nWritten to {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
