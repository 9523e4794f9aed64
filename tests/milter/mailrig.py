"""mailrig.py — a private Postfix and typoguard-milter processes for the milter tests and benchmark.

Owns: one temporary folder holding a Postfix configuration (main.cf, master.cf), its queue, data
folder and log; the typoguard-milter processes started for it; and, while Postfix runs as root,
the one line in /etc/postfix/main.cf that Postfix insists on (alternate_config_directories).

Guarantees: Postfix listens only on 127.0.0.1 (one smtpd per listener, each with its own
smtpd_milters and milter_default_action) and relays everything to a loopback SMTP sink;
stop() stops Postfix and every milter and puts /etc/postfix/main.cf back byte for byte (or removes
it when there was none), also when the test fails or is interrupted (SIGTERM, Ctrl-C).
See /work/shared/notes/postfix.md for the facts this relies on.
"""
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DEFAULT_MAIN_CF = "/etc/postfix/main.cf"
DEBIAN_MASTER_CF = "/etc/postfix/master.cf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def postfix_available():
    return shutil.which("postfix") is not None and os.path.exists(DEBIAN_MASTER_CF)


class Milter:
    """One typoguard-milter process on a loopback port with its own config and history."""

    def __init__(self, binary, folder, name, typoguard_keys, milter_keys, unix=False):
        self.port = free_port()
        self.folder = os.path.join(folder, name)
        os.makedirs(self.folder, exist_ok=True)
        os.chmod(self.folder, 0o755)
        self.history = os.path.join(self.folder, "history")
        self.config = os.path.join(self.folder, "milter.conf")
        self.log_path = os.path.join(self.folder, "milter.log")
        # A Unix socket (the production default) or loopback TCP.
        self.unix = os.path.join(self.folder, "milter.sock") if unix else None
        lines = ["[typoguard]"] + [f"{k} = {v}" for k, v in typoguard_keys.items()]
        keys = {"socket": f"unix:{self.unix}" if unix else f"inet:{self.port}@127.0.0.1",
                "history": self.history}
        keys.update(milter_keys)
        lines += ["[milter]"] + [f"{k} = {v}" for k, v in keys.items()]
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.binary = binary
        self.proc = None

    def spec(self):
        return f"unix:{self.unix}" if self.unix else f"inet:127.0.0.1:{self.port}"

    def start(self):
        self.log = open(self.log_path, "ab")
        # umask 0: Postfix's smtpd (user postfix) must be able to open the socket.
        self.proc = subprocess.Popen([self.binary, "--config", self.config],
                                     stdout=self.log, stderr=self.log,
                                     preexec_fn=(lambda: os.umask(0)) if self.unix else None)
        deadline = time.monotonic() + 20
        while self.unix and not os.path.exists(self.unix) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not (os.path.exists(self.unix) if self.unix else wait_port(self.port)):
            raise RuntimeError(f"typoguard-milter did not listen: {self.read_log()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode if self.proc else None
        self.proc = None
        return rc

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class Postfix:
    """A private Postfix instance. listeners: name -> dict(milter=spec or None, default=action)."""

    def __init__(self, folder, sink_port, listeners, extra_main=None):
        self.dir = os.path.join(folder, "postfix")
        os.makedirs(self.dir)
        self.ports = {}
        self.saved_main = None
        self.main_touched = False
        self.running = False
        for sub in ("queue", "data"):
            os.makedirs(os.path.join(self.dir, sub))
        pw = pwd.getpwnam("postfix")
        os.chown(os.path.join(self.dir, "data"), pw.pw_uid, pw.pw_gid)
        # Postfix's daemons run as "postfix" and must reach the queue through these folders.
        for d in (folder, self.dir):
            os.chmod(d, 0o755)
        main = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(self.dir, "queue"),
            "data_directory": os.path.join(self.dir, "data"),
            "maillog_file": os.path.join(self.dir, "postfix.log"),
            "maillog_file_prefixes": self.dir,
            "myhostname": "typoguard-test.localdomain",
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "mydestination": "",
            "mynetworks": "127.0.0.0/8",
            "relayhost": f"[127.0.0.1]:{sink_port}",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "alias_maps": "",
            "alias_database": "",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "biff": "no",
            # The sink is as fast as Postfix: no need to throttle or batch deliveries to it.
            "smtp_destination_concurrency_limit": "50",
            "default_destination_recipient_limit": "1000",
            "smtp_connection_cache_on_demand": "yes",
        }
        main.update(extra_main or {})
        with open(os.path.join(self.dir, "main.cf"), "w") as f:
            for k, v in main.items():
                f.write(f"{k} = {v}\n")
        self._write_master(listeners)

    def _write_master(self, listeners):
        out = []
        with open(DEBIAN_MASTER_CF) as f:
            for line in f:
                fields = line.split()
                if line[:1] in ("#", " ", "\t") or len(fields) < 8:
                    out.append(line)
                    continue
                if fields[0] == "smtp" and fields[1] == "inet":
                    continue  # the public port 25
                fields[4] = "n"  # no chroot: the queue folder holds no copy of /etc
                out.append(" ".join(fields) + "\n")
        for name, spec in listeners.items():
            port = free_port()
            self.ports[name] = port
            opts = [f"-o smtpd_milters={spec.get('milter') or ''}",
                    f"-o milter_default_action={spec.get('default', 'tempfail')}"]
            for k, v in spec.get("options", {}).items():
                opts.append(f"-o {k}={v}")
            out.append(f"127.0.0.1:{port} inet n - n - - smtpd\n")
            out += [f"  {o}\n" for o in opts]
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.writelines(out)

    def _allow_config_dir(self):
        # As root, Postfix accepts -c DIR only when the default main.cf names DIR.
        if os.geteuid() != 0:
            return
        if os.path.exists(DEFAULT_MAIN_CF):
            with open(DEFAULT_MAIN_CF, "rb") as f:
                self.saved_main = f.read()
        self.main_touched = True
        text = (self.saved_main or b"").decode("utf-8", "surrogateescape")
        lines = [l for l in text.splitlines() if not l.startswith("alternate_config_directories")]
        prev = [l.split("=", 1)[1].strip() for l in text.splitlines()
                if l.startswith("alternate_config_directories")]
        lines.append("alternate_config_directories = " + ", ".join(prev + [self.dir]))
        with open(DEFAULT_MAIN_CF, "w") as f:
            f.write("\n".join(lines) + "\n")

    def restore_main_cf(self):
        if not self.main_touched:
            return
        if self.saved_main is None:
            os.unlink(DEFAULT_MAIN_CF)
        else:
            with open(DEFAULT_MAIN_CF, "wb") as f:
                f.write(self.saved_main)
        self.main_touched = False

    def postfix(self, *args, check=True):
        return subprocess.run(["postfix", "-c", self.dir, *args], check=check,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def start(self):
        self._allow_config_dir()
        r = self.postfix("start", check=False)
        if r.returncode != 0:
            raise RuntimeError(f"postfix start failed: {r.stdout.decode()} {self.log()}")
        self.running = True
        for name, port in self.ports.items():
            if not wait_port(port):
                raise RuntimeError(f"postfix listener {name} ({port}) is not up: {self.log()}")

    def stop(self):
        if self.running:
            self.postfix("stop", check=False)
            # master exits asynchronously; wait for its pid file to go.
            pid_file = os.path.join(self.dir, "queue", "pid", "master.pid")
            deadline = time.monotonic() + 20
            while os.path.exists(pid_file) and time.monotonic() < deadline:
                try:
                    pid = int(open(pid_file).read().split()[0])
                    os.kill(pid, 0)
                except (OSError, ValueError, IndexError):
                    break
                time.sleep(0.1)
            self.running = False
        self.restore_main_cf()

    def queue(self):
        """postqueue -p output (held messages are marked with '!')."""
        return subprocess.run(["postqueue", "-c", self.dir, "-p"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT).stdout.decode("utf-8", "replace")

    def log(self):
        try:
            with open(os.path.join(self.dir, "postfix.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""


class FastSink:
    """Postfix's own smtp-sink (C): accepts and discards, so that the sink never bounds a
    benchmark. Same start/stop/port surface as smtp_sink.SmtpSink."""

    def __init__(self):
        self.port = free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(["smtp-sink", "-u", "postfix", "-c",
                                      f"127.0.0.1:{self.port}", "1024"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_port(self.port):
            raise RuntimeError("smtp-sink did not start")
        return self.port

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait()
            self.proc = None


class Rig:
    """Postfix + milters + sink, torn down by close() or by SIGTERM/SIGINT."""

    def __init__(self, build_dir, fast_sink=False):
        self.binary = os.path.join(build_dir, "host", "milter", "typoguard-milter")
        self.folder = tempfile.mkdtemp(prefix="typoguard-milter-")
        if fast_sink:
            self.sink = FastSink()
        else:
            sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
            from smtp_sink import SmtpSink  # noqa: E402 (python3-aiosmtpd)
            self.sink = SmtpSink()
        self.milters = {}
        self.postfix = None
        self._old = {s: signal.signal(s, self._on_signal) for s in (signal.SIGTERM, signal.SIGINT)}

    def _on_signal(self, signum, frame):
        self.close()
        sys.exit(128 + signum)

    def add_milter(self, name, typoguard_keys, milter_keys=None, unix=False, binary=None):
        """binary: another program taking `--config FILE` (the benchmark's null milter)."""
        m = Milter(binary or self.binary, self.folder, name, typoguard_keys, milter_keys or {},
                   unix)
        self.milters[name] = m
        return m

    def start(self, listeners, extra_main=None):
        self.sink.start()
        for m in self.milters.values():
            m.start()
        self.postfix = Postfix(self.folder, self.sink.port, listeners, extra_main)
        self.postfix.start()

    def close(self, keep=False):
        if self.postfix:
            self.postfix.stop()
        rcs = {name: m.stop() for name, m in self.milters.items()}
        try:
            self.sink.stop()
        except Exception:
            pass
        for s, h in self._old.items():
            signal.signal(s, h)
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)
        return rcs
