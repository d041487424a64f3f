"""AOS Portal web app. `flask --app webapp run` finds create_app() here."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request, session

from core import ast_threads, production
from core.config import Settings
from core.db import make_engine, make_session_factory
from core.names import person_name
from webapp import metrics, security
from webapp.extensions import babel, csrf
from webapp.i18n import current_language, select_locale
from webapp.temporal_bridge import TemporalBridge


def create_app(settings: Settings | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """The app. Without settings (flask command, gunicorn, worker) they come from the
    environment, and production refuses unsafe ones with one line and exit status 2."""
    ast_threads.install()  # werkzeug builds ASTs for the routes, maybe beside other threads
    if settings is None:
        settings = production.startup_settings("aos-web")
    else:
        production.check(settings)
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_base_url.startswith("https://"),
        # Over HTTPS the __Host- prefix: the browser keeps it only for this exact host, path
        # "/" and Secure, so a sibling subdomain cannot plant or overwrite it.
        SESSION_COOKIE_NAME=(
            "__Host-session" if settings.public_base_url.startswith("https://") else "session"
        ),
        PREFERRED_URL_SCHEME="https" if settings.public_base_url.startswith("https://") else "http",
        BABEL_DEFAULT_LOCALE="hu",
        BABEL_DEFAULT_TIMEZONE="Europe/Budapest",
        WTF_CSRF_TIME_LIMIT=None,  # the session, not the clock, bounds a form's life
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    if overrides:
        app.config.update(overrides)

    engine = make_engine(settings.database_url)
    app.extensions["aos_engine"] = engine
    app.extensions["aos_sessions"] = make_session_factory(engine)
    app.extensions["aos_temporal"] = TemporalBridge(
        settings.temporal_address, settings.temporal_namespace, settings.temporal_task_queue
    )

    security.init_app(app, behind_proxy=settings.behind_proxy)
    metrics.init_app(app, token=settings.metrics_token, enabled=settings.metrics_enabled)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)

    from webapp import cli
    from webapp.accessibility import bp as accessibility_bp
    from webapp.admin.views import bp as admin_bp
    from webapp.auth.reauth import bp as reauth_bp
    from webapp.auth.reset import bp as password_bp
    from webapp.auth.two_step import bp as two_step_bp
    from webapp.auth.views import bp as auth_bp
    from webapp.health import bp as health_bp
    from webapp.portal.views import bp as portal_bp
    from webapp.pricing.views import bp as pricing_bp
    from webapp.privacy.views import bp as privacy_bp
    from webapp.registration.views import bp as registration_bp
    from webapp.registration.wizard import bp as wizard_bp
    from webapp.support.console import bp as support_console_bp
    from webapp.support.views import bp as support_bp

    app.register_blueprint(registration_bp)
    app.register_blueprint(wizard_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(two_step_bp)
    app.register_blueprint(reauth_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(password_bp)
    app.register_blueprint(pricing_bp)
    app.register_blueprint(support_bp)
    app.register_blueprint(support_console_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(accessibility_bp)
    app.register_blueprint(privacy_bp)
    if settings.is_development:
        from webapp.dev.views import bp as dev_bp

        app.register_blueprint(dev_bp)
    cli.register(app)

    @app.teardown_appcontext
    def _close_db_session(_exc: BaseException | None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    @app.before_request
    def _remember_language() -> None:
        lang = request.args.get("lang")
        if lang in ("hu", "en"):
            session["lang"] = lang

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        language = current_language()
        return {
            "current_lang": language,
            "settings": settings,
            # A person's name in the page's order: „Dr. Kovács János” / „Dr János Kovács”.
            "person_name": lambda title, given, family: person_name(title, given, family, language),
        }

    return app
