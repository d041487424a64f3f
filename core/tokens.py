"""Secret links: signed, opaque tokens carrying the registration id.

Nothing is stored for them; the workflow, not the token, decides whether the 48 hours
have passed."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

_CONFIRM = "aos-confirm-email"
_STATUS = "aos-registration-status"


def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=salt)


def confirmation_token(secret: str, registration_id: str) -> str:
    return _serializer(secret, _CONFIRM).dumps(registration_id)


def status_token(secret: str, registration_id: str) -> str:
    return _serializer(secret, _STATUS).dumps(registration_id)


def _load(secret: str, salt: str, token: str) -> str | None:
    try:
        value = _serializer(secret, salt).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def registration_from_confirmation(secret: str, token: str) -> str | None:
    return _load(secret, _CONFIRM, token)


def registration_from_status(secret: str, token: str) -> str | None:
    return _load(secret, _STATUS, token)
