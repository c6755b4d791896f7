"""E-mail over SMTP (STARTTLS and login when configured). One connection per message."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from alerts.channels.base import DeliveryError
from stores.state.escalation import DeliveryRow


class EmailChannel:
    name = "email"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout_s: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_s = timeout_s

    def message(self, d: DeliveryRow) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = d.address
        msg["Subject"] = str(d.message.get("subject", "Anju"))
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(idstring=d.key.replace("/", "."), domain="anju.local")
        msg["X-Anju-Key"] = d.key
        msg["Content-Language"] = str(d.message.get("language", "zh-CN"))
        msg.set_content(str(d.message.get("text", "")), charset="utf-8")
        return msg

    def send(self, delivery: DeliveryRow) -> None:
        msg = self.message(delivery)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc}", retryable=False) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", retryable=exc.smtp_code < 500
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
