"""kit.mail: SMTP delivery against a real server, and the .eml outbox used without one."""

from __future__ import annotations

import email
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult

from tests.smtp_server import smtp_server
from veza.config import LogSettings, Settings, SmtpSettings
from veza.kit.logging import configure_logging
from veza.kit.mail import Mail, OutboxMailer, SmtpMailer, UndeliverableMailer, mailer_from_settings

LINK = "https://app.example.com/verify-email?token=" + "T0k3n_-" * 12  # past 78 characters
MAIL = Mail(
    to="listener@example.com",
    subject="Confirm your email address",
    text=f"Open this link:\n\n{LINK}\n",
    html=f"<p>Open <a href='{LINK}'>this</a></p>",
)


async def test_smtp_mailer_delivers_to_a_real_smtp_server() -> None:
    with smtp_server() as (inbox, port):
        smtp = SmtpSettings(
            host="127.0.0.1", port=port, starttls=False, from_address="Veza <no-reply@veza.test>"
        )
        await SmtpMailer(smtp).send(MAIL)
    assert len(inbox.envelopes) == 1
    sender, recipients, message = inbox.envelopes[0]
    assert sender == "no-reply@veza.test" and recipients == ["listener@example.com"]
    assert message["Subject"] == "Confirm your email address"
    assert message["Message-ID"] and message["Date"]
    plain = message.get_payload()[0].get_payload(decode=True).decode()  # type: ignore[index,union-attr]
    assert LINK in plain.splitlines()


async def test_smtp_mailer_authenticates_when_credentials_are_set() -> None:
    # aiosmtpd only offers AUTH over TLS unless told otherwise.
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(*args: Any) -> AuthResult:
        auth_data = args[-1]  # (server, session, envelope, mechanism, auth_data)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    with smtp_server(authenticator=authenticator, auth_require_tls=False) as (inbox, port):
        smtp = SmtpSettings(
            host="127.0.0.1", port=port, starttls=False, username="veza", password="s3cret"
        )
        await SmtpMailer(smtp).send(MAIL)
    assert logins == [(b"veza", b"s3cret")]
    assert len(inbox.envelopes) == 1


async def test_smtp_failure_raises_for_the_caller_to_log() -> None:
    with smtp_server() as (_, port):
        pass  # stopped: nothing listens on the port any more
    smtp = SmtpSettings(host="127.0.0.1", port=port, starttls=False, timeout_seconds=2)
    with pytest.raises(Exception):  # noqa: B017 -- aiosmtplib's connection error
        await SmtpMailer(smtp).send(MAIL)


@pytest.fixture
def structured_logs() -> None:
    """The application's logging (configured before the test, so caplog sees its records)."""
    configure_logging(LogSettings(level="INFO"))


@pytest.mark.usefixtures("structured_logs")
async def test_outbox_mailer_writes_an_eml_file_and_logs_where_not_the_link(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="veza.mail")
    await OutboxMailer(tmp_path / "mail", "Veza <no-reply@localhost>").send(MAIL)
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    raw = files[0].read_bytes()
    message = email.message_from_bytes(raw)
    assert message["To"] == "listener@example.com"
    assert message["From"] == "Veza <no-reply@localhost>"
    # Both parts as written: the whole link on one line, for copy and grep.
    assert b"quoted-printable" not in raw
    assert LINK.encode() in raw.splitlines()
    assert str(files[0]) in caplog.text
    assert "T0k3n" not in caplog.text


@pytest.mark.usefixtures("structured_logs")
async def test_in_production_without_smtp_a_mail_is_reported_undelivered_never_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="veza.mail")
    mailer = mailer_from_settings(Settings(env="production", data_dir=tmp_path))
    assert isinstance(mailer, UndeliverableMailer)
    await mailer.send(MAIL)
    assert not (tmp_path / "mail").exists()
    lines = [record.msg for record in caplog.records if record.name == "veza.mail"]
    assert [line["event"] for line in lines if isinstance(line, dict)] == ["mail_not_delivered"]
    assert lines[0]["level"] == "error" and lines[0]["to"] == "listener@example.com"
    assert "T0k3n" not in caplog.text and "verify-email" not in caplog.text


def test_mailer_is_smtp_only_when_a_host_is_configured(tmp_path: Path) -> None:
    assert isinstance(mailer_from_settings(Settings(data_dir=tmp_path)), OutboxMailer)
    assert isinstance(mailer_from_settings(Settings(env="test", data_dir=tmp_path)), OutboxMailer)
    for env in ("development", "production"):
        configured = Settings(env=env, data_dir=tmp_path, smtp=SmtpSettings(host="mail.test"))
        assert isinstance(mailer_from_settings(configured), SmtpMailer)
