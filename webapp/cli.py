"""`flask --app webapp init-db`, `flask --app webapp create-admin EMAIL` and
`flask --app webapp end-sessions EMAIL…|--all` and
`flask --app webapp reset-two-step EMAIL --by OPERATOR`."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.db import create_schema
from core.models import Account, AuditEntry, RateLimitHit
from core.passwords import hash_password
from webapp.registrations_cli import registrations
from webapp.sessions import CONSOLE_ROLES

MIN_ADMIN_PASSWORD = 12


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_admin)
    app.cli.add_command(registrations)
    app.cli.add_command(end_sessions)
    app.cli.add_command(reset_two_step)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database schema (idempotent)."""
    create_schema(current_app.extensions["aos_engine"])
    click.echo("Database schema ready.")


@click.command("create-admin")
@with_appcontext
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(CONSOLE_ROLES),
    help="A console duty; repeat for both. Default: reviewer and support.",
)
@click.option(
    "--reset-totp",
    is_flag=True,
    help="Forget the authenticator (lost phone): the next login enrols a new one.",
)
@click.option(
    "--language",
    type=click.Choice(("hu", "en")),
    help="The language of this administrator's emails. Default for a new account: hu.",
)
def create_admin(
    email: str,
    password_stdin: bool,
    roles: tuple[str, ...],
    reset_totp: bool,
    language: str | None,
) -> None:
    """Create an administrator account, or reset its password if it exists."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_ADMIN_PASSWORD:
        raise click.ClickException(f"The password needs at least {MIN_ADMIN_PASSWORD} characters.")
    email = email.strip().lower()
    sessions = current_app.extensions["aos_sessions"]
    with sessions.begin() as session:
        account = session.scalars(select(Account).where(Account.email == email)).first()
        if account is None:
            account = Account(email=email, role="admin", language="hu")
            session.add(account)
            verb = "Created"
        elif account.role != "admin":
            raise click.ClickException(f"{email} is an applicant account, not an administrator.")
        else:
            account.session_version = (account.session_version or 1) + 1
            verb = "Updated"
        account.password_hash = hash_password(password)
        account.active = True
        account.roles = ",".join(sorted(set(roles or CONSOLE_ROLES)))
        if language:
            account.language = language
        if reset_totp:
            account.totp_secret = None
            account.totp_enrolled_at = None
            account.totp_last_step = None
            account.totp_failures = 0
            account.totp_failed_at = None
        if verb == "Updated":
            # The console's recovery path (SECURITY.md): audited, and the failed logins
            # strangers piled up on the address are forgotten.
            what = "password and authenticator" if reset_totp else "password"
            session.add(AuditEntry(actor="cli", action="admin.reset", detail=f"{email}: {what}"))
            _forget_failed_logins(session, email)
    click.echo(f"{verb} administrator {email} ({account.roles.replace(',', ', ')}).")
    written_in = "Hungarian" if account.language == "hu" else "English"
    click.echo(f"Emails to {email} are in {written_in}.")
    if reset_totp:
        click.echo("The authenticator was reset: the next console login enrols a new one.")


def _forget_failed_logins(session: Session, email: str) -> None:
    from webapp.auth.throttle import RULES
    from webapp.ratelimit import key_hash

    secret = current_app.config["SETTINGS"].secret_key
    buckets = [RULES[surface][0].bucket for surface in ("console", "totp")]
    session.execute(
        delete(RateLimitHit).where(
            RateLimitHit.bucket.in_(buckets), RateLimitHit.key_hash == key_hash(secret, email)
        )
    )


@click.command("end-sessions")
@with_appcontext
@click.argument("emails", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="End the sessions of every account.")
def end_sessions(emails: tuple[str, ...], everyone: bool) -> None:
    """Log accounts out everywhere at once (a stolen laptop, a suspected breach)."""
    from webapp.auth import store

    if not emails and not everyone:
        raise click.UsageError("Name the accounts' email addresses, or use --all.")
    sessions = current_app.extensions["aos_sessions"]
    with sessions() as session:
        query = select(Account)
        if not everyone:
            query = query.where(Account.email.in_([e.strip().lower() for e in emails]))
        accounts = session.scalars(query).all()
        if not everyone and len(accounts) != len(set(emails)):
            found = {a.email for a in accounts}
            missing = ", ".join(e for e in emails if e.strip().lower() not in found)
            raise click.ClickException(f"No account with: {missing}")
        ended = 0
        for account in accounts:
            account.session_version = (account.session_version or 1) + 1
            session.commit()
            ended += store.end_all(session, account.id)
    click.echo(f"Ended {ended} session(s) of {len(accounts)} account(s).")


@click.command("reset-two-step")
@with_appcontext
@click.argument("email")
@click.option("--by", "operator", required=True, help="Who resets it (written to the audit log).")
def reset_two_step(email: str, operator: str) -> None:
    """Turn off an applicant's two-step login (lost phone, no recovery code), after checking
    who asks: the console's "Reset two-step login", for operators (audited the same way)."""
    from webapp.auth.service import reset_two_step as reset

    email = email.strip().lower()
    with current_app.extensions["aos_sessions"]() as session:
        account = session.scalars(
            select(Account).where(Account.email == email, Account.role == "applicant")
        ).first()
        if account is None:
            raise click.ClickException(f"No applicant account with: {email}")
        reset(session, account, operator.strip())
    click.echo(f"Two-step login of {email} is off; its sessions have ended.")
