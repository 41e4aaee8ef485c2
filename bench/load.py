"""Plumbing for the load runs: a gunicorn server on 127.0.0.1 and wrk with a prepared request list."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA_SCRIPT = Path(__file__).resolve().parent / "wrk_requests.lua"
WRK = "wrk"

#: The server settings both Signaal and the baselines run with.
WORKERS = 2
WORKER_CLASS = "sync"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A gunicorn process serving `target` (module:app) on a free loopback port."""

    target: str
    env: dict[str, str]
    log: Path
    workers: int = WORKERS
    threads: int = 1
    #: The checkout whose code gunicorn serves (`--compare` serves a second one).
    cwd: Path = ROOT
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/healthz", timeout: float = 60) -> None:
        command = [
            str(BIN / "gunicorn"),
            "--workers",
            str(self.workers),
            "--worker-class",
            WORKER_CLASS if self.threads == 1 else "gthread",
            "--threads",
            str(self.threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            # wrk keeps connections open; sync workers close them after each response anyway.
            "--no-control-socket",
            "--backlog",
            "2048",
            self.target,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn {self.target} exited:\n{self.log.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn {self.target} did not answer:\n{self.log.read_text()[-3000:]}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None


@contextmanager
def serving(target: str, env: dict[str, str], log: Path, **options: Any) -> Iterator[Server]:
    server = Server(target, env, log, **options)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""


@dataclass(frozen=True)
class Result:
    """One wrk run: throughput, latency percentiles (ms) and what went wrong."""

    name: str
    connections: int
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    socket_errors: int
    statuses: dict[str, int]
    expected: tuple[int, ...]
    #: "once" runs: requests sent after a thread had used up its own list (repeats).
    wrapped: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def unexpected(self) -> int:
        """Responses whose status is not the one this endpoint answers when all goes well."""
        return sum(n for code, n in self.statuses.items() if int(code) not in self.expected)

    @property
    def errors(self) -> int:
        return self.socket_errors + self.unexpected


def warm_up(url: str, requests: Sequence[Request], count: int = 24) -> None:
    """Send the first `count` requests one at a time, so both workers compile their templates
    and fill their caches before the measured run (the quick stand-in for a 1 s wrk run)."""
    for r in itertools.islice(itertools.cycle(requests), count):
        request = urllib.request.Request(
            url + r.path, data=r.body.encode() or None, headers=r.headers, method=r.method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except urllib.error.HTTPError as exc:  # a redirect or a refusal warms up as well
            exc.read()


def _lua_string(value: str) -> str:
    # Long brackets with a level that cannot occur in the value: no escaping needed.
    level = 0
    while f"]{'=' * level}]" in value:
        level += 1
    eq = "=" * level
    return f"[{eq}[{value}]{eq}]"


def write_requests(requests: Sequence[Request], path: Path) -> None:
    """Write the requests as a Lua table for wrk_requests.lua."""
    lines = ["return {"]
    for r in requests:
        headers = ", ".join(
            f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in r.headers.items()
        )
        lines.append(
            f"  {{method = {_lua_string(r.method)}, path = {_lua_string(r.path)}, "
            f"headers = {{{headers}}}, body = {_lua_string(r.body) if r.body else 'nil'}}},"
        )
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_wrk(
    name: str,
    url: str,
    requests: Sequence[Request],
    *,
    connections: int,
    seconds: float,
    expected: tuple[int, ...] = (200,),
    once: bool = False,
    threads: int = 2,
    timeout: float = 10,
) -> Result:
    """Drive the server with wrk for `seconds` at `connections` and return the figures."""
    threads = min(threads, connections)
    with tempfile.TemporaryDirectory(prefix="signaal-wrk-") as tmp:
        data = Path(tmp) / "requests.lua"
        write_requests(requests, data)
        command = [
            WRK,
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            f"{timeout}s",
            "-s",
            str(LUA_SCRIPT),
            url,
            "--",
            str(data),
            str(threads),
        ]
        if once:
            command.append("once")
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({name}):\n{completed.stdout}\n{completed.stderr}")
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no figures ({name}):\n{completed.stdout}")
    figures = json.loads(line.removeprefix("BENCH-JSON "))
    errors = figures["errors"]
    latency = figures["latency_us"]
    return Result(
        name=name,
        connections=connections,
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50=latency["p50"] / 1000,
        p95=latency["p95"] / 1000,
        p99=latency["p99"] / 1000,
        socket_errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        statuses=figures["statuses"],
        expected=expected,
        wrapped=figures["wrapped"],
    )
