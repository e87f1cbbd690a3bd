#!/usr/bin/python3
# SPDX-License-Identifier: EUPL-1.2
"""Plenum benchmark: plenumd CPU and memory with N synthetic participants in one room.

For each N (default 2 4 8): starts a fresh plenumd (temporary data folder, free port,
bench/plenum-bench.ini), waits for /healthz, starts N synthetic WebRTC participants in one
separate process (bench/clients.py: pre-encoded H.264 640x360 25 fps + Opus replayed from
memory, received media dropped), waits until every participant is connected and receiving
audio and video, lets it settle, then measures over a fixed window:
  * plenumd's CPU (utime+stime of /proc/PID/stat, all threads): CPU seconds per
    participant-second = cpu_s / (N * window_s), and % of one core;
  * plenumd's memory: VmRSS (sampled each second: mean and at the end) and VmHWM (peak);
  * plenumd's busiest threads (/proc/PID/task/*), the clients' CPU and the machine's load
    (to tell whether the 2 cores were saturated);
  * what the participants received (composite frames per second, kbit/s, Opus packets/s).
Then stops the clients and plenumd (SIGTERM, SIGKILL after 10 s: reported as a hang),
scans plenumd's log for warnings and errors, prints a table and writes bench/results.md.

Usage: /usr/bin/python3 bench/bench.py [N ...] (bench/run.sh installs what is needed).
Everything stays on 127.0.0.1.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)
DEFAULT_PLENUMD = os.path.join(REPO_DIR, "build", "appliance", "plenumd")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_MB = 1024.0  # VmRSS is in kB


def say(msg):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---------------------------------------------------------------- /proc helpers

def proc_cpu_ticks(pid, tid=None):
    path = "/proc/%d/task/%d/stat" % (pid, tid) if tid else "/proc/%d/stat" % pid
    with open(path) as f:
        data = f.read()
    # the command may contain spaces and parentheses: split after the last ')'
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM", "VmSize", "Threads", "RssAnon", "RssFile"):
                out[key] = int(val.split()[0])
    return out


def thread_ticks(pid):
    result = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except FileNotFoundError:
        return result
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                comm = f.read().strip()
            result[int(tid)] = (comm, proc_cpu_ticks(pid, int(tid)))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return result


def all_process_ticks():
    """{pid: (command, utime+stime, cutime+cstime of its children that ended)} of every process."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                data = f.read()
            fields = data[data.rindex(")") + 2:].split()
            out[int(name)] = (data[data.index("(") + 1:data.rindex(")")], int(fields[11]) + int(fields[12]),
                              int(fields[13]) + int(fields[14]))
        except (OSError, ValueError):
            pass
    return out


def machine_ticks():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    vals = [int(x) for x in parts]
    idle = vals[3] + vals[4]  # idle + iowait
    return sum(vals[:8]), idle


def thread_group(comm):
    # webrtcbin/nice/etc. threads carry participant ids or counters: group them
    comm = re.sub(r"^p-[0-9a-f]+-?", "p-<participant>-", comm)  # a tile's sources, per participant
    # per-participant elements named after the participant's id (truncated to 15 characters):
    # tile-<id>-placeholder (the placeholder source), mix-<id>-out (the mix-minus and its Opus encode)
    comm = re.sub(r"^(tile|mix|webrtc)-[0-9a-f]+.*", r"\1-<participant>", comm)
    return re.sub(r"\d+", "#", comm)


# ---------------------------------------------------------------- helpers

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def healthz(port, timeout=2.0):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=timeout) as r:
            return r.status, json.loads(r.read().decode() or "{}")
    except Exception as e:  # refused while starting, HTTPError for 503
        return getattr(e, "code", None), None


def stop_process(proc, name, grace=10.0, backtrace_to=None):
    """SIGTERM, then SIGKILL after `grace` seconds. Returns (exit code, seconds, hung,
    exited_before_sigterm). A hung process's threads are written to `backtrace_to` first
    (with gdb, where installed)."""
    if proc.poll() is not None:
        return proc.returncode, 0.0, False, True
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
        return proc.returncode, time.monotonic() - t0, False, False
    except subprocess.TimeoutExpired:
        say("%s (pid %d) did not exit within %.0f s of SIGTERM: SIGKILL" % (name, proc.pid, grace))
        if backtrace_to and shutil.which("gdb"):
            with open(backtrace_to, "w") as f:
                subprocess.run(["gdb", "-p", str(proc.pid), "-batch", "-ex", "thread apply all bt"],
                               stdout=f, stderr=subprocess.STDOUT, timeout=60)
        proc.kill()
        proc.wait(timeout=10)
        return proc.returncode, time.monotonic() - t0, True, False


def signal_name(code):
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return "signal %d" % -code
    return None


def plenum_frames(path, limit=12):
    """The frames of plenumd's own code (and what they wait in) from a gdb dump."""
    out, thread, keep = [], None, []
    try:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines + ["Thread END"]:
        if line.startswith("Thread "):
            if thread and any("plenum::" in l for l in keep):
                out.append(thread)
                out.extend("  " + l[:220] for l in keep[:limit])
            thread, keep = line[:120], []
        elif line.startswith("#"):
            keep.append(line)
    return out


