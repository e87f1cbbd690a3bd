#!/usr/bin/python3
# SPDX-License-Identifier: EUPL-1.2
"""Recording benchmark (bench/run.sh --recording): what recording a meeting costs plenumd.

One plenumd (bench/plenum-bench.ini, temporary data folder), an admin (--create-admin), a staff
account and a persistent room made over the REST API, and --n (4) synthetic participants
(bench/clients.py) who join by the room's invitation; participant 0 sends the staff session
cookie with its WebSocket handshake and is the room's owner, i.e. its moderator. Then:
  1. CPU: after --settle s, --pairs pairs of windows (recording off --window s, on --window s),
     the recording started and stopped by the moderator between windows, --exclude s after
     each switch left out (after a stop: until the file is ready, then --exclude s);
  2. a 1-minute and a --long-minutes recording: the time from 'recording-stop' (sent) to state
     'ready' in GET /api/rooms/{id}/recordings (polled every 100 ms from the moment the stop
     is sent), durationSeconds and bytes;
  3. every finished file downloaded through the API and checked with ffprobe (H.264 + AAC,
     duration within max(2 s, 0.5 %) of what was recorded, moov before mdat).
Prints a table and appends it to bench/results.md. No retries: a failure ends the run
(exit status 1) with its reason.
"""
import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import say  # noqa: E402


class Fail(Exception):
    pass


class Api:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.cookie = None
        self.csrf = None

    def call(self, method, path, body=None, raw=False):
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            r = urllib.request.urlopen(req, timeout=30)
        except urllib.error.HTTPError as e:
            raise Fail("%s %s: HTTP %d %s" % (method, path, e.code, e.read()[:300].decode(errors="replace")))
        if raw:
            return r
        with r:
            text = r.read().decode()
            return r.status, r.headers, (json.loads(text) if text else None)

    def login(self, username, password):
        self.cookie = self.csrf = None
        _, headers, body = self.call("POST", "/api/session", {"username": username, "password": password})
        for h in headers.get_all("Set-Cookie") or []:
            name, _, rest = h.partition("=")
            if name.strip() == "plenum_session":
                self.cookie = "plenum_session=" + rest.split(";")[0]
        if not self.cookie:
            raise Fail("login as %s: no plenum_session cookie" % username)
        self.csrf = body["csrfToken"]

    def recordings(self, room_id):
        return self.call("GET", "/api/rooms/%s/recordings" % room_id)[2]["recordings"]


class RecClients(bench.Clients):
    def __init__(self, *a, **kw):
        self.events = []
        self.cond = threading.Condition()
        super().__init__(*a, **kw)

    def on_event(self, msg):
        if msg.get("event") in ("signal", "sent"):
            with self.cond:
                self.events.append(msg)
                self.cond.notify_all()

    def wait_event(self, since, pred, timeout, what):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events[since:]:
                    if pred(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Fail("no %s within %.0f s" % (what, timeout))
                self.cond.wait(left)


def wind_down(run):
    """After a run (failed or not): the clients leave, plenumd stops; what went wrong on the way
    goes to run.problems, plenumd's log lines other than Information to run.log_issues."""
    if run.clients is not None:
        if run.clients.stop():
            run.problems.append("the client process did not exit within 10 s of 'stop'")
        final = run.clients.final or run.clients.latest()
        if final:
            stalled = [(p["p"], p["stall_s"]) for p in final["participants"] if p.get("stall_s")]
            if stalled:
                run.problems.append("composite stalled (participant, s without a frame): %s" % stalled)
            errs = [e for p in final["participants"] for e in p["errors"]]
            if errs:
                run.problems.append("errors from the server: %s" % errs[:5])
    if run.server is not None:
        time.sleep(1.0)
        code, secs, hung, early = bench.stop_process(run.server, "plenumd")
        if hung or early or code not in (0, None):
            run.problems.append("plenumd stop: exit code %s after %.1f s%s%s" % (
                code, secs, ", hung" if hung else "", ", had exited before" if early else ""))
        run.log_issues, _ = bench.scan_log(run.log_path)


def problems_and_log(run):
    """The report's last lines: the problems, and plenumd's log lines other than Information."""
    out = ["- PROBLEM: %s" % p for p in run.problems]
    issues = getattr(run, "log_issues", [])
    if issues:
        out.append("\nplenumd log lines other than Information (%d):\n\n```" % len(issues))
        out.extend(issues[:25])
        out.append("```")
    else:
        out.append("\nplenumd log: only Information lines")
    return out


def moov_first(path):
    with open(path, "rb") as f:
        order = []
        while True:
            head = f.read(8)
            if len(head) < 8:
                break
            size = int.from_bytes(head[:4], "big")
            kind = head[4:8].decode("latin-1")
            if size == 1:
                size = int.from_bytes(f.read(8), "big")
                f.seek(size - 16, 1)
            elif size == 0:
                order.append(kind)
                break
            else:
                f.seek(size - 8, 1)
            order.append(kind)
    return "moov" in order and "mdat" in order and order.index("moov") < order.index("mdat"), order


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_entries",
                          "stream=codec_type,codec_name,profile,width,height,avg_frame_rate,sample_rate,channels,"
                          "nb_read_packets:format=duration,format_name", "-of", "json", path],
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise Fail("ffprobe %s failed: %s" % (path, out.stderr.strip()[:300]))
    return json.loads(out.stdout)


