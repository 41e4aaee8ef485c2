"""Signaal: e-learning for GPs on recognising human trafficking and acting on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: config, extensions, catalog, blueprints, CLI, error pages."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from .config import load_config

    app.config.update(load_config(Path(app.instance_path), test_config))

    from . import web

    web.init_extensions(app)

    from .content import init_catalog

    init_catalog(app)

    from .accounts.views import bp as accounts_bp
    from .accreditation.views import bp as accreditation_bp
    from .admin.views import bp as admin_bp
    from .boosters.views import bp as boosters_bp
    from .certificates.views import bp as certificates_bp
    from .groups.views import bp as groups_bp
    from .learning.views import bp as learning_bp
    from .live.views import bp as live_bp
    from .quizzes.views import bp as quizzes_bp
    from .trainer.views import bp as trainer_bp
    from .verify.views import bp as verify_bp
    from .watnu.views import bp as watnu_bp

    for blueprint in (
        accounts_bp,
        learning_bp,
        quizzes_bp,
        certificates_bp,
        trainer_bp,
        groups_bp,
        live_bp,
        admin_bp,
        accreditation_bp,
        verify_bp,
        watnu_bp,
        boosters_bp,
    ):
        app.register_blueprint(blueprint)

    from .cli import register_cli

    register_cli(app)
    web.init_error_pages(app)
    return app
