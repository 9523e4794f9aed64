"""smrig.py — what the typoguard-sendmail tests share: a private home and a fake real sendmail.

Owns: one temporary folder with the user's settings ($XDG_CONFIG_HOME/typoguard/typoguard.conf),
the history folder ($XDG_DATA_HOME) and a fake `sendmail` script that records its arguments and
the message it was given (one numbered pair of files per run). Guarantees: the program under test
sees only this folder's settings (no system policy: TYPOGUARD_POLICY names a missing file), and
the environment returned by env() never reaches the real user's terminal unless asked to.
"""
import os
import shutil
import subprocess
import sys
import tempfile

FAKE = """#!/bin/sh
# Records what typoguard-sendmail handed on, like a real sendmail would accept it.
n=$(ls "{out}" | grep -c '\\.args$')
printf '%s\\n' "$@" > "{out}/$n.args"
{{ readlink /proc/self/fd/0; stat -L -c %a /proc/self/fd/0; }} > "{out}/$n.stdin"
cat > "{out}/$n.msg"
exit ${{FAKE_STATUS:-0}}
"""


class Rig:
    def __init__(self, build, settings=""):
        self.build = build
        self.prog = os.path.join(build, "host", "sendmail", "typoguard-sendmail")
        self.dir = tempfile.mkdtemp(prefix="tg-sendmail-test-")
        self.out = os.path.join(self.dir, "sent")
        os.makedirs(self.out)
        os.makedirs(os.path.join(self.dir, "config", "typoguard"))
        os.makedirs(os.path.join(self.dir, "data"), mode=0o700)
        self.fake = os.path.join(self.dir, "fake-sendmail")
        with open(self.fake, "w") as f:
            f.write(FAKE.format(out=self.out))
        os.chmod(self.fake, 0o755)
        self.settings(settings)

    def settings(self, extra="", sendmail=None):
        with open(os.path.join(self.dir, "config", "typoguard", "typoguard.conf"), "w") as f:
            f.write("[typoguard]\nsendmail = %s\n%s" % (sendmail or self.fake + " -x", extra))

    def env(self, tty="none"):
        e = dict(os.environ)
        e.update(XDG_CONFIG_HOME=os.path.join(self.dir, "config"),
                 XDG_DATA_HOME=os.path.join(self.dir, "data"),
                 TYPOGUARD_POLICY=os.path.join(self.dir, "no-policy.conf"),
                 TMPDIR=self.dir)
        if tty is None:
            e.pop("TYPOGUARD_TTY", None)
        else:
            e["TYPOGUARD_TTY"] = tty
        return e

    def run(self, args, message, tty="none", **kw):
        return subprocess.run([self.prog] + args, input=message, capture_output=True,
                              env=self.env(tty), timeout=120, **kw)

    def sent(self):
        """[(args, message bytes)] in the order the fake sendmail was run."""
        runs = []
        n = 0
        while os.path.exists(os.path.join(self.out, "%d.args" % n)):
            with open(os.path.join(self.out, "%d.args" % n)) as f:
                args = f.read().splitlines()
            with open(os.path.join(self.out, "%d.msg" % n), "rb") as f:
                runs.append((args, f.read()))
            n += 1
        return runs

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
