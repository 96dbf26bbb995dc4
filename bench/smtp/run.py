#!/usr/bin/python3
"""SMTP throughput benchmark: pigeon against its peers (issue 3, bench/).

Workloads (message files generated before anything is timed):
  small   2,000 messages of 2 KB over one connection
  1mb     200 messages of 1 MiB
  40mb    one message of 40 MiB
Targets:
  sink    Postfix's smtp-sink on a free 127.0.0.1 port, started here (no TLS,
          no AUTH; it discards everything and offers PIPELINING, not CHUNKING)
  lab     the lab's submission port 127.0.0.1:10587: STARTTLS, AUTH as
          alice@lab.test, the lab CA; the recipient is in a foreign domain,
          which the lab accepts and discards after queueing (see lab/README.md);
          before each measurement the script waits for Postfix's incoming and
          active queues to drain, so no client pays for another's backlog
Clients:
  pigeon       smtp_bench (pigeon::smtp::client), one connection
  pigeon-data  the same with prefer_data (DATA instead of BDAT; lab only,
               where CHUNKING is offered)
  smtplib      Python 3's smtplib (/usr/bin/python3), one connection
  smtp-source  Postfix's C load generator, one session (-s 1 -d); sink only,
               it has no TLS
  msmtp, curl  one process per message; with more than --per-process-max
               messages only that many are sent and wall/CPU are scaled up
  pigeon-sendmail
               `pigeon sendmail RCPT` (the CLI, --pigeon), one process per
               message like msmtp and curl: what a cron job or an alert
               script pays per message (start-up, TLS, AUTH, one message)

Every client runs as its own process(es), started through bench_spawn (a
small C launcher built next to smtp_bench) and reaped with wait4(): wall time
is from the first fork to the last exit, CPU is user+sys of the client
processes (and of their children) only, peak RSS is the largest ru_maxrss
among them. (Spawning from Python directly would add the driver's own RSS to
every ru_maxrss: the kernel carries the forking process's high-water mark
across exec.) Each measurement is repeated --runs times
(the clients interleaved within a run) and the median of each figure kept.
The sink's own CPU time is read from /proc around each measurement and shown
as "sink%" (its CPU over the client's wall time): near 100% would mean the
sink, not the client, set the pace.

Ratios: "speed" = pigeon's messages/s over the peer's (above 1: pigeon is
faster); "CPU" = the peer's CPU seconds over pigeon's (above 1: pigeon uses
less). MB are MiB (2^20 bytes).

  /usr/bin/python3 bench/smtp/run.py                      # everything
  /usr/bin/python3 bench/smtp/run.py --targets sink --workloads small
  /usr/bin/python3 bench/smtp/run.py --markdown --json results.json
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE.parent.parent
MIB = 1 << 20

WORKLOADS = {
    "small": {"count": 2000, "size": 2048, "label": "2,000 x 2 KB, one connection"},
    "1mb": {"count": 200, "size": MIB, "label": "200 x 1 MB, one connection"},
    "40mb": {"count": 1, "size": 40 * MIB, "label": "1 x 40 MB"},
}
CLIENTS = ["pigeon", "pigeon-data", "smtplib", "smtp-source", "msmtp", "curl", "pigeon-sendmail"]

# The running lab's directory, as lab/lab.sh chooses it.
LAB_DIR = Path(os.environ.get("PIGEON_LAB_DIR") or SOURCE_DIR / "lab" / "run").resolve()

LAB = {
    "host": "127.0.0.1",
    "port": 10587,
    "user": "alice@lab.test",
    "password": "alice-pass-1",
    "from": "alice@lab.test",
    "to": "bench@example.org",  # foreign domain: accepted after AUTH, discarded
}


# --------------------------------------------------------------- messages

def make_message(path: Path, size: int, seed: int) -> None:
    """A plausible message of about `size` bytes with CRLF line ends: text
    for the small one, a base64 attachment body for the large ones. One line
    starts with '.' so dot-stuffing is exercised."""
    rng = random.Random(seed)
    head = (
        "From: Bench Sender <bench@example.org>\r\n"
        "To: Sink <sink@example.org>\r\n"
        f"Subject: benchmark message of {size} bytes\r\n"
        "Date: Mon, 30 Nov 2026 00:00:00 +0000\r\n"
        f"Message-ID: <bench-{size}-{seed}@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
    ).encode()
    out = bytearray(head)
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod "
             "tempor incididunt ut labore et dolore magna aliqua").split()
    if size <= 64 * 1024:
        out += b"Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        first = True
        while len(out) < size - 80:
            line = " ".join(rng.choice(words) for _ in range(11))[:72]
            if first:
                line = "." + line  # needs dot-stuffing
                first = False
            out += line.encode() + b"\r\n"
        out += b"-- \r\nbench\r\n"
    else:
        out += (b"Content-Type: application/octet-stream\r\n"
                b"Content-Transfer-Encoding: base64\r\n"
                b"Content-Disposition: attachment; filename=\"data.bin\"\r\n\r\n")
        need = size - len(out)
        raw = rng.randbytes(need * 3 // 4)
        b64 = base64.encodebytes(raw).replace(b"\n", b"\r\n")  # 76-char lines
        out += b64[: need - 2]
        if not out.endswith(b"\r\n"):
            out += b"\r\n"
    path.write_bytes(bytes(out))


def lf_copy(src: Path, dst: Path) -> None:
    dst.write_bytes(src.read_bytes().replace(b"\r\n", b"\n"))


# --------------------------------------------------------------- processes

@dataclass
class Measure:
    wall: float = 0.0
    cpu: float = 0.0
    rss_kb: int = 0
    processes: int = 0
    ok: bool = True
    error: str = ""
    sink_cpu: float | None = None


def proc_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def run_client(a, plan: "Plan", log: Path, sink_pid: int | None) -> Measure:
    """Runs plan.argv plan.repeat times through bench_spawn, measuring them."""
    argv = [a.bench_spawn, "--repeat", str(plan.repeat), "--log", str(log)]
    if plan.stdin is not None:
        argv += ["--stdin", str(plan.stdin)]
    argv += ["--"] + plan.argv
    sink0 = proc_cpu(sink_pid) if sink_pid else None
    out = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    m = Measure()
    if sink_pid:
        m.sink_cpu = proc_cpu(sink_pid) - sink0
    if out.returncode != 0:
        m.ok = False
        m.error = f"bench_spawn failed: {out.stderr.strip()}"
        return m
    r = json.loads(out.stdout)
    m.wall, m.cpu, m.rss_kb, m.processes = r["wall"], r["user"] + r["sys"], r["maxrss_kb"], r["processes"]
    if r["exit"] != 0:
        m.ok = False
        m.error = f"{os.path.basename(plan.argv[0])} exited {r['exit']} (see {log})"
    return m


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def start_sink(port: int, log: Path) -> subprocess.Popen:
    argv = ["/usr/sbin/smtp-sink"]
    if os.geteuid() == 0:
        argv += ["-u", "nobody"]  # smtp-sink refuses to run as root without -u
    argv += [f"127.0.0.1:{port}", "256"]
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=open(log, "ab"),
                         stderr=subprocess.STDOUT)
    if not wait_port(port):
        p.kill()
        raise SystemExit(f"run.py: smtp-sink did not start on port {port} (see {log})")
    return p


def lab_settle(timeout: float = 60.0) -> None:
    """Waits until the lab's Postfix has emptied its incoming and active
    queues, so one client's backlog does not slow the next one down."""
    queue = LAB_DIR / "postfix" / "queue"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        busy = 0
        for d in ("incoming", "active", "maildrop"):
            for _root, _dirs, names in os.walk(queue / d):
                busy += len(names)
        if busy == 0:
            return
        time.sleep(0.1)


