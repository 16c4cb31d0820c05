#!/usr/bin/env python3
"""A small SMTP sink for the test scripts: takes mail on 127.0.0.1 and records it.

Python 3.11 standard library only. Plain SMTP (no TLS, no AUTH), what reftrack sends
with `REFTRACK_SMTP_URL=smtp://127.0.0.1:PORT`:

    from smtp_sink import SmtpSink
    sink = SmtpSink(refuse_mail=0.04)           # a threaded server on a free port
    env = {"REFTRACK_SMTP_URL": sink.url, "REFTRACK_MAIL_FROM": "Rewards <r@x.example>"}
    ...
    arrivals = sink.arrivals()                  # the transactions it accepted
    sink.shutdown()

It answers the 220 greeting, EHLO/HELO (advertising 8BITMIME and SMTPUTF8, which
lettre needs for a body or an address that is not ASCII), MAIL, RCPT, DATA (read to the
lone `.` line, leading dots unstuffed), RSET, NOOP and QUIT, several transactions per
connection (lettre keeps a pool of connections). Each transaction that reaches the end
of its DATA becomes a `Mail`: envelope sender and recipients, the raw message, when it
arrived (wall clock and monotonic, taken before the final answer is written), the HELO
name of its connection (lettre sends the path of the SMTP URL as its HELO name, so
`smtp://127.0.0.1:PORT/a` tells one process's mail from another's) and, parsed with the
`email` package, the `Message-ID`, `Subject`, `To` and the text and HTML parts.

Refusals, to make a client retry: `refuse_mail` is the share of MAIL commands answered
`451` (counted in `refused_mail`; the message is never seen), `refuse_data` the share of
finished DATA transactions answered `451` after the whole message was read (recorded as
a `Mail` with `accepted=False`: the Message-ID of what was refused is known). Both
answers quote an address, as real servers do, so a client that logs answers shows
whether it blanks them. A refused transaction is not a delivery: the sender must try
again, and `arrivals()` lists accepted ones only.

Standalone, to look at what a local reftrack sends:
    python3 scripts/smtp_sink.py [--port 2525] [--refuse-mail 0.1]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import random
import socket
import socketserver
import threading
import time
from dataclasses import dataclass, field

MAX_LINE = 64 * 1024          # a command line, or one line of DATA (RFC 5321 says 1000)
MAX_MESSAGE = 10 * 1024 * 1024
IDLE_TIMEOUT_SECS = 300


@dataclass
class Mail:
    """One transaction that reached the end of its DATA."""

    seq: int                       # order of arrival in this sink, from 1
    conn: int                      # the connection it came on, from 1
    helo: str                      # the client's EHLO/HELO name on that connection
    mail_from: str                 # envelope sender, without the angle brackets
    rcpt_to: list[str]             # envelope recipients
    raw: bytes                     # the message as received, dots unstuffed, CRLF kept
    arrived: float                 # time.time() when its final `.` was read
    arrived_mono: float            # time.monotonic() at the same moment
    accepted: bool                 # answered 250 (False: answered 451)
    message_id: str | None = None
    subject: str | None = None
    to: str | None = None
    text: str | None = None
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    parse_error: str | None = None


@dataclass
class Refusal:
    """A MAIL command answered 451: an attempt whose message the sink never saw."""

    conn: int
    helo: str
    mail_from: str
    at: float


def parse(mail: Mail) -> None:
    """Fills the parsed fields of `mail` from its raw bytes."""
    try:
        msg = email.message_from_bytes(mail.raw, policy=email.policy.default)
        mail.headers = {k.lower(): str(v) for k, v in msg.items()}
        mail.message_id = mail.headers.get("message-id", "").strip() or None
        mail.subject = mail.headers.get("subject")
        mail.to = mail.headers.get("to")
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        # The parts as text with "\n" line ends (the wire has CRLF).
        mail.text = text.get_content().replace("\r\n", "\n") if text is not None else None
        mail.html = html.get_content().replace("\r\n", "\n") if html is not None else None
    except Exception as e:  # a malformed message is recorded, not fatal to the sink
        mail.parse_error = f"{type(e).__name__}: {e}"


def address_of(arg: str) -> str | None:
    """`<a@b> SIZE=1` → `a@b`; `<>` → ``; None when there are no angle brackets."""
    start, end = arg.find("<"), arg.find(">")
    if start < 0 or end < start:
        return None
    return arg[start + 1:end]


class SmtpSink:
    """A threaded SMTP server on 127.0.0.1 that records what it is sent."""

    def __init__(self, refuse_mail: float = 0.0, refuse_data: float = 0.0,
                 rng: random.Random | None = None, port: int = 0,
                 hostname: str = "sink.reftrack.test"):
        self.refuse_mail = refuse_mail
        self.refuse_data = refuse_data
        self.rng = rng or random.Random()
        self.hostname = hostname
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self._mails: list[Mail] = []
        self._refused_mail: list[Refusal] = []
        self._connections = 0
        self._open: set[socket.socket] = set()
        self.protocol_errors: list[str] = []   # commands out of sequence, unknown, too long
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = IDLE_TIMEOUT_SECS

            def handle(self):
                sink._session(self)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

        self.server = Server(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                        name="smtp-sink")
        self._thread.start()

    # --- what the tests read ---------------------------------------------------------

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        """`smtp://127.0.0.1:PORT`, for `REFTRACK_SMTP_URL`."""
        return f"smtp://127.0.0.1:{self.port}"

    def url_for(self, helo_name: str) -> str:
        """The URL with a path: lettre sends it as its EHLO name, so the sink can tell
        which process made each attempt."""
        return f"{self.url}/{helo_name}"

    def mails(self) -> list[Mail]:
        """Every transaction that reached the end of DATA, accepted or refused."""
        with self.lock:
            return list(self._mails)

    def arrivals(self) -> list[Mail]:
        """The accepted transactions (deliveries), in order of arrival."""
        with self.lock:
            return [m for m in self._mails if m.accepted]

    def refused_mail(self) -> list[Refusal]:
        with self.lock:
            return list(self._refused_mail)

    def connections(self) -> int:
        with self.lock:
            return self._connections

    def wait_for(self, predicate, timeout: float, accepted_only: bool = True) -> bool:
        """Waits until `predicate(arrivals)` is true (checked at each new mail, and every
        half second); with `accepted_only=False` the predicate sees refused ones too."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                if predicate([m for m in self._mails if m.accepted or not accepted_only]):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.5))

    def inject_copy(self, mail: Mail) -> None:
        """Records `mail` once more, as if it had arrived again (a test's self-check)."""
        with self.lock:
            copy = Mail(**{**mail.__dict__, "seq": len(self._mails) + 1})
            self._mails.append(copy)
            self.changed.notify_all()

    def shutdown(self) -> None:
        """Stops accepting and closes the connections still open (a pooled client's)."""
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            conns = list(self._open)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()

    # --- the protocol ------------------------------------------------------------------

    def _session(self, h: socketserver.StreamRequestHandler) -> None:
        with self.lock:
            self._connections += 1
            conn = self._connections
            self._open.add(h.connection)
        try:
            self._converse(h, conn)
        except (OSError, ConnectionError):
            pass
        finally:
            with self.lock:
                self._open.discard(h.connection)

    def _protocol_error(self, conn: int, what: str) -> None:
        with self.lock:
            self.protocol_errors.append(f"connection {conn}: {what}")

    def _converse(self, h: socketserver.StreamRequestHandler, conn: int) -> None:
        def reply(*lines: str) -> None:
            # "250-a", "250-b", "250 c": every line but the last has a hyphen.
            code = lines[0][:3]
            out = [f"{code}-{line[4:]}" if i < len(lines) - 1 else line
                   for i, line in enumerate(lines)]
            h.wfile.write("".join(f"{line}\r\n" for line in out).encode())
            h.wfile.flush()

        helo = ""
        sender: str | None = None
        recipients: list[str] = []
        reply(f"220 {self.hostname} ESMTP reftrack test sink")
        while True:
            line = h.rfile.readline(MAX_LINE + 1)
            if not line:
                return
            if len(line) > MAX_LINE:
                self._protocol_error(conn, "command line too long")
                reply("500 5.5.2 Line too long")
                return
            text = line.decode("utf-8", errors="replace").rstrip("\r\n")
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                helo, sender, recipients = arg.strip(), None, []
                reply(f"250 {self.hostname}", "250 8BITMIME", "250 SMTPUTF8",
                      f"250 SIZE {MAX_MESSAGE}")
            elif verb == "HELO":
                helo, sender, recipients = arg.strip(), None, []
                reply(f"250 {self.hostname}")
            elif verb == "MAIL":
                addr = address_of(arg) if arg.upper().startswith("FROM:") else None
                if not helo:
                    self._protocol_error(conn, "MAIL before EHLO/HELO")
                    reply("503 5.5.1 Say EHLO first")
                elif sender is not None:
                    self._protocol_error(conn, "MAIL inside a transaction")
                    reply("503 5.5.1 Nested MAIL command")
                elif addr is None:
                    self._protocol_error(conn, f"MAIL without an address: {text!r}")
                    reply("501 5.5.4 Syntax: MAIL FROM:<address>")
                else:
                    with self.lock:
                        refuse = self.refuse_mail > 0 and self.rng.random() < self.refuse_mail
                        if refuse:
                            self._refused_mail.append(Refusal(conn, helo, addr, time.time()))
                            self.changed.notify_all()
                    if refuse:
                        reply(f"451 4.3.0 <{addr}>: sender deferred by the test sink, try again later")
                    else:
                        sender, recipients = addr, []
                        reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                addr = address_of(arg) if arg.upper().startswith("TO:") else None
                if sender is None:
                    self._protocol_error(conn, "RCPT without MAIL")
                    reply("503 5.5.1 Need MAIL first")
                elif not addr:
                    self._protocol_error(conn, f"RCPT without an address: {text!r}")
                    reply("501 5.5.4 Syntax: RCPT TO:<address>")
                else:
                    recipients.append(addr)
                    reply("250 2.1.5 Ok")
            elif verb == "DATA":
                if sender is None or not recipients:
                    self._protocol_error(conn, "DATA without MAIL and RCPT")
                    reply("503 5.5.1 Need MAIL and RCPT first")
                    continue
                reply("354 End data with <CR><LF>.<CR><LF>")
                raw = self._read_data(h)
                if raw is None:
                    return  # the client went away mid-message: nothing arrived
                arrived, arrived_mono = time.time(), time.monotonic()
                with self.lock:
                    refuse = self.refuse_data > 0 and self.rng.random() < self.refuse_data
                mail = Mail(seq=0, conn=conn, helo=helo, mail_from=sender,
                            rcpt_to=list(recipients), raw=raw, arrived=arrived,
                            arrived_mono=arrived_mono, accepted=not refuse)
                parse(mail)
                with self.lock:
                    mail.seq = len(self._mails) + 1
                    self._mails.append(mail)
                    self.changed.notify_all()
                sender, recipients = None, []
                if refuse:
                    reply(f"451 4.3.0 Message for <{mail.rcpt_to[0]}> deferred by the test sink",
                          "451 4.3.0 Try again later")
                else:
                    reply(f"250 2.0.0 Ok: queued as {mail.seq}")
            elif verb == "RSET":
                sender, recipients = None, []
                reply("250 2.0.0 Ok")
            elif verb == "NOOP":
                reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                reply("221 2.0.0 Bye")
                return
            elif verb in ("VRFY", "EXPN"):
                reply("252 2.5.2 Cannot VRFY user")
            else:
                self._protocol_error(conn, f"unknown command {text[:60]!r}")
                reply("502 5.5.2 Command not recognized")

    def _read_data(self, h: socketserver.StreamRequestHandler) -> bytes | None:
        """The message up to the lone `.` line, with leading dots unstuffed (RFC 5321
        4.5.2); None when the connection ends first."""
        parts: list[bytes] = []
        size = 0
        while True:
            line = h.rfile.readline(MAX_LINE + 1)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(parts)
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size <= MAX_MESSAGE:
                parts.append(line)


def main() -> int:
    ap = argparse.ArgumentParser(description="A local SMTP sink that prints what it receives")
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--refuse-mail", type=float, default=0.0, help="share of MAIL answered 451")
    ap.add_argument("--refuse-data", type=float, default=0.0, help="share of DATA answered 451")
    args = ap.parse_args()
    sink = SmtpSink(refuse_mail=args.refuse_mail, refuse_data=args.refuse_data, port=args.port)
    print(f"listening on {sink.url} (REFTRACK_SMTP_URL={sink.url}); Ctrl-C to stop", flush=True)
    seen = 0
    try:
        while True:
            sink.wait_for(lambda got: len(got) > seen, timeout=3600, accepted_only=False)
            for mail in sink.mails()[seen:]:
                print(f"--- #{mail.seq} {'accepted' if mail.accepted else 'refused (451)'} from "
                      f"{mail.helo!r}: {mail.mail_from} -> {', '.join(mail.rcpt_to)}\n"
                      f"Message-ID: {mail.message_id}\nSubject: {mail.subject}\n\n{mail.text}",
                      flush=True)
            seen = len(sink.mails())
    except KeyboardInterrupt:
        pass
    finally:
        sink.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