def make_media(folder):
    """Pre-encodes once: 10 s of 640x360 25 fps H.264 constrained baseline (key frame every
    2 s) and 10 s of Opus (a 440 Hz sine), each in Matroska."""
    video = os.path.join(folder, "video.mkv")
    audio = os.path.join(folder, "audio.mkv")
    subprocess.run(
        ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=250", "pattern=smpte", "horizontal-speed=3",
         "!", "video/x-raw,width=640,height=360,framerate=25/1",
         "!", "timeoverlay", "font-desc=Sans 36",
         "!", "x264enc", "bitrate=700", "key-int-max=50", "tune=zerolatency", "speed-preset=veryfast",
         "!", "video/x-h264,profile=constrained-baseline",
         "!", "h264parse", "!", "matroskamux", "!", "filesink", "location=" + video],
        check=True, timeout=120)
    subprocess.run(
        ["gst-launch-1.0", "-q", "audiotestsrc", "wave=sine", "freq=440", "volume=0.3", "num-buffers=500",
         "samplesperbuffer=960", "!", "audio/x-raw,rate=48000,channels=1",
         "!", "opusenc", "bitrate=32000", "frame-size=20",
         "!", "matroskamux", "!", "filesink", "location=" + audio],
        check=True, timeout=120)
    return video, audio


