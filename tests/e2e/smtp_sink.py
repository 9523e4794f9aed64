"""smtp_sink.py — a loopback SMTP server (Debian's python3-aiosmtpd) that keeps every message.

Owns: one listening socket on 127.0.0.1 and the list of received messages. Guarantees: it is
listening when start() returns (Thunderbird must find a server, or it raises a modal alert and
the send never resolves); messages are recorded with their envelope (MAIL FROM, RCPT TO) and
their parsed headers.
"""
import email
import socket
import email.policy
import threading

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append({
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "subject": str(msg.get("Subject", "")),
                "to": str(msg.get("To", "")),
                "cc": str(msg.get("Cc", "")),
                "raw": envelope.original_content or envelope.content,
            })
        return "250 OK"


def _free_port():
    # aiosmtpd's controller probes its port after starting, so it needs a real number, not 0.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()  # returns once the server answers a test connection
        return self.port

    def stop(self):
        self.controller.stop()

    def by_subject(self, subject):
        with self.lock:
            return [m for m in self.messages if m["subject"] == subject]
