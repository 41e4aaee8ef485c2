"""The baselines: a bare Flask app under the same gunicorn settings as Signaal.

`GET /page` renders a template of the lesson page's size from a Markdown body converted once at
start-up; `POST /insert` inserts one row and commits. Signaal's figures are divided by these, so a
ratio says what the app adds on top of Flask, Jinja, SQLAlchemy and the database themselves.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, String, Text, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.pool import ping_when_idle

ROOT = Path(__file__).resolve().parent.parent
#: The lesson whose body the bare page shows (the longest of the real course).
LESSON_FILE = ROOT / "courses" / "mensenhandel-huisarts" / "05-meldcode.md"


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BenchRow(db.Model):
    """One row per POST: about the size of a saved answer."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """The same SQLite settings as the app (app/web.py), so the insert baseline is fair."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def lesson_body() -> str:
    """The lesson's Markdown as safe HTML, through the app's own renderer (pure, no Flask)."""
    from app.content.markdown import render_markdown

    text = LESSON_FILE.read_text(encoding="utf-8")
    if text.startswith("+++"):
        text = text.split("+++", 2)[2]
    return render_markdown(text)


def create_baseline_app(database_url: str) -> Flask:
    """The bare app; the table must exist (see `create_schema`)."""
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=database_url,
    )
    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine)  # checked before use as the app's connections are
    body = lesson_body()

    @app.get("/page")
    def page() -> str:
        return render_template("baseline.html", title="Meldcode", body=body)

    @app.post("/insert")
    def insert() -> tuple[dict[str, bool], int]:
        db.session.add(
            BenchRow(
                key=request.form.get("key", "vraag"),
                payload=request.form.get("value", ""),
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        db.session.commit()
        return {"saved": True}, 200

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def create_schema(database_url: str) -> None:
    """Create the baseline's table before the workers start (they would race to do it)."""
    app = create_baseline_app(database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


def _gunicorn_app() -> Flask | None:
    url = os.environ.get("BASELINE_DATABASE_URL")
    return create_baseline_app(url) if url else None


#: For gunicorn: `gunicorn bench.baseline_app:app` with BASELINE_DATABASE_URL set.
app = _gunicorn_app()
