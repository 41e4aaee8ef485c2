"""A real server process for the fault tests: gunicorn serves `tests.faultserver:app`.

The app gets its settings as JSON in SIGNAAL_FAULT_CONFIG. With SIGNAAL_FAULT_KILL_MARKER set to
a file path, the worker that is about to commit a quiz submission while that file exists
deletes the file and SIGKILLs itself: the crash lands between grading and commit. The hook lives
here, in the tests, so production code carries no trace of it.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app


def _kill_before_submission_commit(marker: Path) -> None:
    @event.listens_for(Session, "before_commit")
    def crash(session: Any) -> None:
        if not (has_request_context() and request.endpoint == "quizzes.submit"):
            return
        try:
            marker.unlink()
        except FileNotFoundError:
            return
        session.flush()  # everything graded is in the open transaction, none of it committed
        os.kill(os.getpid(), signal.SIGKILL)


def _create() -> Any:
    config = json.loads(os.environ.get("SIGNAAL_FAULT_CONFIG", "{}"))
    for key in ("COURSES_DIR", "QUIZZES_DIR", "MAIL_OUTBOX"):
        if key in config:
            config[key] = Path(config[key])
    marker = os.environ.get("SIGNAAL_FAULT_KILL_MARKER")
    if marker:
        _kill_before_submission_commit(Path(marker))
    return create_app(config)


app = _create()