class Clients:
    """The synthetic participants' process and its JSON lines."""

    def __init__(self, args, url, n, video, audio, log_path, decode_first, extra_args=()):
        cmd = [sys.executable, os.path.join(BENCH_DIR, "clients.py"), "--url", url, "--n", str(n),
               "--video", video, "--audio", audio, "--room", "bench",
               "--offer-timeout", str(args.offer_timeout)] + list(extra_args)
        if decode_first:
            cmd.append("--decode-first")
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, bufsize=1)
        self.status = None
        self.ready = threading.Event()
        self.final = None
        self.final_event = threading.Event()
        self.snapshot_result = None
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            ev = msg.get("event")
            with self.lock:
                if ev == "status":
                    self.status = msg
                elif ev == "ready":
                    self.ready.set()
                elif ev == "final":
                    self.final = msg
                    self.final_event.set()
                elif ev == "snapshot":
                    self.snapshot_result = msg.get("result")
            self.on_event(msg)

    def on_event(self, msg):
        """Every JSON line of the clients (for subclasses: bench/recording.py); on the reader thread."""

    def latest(self):
        with self.lock:
            return self.status

    def command(self, text):
        try:
            self.proc.stdin.write(text + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass

    def stop(self):
        self.command("stop")
        self.final_event.wait(timeout=10)
        try:
            self.proc.wait(timeout=10)
            hung = False
        except subprocess.TimeoutExpired:
            hung = True
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()
        return hung


def scan_log(path):
    """Lines of plenumd's log that are not plain Information lines."""
    issues = []
    counts = {"joined": 0, "left": 0}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if re.search(r" joined( as \S+)? \(", line):
                    counts["joined"] += 1
                if " left (" in line:
                    counts["left"] += 1
                if re.search(r"\d\d:\d\d:\d\d\.\d+ Information ", line) or not line.strip():
                    continue
                issues.append(line)
    except FileNotFoundError:
        issues.append("(no log file)")
    return issues, counts


# ---------------------------------------------------------------- measurement

def measure(args, n, port, server, clients):
    """One measurement window: plenumd's CPU and memory, the clients' and the machine's CPU,
    what the participants received."""
    st0 = clients.latest()
    p0 = all_process_ticks()
    m0 = machine_ticks()
    c0 = proc_cpu_ticks(clients.proc.pid)
    th0 = thread_ticks(server.pid)
    w0 = time.monotonic()
    s0 = proc_cpu_ticks(server.pid)
    rss = []
    health_participants = None
    while time.monotonic() - w0 < args.window:
        time.sleep(min(1.0, max(0.0, args.window - (time.monotonic() - w0))))
        if server.poll() is not None:
            raise RuntimeError("plenumd exited during the measurement with code %s" % server.returncode)
        rss.append(proc_status(server.pid)["VmRSS"])
        if health_participants is None and time.monotonic() - w0 > args.window / 2:
            _, body = healthz(port)
            health_participants = (body or {}).get("participants")
    s1 = proc_cpu_ticks(server.pid)
    w1 = time.monotonic()
    th1 = thread_ticks(server.pid)
    c1 = proc_cpu_ticks(clients.proc.pid)
    m1 = machine_ticks()
    p1 = all_process_ticks()
    st1 = clients.latest()
    status = proc_status(server.pid)

    window = w1 - w0
    cpu_s = (s1 - s0) / float(CLK_TCK)
    m = {
        "window_s": window,
        "cpu_s": cpu_s,
        "cpu_pct_core": 100.0 * cpu_s / window,
        "cpu_per_participant_s": cpu_s / (n * window),
        "rss_end_mb": status["VmRSS"] / PAGE_MB,
        "rss_mean_mb": sum(rss) / len(rss) / PAGE_MB if rss else None,
        "rss_peak_mb": status["VmHWM"] / PAGE_MB,
        "threads": status.get("Threads"),
        "clients_cpu_pct_core": 100.0 * (c1 - c0) / CLK_TCK / window,
        "machine_busy_pct": 100.0 * (1.0 - (m1[1] - m0[1]) / float(max(1, m1[0] - m0[0]))),
        "other_cpu_pct_core": max(0.0, os.cpu_count() * 100.0 * (1.0 - (m1[1] - m0[1]) / float(max(1, m1[0] - m0[0])))
                                  - 100.0 * cpu_s / window - 100.0 * (c1 - c0) / CLK_TCK / window),
        "health_participants": health_participants,
    }
    # the other processes that used CPU meanwhile (those alive at both ends of the window)
    others = []
    for pid, (comm, ticks, child_ticks) in p1.items():
        if pid in (server.pid, clients.proc.pid, os.getpid()) or pid not in p0:
            continue
        pct = 100.0 * (ticks - p0[pid][1]) / CLK_TCK / window
        child_pct = 100.0 * (child_ticks - p0[pid][2]) / CLK_TCK / window
        if pct >= 2.0:
            others.append((pct, pid, comm))
        if child_pct >= 2.0:
            # a child's whole life is added to its parent when it ends: can exceed the window
            others.append((child_pct, pid, comm + ", children that ended"))
    m["other_processes"] = sorted(others, reverse=True)[:5]
    # busiest thread groups of plenumd
    groups = {}
    for tid, (comm, ticks) in th1.items():
        before = th0.get(tid, (comm, 0))[1]
        g = thread_group(comm)
        cnt, tot = groups.get(g, (0, 0))
        groups[g] = (cnt + 1, tot + ticks - before)
    m["thread_groups"] = sorted(
        ((g, cnt, 100.0 * tot / CLK_TCK / window) for g, (cnt, tot) in groups.items()),
        key=lambda x: -x[2])[:8]
    # what the participants received during the window
    per = []
    for a, b in zip(st0["participants"], st1["participants"]):
        dt = st1["t"] - st0["t"]
        per.append({
            "fps": (b["rx_video_frames"] - a["rx_video_frames"]) / dt,
            "video_kbps": 8 * (b["rx_video_bytes"] - a["rx_video_bytes"]) / dt / 1000.0,
            "audio_pps": (b["rx_audio_pkts"] - a["rx_audio_pkts"]) / dt,
            "tx_fps": (b["tx_video_frames"] - a["tx_video_frames"]) / dt,
            "state": b["state"], "errors": b["errors"], "keyframe_jumps": b["keyframe_jumps"],
        })
    m["received"] = per
    m["min_fps"] = min(p["fps"] for p in per)
    m["mean_fps"] = sum(p["fps"] for p in per) / len(per)
    m["mean_video_kbps"] = sum(p["video_kbps"] for p in per) / len(per)
    m["min_audio_pps"] = min(p["audio_pps"] for p in per)
    return m


# ---------------------------------------------------------------- one measurement

def run_one(args, n, media, workdir):
    video, audio = media
    tmp = tempfile.mkdtemp(prefix="plenum-bench-n%d-" % n, dir=workdir)
    data = os.path.join(tmp, "data")
    os.mkdir(data)
    port = free_port()
    server_log = os.path.join(tmp, "plenumd.log")
    result = {"n": n, "ok": False, "problems": [], "server_log": server_log}
    say("N=%d: starting plenumd on 127.0.0.1:%d (log %s)" % (n, port, server_log))
    with open(server_log, "w") as logf:
        # glibc's fatal messages (heap corruption) go to the log rather than /dev/tty
        env = dict(os.environ, LIBC_FATAL_STDERR_="1")
        server = subprocess.Popen([args.plenumd, "--port", str(port), "--data", data, "--config", args.config],
                                  stdout=logf, stderr=subprocess.STDOUT, cwd=tmp, env=env)
    result["pid"] = server.pid
    clients = None
    try:
        deadline = time.monotonic() + 20
        while True:
            if server.poll() is not None:
                raise RuntimeError("plenumd exited during start-up with code %s" % server.returncode)
            code, _ = healthz(port)
            if code == 200:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("/healthz did not answer 200 within 20 s (last: %s)" % code)
            time.sleep(0.1)
        result["rss_idle_mb"] = proc_status(server.pid)["VmRSS"] / PAGE_MB

        t_start = time.monotonic()
        clients = Clients(args, "ws://127.0.0.1:%d/ws" % port, n, video, audio,
                          os.path.join(tmp, "clients.log"), args.snapshot is not None)
        ready_deadline = t_start + args.ready_timeout
        while not clients.ready.wait(timeout=0.5):
            st = clients.latest()
            if server.poll() is not None:
                raise RuntimeError("plenumd exited with code %s before all participants were receiving" %
                                   server.returncode)
            if st is not None and st["failed"]:
                raise RuntimeError("participant(s) failed before all were receiving: %s" % ", ".join(
                    "p%d (%s)" % (p["p"], "no offer within %g s of 'joined'" % args.offer_timeout
                                  if p.get("no_offer") else "state %s, connection %s" % (p["state"], p["conn"]))
                    for p in st["participants"] if p["state"] == "failed"))
            if time.monotonic() > ready_deadline:
                raise RuntimeError("participants not all connected and receiving within %d s: %s" % (
                    args.ready_timeout,
                    "no status" if st is None else "connected %d, receiving %d, failed %d of %d" % (
                        st["connected"], st["receiving"], st["failed"], n)))
        result["ready_s"] = time.monotonic() - t_start
        # --portrait K: the first K say they are phones held upright (the room's portrait composite)
        for i in range(min(args.portrait, n)):
            clients.command("send %d %s" % (i, json.dumps({"type": "view", "portrait": True})))
        say("N=%d: all %d participants connected and receiving after %.1f s%s; settling %d s" % (
            n, n, result["ready_s"], ", %d of them upright" % min(args.portrait, n) if args.portrait else "",
            args.settle))
        time.sleep(args.settle)

        windows = [measure(args, n, port, server, clients) for _ in range(max(1, args.repeat))]
        # the window that other processes disturbed least
        best = min(windows, key=lambda w: w["other_cpu_pct_core"])
        result.update(best)
        result["ok"] = True
        result["windows"] = [(w["cpu_pct_core"], w["other_cpu_pct_core"]) for w in windows]
        per = result["received"]
        health_participants = result["health_participants"]
        if result["other_cpu_pct_core"] > 25:
            result["problems"].append(
                "other processes used %.0f %% of a core during the window: the figures may be disturbed (%s)"
                % (result["other_cpu_pct_core"], ", ".join("%s[%d] %.0f %%" % (c, p, pc)
                                                           for pc, p, c in result["other_processes"][:3])
                   or "short-lived processes"))
        if any(p["state"] != "connected" for p in per):
            result["problems"].append("participant(s) not connected at the end of the window: %s" % [
                i for i, p in enumerate(per) if p["state"] != "connected"])
        if health_participants is not None and health_participants != n:
            result["problems"].append("/healthz reported %s participants, expected %d" % (health_participants, n))

        if args.snapshot:
            path = args.snapshot.replace("{n}", str(n))
            clients.command("snapshot " + os.path.abspath(path))
            time.sleep(1.0)
            result["snapshot"] = clients.snapshot_result
        say("N=%d: plenumd %.1f %% of a core, %.4f CPU-s per participant-s, RSS %.1f MB (peak %.1f); "
            "composite %.1f fps (min %.1f) at %.0f kbit/s" % (
                n, result["cpu_pct_core"], result["cpu_per_participant_s"], result["rss_end_mb"],
                result["rss_peak_mb"], result["mean_fps"], result["min_fps"], result["mean_video_kbps"]))
    except Exception as e:
        result["problems"].append(str(e))
        say("N=%d: FAILED: %s" % (n, e))
    finally:
        if clients is not None:
            if clients.stop():
                result["problems"].append("the client process did not exit within 10 s of 'stop' (killed)")
            final = clients.final or clients.latest()
            if final:
                parts = final["participants"]
                errs = [e for p in parts for e in p["errors"]]
                if errs:
                    result["problems"].append("errors sent by the server to clients: %s" % errs[:5])
                result["offer_s"] = [p.get("offer_s") for p in parts]
                offers = [t for t in result["offer_s"] if t is not None]
                if offers:
                    result["offer_p50_s"] = statistics.median(offers)
                    result["offer_max_s"] = max(offers)
                no_offer = [p["p"] for p in parts if p.get("offer_s") is None]
                result["no_offer"] = len(no_offer)
                if no_offer:
                    result["problems"].append(
                        "plenumd sent no offer to participant(s) %s (%s)" % (no_offer, "; ".join(
                            "p%d: %s" % (p["p"], "none within %g s of 'joined'" % args.offer_timeout
                                         if p.get("no_offer") else "state %s at the end" % p["state"])
                            for p in parts if p.get("offer_s") is None)))
                stalled = [(p["p"], p.get("stall_s", 0)) for p in parts if p.get("stall_s")]
                if stalled:
                    result["problems"].append(
                        "the composite stalled after all were receiving (participant: seconds without a "
                        "composite frame): %s" % ", ".join("p%d: %d s" % x for x in stalled))
        # let the server notice the departures before it is stopped
        time.sleep(1.0)
        backtrace = os.path.join(tmp, "plenumd-hung-threads.txt")
        code, secs, hung, early = stop_process(server, "plenumd", backtrace_to=backtrace)
        result["exit_code"] = code
        result["stop_s"] = secs
        result["hung"] = hung
        sig = signal_name(code)
        if hung:
            result["problems"].append("plenumd did not exit within 10 s of SIGTERM (SIGKILLed)")
            result["hung_frames"] = plenum_frames(backtrace)
        elif early:
            result["problems"].append("plenumd had already exited before SIGTERM (%s)" % (
                "killed by " + sig if sig else "exit code %s" % code))
        elif sig:
            result["problems"].append("plenumd died of %s on the way out (after SIGTERM)" % sig)
        elif code not in (0, None):
            result["problems"].append("plenumd exited with code %s after SIGTERM" % code)
        issues, counts = scan_log(server_log)
        result["log_issues"] = issues
        result["log_counts"] = counts
        try:
            with open(os.path.join(tmp, "clients.log"), errors="replace") as f:
                result["clients_log"] = [l.rstrip("\n") for l in f if "loaded" not in l][:20]
        except FileNotFoundError:
            result["clients_log"] = []
    return result


# ---------------------------------------------------------------- the floor (--floor)

def config_value(path, key, default):
    with open(path) as f:
        m = re.search(r"^\s*%s\s*=\s*(\d+)" % re.escape(key), f.read(), re.M)
    return int(m.group(1)) if m else default


def floor_fps(log_path):
    """The floor's encoded composite frames so far, one per fpsdisplaysink last-message line (every 250 ms)."""
    out = []
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                m = re.search(r"last-message = rendered: (\d+), dropped: (\d+)", line)
                if m:
                    out.append(int(m.group(1)))
    except FileNotFoundError:
        pass
    return out


def run_floor(args, n, long_media, workdir):
    """The bare gst-launch-1.0 pipeline of bench/floor.py for n participants, measured like plenumd:
    settle, then args.repeat windows of args.window s, the one least disturbed reported."""
    import floor
    video, audio = long_media
    tmp = tempfile.mkdtemp(prefix="plenum-floor-n%d-" % n, dir=workdir)
    log_path = os.path.join(tmp, "gst-launch.log")
    cmd = floor.pipeline_args(
        n, video, audio, width=config_value(args.config, "video.width", 1280),
        height=config_value(args.config, "video.height", 720),
        fps=config_value(args.config, "video.framerate", 25),
        bitrate_kbps=config_value(args.config, "video.bitrate-kbps", 1500))
    # -v: fpsdisplaysink's last-message (composite frames encoded) every 250 ms
    cmd = [c for c in cmd if c != "-q"]
    cmd.insert(1, "-v")
    result = {"n": n, "ok": False, "problems": [], "log": log_path}
    say("N=%d: floor: starting gst-launch-1.0 (log %s)" % (n, log_path))
    with open(log_path, "w") as logf:
        proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, cwd=tmp)
    result["pid"] = proc.pid
    try:
        deadline = time.monotonic() + 20
        while len(floor_fps(log_path)) < 2:
            if proc.poll() is not None:
                raise RuntimeError("gst-launch-1.0 exited during start-up with code %s" % proc.returncode)
            if time.monotonic() > deadline:
                raise RuntimeError("the floor encoded no composite frames within 20 s")
            time.sleep(0.2)
        time.sleep(args.settle)
        windows = []
        for _ in range(max(1, args.repeat)):
            p0 = all_process_ticks()
            m0 = machine_ticks()
            th0 = thread_ticks(proc.pid)
            f0 = floor_fps(log_path)[-1]
            w0 = time.monotonic()
            c0 = proc_cpu_ticks(proc.pid)
            time.sleep(args.window)
            c1 = proc_cpu_ticks(proc.pid)
            w1 = time.monotonic()
            f1 = floor_fps(log_path)[-1]
            th1 = thread_ticks(proc.pid)
            m1 = machine_ticks()
            p1 = all_process_ticks()
            if proc.poll() is not None:
                raise RuntimeError("gst-launch-1.0 exited during the measurement with code %s" % proc.returncode)
            window = w1 - w0
            cpu_s = (c1 - c0) / float(CLK_TCK)
            busy = 1.0 - (m1[1] - m0[1]) / float(max(1, m1[0] - m0[0]))
            w = {"window_s": window, "cpu_s": cpu_s, "cpu_pct_core": 100.0 * cpu_s / window,
                 "machine_busy_pct": 100.0 * busy,
                 "other_cpu_pct_core": max(0.0, os.cpu_count() * 100.0 * busy - 100.0 * cpu_s / window),
                 # fpsdisplaysink reports every 250 ms: +-7 frames at each end
                 "fps": (f1 - f0) / window}
            others = []
            for pid, (comm, ticks, _) in p1.items():
                if pid in (proc.pid, os.getpid()) or pid not in p0:
                    continue
                pct = 100.0 * (ticks - p0[pid][1]) / CLK_TCK / window
                if pct >= 2.0:
                    others.append((pct, pid, comm))
            w["other_processes"] = sorted(others, reverse=True)[:5]
            groups = {}
            for tid, (comm, ticks) in th1.items():
                g = thread_group(comm)
                cnt, tot = groups.get(g, (0, 0))
                groups[g] = (cnt + 1, tot + ticks - th0.get(tid, (comm, 0))[1])
            w["thread_groups"] = sorted(((g, cnt, 100.0 * tot / CLK_TCK / window)
                                         for g, (cnt, tot) in groups.items()), key=lambda x: -x[2])[:8]
            windows.append(w)
        best = min(windows, key=lambda w: w["other_cpu_pct_core"])
        result.update(best)
        result["windows"] = [(w["cpu_pct_core"], w["other_cpu_pct_core"]) for w in windows]
        result["ok"] = True
        if best["fps"] < 24.0:
            result["problems"].append("the floor encoded only %.1f composite frames/s" % best["fps"])
        if best["other_cpu_pct_core"] > 25:
            result["problems"].append("other processes used %.0f %% of a core during the floor's window" %
                                      best["other_cpu_pct_core"])
        say("N=%d: floor %.1f %% of a core (%.1f composite frames/s encoded)" % (n, result["cpu_pct_core"],
                                                                                 result["fps"]))
    except Exception as e:
        result["problems"].append(str(e))
        say("N=%d: floor FAILED: %s" % (n, e))
    finally:
        code, _, hung, early = stop_process(proc, "gst-launch-1.0 (floor)")
        if early:
            result["problems"].append("the floor's gst-launch-1.0 had exited before the end (code %s)" % code)
        try:
            with open(log_path, errors="replace") as f:
                result["log_issues"] = [l.rstrip("\n") for l in f
                                        if re.search(r"ERROR|WARNING|CRITICAL", l)][:10]
        except FileNotFoundError:
            result["log_issues"] = []
    return result