def ensure_lab() -> None:
    if wait_port(LAB["port"], timeout=0.5):
        return
    print("run.py: the lab is down; starting it (lab/lab.sh start)", file=sys.stderr)
    subprocess.run([str(SOURCE_DIR / "lab" / "lab.sh"), "start"], check=True)
    if not wait_port(LAB["port"]):
        raise SystemExit("run.py: the lab's submission port does not answer")


# --------------------------------------------------------------- clients

@dataclass
class Target:
    name: str
    host: str
    port: int
    tls: bool
    user: str | None
    password: str | None
    sender: str
    rcpt: str
    ca: str | None
    sink_pid: int | None = None
    describe: str = ""


@dataclass
class Plan:
    argv: list[str]
    stdin: Path | None
    sent: int           # messages actually sent
    repeat: int = 1     # processes run one after the other
    scale: float = 1.0  # wall/CPU multiplier to the full count


def plan_for(client: str, t: Target, wl: dict, files: dict, a, rcfile: Path) -> Plan | None:
    n = wl["count"]
    msg = files["crlf"]
    if client in ("pigeon", "pigeon-data"):
        if client == "pigeon-data" and t.name != "lab":
            return None
        argv = [a.smtp_bench, "--host", t.host, "--port", str(t.port), "--file", str(msg),
                "--count", str(n), "--from", t.sender, "--to", t.rcpt]
        if t.tls:
            argv += ["--tls", "starttls", "--ca", t.ca]
        if t.user:
            argv += ["--user", t.user, "--password", t.password]
        if client == "pigeon-data":
            argv += ["--prefer-data"]
        return Plan(argv, None, n)
    if client == "smtplib":
        argv = ["/usr/bin/python3", str(HERE / "smtplib_client.py"), "--host", t.host,
                "--port", str(t.port), "--file", str(msg), "--count", str(n),
                "--from", t.sender, "--to", t.rcpt]
        if t.tls:
            argv += ["--starttls", "--ca", t.ca]
        if t.user:
            argv += ["--user", t.user, "--password", t.password]
        return Plan(argv, None, n)
    if client == "smtp-source":
        if t.tls or t.user:
            return None  # no TLS, no AUTH in smtp-source
        # -F appends CRLF to each line itself: give it the LF copy so the
        # bytes on the wire are the same as the others'.
        argv = ["/usr/sbin/smtp-source", "-d", "-s", "1", "-m", str(n), "-F", str(files["lf"]),
                "-f", t.sender, "-t", t.rcpt, f"{t.host}:{t.port}"]
        return Plan(argv, None, n)
    if client in ("msmtp", "curl", "pigeon-sendmail"):
        k = min(n, a.per_process_max)
        if client == "pigeon-sendmail":
            # The account (server, TLS, login) from a config file named by
            # PIGEON_CONFIG (written by main()); the message on stdin.
            # --no-queue: a message the server does not take is a failure
            # here (exit 75), not an entry left in the outbox.
            return Plan([a.pigeon, "sendmail", "--no-queue", t.rcpt], msg, k, k, n / k)
        if client == "msmtp":
            argv = ["/usr/bin/msmtp", "-C", str(rcfile), "-a", t.name, t.rcpt]
            return Plan(argv, msg, k, k, n / k)
        argv = ["/usr/bin/curl", "-sS", "--url", f"smtp://{t.host}:{t.port}",
                "--mail-from", t.sender, "--mail-rcpt", t.rcpt, "-T", str(msg)]
        if t.tls:
            argv += ["--ssl-reqd", "--cacert", t.ca]
        if t.user:
            argv += ["--user", f"{t.user}:{t.password}"]
        return Plan(argv, None, k, k, n / k)
    raise ValueError(client)


