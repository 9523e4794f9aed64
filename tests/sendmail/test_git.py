"""test_git.py — git send-email --sendmail-cmd typoguard-sendmail, in batch mode.

A patch to john.doe@army.ml (a block) is not sent: typoguard-sendmail exits 65, git send-email
fails and the real sendmail is never run. A patch to a clean address goes through with the
recipient git gave. Needs Debian's git-email and libmailtools-perl (git send-email only
recommends it, and without Mail::Address it parses addresses in its own weaker way); skips (77)
without them.
"""
import argparse
import os
import shlex
import subprocess
import sys

from smrig import Rig, check


def git(env, cwd, *args):
    return subprocess.run(["git"] + list(args), cwd=cwd, env=env, capture_output=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    rig = Rig(ap.parse_args().build)
    try:
        env = rig.env()
        env.update(HOME=rig.dir, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="Jane Roe",
                   GIT_AUTHOR_EMAIL="jane.roe@mail.mil", GIT_COMMITTER_NAME="Jane Roe",
                   GIT_COMMITTER_EMAIL="jane.roe@mail.mil")
        if git(env, rig.dir, "send-email", "--help").returncode != 0 and \
                not os.path.exists("/usr/lib/git-core/git-send-email"):
            print("SKIP: git send-email is not installed (apt-get install git-email)")
            return 77
        if subprocess.run(["perl", "-MMail::Address", "-e1"], capture_output=True).returncode:
            print("SKIP: Mail::Address is missing (apt-get install libmailtools-perl)")
            return 77
        repo = os.path.join(rig.dir, "repo")
        os.makedirs(repo)
        check(git(env, repo, "init", "-q").returncode == 0, "git init")
        with open(os.path.join(repo, "orders.txt"), "w") as f:
            f.write("move out at dawn\n")
        git(env, repo, "add", "orders.txt")
        check(git(env, repo, "commit", "-q", "-m", "orders").returncode == 0, "git commit")
        r = git(env, repo, "format-patch", "-1", "-o", os.path.join(rig.dir, "patches"))
        check(r.returncode == 0, "format-patch: %r" % r.stderr)
        patch = r.stdout.decode().strip()

        status = os.path.join(rig.dir, "status")
        wrap = os.path.join(rig.dir, "wrap.sh")
        with open(wrap, "w") as f:
            f.write('#!/bin/sh\n%s "$@"\nrc=$?\necho $rc >> %s\nexit $rc\n' % (
                shlex.quote(rig.prog), shlex.quote(status)))
        os.chmod(wrap, 0o755)

        def send(to):
            return subprocess.run(
                ["git", "send-email", "--sendmail-cmd=" + wrap, "--to=" + to,
                 "--from=Jane Roe <jane.roe@mail.mil>", "--confirm=never", "--suppress-cc=all",
                 "--no-validate", "--quiet", patch],
                cwd=repo, env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)

        r = send("John Doe <john.doe@army.ml>")
        check(r.returncode != 0, "git send-email succeeded on a block: %r" % r.stdout)
        with open(status) as f:
            check(f.read().split() == ["65"], "typoguard-sendmail's status was not 65")
        check(rig.sent() == [], "a blocked patch reached the real sendmail")

        r = send("ops@example.org")
        check(r.returncode == 0, "clean send failed: %r %r" % (r.stdout, r.stderr))
        sent = rig.sent()
        check(len(sent) == 1 and "ops@example.org" in sent[0][0], "clean send: %r" % (sent,))
        check(b"Subject: [PATCH] orders" in sent[0][1], "the patch is not what was sent")
    finally:
        rig.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