def floor_table(results):
    lines = ["| N | plenumd % of a core | floor % of a core | plenumd / floor | plenumd CPU s per participant-s "
             "| floor composite fps / plenumd's (min received) | other processes % of a core (plenumd window / floor window) "
             "| plenumd's busiest thread groups (% of a core) |",
             "|" + "---|" * 8]
    for r in results:
        f = r.get("floor") or {}
        if not r["ok"] or not f.get("ok"):
            why = "; ".join((r["problems"] if not r["ok"] else []) + (f.get("problems", []) if not f.get("ok") else []))
            lines.append("| %d | %s | %s | failed: %s | | | | |" % (
                r["n"], fmt(r.get("cpu_pct_core"), "%.1f"), fmt(f.get("cpu_pct_core"), "%.1f"), why[:200]))
            continue
        groups = ", ".join("`%s` x%d %.0f" % g for g in r["thread_groups"][:4])
        lines.append("| %d | %.1f | %.1f | **%.2f** | %.4f | %.1f / %.1f | %.0f / %.0f | %s |" % (
            r["n"], r["cpu_pct_core"], f["cpu_pct_core"], r["cpu_pct_core"] / max(0.1, f["cpu_pct_core"]),
            r["cpu_per_participant_s"], f["fps"], r["min_fps"], r["other_cpu_pct_core"], f["other_cpu_pct_core"],
            groups))
    return "\n".join(lines)


