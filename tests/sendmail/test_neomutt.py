"""test_neomutt.py — NeoMutt in tmux sends through typoguard-sendmail, msmtp and an SMTP sink.

NeoMutt (`set sendmail` = typoguard-sendmail) composes a message to John Doe <john.doe@army.ml>
from a draft; `y` sends it. NeoMutt runs its sendmail without a controlling terminal and with its
output in a file, so the question must appear on the tmux pane through the parent-process
fallback; `f` answers it. The message must reach the loopback SMTP sink (tests/e2e/smtp_sink.py)
through msmtp (the setting `sendmail`) addressed to john.doe@army.mil, with the To header's name
kept and the body unchanged. Skips (77) without neomutt, tmux, msmtp or aiosmtpd.
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time

from smrig import Rig, check, fail

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

DRAFT = ("From: Jane Roe <jane.roe@mail.mil>\n"
         "To: John Doe <john.doe@army.ml>\n"
         "Subject: crew list\n"
         "\n"
         "The crew list for john.doe@army.ml is attached in spirit.\n")


class Tmux:
    def __init__(self, socket):
        self.socket = socket

    def __call__(self, *args, check_rc=True):
        r = subprocess.run(["tmux", "-S", self.socket] + list(args), capture_output=True,
                           timeout=30)
        if check_rc and r.returncode != 0:
            fail("tmux %s: %r" % (args[0], r.stderr))
        return r

    def screen(self):
        r = self("capture-pane", "-p", "-t", "tg", check_rc=False)
        return r.stdout.decode(errors="replace")

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.screen()
            if text in s:
                return s
            time.sleep(0.2)
        fail("%r never appeared on the pane; it shows:\n%s" % (text, self.screen()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    args = ap.parse_args()
    for prog in ("neomutt", "tmux", "msmtp"):
        if not shutil.which(prog):
            print("SKIP: %s is not installed (bash scripts/setup.sh test)" % prog)
            return 77
    try:
        from smtp_sink import SmtpSink
    except ImportError:
        print("SKIP: python3-aiosmtpd is not installed")
        return 77
    sink = SmtpSink()
    port = sink.start()
    rig = Rig(args.build)
    tmux = Tmux(os.path.join(rig.dir, "tmux.sock"))
    try:
        msmtprc = os.path.join(rig.dir, "msmtprc")
        with open(msmtprc, "w") as f:
            f.write("defaults\nauth off\ntls off\nlogfile %s/msmtp.log\n"
                    "account default\nhost 127.0.0.1\nport %d\nfrom jane.roe@mail.mil\n"
                    % (rig.dir, port))
        os.chmod(msmtprc, 0o600)
        rig.settings(sendmail="/usr/bin/msmtp -C " + msmtprc)
        mail = os.path.join(rig.dir, "mail")
        os.makedirs(mail)
        open(os.path.join(mail, "inbox"), "w").close()
        muttrc = os.path.join(rig.dir, "muttrc")
        with open(muttrc, "w") as f:
            f.write("\n".join([
                "set sendmail=\"%s\"" % rig.prog,
                "set from=\"Jane Roe <jane.roe@mail.mil>\"",
                "set folder=\"%s\"" % mail,
                "set spoolfile=\"%s/inbox\"" % mail,
                "set mbox_type=mbox",
                "set record=\"\"",
                "set copy=no",
                "set postponed=\"%s/postponed\"" % mail,
                "set editor=\"true\"",
                "set abort_unmodified=no",
                "set edit_headers=no",
                "set askcc=no",
                "set askbcc=no",
                "set sendmail_wait=0",
                "set header_cache=\"\"",
                "set message_cachedir=\"\"",
                "set wait_key=no",
                ""]))
        draft = os.path.join(rig.dir, "draft.eml")
        with open(draft, "w") as f:
            f.write(DRAFT)
        env = rig.env(tty=None)
        env.update(HOME=rig.dir, TERM="xterm-256color")
        env_words = " ".join("%s=%s" % (k, shlex.quote(env[k])) for k in (
            "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "TYPOGUARD_POLICY", "TMPDIR", "PATH"))
        cmd = "env -u TYPOGUARD_TTY -u TMUX %s neomutt -n -F %s -H %s; sleep 30" % (
            env_words, shlex.quote(muttrc), shlex.quote(draft))
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "tg", "-x", "120", "-y", "40", cmd)
        # NeoMutt asks for To and Subject again (prefilled from the draft): Enter keeps them.
        deadline = time.monotonic() + 60
        while "y:Send" not in tmux.screen():
            if time.monotonic() > deadline:
                fail("no compose screen; the pane shows:\n" + tmux.screen())
            lines = [l for l in tmux.screen().splitlines() if l.strip()]
            if lines and lines[-1].split(":")[0] in ("To", "Cc", "Bcc", "Subject"):
                tmux("send-keys", "-t", "tg", "Enter")
                time.sleep(0.3)
            time.sleep(0.2)
        tmux("send-keys", "-t", "tg", "y")
        screen = tmux.wait_for("your choice:")
        check("tld_confusion" in screen and "john.doe@army.mil" in screen,
              "the finding is not on the pane:\n" + screen)
        tmux("send-keys", "-t", "tg", "f")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not sink.by_subject("crew list"):
            time.sleep(0.2)
        got = sink.by_subject("crew list")
        if not got:
            log = os.path.join(rig.dir, "msmtp.log")
            fail("nothing reached the sink; pane:\n%s\nmsmtp log: %s" % (
                tmux.screen(), open(log).read() if os.path.exists(log) else "none"))
        m = got[0]
        check(m["rcpt_tos"] == ["john.doe@army.mil"], "envelope recipients %r" % m["rcpt_tos"])
        check(m["to"] == "John Doe <john.doe@army.mil>", "To header %r" % m["to"])
        check(b"The crew list for john.doe@army.ml is attached" in m["raw"],
              "the body changed: %r" % m["raw"])
        check(len(got) == 1 and len(sink.messages) == 1, "sent %d times" % len(sink.messages))
    finally:
        tmux("kill-server", check_rc=False)
        sink.stop()
        rig.close()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
