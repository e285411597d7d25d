"""Where delivery hands a message over: one SMTP session per batch, or the outbox folder.

Delivery (``customer_plans.deliver``) builds each message and keeps the ledger; a transport
only moves bytes and says how the handover ended, in three kinds of outcome:

- it returns: the server accepted the message (250 after DATA), or the file is written;
- ``PermanentRefusal``: the server refused this recipient or this message for good (5xx);
  delivery records it and goes on with the next message;
- ``TransientFailure``: the connection failed, the server answered 4xx or went away;
  ``maybe_accepted`` says whether the message may nonetheless have been accepted (the
  connection broke after the message's data was sent, before the server's answer was read);
- ``TransportConfigError``: nothing can be sent with this configuration (the sender or the
  login refused, a malformed setting): no point trying the next message.

Nothing here logs or raises text with an address in it: server replies are reduced to their
codes, and what a message is about is the caller's business.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from customer_plans.files import write_bytes_atomic

SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 60.0


class DeliveryError(RuntimeError):
    """Base of the transport outcomes other than success."""


class TransportConfigError(DeliveryError):
    """The transport cannot send anything as configured."""


class PermanentRefusal(DeliveryError):
    """The server refused this message or recipient for good."""

    def __init__(self, code: int, stage: str, status: str = "") -> None:
        self.code = code
        self.stage = stage
        self.status = status
        super().__init__(f"refused with {code}{' ' + status if status else ''} at {stage}")


class TransientFailure(DeliveryError):
    """A failure worth retrying: connection, 4xx, server gone."""

    def __init__(self, detail: str, stage: str, maybe_accepted: bool = False) -> None:
        self.detail = detail
        self.stage = stage
        self.maybe_accepted = maybe_accepted
        super().__init__(f"{detail} at {stage}")


@dataclass(frozen=True)
class Envelope:
    """One message as handed over: who from, one recipient, the bytes, its outbox file."""

    sender: str
    recipient: str
    data: bytes
    outbox_name: str  # relative path under the outbox folder


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the bank's mail relay."""

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    sender: str | None = None  # the From address, when the relay's configuration names one

    def describe(self) -> str:
        """Where mail goes, for logs and errors (never the password)."""
        return f"{self.host}:{self.port} ({self.security})"

    @classmethod
    def build(
        cls, host: object, port: object, security: str, username: object = None,
        password: object = None, timeout: object = None, sender: object = None,
        source: str = "the SMTP settings",
    ) -> SmtpSettings:
        """Checked settings, or a ``TransportConfigError`` saying what is wrong in ``source``."""
        host_text = str(host or "").strip()
        if not host_text or any(ch.isspace() for ch in host_text):
            raise TransportConfigError(f"{source}: the mail server's host is missing or invalid")
        if security not in SECURITIES:
            raise TransportConfigError(
                f"{source}: security {security!r} is not one of {', '.join(SECURITIES)}")
        if port in (None, ""):
            port_number = DEFAULT_PORTS[security]
        else:
            try:
                port_number = int(str(port).strip())
            except ValueError:
                raise TransportConfigError(f"{source}: port {port!r} is not a number") from None
            if not 0 < port_number < 65536:
                raise TransportConfigError(f"{source}: port {port_number} is out of range")
        try:
            seconds = float(timeout) if timeout not in (None, "") else DEFAULT_TIMEOUT
        except (TypeError, ValueError):
            raise TransportConfigError(f"{source}: timeout {timeout!r} is not a number") from None
        return cls(host_text, port_number, security, str(username) if username else None,
                   str(password) if password else None, seconds,
                   str(sender).strip() if sender else None)

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """``smtp://[user:password@]host[:port][?security=starttls|ssl|none]``; ``smtps://``
        means SSL. Used by the command line (``CUSTOMER_PLANS_SMTP_URL``)."""
        source = "CUSTOMER_PLANS_SMTP_URL"
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise TransportConfigError(f"{source} cannot be parsed: {exc}") from None
        if parts.scheme not in ("smtp", "smtps"):
            raise TransportConfigError(f"{source} must start with smtp:// or smtps://")
        query = parse_qs(parts.query)
        security = query.get("security", ["ssl" if parts.scheme == "smtps" else "starttls"])[0]
        return cls.build(
            parts.hostname, port, security,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password else None,
            query.get("timeout", [None])[0], query.get("from", [None])[0], source,
        )


