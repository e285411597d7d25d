"""A real SMTP server for delivery tests (aiosmtpd on 127.0.0.1) whose behaviour a test sets:
refuse a recipient, defer one, drop the connection at a message, or hold at a step of the
dialogue until the test lets it go (to kill the sender at that point)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    recipient: str
    message: email.message.EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Behaviour:
    refuse: set[str] = field(default_factory=set)  # recipients answered 550 5.1.1
    defer: dict[str, int] = field(default_factory=dict)  # recipient -> times answered 451
    drop_at_data: set[int] = field(default_factory=set)  # n-th DATA (1-based): connection cut
    # step name ("MAIL", "RCPT", "DATA", "DATA-ACCEPTED") -> n-th time (1-based) to hold at
    hold: dict[str, int] = field(default_factory=dict)
    before_reply: Callable[[str], None] | None = None  # called at a held step, then it waits


class Handler:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.received: list[Received] = []
        self.counts: dict[str, int] = {}
        self.connections = 0
        self.held = threading.Event()  # the server is holding at a step
        self.release = threading.Event()  # the test lets it go on

    def _step(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1
        if self.behaviour.hold.get(name) == self.counts[name]:
            self.held.set()
            self.release.wait(60)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self._step("MAIL")
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._step("RCPT")
        if address in self.behaviour.refuse:
            return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
        if self.behaviour.defer.get(address, 0) > 0:
            self.behaviour.defer[address] -= 1
            return "451 4.3.0 <" + address + ">: Temporary lookup failure"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self._step("DATA")
        if self.counts["DATA"] in self.behaviour.drop_at_data:
            server.transport.close()
            return "421 4.4.2 gone"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        for recipient in envelope.rcpt_tos:
            self.received.append(Received(recipient, message))
        self._step("DATA-ACCEPTED")
        return "250 2.0.0 OK queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp(behaviour: Behaviour | None = None, port: int | None = None):
    """Yields ``(port, handler)``; ``handler.received`` lists what was accepted."""
    from aiosmtpd.controller import Controller

    handler = Handler(behaviour or Behaviour())
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        handler.release.set()
        controller.stop()
