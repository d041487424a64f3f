"""The applicant's own account page, without Flask: its sessions and the password change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.config import Settings
from core.models import Account, LoginSession
from core.passwords import hash_password, verify_password
from webapp import session_store as store


def active_sessions(session: Session, settings: Settings, account: Account) -> list[LoginSession]:
    """The account's portal sessions that are still alive (idle limit of the portal)."""
    return store.active(
        session, account.id, "applicant", account.session_version, settings.portal_session_idle
    )


def change_password(session: Session, account: Account, current: str, new: str) -> bool:
    """False when `current` is not the password. Else the new hash is stored and every
    session of the account ends (the version goes up; the caller logs this one in again)."""
    if not verify_password(account.password_hash, current):
        return False
    account.password_hash = hash_password(new)
    account.session_version = (account.session_version or 1) + 1
    session.commit()
    return True
