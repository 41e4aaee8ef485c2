"""Cross-cutting web plumbing: extensions, proxies, security headers, error pages, filters."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, format_decimal, gettext, lazy_gettext
from flask_login import logout_user, user_logged_in
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

from . import clock
from .content import Course, get_catalog
from .dates import local_date, local_datetime
from .extensions import csrf, db, limiter, login_manager, migrate
from .i18n import DEFAULT_LANGUAGE, init_i18n
from .kept_pages import csrf_marker, marking
from .pool import ping_when_idle
from .session_user import MAX_ID, RememberingCookieSessions, user_of_session

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class IdConverter(IntegerConverter):
    """`<int:...>` that matches only values the database can hold, so 2**64 is a 404, not a 500."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _refuse_nul_bytes() -> None:
    """Refuse NUL characters in the address, query or form (400): PostgreSQL text cannot hold
    them, and no person types one; refusing them up front treats every database alike.

    Uploads (multipart) are left to their view, which limits their size before parsing them.
    """
    fields = [request.path]
    sources = [request.args]
    if request.mimetype == "application/x-www-form-urlencoded":
        sources.append(request.form)
    for source in sources:
        for key, values in source.lists():
            fields.append(key)
            fields.extend(values)
    if any("\x00" in value for value in fields):
        abort(400)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite: write-ahead log for concurrent readers, foreign keys enforced, wait on locks.

    secure_delete overwrites deleted content, so an erased account leaves no copy in free pages.
    """
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def init_extensions(app: Flask) -> None:
    """Bind the extensions and the request-wide behaviour to the app."""
    app.url_map.converters["int"] = IdConverter
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.session_interface = RememberingCookieSessions()
    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine)
    init_i18n(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _skip_limiter_where_unlimited(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Log in om deze pagina te bekijken.")
    # Flashed messages go into the session cookie: flash the text, not the lazy string.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str) -> Any:
        return user_of_session(session_id)

    user_logged_in.connect(_start_session_clock, app)
    app.before_request(_end_stale_session)

    from .mail import init_development_delivery

    init_development_delivery(app)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.globals["url_for"] = _remembering_url_for(app)
    app.jinja_env.globals["csrf_token"] = _csrf_token_signed_once(app)
    # Flask-WTF also hands its `csrf_token` to every template through a context processor,
    # which would override the global; its global `csrf_meta_tag` stays.
    processors = app.template_context_processors[None]
    processors[:] = [p for p in processors if getattr(p, "__module__", "") != "flask_wtf.csrf"]


def unlimited(view: Callable[..., Any]) -> Callable[..., Any]:
    """No rate limit on this view (`limiter.exempt`), and none of the limiter's work per request:
    Flask-Limiter resolves the limits of every request, exempt or not, and tidies up after it.
    For reads a signed-in page makes often, such as a lesson."""
    view._signaal_unlimited = True  # type: ignore[attr-defined]  # copied by functools.wraps
    return limiter.exempt(view)


def _skip_limiter_where_unlimited(app: Flask) -> None:
    """Run the limiter's request hooks (bound by `limiter.init_app`) except for `unlimited` views."""
    endpoints: set[str] = set()
    known: list[int] = [-1]  # the number of views when `endpoints` was last worked out

    def is_unlimited() -> bool:
        views = app.view_functions
        if known[0] != len(views):
            endpoints.clear()
            endpoints.update(e for e, f in views.items() if getattr(f, "_signaal_unlimited", 0))
            known[0] = len(views)
        return request.endpoint in endpoints

    def skipping(hook: Callable[..., Any]) -> Callable[..., Any]:
        def hook_unless_unlimited(*args: Any) -> Any:
            if is_unlimited():
                return args[0] if args else None  # an after_request hook hands on the response
            return hook(*args)

        return hook_unless_unlimited

    def is_limiter_hook(hook: Any) -> bool:
        return getattr(hook, "__self__", None) is limiter or limiter in getattr(hook, "args", ())

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        chain = hooks.get(None, [])
        chain[:] = [skipping(h) if is_limiter_hook(h) else h for h in chain]


