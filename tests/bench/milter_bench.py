"""milter_bench.py — typoguard-milter's cost inside a real Postfix, measured side by side.

One private Postfix (tests/milter/mailrig.py) with three smtpd listeners that differ only in
smtpd_milters: "plain" (none), "null" (tests/bench/null_milter.c: the same protocol negotiated,
the same callbacks, every answer "continue" without a look: what any milter costs) and "milter"
(typoguard-milter, org example.org, learning on). typoguard's own cost is milter minus null.
Both relay to Postfix's smtp-sink, which discards mail at C speed, so the sink never bounds the
run. Three measurements:

  throughput  smtp-source (Postfix's C load generator) sends M messages of 20 recipients over S
              concurrent sessions, once with the same 20 recipients in every message and once
              with every recipient new (-N, all at one domain: the worst case for the contact
              rules, which compare a new address with every known one at its domain); each round runs
              the three listeners, the order rotating from round to round,
              and the queue drains between runs. messages/s = M / wall time. Median of rounds.
  latency     one Python client, one connection, sends one message (20 recipients: 18 the
              organisation wrote to before, one near miss, one refused army.ml) at a time, rotating
              through the listeners message by message; time from MAIL FROM to the reply after DATA. Median and p99 per listener.
  memory      smtp-source sends up to --memory-messages messages (20 fresh addresses each: the
              worst case for the learned history and context) through the milter for at most
              --memory-seconds; the milter's RSS is sampled every 2 s.

Needs root (Postfix), Debian's postfix (smtp-source, smtp-sink). Not in CI: it takes minutes.
  /usr/bin/python3 tests/bench/milter_bench.py --build BUILD [--rounds 5] [--messages 2000]
"""
import argparse
import os
import re
import smtplib
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "milter"))
import mailrig  # noqa: E402

SENDER = "alice@example.org"


TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # after the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15) (0-based here)
    return int(fields[1]), [int(x) for x in fields[11:15]]


def master_pid(rig):
    with open(os.path.join(rig.postfix.dir, "queue", "pid", "master.pid")) as f:
        return int(f.read().split()[0])


def postfix_cpu(rig):
    """CPU seconds of the Postfix instance so far: the master, its reaped children (cutime)
    and its live children. Monotonic: a child's time moves into cutime when it exits."""
    mp = master_pid(rig)
    _, (u, s, cu, cs) = proc_stat(mp)
    total = u + s + cu + cs
    for d in os.listdir("/proc"):
        if d.isdigit() and int(d) != mp:
            try:
                ppid, (u, s, cu, cs) = proc_stat(d)
            except (OSError, IndexError):
                continue
            if ppid == mp:
                total += u + s + cu + cs
    return total / TICK


NAMES = ("plain", "null", "milter")


def milter_cpu(rig, name):
    if name not in rig.milters:
        return 0.0
    _, (u, s, _, _) = proc_stat(rig.milters[name].proc.pid)
    return (u + s) / TICK


def all_threads(pid):
    return [int(t) for t in os.listdir(f"/proc/{pid}/task")]


def realtime(rig, on):
    """SCHED_FIFO (on) or back to SCHED_OTHER for Postfix, the milter, the sink and this client:
    a message's latency then measures the programs, not the other work on a shared machine."""
    pids = [master_pid(rig), rig.sink.proc.pid] + [m.proc.pid for m in rig.milters.values()]
    mp = pids[0]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if proc_stat(d)[0] == mp:
                    pids.append(int(d))
            except (OSError, IndexError):
                pass
    policy, param = ((os.SCHED_FIFO, os.sched_param(10)) if on
                     else (os.SCHED_OTHER, os.sched_param(0)))
    for pid in pids + [os.getpid()]:
        try:
            for t in all_threads(pid):
                os.sched_setscheduler(t, policy, param)
        except OSError:
            pass


def queue_files(rig):
    q = os.path.join(rig.postfix.dir, "queue")
    n = 0
    for sub in ("incoming", "active", "deferred", "maildrop"):
        for _, _, files in os.walk(os.path.join(q, sub)):
            n += len(files)
    return n


def drain(rig, timeout=300):
    deadline = time.monotonic() + timeout
    while queue_files(rig) and time.monotonic() < deadline:
        time.sleep(0.2)


def smtp_source(port, messages, sessions, to, extra=()):
    return ["smtp-source", "-s", str(sessions), "-m", str(messages), "-r", "20", "-f", SENDER,
            "-t", to, "-M", "bench.example.org", *extra, f"127.0.0.1:{port}"]


