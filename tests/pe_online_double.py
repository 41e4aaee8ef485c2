"""A local PE-online: ProcessXML over HTTP POST on loopback, as the provider documentation says.

Checks the structure (505), the key (400), and each attendance (error 100 with its line number:
no end date, unknown BIG number, unknown course, date outside the accreditation period);
accepts the rest and remembers every booking, so tests can see that none is sent twice.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SETTINGS = (
    "userID",
    "userRole",
    "userKey",
    "orgID",
    "settingOutput",
    "emailOutput",
    "languageID",
    "defaultLanguageID",
)
ATTENDANCE = ("PECourseID", "externalCourseID", "externalPersonID", "externalmoduleID", "endDate")


@dataclass
class PEOnline:
    users: dict[str, str] = field(default_factory=lambda: {"signaal": "geheim"})
    people: set[str] = field(default_factory=set)
    #: course id -> (first day, last day) of its accreditation
    courses: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    booked: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0
    delay: float = 0.0
    http_status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, sxml: str) -> str:
        try:
            entry = ET.fromstring(sxml)
        except ET.ParseError:
            return _summary(0, 0, [(505, "Ongeldige XML-structuur.")], [])
        settings = entry.find("Settings")
        if entry.tag != "Entry" or settings is None:
            return _summary(0, 0, [(505, "Ongeldige XML-structuur: Entry/Settings ontbreekt.")], [])
        if sorted(child.tag for child in settings) != sorted(SETTINGS):
            return _summary(0, 0, [(505, "Ongeldige XML-structuur in Settings.")], [])
        rows = entry.findall("Attendance")
        unknown = [c.tag for c in entry if c.tag not in ("Settings", "Attendance")]
        unknown += [c.tag for row in rows for c in row if c.tag not in ATTENDANCE]
        if unknown or len(rows) > 100:
            return _summary(0, 0, [(505, f"Ongeldige XML-structuur: {unknown or 'te veel'}.")], [])
        if self.users.get(settings.findtext("userID", "")) != settings.findtext("userKey"):
            return _summary(0, 0, [(400, "Geen toegang: userKey hoort niet bij userID.")], [])
        errors, accepted = [], []
        for line, row in enumerate(rows, start=1):
            problem = self._check(row, line)
            if problem:
                errors.append((100, problem))
                continue
            person, course = row.findtext("externalPersonID", ""), row.findtext("PECourseID", "")
            with self.lock:
                self.booked.append((person, course))
            accepted.append((person, course, row.findtext("endDate", "")))
        return _summary(len(accepted), len(errors), errors, accepted)

    def _check(self, row: ET.Element, line: int) -> str:
        person = row.findtext("externalPersonID", "").strip()
        course = row.findtext("PECourseID", "").strip()
        end = row.findtext("endDate", "").strip()
        if not end:
            return f"Geen einddatum op regel {line}; verplicht voor e-learning."
        if not person:
            return f"Geen beroepsbeoefenaar opgegeven op regel {line}."
        if person not in self.people:
            return f"Beroepsbeoefenaar {person} op regel {line} bestaat niet in PE."
        if course not in self.courses:
            return f"Cursus {course} op regel {line} bestaat niet in PE."
        first, last = self.courses[course]
        day = dt.datetime.fromisoformat(end).date()
        if not first <= day <= last:
            return f"De datum op regel {line} valt buiten elke accreditatieperiode."
        return ""


def _summary(accepted_rows, rejected_rows, errors, accepted) -> str:
    parts = [
        "<Summary><Results>",
        f"<rejected_rows>{rejected_rows}</rejected_rows>",
        f"<accepted_rows>{accepted_rows}</accepted_rows>",
        f"<total_rows>{accepted_rows + rejected_rows}</total_rows></Results>",
    ]
    for number, message in errors:
        parts.append(f"<Error><errorNR>{number}</errorNR><errorMsg>{message}</errorMsg></Error>")
    for person, course, date in accepted:
        parts.append(
            f"<Accepted><person>{person}</person><course>{course}</course>"
            f"<date>{date}</date></Accepted>"
        )
    parts.append("</Summary>")
    return "".join(parts)


def serve(service: PEOnline) -> tuple[ThreadingHTTPServer, str]:
    """Start the double on a free loopback port; returns the server and its base address."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", 0))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            with service.lock:
                service.calls += 1
            if service.delay:
                time.sleep(service.delay)
            if self.path.rstrip("/").endswith("/ProcessXML") is False:
                self.send_error(404)
                return
            if service.http_status != 200:
                self.send_error(service.http_status)
                return
            body = service.answer(form.get("sXML", [""])[0]).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped waiting (a test of PE_ONLINE_TIMEOUT)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # Poll for shutdown every 10 ms, not http.server's 0.5 s: each test stops its server.
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}/pe-services/WriteAttendance.asmx"
