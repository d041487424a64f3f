"""The worker's minimal Flask app: Flask-Mail needs one to send, nothing else of Flask is
used (no blueprints, no requests). The web app does not send mail itself."""

from __future__ import annotations

from flask import Flask
from flask_mail import Mail, Message

from core.config import Settings


class MailApp:
    """Flask-Mail configured from the settings' MAIL_* keys."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = Flask(__name__)
        self.app.config.update(**settings.mail)
        # Flask-Mail would silently drop mail under TESTING; tests talk to a real SMTP server.
        self.app.config["MAIL_SUPPRESS_SEND"] = False
        self._mail = Mail(self.app)

    @property
    def sender(self) -> str:
        return str(self.settings.mail["MAIL_DEFAULT_SENDER"])

    def send(self, message: Message) -> None:
        with self.app.app_context():
            self._mail.send(message)