def throughput(rig, rounds, messages, sessions, fresh):
    """Per listener and round: wall messages/s, Postfix CPU ms and milter CPU ms per message
    (Postfix's CPU counted until its queue is empty again: delivery is part of its work)."""
    rates = {n: [] for n in NAMES}
    pcpu = {n: [] for n in NAMES}
    mcpu = {n: [] for n in NAMES}
    for r in range(rounds):
        order = NAMES[r % 3:] + NAMES[:r % 3]
        for name in order:
            drain(rig)
            p0, m0 = postfix_cpu(rig), milter_cpu(rig, name)
            t0 = time.monotonic()
            subprocess.run(smtp_source(rig.postfix.ports[name], messages, sessions,
                                       "colleague@partner-firm.com", ["-N"] if fresh else []),
                           check=True, stdout=subprocess.DEVNULL)
            rates[name].append(messages / (time.monotonic() - t0))
            drain(rig)
            pcpu[name].append(1000 * (postfix_cpu(rig) - p0) / messages)
            mcpu[name].append(1000 * (milter_cpu(rig, name) - m0) / messages)
        print(f"  round {r + 1}: " + ", ".join(
            f"{n} {rates[n][-1]:.0f}/s ({pcpu[n][-1]:.2f} + {mcpu[n][-1]:.2f} ms CPU)" for n in NAMES),
            flush=True)
    return rates, pcpu, mcpu


POOL = [f"person{k}@firm{k % 25}.example.com" for k in range(500)]


def warm_up(rig):
    """The organisation has written to POOL before: 25 messages teach the milter's history."""
    with smtplib.SMTP("127.0.0.1", rig.postfix.ports["milter"], timeout=60) as s:
        for i in range(0, len(POOL), 20):
            s.sendmail(SENDER, POOL[i:i + 20], f"Subject: warm-up {i}\r\n\r\nhi\r\n")


def one_message(s, i):
    # 18 colleagues the organisation writes to, a near miss, and a refused army.ml
    rcpts = [POOL[(i * 18 + k) % len(POOL)] for k in range(18)] + \
        [f"jane{i}@gmial.com", f"john{i}@army.ml"]
    body = (f"From: {SENDER}\r\nTo: {', '.join(rcpts[:5])}\r\nSubject: latency {i}\r\n\r\n"
            "Hello.\r\n").encode()
    t0 = time.perf_counter()
    s.mail(SENDER)
    for r in rcpts:
        s.rcpt(r)
    s.data(body)
    return time.perf_counter() - t0


