# Shared by bench/downtime, bench/calls and bench/fleet: build, processes, emulator, ledger.
"""Starts a real heroku-emulator (simulated transfers) and pgshiftd on loopback, seeds apps,
runs upgrades through the control API and reads the emulator's ledger, which is the truth
for every figure: maintenance on/off and each transfer's creation and end (at_ms)."""

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TERMINAL = {"succeeded", "failed", "cancelled", "rolled_back"}
TOKEN = "bench-token"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def now_ms():
    return int(time.time() * 1000)


def build(build_dir, targets=("pgshiftd", "heroku-emulator")):
    """Release (optimised, no sanitizers) build of the targets into build_dir."""
    env = dict(os.environ)
    if subprocess.run(["which", "ccache"], capture_output=True).returncode == 0:
        env.setdefault("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")
        env.setdefault("CCACHE_BASEDIR", ROOT)
        env.setdefault("CCACHE_NOHASHDIR", "1")
    subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja",
                    "-DCMAKE_BUILD_TYPE=Release", "-DPGSHIFT_SANITIZE=OFF",
                    "-DPGSHIFT_CRASH_POINTS=OFF"],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    subprocess.run(["cmake", "--build", build_dir, "-j2", "--target", *targets],
                   check=True, stdout=subprocess.DEVNULL, env=env)


def add_build_args(parser):
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench-rel"),
                        help="Release build to make and use (default build-bench-rel)")
    parser.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    parser.add_argument("--pgshiftd", help="pgshiftd binary (default: the build's)")
    parser.add_argument("--emulator", help="heroku-emulator binary (default: the build's)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--lookup-extensions", action="store_true",
                        help="start upgrades without `extensions`, so pgshiftd reads the "
                        "source's (a simulated source cannot be reached: 3 tries, 2 x poll_ms "
                        "inside maintenance)")
    parser.add_argument("--commit", help="the commit pgshiftd was built from, for the record "
                        "(default: this checkout's HEAD)")


def binaries(args):
    if not args.no_build and not (args.pgshiftd and args.emulator):
        log(f"== building pgshiftd, heroku-emulator (Release) in {args.build_dir}")
        build(args.build_dir)
    pgshiftd = args.pgshiftd or os.path.join(args.build_dir, "bin", "pgshiftd")
    emulator = args.emulator or os.path.join(args.build_dir, "bin", "heroku-emulator")
    for b in (pgshiftd, emulator):
        if not os.access(b, os.X_OK):
            sys.exit(f"bench: {b} is not an executable (build it, or pass --pgshiftd/--emulator)")
    return pgshiftd, emulator


def git_commit(args=None):
    if args is not None and args.commit:
        return args.commit
    out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return out.stdout.strip() + ("+dirty" if dirty else "")


def machine():
    return f"{os.cpu_count()} cores, Linux {os.uname().release}"


def http(method, url, body=None, headers=None, timeout=60):
    """(status, parsed JSON or text) of one request; never raises on an HTTP error status."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/vnd.heroku+json; version=3")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, raw = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    text = raw.decode(errors="replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def wait_for_line(path, needle, proc, limit_s=30):
    end = time.time() + limit_s
    while time.time() < end:
        try:
            with open(path, errors="replace") as f:
                for line in f:
                    if needle in line:
                        return line.strip()
        except FileNotFoundError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    with open(path, errors="replace") as f:
        sys.exit(f"bench: no '{needle}' from {proc.args[0]}:\n{f.read()[-2000:]}")


class Processes:
    """The children this bench started; each stopped by its own pid on exit."""

    def __init__(self):
        self.procs = []

    def start(self, argv, out, err, env=None):
        p = subprocess.Popen(argv, stdout=open(out, "w"), stderr=open(err, "w"),
                             env=env, start_new_session=True)
        self.procs.append(p)
        return p

    def stop(self, p, limit_s=20):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(limit_s)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        for p in reversed(self.procs):
            self.stop(p)


class Emulator:
    def __init__(self, procs, binary, work):
        token_file = os.path.join(work, "heroku-token")
        with open(token_file, "w") as f:
            f.write(TOKEN)
        os.chmod(token_file, 0o600)
        self.token_file = token_file
        out, err = os.path.join(work, "emulator.out"), os.path.join(work, "emulator.err")
        self.proc = procs.start([binary, "--token-file", token_file, "--port", "0",
                                 "--state-dir", os.path.join(work, "emulator-state")], out, err)
        self.url = wait_for_line(out, "listening ", self.proc).split()[1]

    def control(self, method, path, body=None):
        status, out = http(method, self.url + "/_emulator" + path, body)
        if status >= 300:
            sys.exit(f"bench: emulator {method} {path} -> {status} {out}")
        return out

    def remaining(self):
        """The budget left (GET /account/rate-limits is free, as on Heroku)."""
        status, out = http("GET", self.url + "/account/rate-limits",
                           headers={"Authorization": "Bearer " + TOKEN})
        if status != 200:
            sys.exit(f"bench: /account/rate-limits -> {status} {out}")
        return out["remaining"]

    def seed(self, name, formation, size_bytes, release_phase=True):
        return self.control("POST", "/apps", {
            "name": name, "plan": "heroku-postgresql:essential-0", "postgres_version": "15",
            "formation": formation, "release_phase": release_phase, "size_bytes": size_bytes})

    def ledger(self):
        return self.control("GET", "/ledger")

    def requests(self):
        """The emulator's request log, or None when this emulator has none."""
        status, out = http("GET", self.url + "/_emulator/requests")
        return out if status == 200 else None