def append_floor_section(path, args, info, results, started, load_before, load_after):
    out = ["", "## Against the floor (`bench/run.sh %s --floor`)\n" % " ".join(str(r["n"]) for r in results)]
    out.append("- Date: %s (run took %.0f s); load average before / after: %s / %s" % (
        datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), time.monotonic() - started, load_before, load_after))
    out.append("- Machine: %d cores, %s, Linux %s, %s" % (info["cores"], info["cpu"], info["kernel"], info["gstreamer"]))
    out.append("- plenumd: `%s` (built %s; repo at %s), config `%s`" % (
        args.plenumd, info["built"], info["commit"],
        os.path.relpath(args.config, REPO_DIR) if args.config.startswith(REPO_DIR) else args.config))
    out.append("- Method: per N, plenumd with N synthetic participants (bench.py: a fresh plenumd, N clients in one "
               "room, the participants' figures in the second table; settle %d s, %d "
               "windows of %d s, the least disturbed reported), then at once, with plenumd and the clients gone, "
               "the floor for the same N: one `gst-launch-1.0` (bench/floor.py) doing N x (the same 640x360 25 fps "
               "H.264 file, replayed at real time, h264parse + avdec_h264, scaled by the compositor into its grid "
               "cell) -> compositor 1280x720 25 fps -> one x264enc (ultrafast, zerolatency, 1500 kbit/s, as "
               "CompositeEncoders) -> fakesink, and N x (Opus, opusdec) -> audiomixer -> one opusenc; measured the "
               "same way (utime+stime of the process, same settle and windows). No network in the floor: no "
               "ICE/DTLS/SRTP/RTP, jitter buffers, payloaders, per-talker mix-minus Opus encodes, placeholders, "
               "captions or the per-camera scale to 640x360 that plenumd does.\n" % (
                   args.settle, max(1, args.repeat), args.window))
    out.append(floor_table(results))
    out.append("")
    out.append("plenumd's own figures in the same run (as `bench/run.sh` without `--floor` reports them):\n")
    out.append(table(results))
    out.append("")
    for r in results:
        f = r.get("floor") or {}
        out.append("- N = %d: plenumd windows (%% of a core / other processes): %s; floor windows: %s" % (
            r["n"], ", ".join("%.1f / %.0f" % w for w in r.get("windows", [])),
            ", ".join("%.1f / %.0f" % w for w in f.get("windows", []))))
        if r.get("thread_groups"):
            out.append("  - plenumd threads: %s" % ", ".join("`%s` x%d %.1f" % g for g in r["thread_groups"]))
        if f.get("thread_groups"):
            out.append("  - floor threads: %s" % ", ".join("`%s` x%d %.1f" % g for g in f["thread_groups"]))
        for p in r["problems"]:
            out.append("  - PROBLEM (plenumd): %s" % p)
        for p in f.get("problems", []):
            out.append("  - PROBLEM (floor): %s" % p)
        for line in f.get("log_issues", [])[:5]:
            out.append("  - floor log: `%s`" % line)
    with open(path, "a") as fh:
        fh.write("\n".join(out) + "\n")


