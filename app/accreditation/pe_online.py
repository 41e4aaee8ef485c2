"""PE-online's attendance web service (WriteAttendance.asmx, operation ProcessXML).

One call books at most 100 attendances for one orgID. The answer is a `<Summary>` with the
accepted rows and per-row errors (number 100, with the line of the attendance in the message);
400 (wrong key) and 505 (invalid XML) concern the whole call and are configuration errors.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_BATCH = 100
#: Errors that concern the call, not a row: nothing was booked and retrying will not help.
CONFIGURATION_ERRORS = {400, 505}
_LINE = re.compile(r"regel\s+(\d+)", re.IGNORECASE)


class ServiceError(Exception):
    """The service could not be reached or answered with a server error: try again later."""


class ConfigurationError(Exception):
    """PE-online refused the whole call (400 key, 505 structure): fix the settings first."""

    def __init__(self, number: int, message: str) -> None:
        super().__init__(f"PE-online-fout {number}: {message}")
        self.number = number
        self.message = message


@dataclass(frozen=True)
class Settings:
    url: str
    user_id: str
    user_key: str
    org_id: int = 19
    language_id: int = 1
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings | None:
        """The settings, or None when booking is not configured."""
        if not (config.get("PE_ONLINE_URL") and config.get("PE_ONLINE_USER_ID")):
            return None
        return cls(
            url=config["PE_ONLINE_URL"].rstrip("/"),
            user_id=config["PE_ONLINE_USER_ID"],
            user_key=config.get("PE_ONLINE_USER_KEY", ""),
            org_id=int(config.get("PE_ONLINE_ORG_ID", 19)),
            language_id=int(config.get("PE_ONLINE_LANGUAGE_ID", 1)),
            timeout=float(config.get("PE_ONLINE_TIMEOUT", 30)),
        )


@dataclass(frozen=True)
class Attendance:
    big_number: str
    course_id: str
    end: dt.datetime
    module_id: str = ""


@dataclass(frozen=True)
class RowError:
    number: int
    message: str
    #: 1-based position of the attendance in the call, when the message names it.
    line: int | None


@dataclass(frozen=True)
class Accepted:
    person: str
    course: str
    date: str


@dataclass
class Summary:
    accepted_rows: int = 0
    rejected_rows: int = 0
    total_rows: int = 0
    accepted: list[Accepted] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def request_xml(settings: Settings, attendances: Sequence[Attendance]) -> str:
    """The `sXML` document for one call."""
    if len(attendances) > MAX_BATCH:
        raise ValueError(f"at most {MAX_BATCH} attendances per call")
    entry = ET.Element("Entry")
    head = ET.SubElement(entry, "Settings")
    for name, value in (
        ("userID", settings.user_id),
        ("userRole", "EDU"),
        ("userKey", settings.user_key),
        ("orgID", str(settings.org_id)),
        ("settingOutput", "0"),
        ("emailOutput", ""),
        ("languageID", str(settings.language_id)),
        ("defaultLanguageID", str(settings.language_id)),
    ):
        ET.SubElement(head, name).text = value
    for attendance in attendances:
        row = ET.SubElement(entry, "Attendance")
        ET.SubElement(row, "PECourseID").text = attendance.course_id
        ET.SubElement(row, "externalPersonID").text = attendance.big_number
        if attendance.module_id:
            ET.SubElement(row, "externalmoduleID").text = attendance.module_id
        ET.SubElement(row, "endDate").text = attendance.end.isoformat(timespec="seconds")
    body = ET.tostring(entry, encoding="unicode")
    return '<?xml version="1.0" standalone="yes"?>\n' + body


def parse_summary(text: str) -> Summary:
    """Read PE-online's answer; raises ConfigurationError for 400/505, ServiceError if unreadable."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ServiceError(f"PE-online gaf geen leesbaar antwoord ({exc}).") from exc
    summary_node = root if root.tag == "Summary" else root.find(".//Summary")
    if summary_node is None:
        # The SOAP/HTTP binding may wrap the document in a <string> element.
        inner = (root.text or "").strip()
        if inner.startswith("<"):
            return parse_summary(inner)
        raise ServiceError("PE-online gaf geen <Summary> terug.")
    summary = Summary(
        accepted_rows=_int(summary_node.findtext("Results/accepted_rows")),
        rejected_rows=_int(summary_node.findtext("Results/rejected_rows")),
        total_rows=_int(summary_node.findtext("Results/total_rows")),
    )
    for node in summary_node.findall("Error"):
        number = _int(node.findtext("errorNR"))
        message = (node.findtext("errorMsg") or "").strip()
        if number in CONFIGURATION_ERRORS:
            raise ConfigurationError(number, message)
        match = _LINE.search(message)
        summary.errors.append(RowError(number, message, int(match.group(1)) if match else None))
    for node in summary_node.findall("Accepted"):
        summary.accepted.append(
            Accepted(
                person=(node.findtext("person") or "").strip(),
                course=(node.findtext("course") or "").strip(),
                date=(node.findtext("date") or "").strip(),
            )
        )
    return summary


def process(settings: Settings, attendances: Sequence[Attendance]) -> Summary:
    """Send one call and read the answer."""
    data = urllib.parse.urlencode({"sXML": request_xml(settings, attendances)}).encode()
    request = urllib.request.Request(
        f"{settings.url}/ProcessXML",
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:  # noqa: S310
            text = response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        raise ServiceError(f"PE-online antwoordde met HTTP {exc.code}.") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServiceError(f"PE-online is niet bereikbaar ({reason}).") from exc
    return parse_summary(text)


def _int(value: str | None) -> int:
    try:
        return int((value or "").strip())
    except ValueError:
        return 0
