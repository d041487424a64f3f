"""/dev/mailbox: the mail catcher's messages in the browser, in development only."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage


def _send(port: int) -> None:
    msg = EmailMessage()
    msg["From"] = "AOS Portal <noreply@aos.test>"
    msg["To"] = "anna@obol-motor.hu"
    msg["Subject"] = "AOS-regisztrációjának megerősítése"
    msg.set_content("Szöveges rész")
    msg.add_alternative("<p>HTML rész <script>alert(1)</script></p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(msg)


def test_mailbox_lists_and_shows_both_parts(app_env, make_app, mailbox, smtp_server):
    app = make_app({**app_env, "AOS_ENV": "development", "MAILBOX_DIR": str(smtp_server.directory)})
    client = app.test_client()
    _send(mailbox.port)
    listing = client.get("/dev/mailbox").get_data(as_text=True)
    assert "AOS-regisztrációjának megerősítése" in listing
    [stored] = mailbox.messages()
    page = client.get(f"/dev/mailbox/{stored.id}").get_data(as_text=True)
    assert "Szöveges rész" in page and 'sandbox src="/dev/mailbox/' in page
    html = client.get(f"/dev/mailbox/{stored.id}/html")
    assert "HTML rész" in html.get_data(as_text=True)
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]  # no script runs
    assert client.get("/dev/mailbox/..%2Fetc").status_code == 404


def test_mailbox_does_not_exist_outside_development(client):
    assert client.get("/dev/mailbox").status_code == 404
