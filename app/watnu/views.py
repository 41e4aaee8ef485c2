"""`/wat-nu`: the aid page, its service worker (offline use) and its web app manifest.

The page is static for everyone; the GP's answers live only in the browser (wat-nu.js), so no
route here accepts anything.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, render_template, url_for

from ..content import Course, get_catalog
from ..web import CONTENT_SECURITY_POLICY

bp = Blueprint("watnu", __name__, url_prefix="/wat-nu")

#: The files the page needs; the service worker keeps them for offline use.
ASSETS = ("css/signaal.css", "js/signaal.js", "js/wat-nu.js")


def _aid_course() -> Course:
    course = get_catalog().aid_course
    if course is None:
        abort(404)
    return course


@bp.get("", strict_slashes=False)
def show() -> Any:
    """Show the aid: acute help, the five steps, the afwegingskader and the dossier note."""
    course = _aid_course()
    page = render_template("watnu/show.html", course=course, aid=course.aid, card=course.reference)
    response = Response(page)
    # The browser itself refuses any fetch from this page: answers cannot leave it by script.
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY + "; connect-src 'none'"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker that keeps the page and its assets for offline use."""
    course = _aid_course()
    urls = [url_for("watnu.show"), url_for("watnu.manifest")]
    urls += [url_for("static", filename=name) for name in ASSETS] + [url_for("learning.logo")]
    body = render_template(
        "watnu/sw.js", cache_name=f"wat-nu-{course.content_hash[:16]}", urls=json.dumps(urls)
    )
    response = Response(body, mimetype="text/javascript")
    # The worker lives under /wat-nu/ but must also control the page /wat-nu itself.
    response.headers["Service-Worker-Allowed"] = url_for("watnu.show")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest, so a GP can put the aid on a phone's home screen."""
    course = _aid_course()
    data = {
        "name": course.aid.title if course.aid else "Wat nu?",
        "short_name": "Wat nu?",
        "lang": "nl",
        "start_url": url_for("watnu.show"),
        "scope": url_for("watnu.show"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "icons": [{"src": url_for("learning.logo"), "sizes": "256x256", "type": "image/png"}],
    }
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/manifest+json")