def write_msmtprc(path: Path, targets: list[Target]) -> None:
    lines = ["defaults", "syslog off", ""]
    for t in targets:
        lines += [f"account {t.name}", f"host {t.host}", f"port {t.port}", f"from {t.sender}"]
        if t.tls:
            lines += ["tls on", "tls_starttls on", f"tls_trust_file {t.ca}"]
        else:
            lines += ["tls off"]
        if t.user:
            lines += ["auth on", f"user {t.user}", f"password {t.password}"]
        else:
            lines += ["auth off"]
        lines.append("")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines))


def write_pigeon_config(path: Path, targets: list[Target]) -> Path:
    """One account per target for `pigeon sendmail` (the last is the default)."""
    lines = []
    for i, t in enumerate(targets):
        lines += [f"[accounts.{t.name}]", f'server = "smtp://{t.host}:{t.port}"', f'from = "{t.sender}"']
        if i == len(targets) - 1:
            lines.append("default = true")
        if t.tls:
            lines.append(f'tls_ca = "{t.ca}"')
        else:
            lines.append('tls = "none"')
        if t.user:
            lines += [f'user = "{t.user}"', f'password = "{t.password}"']
        lines.append("")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines))
    return path


# --------------------------------------------------------------- report

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def summarise(runs: list[Measure], plan: Plan, msg_bytes: int) -> dict:
    good = [r for r in runs if r.ok]
    if not good:
        return {"ok": False, "error": runs[-1].error if runs else "not run"}
    wall = median([r.wall for r in good])
    cpu = median([r.cpu for r in good])
    rss = median([r.rss_kb for r in good]) / 1024
    sent_bytes = plan.sent * msg_bytes
    sink = [r.sink_cpu / r.wall for r in good if r.sink_cpu is not None and r.wall > 0]
    return {
        "ok": True,
        "runs": len(good),
        "messages_sent": plan.sent,
        "scaled": plan.scale != 1.0,
        "msgs_per_s": plan.sent / wall,
        "mb_per_s": sent_bytes / MIB / wall,
        "wall_s": wall * plan.scale,
        "cpu_s": cpu * plan.scale,
        "rss_mb": rss,
        "sink_busy": median(sink) if sink else None,
        "raw": [{"wall": r.wall, "cpu": r.cpu, "rss_kb": r.rss_kb, "sink_cpu": r.sink_cpu}
                for r in good],
    }