def _status(reply: bytes | str | None) -> str:
    """The enhanced status code (``5.1.1``) of a server reply, without the reply's text: the
    text often repeats the recipient's address."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply or "")
    found = re.match(r"\s*([245]\.\d{1,3}\.\d{1,3})", text)
    return found.group(1) if found else ""


class SmtpTransport:
    """One SMTP session reused for every message of a batch; reconnects after a failure.

    Use as a context manager (the session is closed on exit). Each message is sent with
    MAIL, RCPT and DATA step by step, so a failure says how far it got: only a break after
    the data went out leaves the message possibly accepted.
    """

    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._session: smtplib.SMTP | None = None
        self.connections = 0

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        try:
            session.quit()
        except (smtplib.SMTPException, OSError):
            session.close()

    def _abandon(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "ssl":
                session: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                session = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            session.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                session.starttls(context=ssl.create_default_context())
                session.ehlo()
            if s.username:
                session.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportConfigError(
                f"the mail server {s.describe()} refused the login ({exc.smtp_code})") from None
        except smtplib.SMTPNotSupportedError:
            raise TransportConfigError(
                f"the mail server {s.describe()} does not offer what the settings ask "
                "(STARTTLS or AUTH)") from None
        except ssl.SSLError as exc:
            raise TransportConfigError(
                f"TLS with the mail server {s.describe()} failed: {exc.reason}") from None
        except smtplib.SMTPResponseException as exc:
            raise TransientFailure(f"the mail server answered {exc.smtp_code} on connect",
                                   "connect") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientFailure(
                f"cannot reach the mail server {s.describe()}: {_os_reason(exc)}",
                "connect") from None
        self.connections += 1
        return session

    def send(self, envelope: Envelope) -> None:
        if self._session is None:
            self._session = self._connect()
        session = self._session
        stage = "MAIL FROM"
        try:
            code, reply = session.mail(envelope.sender)
            if code != 250:
                self._refused_sender(code, reply)
            stage = "RCPT TO"
            code, reply = session.rcpt(envelope.recipient)
            if code not in (250, 251):
                session.rset()
                raise self._refusal(code, reply, stage)
            stage = "DATA"
            code, reply = session.data(envelope.data)
            if code != 250:
                raise self._refusal(code, reply, stage)
        except (PermanentRefusal, TransientFailure, TransportConfigError):
            raise
        except smtplib.SMTPDataError as exc:
            self._reset_after_refusal()
            raise self._refusal(exc.smtp_code, exc.smtp_error, stage) from None
        except smtplib.SMTPResponseException as exc:
            self._abandon()
            raise self._refusal(exc.smtp_code, exc.smtp_error, stage) from None
        except (smtplib.SMTPException, OSError) as exc:
            # the data may have reached the server and been accepted before the connection
            # broke: only the server's 250 proves it, and it was never read
            self._abandon()
            raise TransientFailure(f"the connection failed ({_os_reason(exc)})", stage,
                                   maybe_accepted=stage == "DATA") from None

    def _reset_after_refusal(self) -> None:
        try:
            if self._session is not None:
                self._session.rset()
        except (smtplib.SMTPException, OSError):
            self._abandon()

    def _refused_sender(self, code: int, reply: bytes) -> None:
        if 400 <= code < 500:
            raise TransientFailure(f"the mail server deferred the sender ({code})", "MAIL FROM")
        self._abandon()
        raise TransportConfigError(
            f"the mail server {self.settings.describe()} refused the sender address "
            f"({code} {_status(reply)}): set CUSTOMER_PLANS_MAIL_FROM to an address it accepts")

    def _refusal(self, code: int, reply: bytes | str, stage: str) -> DeliveryError:
        if 500 <= code < 600:
            return PermanentRefusal(code, stage, _status(reply))
        if code in (421,):
            self._abandon()
        return TransientFailure(f"the mail server answered {code} {_status(reply)}".strip(),
                                stage)


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


class OutboxTransport:
    """Messages written as ``.eml`` files under the outbox folder (the embedded default)."""

    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.connections = 0

    def __enter__(self) -> OutboxTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None

    def send(self, envelope: Envelope) -> None:
        try:
            write_bytes_atomic(self.folder / envelope.outbox_name, envelope.data)
        except OSError as exc:
            raise TransientFailure(f"cannot write the outbox ({exc.strerror})", "write") from None