#: Remembered addresses per app at most; beyond this the memory starts again.
URL_CACHE_SIZE = 4096


def _remembering_url_for(app: Flask) -> Callable[..., str]:
    """`url_for` for templates that remembers what it built: the layout alone asks for some
    fifteen fixed addresses per page, and a page's links repeat for every visitor.

    An address depends on the endpoint, its values and the request's script root (the app has
    no URL defaults or value preprocessors); external and anchored addresses, relative
    endpoints (`.name`) and calls outside a request are built every time.
    """
    build = app.url_for
    remembered: dict[tuple[Any, ...], str] = {}

    def url_for(endpoint: str, /, **values: Any) -> str:
        if endpoint[:1] == "." or not has_request_context() or any(k[:1] == "_" for k in values):
            return build(endpoint, **values)
        key = (request.script_root, endpoint, *values.items())
        try:
            return remembered[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (a list): build it
            return build(endpoint, **values)
        if len(remembered) >= URL_CACHE_SIZE:
            remembered.clear()
        address = remembered[key] = build(endpoint, **values)
        return address

    return url_for


#: Signed CSRF tokens remembered per app at most; beyond this the memory starts again.
CSRF_CACHE_SIZE = 10_000


def _csrf_token_signed_once(app: Flask) -> Callable[[], str]:
    """`csrf_token()` for templates that signs a session's token once per process, not on every
    page (itsdangerous: JSON, zlib, HMAC; a page with forms asks for it up to three times).

    Any signature of the session's token is accepted while WTF_CSRF_TIME_LIMIT is None (the
    setting here); with a time limit every request signs anew, as Flask-WTF does. Only a
    token Flask-WTF signs in this call is remembered, so it belongs to the session's token.
    """
    signed: dict[str, str] = {}

    def csrf_token() -> str:
        if marking():  # a page rendered for keeping: each request fills in its own token
            return csrf_marker()
        config = app.config
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        raw = session.get(field)
        if not isinstance(raw, str) or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
            return generate_csrf()
        token = signed.get(raw)
        if token is None:
            fresh = field not in g
            token = generate_csrf()
            if fresh:
                if len(signed) >= CSRF_CACHE_SIZE:
                    signed.clear()
                signed[raw] = token
        return token

    return csrf_token


#: Signed CSRF tokens found valid, per app, remembered at most; beyond this it starts again.
CHECKED_TOKENS_MAX = 10_000


def posted_csrf_token_is_valid() -> bool:
    """Whether the posted form carries the session's CSRF token, as Flask-WTF checks it.

    A tab sends the same signed token with every save; while tokens do not expire
    (WTF_CSRF_TIME_LIMIT None) one found valid is remembered with the session token it carries,
    so checking it again is a look-up (it still has to match this session's token).
    """
    config = current_app.config
    if not config.get("WTF_CSRF_ENABLED", True):
        return True
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    sent = request.form.get(field)
    expected = session.get(field)
    if not sent or not isinstance(expected, str):
        return False
    forever = config.get("WTF_CSRF_TIME_LIMIT", 3600) is None
    checked: dict[str, str] = current_app.extensions.setdefault("signaal_csrf_checked", {})
    known = checked.get(sent) if forever else None
    if known is not None:
        return hmac.compare_digest(known, expected)
    try:
        validate_csrf(sent)
    except ValidationError:
        return False
    if forever:
        if len(checked) >= CHECKED_TOKENS_MAX:
            checked.clear()
        checked[sent] = expected
    return True


def file_size(size: int) -> str:
    """2 MB, 1,5 MB (1.5 MB in English) or 500 kB: how a limit is stated to users."""
    if size >= 1024 * 1024:
        return format_decimal(round(size / (1024 * 1024), 1), format="#,##0.#") + " MB"
    return format_decimal(size // 1024, format="#,##0") + " kB"


def _start_session_clock(app: Flask, user: Any) -> None:
    session["signed_in_at"] = session["seen_at"] = clock.now().timestamp()


#: Seconds between refreshes of a session's `seen_at`: a request that moves it rewrites and
#: re-signs the cookie, so reading several pages a minute would do that on every request.
#: The idle limit (minutes) is then met up to this much early.
SEEN_AT_STEP = 60


def _end_stale_session() -> None:
    """Sign out a session idle for too long or older than its lifetime (shared computers)."""
    if "_user_id" not in session:
        return
    now = clock.now().timestamp()
    if "signed_in_at" not in session:  # signed in before these clocks existed: start them now
        session["signed_in_at"] = session["seen_at"] = now
        return
    signed_in_at, seen_at = session["signed_in_at"], session.get("seen_at", now)
    config = current_app.config
    if (
        now - seen_at > config["SESSION_IDLE_MINUTES"] * 60
        or now - signed_in_at > config["SESSION_LIFETIME_HOURS"] * 3600
    ):
        logout_user()
        session.clear()
        flash(gettext("Je sessie is verlopen. Log opnieuw in om verder te gaan."), "info")
        return
    if now - seen_at >= SEEN_AT_STEP:
        session["seen_at"] = now


#: Headers every response gets unless its view set its own (name, lower-case name, value).
_SECURITY_HEADERS = tuple(
    (name, name.lower(), value)
    for name, value in (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    )
)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    # The header names read once: Werkzeug's `setdefault` and `get` raise and catch an
    # exception (a BadRequestKeyError) for every header a response does not have yet.
    present: dict[str, str] = {}
    for name, value in headers.items():
        present.setdefault(name.lower(), value)  # the first of a name, as `get` reads it
    for name, lower, value in _SECURITY_HEADERS:
        if lower not in present:
            headers.add(name, value)
    if request.is_secure and "strict-transport-security" not in present:
        headers.add("Strict-Transport-Security", "max-age=31536000")
    stored = present.get("cache-control", "")
    # A view that revalidates on purpose (`no-cache`: the live session's version poll, which
    # holds no personal data) keeps its header.
    chosen = "no-store" in stored or "no-cache" in stored
    if "_user_id" in session and request.endpoint != "static" and not chosen:
        # Pages for a signed-in person show their data or answers: no copy on a shared computer.
        headers["Cache-Control"] = "no-store"
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def course_or_404(course_slug: str) -> Course:
    """The catalog's course with this slug; an unknown slug is a 404."""
    course = get_catalog().course(course_slug)
    if course is None:
        abort(404)
    return course


def public_url(endpoint: str, **values: Any) -> str:
    """The address of a page on the public site (PUBLIC_BASE_URL, never the request's host), for
    links that leave the request: in e-mails, or to share with others."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


#: Each error status's title and explanation, in the interface's language.
#: Pages beyond this are empty anyway; a bigger number would overflow the query's OFFSET.
MAX_PAGE = 100_000

T = TypeVar("T")


def page_number(args: Mapping[str, str]) -> int:
    """The page asked for in the query string (`pagina`), at least 1."""
    try:
        asked = int(args.get("pagina", "1"))
    except ValueError:
        asked = 1
    return min(max(asked, 1), MAX_PAGE)


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a longer list."""

    rows: list[T]
    #: The page shown (1-based): the one asked for, or the last one when fewer pages exist.
    page: int
    has_next: bool
    #: How many pages there are, when the caller counted the rows.
    pages: int | None = None


def paged(
    fetch: Callable[[int, int], Iterable[T]], page: int, size: int, total: int | None = None
) -> Paged[T]:
    """Read page `page` of `size` rows with `fetch(limit, offset)`.

    With the `total` counted, a page past the end shows the last one; without it, one row more
    is read to know whether a next page exists.
    """
    if total is not None:
        pages = max((total - 1) // size + 1, 1)
        page = min(page, pages)
        return Paged(list(fetch(size, (page - 1) * size)), page, page < pages, pages)
    rows = list(fetch(size + 1, (page - 1) * size))
    return Paged(rows[:size], page, len(rows) > size)


ERROR_MESSAGES = {
    400: (
        lazy_gettext("Ongeldig verzoek"),
        lazy_gettext("Het formulier was verlopen of onvolledig. Ga terug en probeer het opnieuw."),
    ),
    403: (
        lazy_gettext("Geen toegang"),
        lazy_gettext(
            "Je hebt geen toegang tot deze pagina. Denk je dat dit niet klopt, neem dan contact "
            "op met je opleider."
        ),
    ),
    404: (
        lazy_gettext("Pagina niet gevonden"),
        lazy_gettext(
            "Deze pagina bestaat niet (meer). Controleer het adres of ga naar de startpagina."
        ),
    ),
    405: (
        lazy_gettext("Niet toegestaan"),
        lazy_gettext(
            "Deze actie kan zo niet worden uitgevoerd. Ga terug en probeer het via de knoppen op "
            "de pagina."
        ),
    ),
    413: (
        lazy_gettext("Bestand te groot"),
        lazy_gettext("Het bestand is te groot. Kies een kleiner bestand."),
    ),
    429: (
        lazy_gettext("Even geduld"),
        lazy_gettext(
            "Te veel pogingen in korte tijd. Wacht een paar minuten en probeer het dan opnieuw."
        ),
    ),
    500: (
        lazy_gettext("Er ging iets mis"),
        lazy_gettext(
            "Er ging aan onze kant iets mis. Je gegevens zijn niet verloren; probeer het over een "
            "minuut opnieuw."
        ),
    ),
    503: (
        lazy_gettext("Tijdelijk niet beschikbaar"),
        lazy_gettext(
            "De dienst is even niet bereikbaar. Er is niets verloren gegaan; probeer het over een "
            "minuut opnieuw."
        ),
    ),
}


def error_response(status: int) -> tuple[Any, int]:
    if request.path.startswith("/api/"):
        # The public API's documented answers stay as they are, whatever the caller's language.
        with force_locale(DEFAULT_LANGUAGE):
            title, message = _error_text(status)
        return jsonify(error=title, message=message), status
    title, message = _error_text(status)
    back: tuple[str, str] | None = None
    if status == 413 and request.endpoint == "verify.upload":
        # The one upload: state its limit and lead back to the form.
        message = gettext(
            "Het bestand is te groot: je kunt een PDF tot %(limit)s laten controleren. "
            "Een certificaat is veel kleiner; kies het PDF-bestand van het certificaat.",
            limit=file_size(current_app.config["VERIFY_UPLOAD_MAX"]),
        )
        number = (request.view_args or {}).get("number", "")
        back = (
            url_for("verify.show", number=number) + "#bestand",
            gettext("Terug naar de controle"),
        )
    if wants_json():
        return jsonify(error=title, message=message), status
    return render_template(
        "error.html", status=status, title=title, message=message, back=back
    ), status


def _error_text(status: int) -> tuple[str, str]:
    """The title and explanation of an error status, in the current language."""
    title, message = ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])
    return str(title), str(message)


def init_error_pages(app: Flask) -> None:
    """Friendly pages (or JSON under /api/) for errors, and 503 when the database is down."""
    for status in ERROR_MESSAGES:
        if status in (500, 503):
            continue
        app.register_error_handler(status, lambda exc, status=status: error_response(status))

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError) -> tuple[Any, int]:
        db.session.rollback()
        app.logger.warning("database unavailable: %s", exc.orig)
        # The layout asks for current_user; loading it would hit the failing database again.
        if "_login_user" not in g:
            g._login_user = login_manager.anonymous_user()
        return error_response(503)

    @app.errorhandler(500)
    def internal_error(exc: Exception) -> tuple[Any, int]:
        db.session.rollback()
        return error_response(500)