def table(title: str, rows: dict, markdown: bool) -> str:
    base = rows.get("pigeon")
    head = ["client", "msgs/s", "MB/s", "wall s", "CPU s", "peak RSS MB", "speed", "CPU", "sink%"]
    body = []
    for name, r in rows.items():
        if not r["ok"]:
            body.append([name, "FAILED: " + r["error"]] + [""] * 7)
            continue
        star = "*" if r["scaled"] else ""
        speed = cpu_ratio = "-"
        if base and base["ok"] and name != "pigeon":
            speed = f"{base['msgs_per_s'] / r['msgs_per_s']:.2f}x"
            cpu_ratio = f"{r['cpu_s'] / base['cpu_s']:.2f}x" if base["cpu_s"] > 0 else "-"
        elif name == "pigeon":
            speed = cpu_ratio = "1.00x"
        sink = f"{100 * r['sink_busy']:.0f}%" if r["sink_busy"] is not None else "-"
        body.append([name + star, f"{r['msgs_per_s']:.1f}", f"{r['mb_per_s']:.1f}",
                     f"{r['wall_s']:.3f}", f"{r['cpu_s']:.3f}", f"{r['rss_mb']:.1f}",
                     speed, cpu_ratio, sink])
    out = []
    if markdown:
        out.append(f"**{title}**\n")
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
        for b in body:
            out.append("| " + " | ".join(b) + " |")
    else:
        out.append(f"== {title}")
        widths = [max(len(str(x[i])) for x in [head] + body) for i in range(len(head))]
        fmt = lambda row: "  ".join(  # noqa: E731
            str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row))
        out.append(fmt(head))
        for b in body:
            out.append(fmt(b) if not b[1].startswith("FAILED") else b[0] + "  " + b[1])
    return "\n".join(out) + "\n"


# --------------------------------------------------------------- main