class Pgshiftd:
    def __init__(self, procs, binary, work, emu, capacity=4500, refill=75, schedule=None,
                 lookup_extensions=False):
        self.lookup_extensions = lookup_extensions
        state = os.path.join(work, "state")
        os.makedirs(state, exist_ok=True)
        cfg = os.path.join(work, "pgshiftd.toml")
        lines = [f'state_dir = "{state}"', "", "[api]", 'listen = "127.0.0.1:0"', "",
                 "[heroku]", f'platform_url = "{emu.url}"', f'data_url = "{emu.url}"',
                 f'token_file = "{emu.token_file}"', f"rate_capacity = {int(capacity)}",
                 f"rate_refill_per_minute = {refill}", ""]
        if schedule:
            lines += ["[schedule]"] + [f"{k} = {v}" for k, v in schedule.items()] + [""]
        with open(cfg, "w") as f:
            f.write("\n".join(lines))
        self.err_path = os.path.join(work, "pgshiftd.err")
        self.proc = procs.start([binary, "--config", cfg], os.path.join(work, "pgshiftd.out"),
                                self.err_path)
        line = wait_for_line(self.err_path, "listening on ", self.proc)
        self.url = line.split("listening on ")[1].split()[0]

    def start_upgrade(self, app, plan="heroku-postgresql:standard-0"):
        # Simulated databases cannot be connected to: the row-count check is off, and the
        # restore's extensions are named so pgshiftd does not try to read the source's.
        body = {"app": app, "plan": plan, "verify": False}
        if not self.lookup_extensions:
            body["extensions"] = ["plpgsql"]
        status, out = http("POST", self.url + "/v1/upgrades", body)
        if status != 201:
            sys.exit(f"bench: start {app} -> {status} {out}")
        return out["id"]

    def upgrade(self, uid):
        status, out = http("GET", self.url + "/v1/upgrades/" + uid)
        return out if status == 200 else None

    def list_all(self):
        items, after = [], None
        while True:
            q = "/v1/upgrades?limit=500" + (f"&after={after}" if after else "")
            status, out = http("GET", self.url + q)
            if status != 200:
                sys.exit(f"bench: list -> {status} {out}")
            items += out["upgrades"]
            after = out.get("next")
            if not after:
                return items

    def metrics(self):
        status, out = http("GET", self.url + "/metrics")
        values = {}
        if status != 200:
            return values
        for line in str(out).splitlines():
            if line.startswith("#") or not line.strip():
                continue
            name, _, value = line.rpartition(" ")
            try:
                values[name] = float(value)
            except ValueError:
                pass
        return values

    def requests_by_status(self):
        m = self.metrics()
        prefix = 'pgshift_heroku_requests_total{status="'
        return {k[len(prefix):-2]: int(v) for k, v in m.items() if k.startswith(prefix)}

    def usage(self):
        """Peak RSS (MiB) and CPU seconds (utime + stime) of the running pgshiftd."""
        pid = self.proc.pid
        hwm = 0
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / tick
        return hwm / 1024.0, cpu


