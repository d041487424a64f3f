"""The Flask extensions, created once and bound in create_app(). Mail is the worker's
(core/mail_app.py): the web app only stores messages in the outbox."""

from flask_babel import Babel
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