def latency(rig, n):
    times = {name: [] for name in NAMES}
    conns = {name: smtplib.SMTP("127.0.0.1", rig.postfix.ports[name], timeout=60)
             for name in times}
    for i in range(n):
        for name in NAMES[i % 3:] + NAMES[:i % 3]:
            times[name].append(one_message(conns[name], i))
            conns[name].rset()
    for c in conns.values():
        c.quit()
    return times


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def memory(rig, messages, seconds, sessions):
    milter = rig.milters["milter"]
    samples = []
    proc = subprocess.Popen(smtp_source(rig.postfix.ports["milter"], messages, sessions,
                                        "someone@client-firm.com", ["-N", "-c"]),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    count = [0]

    def read_counter():
        buf = b""
        while True:
            ch = proc.stdout.read(64)
            if not ch:
                break
            buf = (buf + ch)[-64:]
            m = re.findall(rb"(\d+)\r", buf)
            if m:
                count[0] = int(m[-1])

    reader = threading.Thread(target=read_counter, daemon=True)
    reader.start()
    t0 = time.monotonic()
    while proc.poll() is None and time.monotonic() - t0 < seconds:
        samples.append((time.monotonic() - t0, count[0], milter.rss_kib()))
        time.sleep(2)
    if proc.poll() is None:
        proc.terminate()
    proc.wait()
    reader.join(timeout=5)
    samples.append((time.monotonic() - t0, count[0], milter.rss_kib()))
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--latency-messages", type=int, default=1000)
    ap.add_argument("--memory-messages", type=int, default=100000)
    ap.add_argument("--memory-seconds", type=int, default=300)
    ap.add_argument("--tcp", action="store_true", help="loopback TCP instead of a Unix socket")
    args = ap.parse_args()
    if os.geteuid() != 0 or not mailrig.postfix_available():
        print("needs root and Debian's postfix")
        return 77
    rig = mailrig.Rig(os.path.abspath(args.build), fast_sink=True)
    try:
        # A Unix socket, the production default (over loopback TCP, Postfix's milter client
        # meets a delayed-ACK stall of 40-90 ms at the end of each message: see milter_bench.md).
        m = rig.add_milter("milter", {"org_domains": "example.org"}, {"history_reload": "10"},
                           unix=not args.tcp)
        null = rig.add_milter("null", {}, {}, unix=not args.tcp,
                              binary=os.path.join(os.path.abspath(args.build), "tests", "bench",
                                                  "null_milter"))
        rig.start({"plain": {"milter": ""}, "null": {"milter": null.spec()},
                   "milter": {"milter": m.spec()}},
                  extra_main={"smtpd_client_connection_count_limit": "0",
                              "smtpd_client_connection_rate_limit": "0",
                              "default_process_limit": "100"})
        print(f"# typoguard-milter benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
              f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs", flush=True)
        warm_up(rig)
        time.sleep(12)  # history_reload = 10: the warm-up is in the context

        for rt in (True, False):
            print(f"## latency{' (SCHED_FIFO: Postfix, milter, sink and client at real-time priority)' if rt else ' (normal priority, on the shared machine)'}: "
                  f"{args.latency_messages} messages per listener, one connection, alternating; "
                  "MAIL FROM to the reply after DATA (20 RCPT: 18 the organisation wrote to "
                  "before, a near miss, a refused army.ml)", flush=True)
            if rt:
                realtime(rig, True)
            try:
                times = latency(rig, args.latency_messages)
            finally:
                if rt:
                    realtime(rig, False)
            print("| listener | median ms | p99 ms |")
            print("|---|---:|---:|")
            for name in NAMES:
                print(f"| {name} | {1000 * statistics.median(times[name]):.2f} | "
                      f"{1000 * pct(times[name], 99):.2f} |")
            med = {n: 1000 * statistics.median(times[n]) for n in NAMES}
            p99 = {n: 1000 * pct(times[n], 99) for n in NAMES}
            print(f"added by typoguard-milter: median {med['milter'] - med['plain']:.2f} ms, "
                  f"p99 {p99['milter'] - p99['plain']:.2f} ms; by the null milter: median "
                  f"{med['null'] - med['plain']:.2f} ms; typoguard beyond the protocol: median "
                  f"{med['milter'] - med['null']:.2f} ms\n", flush=True)
            drain(rig)

        for fresh, what in ((False, "the same 20 recipients each message (known after the first)"),
                            (True, "smtp-source -N: every recipient new, all at one domain "
                                   "(worst case)")):
            print(f"## throughput: {args.rounds} rounds x {args.messages} messages x 20 "
                  f"recipients, {args.sessions} sessions; {what}", flush=True)
            rates, pcpu, mcpu = throughput(rig, args.rounds, args.messages, args.sessions, fresh)
            mp, mm = statistics.median(rates["plain"]), statistics.median(rates["milter"])
            mn = statistics.median(rates["null"])
            print("| listener | median msg/s (wall) | rounds | Postfix CPU ms/msg | milter CPU ms/msg |")
            print("|---|---:|---|---:|---:|")
            for name in NAMES:
                print(f"| {name} | {statistics.median(rates[name]):.0f} | "
                      f"{', '.join(f'{x:.0f}' for x in rates[name])} | "
                      f"{statistics.median(pcpu[name]):.2f} | {statistics.median(mcpu[name]):.2f} |")
            plain_cpu = statistics.median(pcpu["plain"])
            with_cpu = statistics.median(pcpu["milter"]) + statistics.median(mcpu["milter"])
            null_cpu = statistics.median(pcpu["null"]) + statistics.median(mcpu["null"])
            print(f"milter cost, wall clock: {100 * (1 - mm / mp):.1f} % of Postfix's throughput "
                  f"(medians; paired rounds: "
                  f"{', '.join(f'{100 * (1 - b / a):.0f} %' for a, b in zip(rates['plain'], rates['milter']))}); "
                  f"the null milter's: {100 * (1 - mn / mp):.1f} %; typoguard's beyond the null "
                  f"milter: {100 * (1 - mm / mn):.1f} %")
            print(f"milter cost, CPU: {plain_cpu:.2f} ms per message without, {null_cpu:.2f} ms "
                  f"with the null milter, {with_cpu:.2f} ms with typoguard-milter (Postfix's side "
                  f"of the protocol included) = {100 * (1 - plain_cpu / with_cpu):.1f} % of a "
                  f"CPU-bound server's throughput (null milter {100 * (1 - plain_cpu / null_cpu):.1f} %, "
                  f"typoguard beyond it {100 * (1 - null_cpu / with_cpu):.1f} %)\n", flush=True)

        drain(rig)
        print(f"## memory: up to {args.memory_messages} messages (20 new addresses each) through "
              f"the milter, at most {args.memory_seconds} s", flush=True)
        samples = memory(rig, args.memory_messages, args.memory_seconds, args.sessions)
        print("| seconds | messages | milter RSS KiB |")
        print("|---:|---:|---:|")
        step = max(1, len(samples) // 12)
        for t, c, rss in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
            print(f"| {t:.0f} | {c} | {rss} |")
        first = [s for s in samples if s[1] >= samples[-1][1] * 0.1] or samples
        print(f"RSS after 10 % of the messages: {first[0][2]} KiB; at the end: {samples[-1][2]} KiB; "
              f"max {max(s[2] for s in samples)} KiB; {samples[-1][1]} messages in "
              f"{samples[-1][0]:.0f} s ({samples[-1][1] / max(samples[-1][0], 1):.0f}/s)")
        hist = os.path.join(m.history, "history")
        if os.path.exists(hist):
            print(f"history file: {os.path.getsize(hist)} bytes (bounded by TG_HISTORY_MAX_*)")
        log = m.read_log().splitlines()
        print(f"milter log lines: {len(log)}; last: {log[-1] if log else ''}")
    finally:
        rcs = rig.close()
        print(f"milter exit status: {rcs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