# ---------------------------------------------------------------- report

def machine_info(plenumd):
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", REPO_DIR, "describe", "--always", "--dirty"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except Exception:
        commit = "?"
    try:
        gst = subprocess.run(["gst-launch-1.0", "--version"], capture_output=True, text=True,
                             timeout=10).stdout.splitlines()[1]
    except Exception:
        gst = "?"
    try:
        with open("/proc/self/net/dev") as f:
            interfaces = sorted(l.split(":")[0].strip() for l in f.readlines()[2:])
    except OSError:
        interfaces = []
    try:
        built = datetime.datetime.fromtimestamp(os.path.getmtime(plenumd)).strftime("%Y-%m-%d %H:%M:%S")
    except OSError:
        built = "?"
    return {"cores": os.cpu_count(), "cpu": model, "kernel": platform.release(), "commit": commit,
            "gstreamer": gst, "interfaces": interfaces, "built": built}


def fmt(v, spec):
    return "-" if v is None else spec % v


def table(results):
    head = ("| N | plenumd CPU %% of one core | CPU s per participant-s | RSS MB (end) | RSS MB (peak VmHWM) "
            "| composite fps received (mean/min) | video kbit/s per receiver | clients CPU %% of one core "
            "| other processes CPU %% of one core | machine busy %% (of %d cores) "
            "| join to offer s (p50/max over participants) |" % os.cpu_count())
    lines = [head, "|" + "---|" * 11]
    for r in results:
        offer = "%s / %s" % (fmt(r.get("offer_p50_s"), "%.2f"), fmt(r.get("offer_max_s"), "%.2f"))
        if r.get("no_offer"):
            offer += " (%d without)" % r["no_offer"]
        if not r["ok"]:
            lines.append("| %d | failed: %s | | | | | | | | | %s |" % (r["n"], "; ".join(r["problems"])[:200], offer))
            continue
        lines.append("| %d | %.1f | %.4f | %.1f | %.1f | %.1f / %.1f | %.0f | %.1f | %.0f | %.0f | %s |" % (
            r["n"], r["cpu_pct_core"], r["cpu_per_participant_s"], r["rss_end_mb"], r["rss_peak_mb"],
            r["mean_fps"], r["min_fps"], r["mean_video_kbps"], r["clients_cpu_pct_core"],
            r["other_cpu_pct_core"], r["machine_busy_pct"], offer))
    return "\n".join(lines)


