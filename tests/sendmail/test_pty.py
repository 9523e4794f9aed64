"""test_pty.py — the question on the user's terminal, reached as NeoMutt leaves it.

The program runs in a session of its own (setsid: no controlling terminal, /dev/tty fails with
ENXIO), with the message on stdin and its output in a file, below a shell that holds a pty left
raw (no echo, no output processing), as NeoMutt does. It must find that terminal through its
parent, write "\\r\\n" line ends itself, take one key, and put the terminal mode back. `f` fixes
the To address in place (display name and every other byte kept) and the envelope recipient;
`s` is refused on a block (the bell rings, the question stays); `a` sends nothing.
"""
import argparse
import os
import pty
import select
import shlex
import sys
import time
import tty

from smrig import Rig, check, fail

MSG = (b"From: Jane Roe <jane.roe@mail.mil>\r\n"
       b"To: \"Doe, John\" <john.doe@army.ml>, ops@example.org\r\n"
       b"Subject: orders\r\n\r\n"
       b"Body that mentions john.doe@army.ml stays as it is.\r\n")


def read_until(fd, needle, timeout=60):
    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            fail("no %r on the terminal; got %r" % (needle, buf))
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                fail("terminal closed before %r; got %r" % (needle, buf))
            if not chunk:
                fail("terminal closed before %r; got %r" % (needle, buf))
            buf += chunk
    return buf


def session(rig, keys, rcpt="john.doe@army.ml"):
    """Runs the program below a raw pty; types `keys` at the question. Returns (status, screen);
    checks that the terminal's mode is the same after as before."""
    msg = os.path.join(rig.dir, "msg")
    with open(msg, "wb") as f:
        f.write(MSG)
    status = os.path.join(rig.dir, "status")
    d = shlex.quote(rig.dir)
    cmd = ("stty -g > %s/mode0; setsid %s -oi -- %s < %s > %s/out 2>&1; echo $? > %s; "
           "stty -g > %s/mode1" % (d, shlex.quote(rig.prog), rcpt, shlex.quote(msg), d,
                                   shlex.quote(status), d))
    env = rig.env(tty=None)
    pid, master = pty.fork()
    if pid == 0:
        tty.setraw(0)  # what NeoMutt leaves: no echo, no ICANON, no output processing
        os.execve("/bin/sh", ["sh", "-c", cmd], env)
    try:
        screen = read_until(master, b"your choice: ")
        for k in keys:
            os.write(master, k)
            time.sleep(0.3)
        try:
            while True:
                r, _, _ = select.select([master], [], [], 30)
                if not r:
                    break
                chunk = os.read(master, 4096)
                if not chunk:
                    break
                screen += chunk
        except OSError:
            pass  # EIO: the shell ended and the pty closed
    finally:
        _, st = os.waitpid(pid, 0)
    with open(status) as f:
        code = int(f.read())
    with open(os.path.join(rig.dir, "mode0")) as f0, open(os.path.join(rig.dir, "mode1")) as f1:
        check(f0.read() == f1.read(), "the terminal's mode was not put back")
    return code, screen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    rig = Rig(ap.parse_args().build)
    try:
        if not os.path.exists("/usr/bin/setsid"):
            print("SKIP: no setsid")
            return 77
        # `s` on a block is not an answer (the bell), then `f`: fixed and sent.
        code, screen = session(rig, [b"s", b"f"])
        check(code == 0, "fix: exit %d; screen %r; out %r" % (
            code, screen, open(os.path.join(rig.dir, "out"), "rb").read()))
        check(b"tld_confusion" in screen and b"john.doe@army.mil" in screen,
              "the finding is not on the terminal: %r" % screen)
        check(b"\r\n" in screen and b"\n" not in screen.replace(b"\r\n", b""),
              "line ends must be \\r\\n in a raw terminal: %r" % screen)
        check(b"\a" in screen, "a key that is no answer must ring the bell")
        check(b"[s] send anyway" not in screen, "send anyway offered on a block")
        sent = rig.sent()
        check(len(sent) == 1, "fix: sent %d times" % len(sent))
        args, body = sent[0]
        check(args == ["-x", "-oi", "--", "john.doe@army.mil"], "fix: arguments %r" % args)
        want = MSG.replace(b"\"Doe, John\" <john.doe@army.ml>",
                           b"\"Doe, John\" <john.doe@army.mil>")
        check(body == want, "fix: message %r, want %r" % (body, want))

        # `a`: nothing sent, 65; the terminal's mode is put back (still raw, as it was).
        code, screen = session(rig, [b"a"])
        check(code == 65, "abort: exit %d" % code)
        check(len(rig.sent()) == 1, "abort: something was sent")

        # allow_override: `s` sends the message unchanged.
        rig.settings("allow_override = true\n")
        code, screen = session(rig, [b"s"])
        check(code == 0 and len(rig.sent()) == 2 and rig.sent()[1][1] == MSG,
              "send anyway: exit %d, sent %d" % (code, len(rig.sent())))

        # One argument holding a list: each of its mailboxes gets its own fix.
        code, screen = session(rig, [b"f"], rcpt="'john.doe@army.ml, ops@gmial.com'")
        check(code == 0 and len(rig.sent()) == 3, "list: exit %d" % code)
        check(rig.sent()[2][0][-1] == "john.doe@army.mil, ops@gmail.com",
              "list: arguments %r" % rig.sent()[2][0])
    finally:
        rig.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
