"""Outgoing mail: SMTP (aiosmtplib) when a host is configured, an outbox folder otherwise.

The outbox writes each message as an .eml file (openable by any mail client, readable by the
service's account alone) and logs where, so someone running Veza on their own machine can
follow a verification or reset link without a mail server. Text is sent 7bit (8bit when it
is not ASCII), never quoted-printable, so a link stays whole on its line for copy and grep.
In production without SMTP nothing is written: the log says the mail could not be delivered,
never its content. Callers send after their transaction has committed (``after_commit``), so
a rolled-back request never mails anyone.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import structlog
from fastapi import FastAPI

from veza.config import Settings, SmtpSettings
from veza.kit import private_files
from veza.kit.lazy import LazyModule

if TYPE_CHECKING:
    import aiosmtplib
else:
    aiosmtplib = LazyModule("aiosmtplib")  # with an SMTP host, on the first mail sent

log = structlog.get_logger("veza.mail")


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


def build_message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message.set_content(mail.text, cte=_transfer_encoding(mail.text))
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", cte=_transfer_encoding(mail.html))
    return message


def _transfer_encoding(text: str) -> str:
    """Lines as written (quoted-printable would cut a long link with soft line breaks)."""
    return "7bit" if text.isascii() else "8bit"


def _domain_of(address: str) -> str:
    match = re.search(r"@([^>\s]+)", address)
    return match.group(1) if match else "localhost"


class SmtpMailer:
    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    async def send(self, mail: Mail) -> None:
        smtp = self.settings
        await aiosmtplib.send(
            build_message(mail, smtp.from_address),
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username or None,
            password=smtp.password.get_secret_value() or None,
            use_tls=smtp.use_tls,
            start_tls=smtp.starttls and not smtp.use_tls,
            timeout=smtp.timeout_seconds,
        )
        log.info("mail_sent", to=mail.to, subject=mail.subject, transport="smtp")


class OutboxMailer:
    """Writes each message to ``directory`` as ``<timestamp>-<id>.eml``."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        message = build_message(mail, self.sender)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        await asyncio.to_thread(self._write, path, message.as_bytes())
        log.info("mail_written", to=mail.to, subject=mail.subject, path=str(path))

    def _write(self, path: Path, data: bytes) -> None:
        # Mails carry sign-in secrets: the service's account alone reads them.
        private_files.make_dirs(self.directory)
        private_files.create_file(path, data)


class UndeliverableMailer:
    """Production without SMTP: a mail is only reported as undelivered (a folder of sign-in
    links on a server is a liability, not a delivery)."""

    async def send(self, mail: Mail) -> None:
        reason = "no SMTP server configured (VEZA_SMTP__HOST)"
        log.error("mail_not_delivered", to=mail.to, subject=mail.subject, reason=reason)


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.smtp.host:
        return SmtpMailer(settings.smtp)
    if settings.env == "production":
        return UndeliverableMailer()
    return OutboxMailer(settings.mail_dir, settings.smtp.from_address)


def get_mailer(app: FastAPI) -> Mailer:
    """The application's mailer, made on first use from its settings."""
    mailer: Mailer | None = getattr(app.state, "mailer", None)
    if mailer is None:
        mailer = mailer_from_settings(app.state.settings)
        app.state.mailer = mailer
    return mailer