def write_markdown(path, args, info, results, started):
    out = []
    out.append("# Plenum benchmark results\n")
    out.append("Made by `bench/run.sh` (bench/bench.py, bench/clients.py); the numbers below are from the last run.\n")
    out.append("- Date: %s (run took %.0f s)" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S %Z").strip(),
                                                 time.monotonic() - started))
    out.append("- Machine: %d cores, %s, Linux %s, %s" % (info["cores"], info["cpu"], info["kernel"], info["gstreamer"]))
    out.append("- plenumd: `%s` (built %s; repo at %s), config `%s`:" % (
        os.path.relpath(args.plenumd, REPO_DIR) if args.plenumd.startswith(REPO_DIR) else args.plenumd,
        info["built"], info["commit"], os.path.relpath(args.config, REPO_DIR) if args.config.startswith(REPO_DIR) else args.config))
    with open(args.config) as f:
        keys = [l.strip() for l in f if l.strip() and not l.lstrip().startswith(("#", ";"))]
    out.append("  `%s`" % "`, `".join(keys))
    out.append("- Participants: N synthetic WebRTC clients in one room, all in one separate process; each sends a "
               "pre-encoded 640x360 25 fps H.264 constrained-baseline stream (~700 kbit/s, IDR every 2 s) and "
               "Opus 48 kHz (440 Hz sine, 20 ms frames) replayed from memory, and drops what it receives "
               "(counted, not decoded)%s. All traffic on 127.0.0.1%s." % (
                   "; the first %d take the portrait composite (view portrait)" % args.portrait if args.portrait else "",
                   " (plenumd and the clients in a network namespace of their own with only the loopback interface)"
                   if info["interfaces"] == ["lo"] else ""))
    out.append("- Method: fresh plenumd per N; wait until all N are connected and receive audio and video; "
               "settle %d s; measure %d consecutive windows of %d s and report the one least disturbed by other "
               "processes: utime+stime of plenumd from /proc/PID/stat; VmRSS at the end of the window and VmHWM "
               "(peak) from /proc/PID/status. CPU s per participant-s = cpu_s / (N x window_s).\n" % (
                   args.settle, max(1, args.repeat), args.window))
    out.append(table(results))
    out.append("")
    with open(args.config) as f:
        m = re.search(r"^\s*video\.framerate\s*=\s*(\d+)", f.read(), re.M)
    fps = m.group(1) if m else "25"
    out.append("Composite fps and video kbit/s are what the participants received from plenumd during the window "
               "(distinct RTP timestamps of the composite per second; the composite is configured for %s fps). "
               "Clients CPU %% is the synthetic participants' process; other processes is what the rest of the "
               "machine used meanwhile (should be near 0: anything else running disturbs the figures); machine busy "
               "%% is the share of all %d cores that was busy (near 100 %% plenumd competes for CPU, drops "
               "composite frames, and its CPU figure is then a floor). Join to offer is the time from the "
               "'joined' message to the server's offer, per participant.\n" % (fps, os.cpu_count()))
    out.append("## Details per N\n")
    for r in results:
        out.append("### N = %d\n" % r["n"])
        if r["ok"]:
            out.append("- window %.1f s, plenumd CPU %.2f s, all connected and receiving %.1f s after the clients "
                       "started; RSS idle (before any join) %.1f MB, mean in window %.1f MB; %s threads" % (
                           r["window_s"], r["cpu_s"], r["ready_s"], r["rss_idle_mb"], r["rss_mean_mb"], r["threads"]))
            out.append("- windows measured (plenumd CPU %% of a core / other processes %% of a core): %s" % ", ".join(
                "%.1f / %.0f" % w for w in r["windows"]))
            if r.get("other_processes"):
                out.append("- other processes in the reported window: %s" % ", ".join(
                    "`%s`[%d] %.0f %%" % (c, p, pc) for pc, p, c in r["other_processes"]))
            out.append("- busiest plenumd threads (%% of one core, by thread name, digits as #): %s" % ", ".join(
                "`%s` x%d %.1f" % (g, c, p) for g, c, p in r["thread_groups"]))
            out.append("- per participant received fps: %s; Opus packets/s (min): %.1f; sent fps: %s" % (
                ", ".join("%.1f" % p["fps"] for p in r["received"]), r["min_audio_pps"],
                ", ".join("%.1f" % p["tx_fps"] for p in r["received"])))
            if r.get("offer_s"):
                out.append("- join to offer per participant, s: %s" % ", ".join(
                    fmt(t, "%.2f") for t in r["offer_s"]))
            jumps = sum(p["keyframe_jumps"] for p in r["received"])
            if jumps:
                out.append("- key frame requests from plenumd honoured by the clients: %d" % jumps)
            if r.get("snapshot"):
                out.append("- snapshot: %s" % r["snapshot"])
        out.append("- plenumd stop: exit code %s after %.1f s%s; log: %d joined, %d left" % (
            r.get("exit_code"), r.get("stop_s", 0), " (HUNG, SIGKILLed)" if r.get("hung") else "",
            r.get("log_counts", {}).get("joined", 0), r.get("log_counts", {}).get("left", 0)))
        for p in r["problems"]:
            out.append("- PROBLEM: %s" % p)
        if r.get("hung_frames"):
            out.append("- plenumd threads in its own code when it hung after SIGTERM (gdb):\n")
            out.append("```")
            out.extend(r["hung_frames"][:60])
            out.append("```")
        issues = r.get("log_issues", [])
        if issues:
            out.append("- plenumd log lines other than Information (%d):\n" % len(issues))
            out.append("```")
            out.extend(issues[:25])
            if len(issues) > 25:
                out.append("... %d more" % (len(issues) - 25))
            out.append("```")
        else:
            out.append("- plenumd log: only Information lines")
        if r.get("clients_log"):
            out.append("- client log:\n")
            out.append("```")
            out.extend(r["clients_log"])
            out.append("```")
        out.append("")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("counts", nargs="*", type=int, default=[2, 4, 8], help="participant counts (default 2 4 8)")
    ap.add_argument("--plenumd", default=os.environ.get("PLENUMD", DEFAULT_PLENUMD))
    ap.add_argument("--config", default=os.path.join(BENCH_DIR, "plenum-bench.ini"))
    ap.add_argument("--window", type=int, default=20, help="measurement window, s (default 20)")
    ap.add_argument("--repeat", type=int, default=2,
                    help="measurement windows per N; the one least disturbed by other processes is "
                         "reported (default 2)")
    ap.add_argument("--settle", type=int, default=5, help="settling time before the window, s (default 5)")
    ap.add_argument("--ready-timeout", type=int, default=40,
                    help="seconds for all participants to be connected and receiving (default 40)")
    ap.add_argument("--offer-timeout", type=float, default=15,
                    help="seconds after 'joined' within which every participant must get the server's "
                         "offer; a missing offer fails the run (default 15)")
    ap.add_argument("--results", default=os.path.join(BENCH_DIR, "results.md"),
                    help="markdown output ('' for none)")
    ap.add_argument("--snapshot", default=None,
                    help="participant 0 also decodes the composite and writes its last frame to this PNG "
                         "({n} = N); costs client CPU, so not for the figures")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folders (logs)")
    ap.add_argument("--portrait", type=int, default=0,
                    help="the first K participants take the portrait composite of phones held upright "
                         "(view portrait), which the room then makes and encodes too (default 0)")
    ap.add_argument("--floor", action="store_true",
                    help="after plenumd for each N, measure the bare GStreamer floor (bench/floor.py) for the same N "
                         "and report plenumd / floor; appends a section to --results instead of rewriting it")
    args = ap.parse_args()
    args.plenumd = os.path.abspath(args.plenumd)
    args.config = os.path.abspath(args.config)
    if not os.access(args.plenumd, os.X_OK):
        sys.exit("plenumd not found at %s (build it, or pass --plenumd / set PLENUMD)" % args.plenumd)
    if any(n < 1 or n > 25 for n in args.counts):
        sys.exit("N must be 1..25")

    started = time.monotonic()
    info = machine_info(args.plenumd)
    workdir = tempfile.mkdtemp(prefix="plenum-bench-")
    say("work folder %s; pre-encoding the participants' media" % workdir)
    media = make_media(workdir)
    with open("/proc/loadavg") as f:
        load_before = " ".join(f.read().split()[:3])
    long_media = None
    if args.floor:
        sys.path.insert(0, BENCH_DIR)
        import floor
        # long enough for start-up, settling and every window
        long_media = floor.make_long_media(workdir, media[0], media[1],
                                           args.settle + max(1, args.repeat) * args.window + 30)
    results = []
    try:
        for n in args.counts:
            results.append(run_one(args, n, media, workdir))
            if args.floor:
                results[-1]["floor"] = run_floor(args, n, long_media, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    print()
    print(table(results))
    if args.floor:
        print()
        print(floor_table(results))
        print("load average before / after: %s / %s" % (load_before, load_after))
    for r in results:
        for p in r["problems"]:
            print("N=%d PROBLEM: %s" % (r["n"], p))
        for line in r.get("log_issues", [])[:10]:
            print("N=%d plenumd log: %s" % (r["n"], line))
    if args.results and args.floor:
        append_floor_section(args.results, args, info, results, started, load_before, load_after)
        say("appended the floor section to %s" % args.results)
    elif args.results:
        write_markdown(args.results, args, info, results, started)
        say("wrote %s" % args.results)
    if args.keep:
        say("logs kept in %s" % workdir)
    sys.exit(0 if all(r["ok"] and not r["problems"] and (not args.floor or (r["floor"]["ok"] and not r["floor"]["problems"]))
                      for r in results) else 1)


if __name__ == "__main__":
    main()