class Run:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.server = None
        self.clients = None
        self.recs = []  # finished recordings
        self.pairs = []
        self.problems = []

    def alive(self):
        if self.server.poll() is not None:
            raise Fail("plenumd exited with code %s" % self.server.returncode)
        st = self.clients.latest()
        if st and st["failed"]:
            raise Fail("participant(s) failed: %s" % [p["p"] for p in st["participants"] if p["state"] == "failed"])

    def sleep(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.alive()
            time.sleep(min(1.0, max(0.0, end - time.monotonic())))

    def child_ticks(self):
        with open("/proc/%d/stat" % self.server.pid) as f:
            data = f.read()
        fields = data[data.rindex(")") + 2:].split()
        return int(fields[13]) + int(fields[14])  # cutime + cstime: ffmpeg, ffprobe

    def start_recording(self):
        since = len(self.clients.events)
        self.clients.command("send 0 " + json.dumps({"type": "recording-start"}))
        sent = self.clients.wait_event(since, lambda e: e["event"] == "sent" and e["type"] == "recording-start", 10,
                                       "send of recording-start")
        ack = self.clients.wait_event(since, lambda e: e["event"] == "signal" and e["p"] == 0 and e["msg"]["type"] in (
            "recording-updated", "error"), 10, "answer to recording-start")
        if ack["msg"]["type"] == "error" or ack["msg"].get("state") != "recording":
            raise Fail("recording-start refused: %s" % ack["msg"])
        running = [r for r in self.api.recordings(self.room["id"]) if r["state"] == "recording"]
        if len(running) != 1:
            raise Fail("after recording-start the list shows %d recordings in state 'recording': %s" % (
                len(running), running))
        return {"id": running[0]["id"], "t_start_sent": sent["t"], "t_start_ack": ack["t"]}

    def stop_recording(self, rec, label):
        """Sends recording-stop, polls the list every 100 ms from then until the file is ready."""
        since = len(self.clients.events)
        c0 = self.child_ticks()
        t_cmd = time.monotonic()
        self.clients.command("send 0 " + json.dumps({"type": "recording-stop"}))
        seen, k, entry = {}, 0, None
        while True:
            entry = next((r for r in self.api.recordings(self.room["id"]) if r["id"] == rec["id"]), None)
            now = time.monotonic()
            if entry is None:
                raise Fail("%s: recording %s is no longer listed" % (label, rec["id"]))
            seen.setdefault(entry["state"], now)
            if entry["state"] == "ready":
                break
            if entry["state"] in ("failed", "recovered"):
                raise Fail("%s: recording %s ended in state %s" % (label, rec["id"], entry["state"]))
            if now - t_cmd > self.args.ready_limit:
                raise Fail("%s: recording %s not ready %d s after the stop (state %s)" % (
                    label, rec["id"], self.args.ready_limit, entry["state"]))
            k += 1
            time.sleep(max(0.0, t_cmd + 0.1 * k - time.monotonic()))
        sent = self.clients.wait_event(since, lambda e: e["event"] == "sent" and e["type"] == "recording-stop", 10,
                                       "send of recording-stop")
        ack = self.clients.wait_event(since, lambda e: e["event"] == "signal" and e["p"] == 0 and e["msg"]["type"] in (
            "recording-updated", "error"), 10, "answer to recording-stop")
        if ack["msg"]["type"] == "error" or ack["msg"].get("state") != "stopped" or ack["msg"].get("reason") != "stopped":
            raise Fail("%s: recording-stop answered %s" % (label, ack["msg"]))
        t0 = sent["t"]
        rec.update(label=label, t_stop_sent=t0, entry=entry, ready_s=seen["ready"] - t0,
                   processing_s=(seen["processing"] - t0) if "processing" in seen else None,
                   recorded_s=t0 - rec["t_start_ack"], finalise_cpu_s=(self.child_ticks() - c0) / bench.CLK_TCK)
        say("%s: recorded %.1f s; ready %.2f s after the stop; %s" % (label, rec["recorded_s"], rec["ready_s"], entry))
        self.recs.append(rec)
        return rec

    def verify(self, rec):
        path = os.path.join(self.work, "%s.mp4" % rec["id"])
        r = self.api.call("GET", "/api/recordings/%s/file" % rec["id"], raw=True)
        with r, open(path, "wb") as f:
            shutil.copyfileobj(r, f, 1 << 20)
        size = os.path.getsize(path)
        info = ffprobe(path)
        first, boxes = moov_first(path)
        v = [s for s in info["streams"] if s["codec_type"] == "video"]
        a = [s for s in info["streams"] if s["codec_type"] == "audio"]
        dur = float(info["format"]["duration"])
        exp = rec["recorded_s"]
        tol = max(2.0, 0.005 * exp)
        check = {"size": size, "duration": dur, "boxes": boxes[:6], "moov_first": first,
                 "video": v[0] if v else None, "audio": a[0] if a else None}
        if v:
            check["video_fps"] = int(v[0]["nb_read_packets"]) / dur
        rec["probe"] = check
        errs = []
        if size != rec["entry"]["bytes"]:
            errs.append("downloaded %d bytes, the list says %d" % (size, rec["entry"]["bytes"]))
        if len(v) != 1 or v[0]["codec_name"] != "h264":
            errs.append("video streams %s, expected one h264" % [s["codec_name"] for s in v])
        if len(a) != 1 or a[0]["codec_name"] != "aac":
            errs.append("audio streams %s, expected one aac" % [s["codec_name"] for s in a])
        if abs(dur - exp) > tol:
            errs.append("duration %.2f s, recorded %.2f s (tolerance %.1f s)" % (dur, exp, tol))
        if abs(dur - rec["entry"]["durationSeconds"]) > 0.5:
            errs.append("ffprobe %.2f s, durationSeconds %.2f" % (dur, rec["entry"]["durationSeconds"]))
        if not first:
            errs.append("moov not before mdat: %s" % boxes)
        rec["probe_ok"] = not errs
        if not self.args.keep:
            os.remove(path)
        if errs:
            raise Fail("%s (%s): %s" % (rec["label"], rec["id"], "; ".join(errs)))
        say("%s: ffprobe ok: %.2f s, h264 %sx%s %.1f fps, aac %s Hz %s ch, moov first" % (
            rec["label"], dur, v[0].get("width"), v[0].get("height"), check["video_fps"], a[0].get("sample_rate"),
            a[0].get("channels")))

    def setup(self, media):
        a = self.args
        data = os.path.join(self.work, "data")
        os.mkdir(data)
        p = subprocess.run([a.plenumd, "--config", a.config, "--data", data, "--create-admin", "admin"],
                           input="bench-admin-password\n", capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise Fail("--create-admin exited %d: %s" % (p.returncode, (p.stdout + p.stderr)[-300:]))
        self.port = bench.free_port()
        self.log_path = os.path.join(self.work, "plenumd.log")
        with open(self.log_path, "w") as logf:
            env = dict(os.environ, LIBC_FATAL_STDERR_="1")
            self.server = subprocess.Popen([a.plenumd, "--port", str(self.port), "--data", data, "--config", a.config],
                                           stdout=logf, stderr=subprocess.STDOUT, cwd=self.work, env=env)
        deadline = time.monotonic() + 20
        while bench.healthz(self.port)[0] != 200:
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise Fail("plenumd did not start (log %s)" % self.log_path)
            time.sleep(0.1)
        self.api = Api(self.port)
        self.api.login("admin", "bench-admin-password")
        self.api.call("POST", "/api/accounts", {"username": "bench", "displayName": "Bench Staff",
                                                "password": "bench-staff-password", "role": "staff"})
        self.api.login("bench", "bench-staff-password")
        self.room = self.api.call("POST", "/api/rooms", {"title": "Bench recording"})[2]
        say("room %s (id %s) created by staff account 'bench'" % (self.room["slug"], self.room["id"]))
        t0 = time.monotonic()
        self.clients = RecClients(a, "ws://127.0.0.1:%d/ws" % self.port, a.n, *media,
                                  os.path.join(self.work, "clients.log"), False,
                                  ["--invite", self.room["inviteToken"], "--cookie-first", self.api.cookie,
                                   "--recording-consent"])
        while not self.clients.ready.wait(timeout=0.5):
            self.alive()
            if time.monotonic() - t0 > a.ready_timeout:
                raise Fail("participants not all connected and receiving within %d s" % a.ready_timeout)
        role = self.clients.wait_event(0, lambda e: e["event"] == "signal" and e["p"] == 0 and
                                       e["msg"]["type"] == "joined", 5, "'joined' of participant 0")
        if role["msg"]["role"] != "moderator":
            raise Fail("participant 0 joined as %s, not moderator" % role["msg"]["role"])
        say("%d participants connected and receiving after %.1f s; participant 0 is moderator; settling %d s" % (
            a.n, time.monotonic() - t0, a.settle))
        self.sleep(a.settle)

    def cpu_phase(self):
        a = self.args
        for i in range(a.pairs):
            off = bench.measure(a, a.n, self.port, self.server, self.clients)
            rec = self.start_recording()
            self.sleep(a.exclude)
            on = bench.measure(a, a.n, self.port, self.server, self.clients)
            self.stop_recording(rec, "CPU pair %d" % (i + 1))
            self.sleep(a.exclude)
            self.pairs.append((off, on))
            say("pair %d: off %.1f %%, on %.1f %% of a core (other processes %.0f / %.0f %%)" % (
                i + 1, off["cpu_pct_core"], on["cpu_pct_core"], off["other_cpu_pct_core"], on["other_cpu_pct_core"]))
            for w in (off, on):
                if w["other_cpu_pct_core"] > 25:
                    self.problems.append("other processes used %.0f %% of a core in a window of pair %d" % (
                        w["other_cpu_pct_core"], i + 1))
                if w["min_fps"] < 24:
                    self.problems.append("a participant received %.1f composite fps in a window of pair %d" % (
                        w["min_fps"], i + 1))

    def long_phase(self):
        for label, minutes in (("1 min", 1.0), ("%g min" % self.args.long_minutes, self.args.long_minutes)):
            rec = self.start_recording()
            say("%s: recording %s started" % (label, rec["id"]))
            r0, t0 = bench.proc_status(self.server.pid)["VmRSS"], bench.proc_cpu_ticks(self.server.pid)
            self.sleep(max(0.0, rec["t_start_ack"] + minutes * 60 - time.monotonic()))
            rec["cpu_pct_core"] = 100.0 * (bench.proc_cpu_ticks(self.server.pid) - t0) / bench.CLK_TCK / (
                time.monotonic() - rec["t_start_ack"])
            rec["rss_mb"] = (r0 / bench.PAGE_MB, bench.proc_status(self.server.pid)["VmRSS"] / bench.PAGE_MB)
            self.stop_recording(rec, label)
            self.sleep(self.args.exclude)


def report(run, args, info, started, failure):
    out = []
    out.append("\n## Recording (`bench/run.sh --recording`)\n")
    out.append("- Date: %s (run took %.0f s)" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                                                 time.monotonic() - started))
    out.append("- Machine: %d cores, %s, Linux %s, %s" % (info["cores"], info["cpu"], info["kernel"], info["gstreamer"]))
    out.append("- plenumd: `%s` (built %s; repo at %s), config `%s` (composite 1280x720 25 fps 1500 kbit/s; "
               "recording: that H.264 composite + AAC 96 kbit/s of the full mix)" % (
                   args.plenumd, info["built"], info["commit"], os.path.relpath(args.config, bench.REPO_DIR)))
    out.append("- Room: a persistent room made by a staff account over the REST API; %d synthetic participants "
               "(bench/clients.py) joined by its invitation, participant 0 with the staff session cookie "
               "(moderator) starts and stops the recordings. One plenumd for everything." % args.n)
    out.append("- Method: settle %d s; %d pairs of windows of %d s, recording off then on, %d s left out after "
               "each start, and after each stop until the file was ready plus %d s; utime+stime of plenumd "
               "(its ffmpeg/ffprobe children not included: 'finalise CPU' below). Stop to ready: from the moment "
               "the moderator's client sent `recording-stop` to the first `GET /api/rooms/{id}/recordings` "
               "(polled every 100 ms) that lists the recording as `ready`. Files downloaded through the API "
               "and checked with ffprobe.\n" % (args.settle, args.pairs, args.window, args.exclude, args.exclude))
    if failure:
        out.append("**FAILED: %s**\n" % failure)
    rows = []
    if run.pairs:
        offs = [o["cpu_pct_core"] for o, _ in run.pairs]
        ons = [n["cpu_pct_core"] for _, n in run.pairs]
        off, on = statistics.mean(offs), statistics.mean(ons)
        cost = 100.0 * (on - off) / off
        per_pair = [100.0 * (n - o) / o for o, n in zip(offs, ons)]
        spread = max(per_pair) - min(per_pair)
        rows.append(("plenumd CPU, recording off (%% of a core, mean of %d)" % len(offs),
                     "%.1f (%s)" % (off, ", ".join("%.1f" % x for x in offs))))
        rows.append(("plenumd CPU, recording on", "%.1f (%s)" % (on, ", ".join("%.1f" % x for x in ons))))
        rows.append(("recording's cost (share of the room's CPU; target <= 5 %)",
                     "%+.1f %% (%+.1f %% of a core; per pair %s) — %s" % (
                         cost, on - off, ", ".join("%+.1f %%" % d for d in per_pair),
                         ("NOT resolved: the pairs differ by up to %.0f points, more than the target" % spread)
                         if spread > 5 else ("met" if cost <= 5 else "NOT met"))))
    for rec in run.recs:
        e = rec["entry"]
        mb_min = e["bytes"] / 1e6 / (e["durationSeconds"] / 60.0) if e["durationSeconds"] else 0
        rows.append(("%s: stop to ready (processing seen)" % rec["label"], "%.2f s (%s)" % (
            rec["ready_s"], "-" if rec["processing_s"] is None else "%.2f s" % rec["processing_s"])))
        if not rec["label"].startswith("CPU"):
            rows.append(("%s: durationSeconds, bytes" % rec["label"], "%.2f s (recorded %.2f s), %d bytes = %.2f MB/min "
                         "(%.0f kbit/s)" % (e["durationSeconds"], rec["recorded_s"], e["bytes"], mb_min,
                                            e["bytes"] * 8 / 1000.0 / e["durationSeconds"])))
            if "cpu_pct_core" in rec:
                rows.append(("%s: plenumd CPU while recording, RSS start/end" % rec["label"],
                             "%.1f %% of a core, %.1f / %.1f MB" % (rec["cpu_pct_core"], *rec["rss_mb"])))
        p = rec.get("probe")
        if p:
            rows.append(("%s: ffprobe (downloaded file)" % rec["label"], "%s: %.2f s; %s %s %sx%s %.2f fps; %s %s Hz "
                         "%s ch; moov before mdat: %s; size = bytes: %s; finalise CPU (ffmpeg+ffprobe) %.2f s" % (
                             "ok" if rec.get("probe_ok") else "FAILED", p["duration"],
                             p["video"]["codec_name"] if p["video"] else "no video",
                             (p["video"] or {}).get("profile", ""), (p["video"] or {}).get("width"),
                             (p["video"] or {}).get("height"), p.get("video_fps", 0),
                             p["audio"]["codec_name"] if p["audio"] else "no audio",
                             (p["audio"] or {}).get("sample_rate"), (p["audio"] or {}).get("channels"),
                             "yes" if p["moov_first"] else "no", p["size"] == e["bytes"], rec["finalise_cpu_s"])))
    out.append("| recording | value |\n|---|---|")
    out.extend("| %s | %s |" % r for r in rows)
    if run.pairs:
        out.append("\n| pair | off: plenumd % of a core / other processes / composite fps min | "
                   "on: plenumd / other / fps min |\n|---|---|---|")
        for i, (o, n) in enumerate(run.pairs):
            out.append("| %d | %.1f / %.0f / %.1f | %.1f / %.0f / %.1f |" % (
                i + 1, o["cpu_pct_core"], o["other_cpu_pct_core"], o["min_fps"], n["cpu_pct_core"],
                n["other_cpu_pct_core"], n["min_fps"]))
        o, n = run.pairs[-1]
        out.append("\nBusiest plenumd threads, last pair (%% of a core), off: %s; on: %s" % (
            ", ".join("`%s` x%d %.1f" % g for g in o["thread_groups"][:6]),
            ", ".join("`%s` x%d %.1f" % g for g in n["thread_groups"][:6])))
    out.extend(problems_and_log(run))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4, help="participants (default 4)")
    ap.add_argument("--pairs", type=int, default=3, help="off/on window pairs (default 3)")
    ap.add_argument("--window", type=int, default=20, help="CPU window, s (default 20)")
    ap.add_argument("--settle", type=int, default=10, help="s after all receive, before the first window (default 10)")
    ap.add_argument("--exclude", type=int, default=3, help="s left out after each switch (default 3)")
    ap.add_argument("--long-minutes", type=float, default=10, help="the long recording, minutes (default 10)")
    ap.add_argument("--ready-limit", type=int, default=120, help="s from stop to ready before failing (default 120)")
    ap.add_argument("--ready-timeout", type=int, default=40)
    ap.add_argument("--offer-timeout", type=float, default=15)
    ap.add_argument("--plenumd", default=os.environ.get("PLENUMD", bench.DEFAULT_PLENUMD))
    ap.add_argument("--config", default=os.path.join(bench.BENCH_DIR, "plenum-bench.ini"))
    ap.add_argument("--results", default=os.path.join(bench.BENCH_DIR, "results.md"),
                    help="markdown file the section is appended to ('' for none)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, downloaded files)")
    args = ap.parse_args()
    args.plenumd = os.path.abspath(args.plenumd)
    args.config = os.path.abspath(args.config)
    if not os.access(args.plenumd, os.X_OK):
        sys.exit("plenumd not found at %s (pass --plenumd or set PLENUMD)" % args.plenumd)
    for tool in ("ffprobe", "ffmpeg"):
        if not shutil.which(tool):
            sys.exit("%s is missing (apt-get install ffmpeg)" % tool)
    started = time.monotonic()
    info = bench.machine_info(args.plenumd)
    work = tempfile.mkdtemp(prefix="plenum-recbench-")
    say("work folder %s; pre-encoding the participants' media" % work)
    run = Run(args, work)
    failure = None
    try:
        media = bench.make_media(work)
        run.setup(media)
        run.cpu_phase()
        run.long_phase()
        for rec in run.recs:
            run.verify(rec)
    except Fail as e:
        failure = str(e)
    except Exception as e:  # noqa: BLE001  (reported, not retried)
        failure = "%s: %s" % (type(e).__name__, e)
    finally:
        wind_down(run)
    text = report(run, args, info, started, failure)
    print(text)
    if args.results:
        with open(args.results, "a") as f:
            f.write(text)
        say("appended to %s" % args.results)
    if failure:
        say("FAILED: %s (logs in %s)" % (failure, work))
    elif not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        say("kept %s" % work)
    sys.exit(1 if failure or run.problems else 0)


if __name__ == "__main__":
    main()