def find_built(name: str) -> str | None:
    for d in ("build-bench", "build"):
        p = SOURCE_DIR / d / "bench" / "smtp" / name
        if p.exists():
            return str(p)
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smtp-bench", default=find_built("smtp_bench"),
                    help="path of smtp_bench (default: build-bench/bench/smtp/smtp_bench)")
    ap.add_argument("--bench-spawn", default=find_built("bench_spawn"),
                    help="path of bench_spawn (default: next to smtp_bench)")
    ap.add_argument("--pigeon", default=str(SOURCE_DIR / "build" / "cli" / "pigeon"),
                    help="the pigeon CLI for the pigeon-sendmail client")
    ap.add_argument("--targets", default="sink,lab")
    ap.add_argument("--workloads", default="small,1mb,40mb")
    ap.add_argument("--clients", default=",".join(CLIENTS))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--per-process-max", type=int, default=500,
                    help="most messages sent by one-process-per-message clients (then scaled)")
    ap.add_argument("--lab-ca", default=str(LAB_DIR / "certs" / "ca.pem"))
    ap.add_argument("--workdir", help="where message files go (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json", help="write every figure, raw runs included, to this file")
    a = ap.parse_args()
    if not a.smtp_bench or not os.access(a.smtp_bench, os.X_OK):
        raise SystemExit("run.py: smtp_bench not found; build it (see bench/RESULTS.md) or pass --smtp-bench")
    if not a.bench_spawn or not os.access(a.bench_spawn, os.X_OK):
        raise SystemExit("run.py: bench_spawn not found; build it (see bench/RESULTS.md) or pass --bench-spawn")
    targets = [x for x in a.targets.split(",") if x]
    workloads = [x for x in a.workloads.split(",") if x]
    clients = [x for x in a.clients.split(",") if x]
    for w in workloads:
        if w not in WORKLOADS:
            raise SystemExit(f"run.py: unknown workload {w}")
    for c in clients:
        if c not in CLIENTS:
            raise SystemExit(f"run.py: unknown client {c}")

    work = Path(a.workdir) if a.workdir else Path(tempfile.mkdtemp(prefix="pigeon-smtp-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "clients.log"
    files = {}
    for i, w in enumerate(workloads):
        crlf = work / f"{w}.eml"
        make_message(crlf, WORKLOADS[w]["size"], seed=i + 1)
        lf = work / f"{w}.lf.eml"
        lf_copy(crlf, lf)
        files[w] = {"crlf": crlf, "lf": lf, "bytes": crlf.stat().st_size}

    sink = None
    tlist: list[Target] = []
    try:
        if "sink" in targets:
            port = free_port()
            sink = start_sink(port, work / "sink.log")
            tlist.append(Target("sink", "127.0.0.1", port, False, None, None,
                                "bench@example.org", "sink@example.org", None, sink.pid,
                                f"smtp-sink on 127.0.0.1:{port}, no TLS"))
        if "lab" in targets:
            ensure_lab()
            tlist.append(Target("lab", LAB["host"], LAB["port"], True, LAB["user"], LAB["password"],
                                LAB["from"], LAB["to"], a.lab_ca, None,
                                f"lab submission 127.0.0.1:{LAB['port']}, STARTTLS + AUTH"))
        rcfile = work / "msmtprc"
        write_msmtprc(rcfile, tlist)
        # A fresh Debian sets neither: with SSL_CERT_FILE set (as on the
        # machines here) OpenSSL parses the whole system bundle at every
        # start, where pigeon otherwise looks CAs up in the hashed
        # directory. curl --cacert and msmtp tls_trust_file ignore both.
        for k in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            os.environ.pop(k, None)
        if "pigeon-sendmail" in clients:
            os.environ["PIGEON_CONFIG"] = str(write_pigeon_config(work / "pigeon.toml", tlist))

        results = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
                   "runs": a.runs, "per_process_max": a.per_process_max, "tables": []}
        print(f"# pigeon SMTP benchmark: {a.runs} runs per figure, medians; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
        for t in tlist:
            for w in workloads:
                wl = WORKLOADS[w]
                plans = {}
                for c in clients:
                    p = plan_for(c, t, wl, files[w], a, rcfile)
                    if p is not None:
                        plans[c] = p
                runs: dict[str, list[Measure]] = {c: [] for c in plans}
                for _ in range(a.runs):
                    for c, p in plans.items():
                        if t.name == "lab":
                            ensure_lab()
                            lab_settle()
                        m = run_client(a, p, log, t.sink_pid)
                        if not m.ok and t.name == "lab":
                            ensure_lab()  # another session may have stopped it: retry once
                            m = run_client(a, p, log, t.sink_pid)
                        runs[c].append(m)
                        if not m.ok:
                            print(f"run.py: {c} on {t.name}/{w}: {m.error}", file=sys.stderr)
                rows = {c: summarise(runs[c], plans[c], files[w]["bytes"]) for c in plans}
                title = f"{t.describe}: {wl['label']} ({files[w]['bytes']} bytes each)"
                print(table(title, rows, a.markdown), flush=True)
                results["tables"].append({"target": t.name, "workload": w, "title": title,
                                          "message_bytes": files[w]["bytes"], "rows": rows})
        scaled = any(r.get("scaled") for tb in results["tables"] for r in tb["rows"].values())
        if scaled:
            print(f"* sent {a.per_process_max} messages, one process each; wall and CPU "
                  f"scaled to the full count, rates measured on those sent.")
        results["load_after"] = os.getloadavg()
        if a.json:
            Path(a.json).write_text(json.dumps(results, indent=1))
    finally:
        if sink is not None:
            sink.terminate()
            sink.wait()
        if not a.workdir and not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
