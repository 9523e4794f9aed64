"""test_batch.py — typoguard-sendmail without a terminal (cron, scripts): arguments in, exit
status, stderr and what reached the real sendmail out.

A block sends nothing and exits 65 with the findings on stderr; a warn is sent (and not, with
sendmail_on_warn = abort); a clean message reaches the real sendmail byte for byte with the
original options; -t takes To/Cc/Bcc (a block in Bcc stops it too); the real sendmail's exit
status is passed back; what was sent is learned, so the second message to a first-contact domain
is no longer one.
"""
import argparse
import os
import sys

from smrig import Rig, check

MSG = (b"From: Jane Roe <jane.roe@mail.mil>\r\n"
       b"To: \"Doe, John\" <john.doe@army.ml>\r\n"
       b"Subject: orders\r\n\r\n"
       b"Body that mentions john.doe@army.ml stays as it is.\r\n")
CLEAN = (b"From: Jane Roe <jane.roe@mail.mil>\r\nTo: ops@example.org\r\nSubject: hi\r\n\r\n"
         b"\x00binary\xff bytes\r\n.\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    rig = Rig(ap.parse_args().build)
    try:
        # A block from the arguments: nothing sent, 65, findings named on stderr.
        r = rig.run(["-oi", "--", "john.doe@army.ml"], MSG)
        check(r.returncode == 65, "block: exit %d, want 65; stderr %r" % (r.returncode, r.stderr))
        check(b"tld_confusion" in r.stderr and b"john.doe@army.mil" in r.stderr,
              "block: stderr lacks the finding: %r" % r.stderr)
        check(rig.sent() == [], "block: something was sent")

        # -t: the block is in the header (Bcc as well as To).
        bcc = MSG.replace(b"To: \"Doe, John\" <john.doe@army.ml>",
                          b"To: ops@example.org\r\nBcc: x@army.ml")
        r = rig.run(["-t", "-i"], bcc)
        check(r.returncode == 65, "-t Bcc block: exit %d, want 65" % r.returncode)
        check(rig.sent() == [], "-t Bcc block: something was sent")

        # A clean message: passed on unchanged, options and recipients in their order.
        r = rig.run(["-oi", "-f", "jane.roe@mail.mil", "--", "ops@example.org"], CLEAN)
        check(r.returncode == 0, "clean: exit %d; stderr %r" % (r.returncode, r.stderr))
        sent = rig.sent()
        check(len(sent) == 1, "clean: sent %d times" % len(sent))
        check(sent[0][0] == ["-x", "-oi", "-f", "jane.roe@mail.mil", "--", "ops@example.org"],
              "clean: arguments %r" % sent[0][0])
        check(sent[0][1] == CLEAN, "clean: the message changed")

        # A warn (a typo of a well-known domain): sent, and said on stderr.
        warn = CLEAN.replace(b"ops@example.org", b"ops@gmial.com")
        r = rig.run(["-i", "ops@gmial.com"], warn)
        check(r.returncode == 0, "warn: exit %d, want 0" % r.returncode)
        check(b"near_miss" in r.stderr, "warn: stderr lacks the finding")
        check(len(rig.sent()) == 2 and rig.sent()[1][1] == warn, "warn: not sent unchanged")

        # sendmail_on_warn = abort: a warn is not sent either.
        rig.settings("sendmail_on_warn = abort\n")
        r = rig.run(["-i", "ops@gmial.com"], warn)
        check(r.returncode == 65, "on_warn abort: exit %d, want 65" % r.returncode)
        check(len(rig.sent()) == 2, "on_warn abort: it was sent")

        # The real sendmail's failure is ours.
        env_status = dict(FAKE_STATUS="75")
        os.environ.update(env_status)
        r = rig.run(["-i", "ops@example.org"], CLEAN)
        del os.environ["FAKE_STATUS"]
        check(r.returncode == 75, "real sendmail's status: got %d, want 75" % r.returncode)

        # Learning: after a successful send the domain is known; first_contact = warn shows it.
        rig.settings("first_contact = warn\n")
        new = CLEAN.replace(b"ops@example.org", b"ops@newpartner.org")
        r = rig.run(["-i", "ops@newpartner.org"], new)
        check(r.returncode == 0 and b"first_contact" in r.stderr,
              "first contact: exit %d, stderr %r" % (r.returncode, r.stderr))
        r = rig.run(["-i", "ops@newpartner.org"], new)
        check(r.returncode == 0 and b"first_contact" in r.stderr,
              "a warn sent anyway must not be learned: %r" % r.stderr)
        rig.settings("first_contact = info\n")
        r = rig.run(["-i", "ops@newpartner.org"], new)
        rig.settings("first_contact = warn\n")
        r = rig.run(["-i", "ops@newpartner.org"], new)
        check(r.returncode == 0 and b"first_contact" not in r.stderr,
              "after a clean send the domain is learned: %r" % r.stderr)

        # The setting naming typoguard-sendmail itself is refused, not a loop.
        rig.settings(sendmail=rig.prog)
        r = rig.run(["-i", "ops@example.org"], CLEAN)
        check(r.returncode == 69 and b"itself" in r.stderr,
              "self as sendmail: exit %d, %r" % (r.returncode, r.stderr))
        # -bs is SMTP on stdin: handed on at once, nothing read or checked.
        rig.settings()
        r = rig.run(["-bs"], b"HELO x\r\nQUIT\r\n")
        check(r.returncode == 0 and rig.sent()[-1] == (["-x", "-bs"], b"HELO x\r\nQUIT\r\n"),
              "-bs: exit %d, %r" % (r.returncode, rig.sent()[-1]))
        # A usage error: an option without its value.
        r = rig.run(["-f"], CLEAN)
        check(r.returncode == 64, "usage: exit %d" % r.returncode)
    finally:
        rig.close()
    print("ok")


if __name__ == "__main__":
    sys.exit(main())
