"""test_large.py — a 50 MiB message is streamed: memory stays flat and the copy is private.

Runs typoguard-sendmail on a 1 KiB and on a 50 MiB message (batch mode, a clean recipient) and
compares the peak resident memory of the two runs (wait4's ru_maxrss, which counts the program
and the fake sendmail it waited for): the large one may use at most 16 MiB more. The fake
sendmail checks what it was given on stdin: the whole message, byte for byte, from a file that is
already deleted and has mode 600, in $TMPDIR; nothing is left there afterwards.
"""
import argparse
import hashlib
import os
import subprocess
import sys

from smrig import Rig, check

HEADER = b"From: Jane Roe <jane.roe@mail.mil>\r\nTo: ops@example.org\r\nSubject: big\r\n\r\n"
SIZE = 50 * 1024 * 1024
SLACK = 16 * 1024 * 1024


def peak_rss(rig, path):
    with open(path, "rb") as f:
        pid = os.fork()
        if pid == 0:
            os.dup2(f.fileno(), 0)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.execve(rig.prog, [rig.prog, "-oi", "--", "ops@example.org"], rig.env())
        _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    rig = Rig(ap.parse_args().build)
    try:
        small = os.path.join(rig.dir, "small.eml")
        with open(small, "wb") as f:
            f.write(HEADER + b"x" * 1000 + b"\r\n")
        large = os.path.join(rig.dir, "large.eml")
        h = hashlib.sha256()
        with open(large, "wb") as f:
            f.write(HEADER)
            h.update(HEADER)
            line = b"".join(b"%c" % (33 + (i % 90)) for i in range(998)) + b"\r\n"
            block = line * 1024
            written = len(HEADER)
            while written < SIZE:
                f.write(block)
                h.update(block)
                written += len(block)
        code_s, rss_s = peak_rss(rig, small)
        code_l, rss_l = peak_rss(rig, large)
        print("peak RSS: %.1f MiB for 1 KiB, %.1f MiB for %.1f MiB (load %s)" % (
            rss_s / 2**20, rss_l / 2**20, written / 2**20, open("/proc/loadavg").read().strip()))
        check(code_s == 0 and code_l == 0, "exit %d / %d" % (code_s, code_l))
        check(rss_l - rss_s <= SLACK, "memory grew by %.1f MiB with the message" %
              ((rss_l - rss_s) / 2**20))
        sent = rig.sent()
        check(len(sent) == 2, "sent %d times" % len(sent))
        check(hashlib.sha256(sent[1][1]).hexdigest() == h.hexdigest(), "the large message changed")
        with open(os.path.join(rig.out, "1.stdin")) as f:
            target, mode = f.read().splitlines()
        check(target.startswith(os.path.join(rig.dir, "typoguard-sendmail-")) and
              target.endswith("(deleted)"), "stdin of the real sendmail: %s" % target)
        check(mode == "600", "temporary file mode %s" % mode)
        left = [n for n in os.listdir(rig.dir) if n.startswith("typoguard-sendmail-")]
        check(left == [], "left behind: %r" % left)
    finally:
        rig.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
