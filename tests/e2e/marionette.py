"""marionette.py — a minimal Marionette client (raw TCP, protocol 3) for the e2e test.

Owns: one connection and one WebDriver session to a Thunderbird started with --marionette.
Guarantees: every call has a deadline (socket timeout) and raises MarionetteError with the
remote error and message; nothing here depends on Python packages outside the standard library.
Wire format: each message is "<decimal length>:<JSON>"; commands are [0, id, name, params],
replies [1, id, error, result].
"""
import json
import socket
import time


class MarionetteError(Exception):
    pass


class Marionette:
    def __init__(self, port, host="127.0.0.1", timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.next_id = 0
        self.session_id = None
        self.hello = self._read()

    # ---- wire ---------------------------------------------------------------------------
    def _read(self):
        while b":" not in self.buf:
            self._fill()
        head, _, rest = self.buf.partition(b":")
        length = int(head)
        self.buf = rest
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return json.loads(body)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise MarionetteError("connection closed by Thunderbird")
        self.buf += chunk

    def call(self, name, params=None):
        self.next_id += 1
        msg_id = self.next_id
        data = json.dumps([0, msg_id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            reply = self._read()
            if reply[0] == 1 and reply[1] == msg_id:
                break
        if reply[2]:
            err = reply[2]
            raise MarionetteError(f"{name}: {err.get('error')}: {err.get('message')}")
        result = reply[3]
        if isinstance(result, dict) and set(result) == {"value"}:
            return result["value"]
        return result

    # ---- conveniences -------------------------------------------------------------------
    def start_session(self):
        result = self.call("WebDriver:NewSession", {"capabilities": {"alwaysMatch": {"moz:windowless": True}}})
        self.session_id = result["sessionId"]
        return result

    def set_context(self, context):
        self.call("Marionette:SetContext", {"value": context})

    def chrome(self, script, args=None, timeout_ms=30000):
        """Runs `script` (a function body; arguments[] holds args) in the chrome context."""
        self.set_context("chrome")
        self.call("WebDriver:SetTimeouts", {"script": timeout_ms})
        return self.call("WebDriver:ExecuteScript", {"script": script, "args": args or []})

    def content(self, script, args=None, timeout_ms=30000):
        self.set_context("content")
        self.call("WebDriver:SetTimeouts", {"script": timeout_ms})
        return self.call("WebDriver:ExecuteScript", {"script": script, "args": args or []})

    def wait(self, what, fn, timeout=20.0, interval=0.1):
        """Polls fn() until it returns something truthy; raises with `what` on timeout."""
        deadline = time.monotonic() + timeout
        last_exc = None
        while time.monotonic() < deadline:
            try:
                value = fn()
                if value:
                    return value
            except MarionetteError as e:
                last_exc = e
            time.sleep(interval)
        raise MarionetteError(f"timed out waiting for {what}" + (f" (last error: {last_exc})" if last_exc else ""))

    def close(self):
        try:
            if self.session_id:
                self.call("WebDriver:DeleteSession")
        except Exception:
            pass
        self.sock.close()
