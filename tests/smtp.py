"""A real SMTP server (aiosmtpd) for tests, which can be told to refuse messages, or to hold a
client after accepting one."""

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class RecordingHandler:
    messages: list[EmailMessage] = field(default_factory=list)
    # SMTP replies to give to the next DATA commands instead of accepting, e.g. "451 Try later".
    refusals: list[str] = field(default_factory=list)
    # How many of the next sessions are held at QUIT, after their message was accepted: the
    # client is stuck between the server's "250 accepted" and the end of the session, i.e.
    # before it can record that the message went out. `held` is set then; `released` lets go.
    quit_holds: int = 0
    held: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            return self.refusals.pop(0)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    async def handle_QUIT(self, server, session, envelope):
        if self.quit_holds:
            self.quit_holds -= 1
            self.held.set()
            # Waits without blocking the event loop, which goes on serving other clients; at
            # most a minute, should a test forget to let go.
            for _ in range(1200):
                if self.released.is_set():
                    break
                await asyncio.sleep(0.05)
        return "221 Bye"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def refuse_next(self, *replies: str) -> None:
        self.handler.refusals.extend(replies)

    def hold_next_session_after_accepting(self) -> None:
        self.handler.quit_holds += 1

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.handler.released.set()
        self.controller.stop()