def wait_all(pg, ids, limit_s, poll_s=0.5, on_tick=None):
    """Waits until every upgrade is terminal; returns id -> its last JSON."""
    last = {}
    end = time.time() + limit_s
    pending = set(ids)
    while pending and time.time() < end:
        if len(pending) > 20:
            for u in pg.list_all():
                if u["id"] in pending:
                    last[u["id"]] = u
        else:
            for uid in list(pending):
                u = pg.upgrade(uid)
                if u is not None:
                    last[uid] = u
        pending = {i for i in pending if last.get(i, {}).get("state") not in TERMINAL}
        if on_tick:
            on_tick(len(ids) - len(pending), len(ids))
        if pending:
            time.sleep(poll_s)
    return last


def app_windows(ledger, app):
    """From the ledger: maintenance on/off and Heroku's own capture and restore (ms)."""
    mine = [e for e in ledger if e["app"] == app]
    on = next((e["at_ms"] for e in mine if e["kind"] == "maintenance" and e["detail"] == "on"),
              None)
    off = next((e["at_ms"] for e in mine if e["kind"] == "maintenance" and e["detail"] == "off"
                and on is not None and e["at_ms"] >= on), None)
    finished = {e["subject"]: e["at_ms"] for e in mine if e["kind"] == "transfer_finished"}

    def transfer(kind):
        made = [e for e in mine if e["kind"] == kind]
        if not made:
            return None
        e = made[-1]  # the one that counted (a retried one would be the last)
        end = finished.get(e["subject"])
        return None if end is None else (e["at_ms"], end)

    return {"on": on, "off": off, "capture": transfer("backup"), "restore": transfer("restore")}


def span(t):
    return None if t is None else t[1] - t[0]


def stats(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def fmt_s(ms):
    return "-" if ms is None else f"{ms / 1000:.2f}"


def fmt_range(st):
    if st is None:
        return "-"
    return f"{st['median'] / 1000:.2f} s ({st['min'] / 1000:.2f}–{st['max'] / 1000:.2f})"


class Sampler(threading.Thread):
    """Samples pgshiftd's Heroku request counter every period_s: (ms, total) pairs, so the
    calls made between two ledger instants can be read off when the emulator keeps no log."""

    def __init__(self, pg, period_s=0.1):
        super().__init__(daemon=True)
        self.pg, self.period_s, self.samples = pg, period_s, []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                total = sum(self.pg.requests_by_status().values())
                self.samples.append((now_ms(), total))
            except OSError:
                pass
            self.stopped.wait(self.period_s)

    def at(self, ms):
        """The counter's value at ms: the last sample taken at or before it."""
        best = None
        for t, v in self.samples:
            if t <= ms:
                best = v
        return best


def calls_between(requests_log, t0, t1, apps=None):
    """Charged calls the emulator served with at_ms in [t0, t1), optionally for some apps."""
    n = 0
    for r in requests_log:
        if r.get("charged", True) and t0 <= r["at_ms"] < t1 and (apps is None or
                                                              r.get("app") in apps):
            n += 1
    return n


def workdir(name, keep):
    d = tempfile.mkdtemp(prefix=f"pgshift-bench-{name}-")
    if keep:
        log(f"== work directory {d} (kept)")
    return d


def append_row(section_title, header_lines, row):
    """Appends row under section_title in bench/RESULTS.md (creating the section)."""
    path = os.path.join(ROOT, "bench", "RESULTS.md")
    with open(path) as f:
        text = f.read()
    if section_title not in text:
        text = text.rstrip("\n") + "\n\n" + section_title + "\n\n" + "\n".join(header_lines) + "\n"
        text += row + "\n"
    else:
        start = text.index(section_title)
        # The section's table ends at its first blank line after the table began.
        table_at = text.index("\n|", start)
        end = text.find("\n\n", table_at)
        end = len(text.rstrip("\n")) if end < 0 else end
        text = text[:end] + "\n" + row + text[end:]
    if not text.endswith("\n"):
        text += "\n"
    with open(path, "w") as f:
        f.write(text)
