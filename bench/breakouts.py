#!/usr/bin/python3
# SPDX-License-Identifier: EUPL-1.2
"""Breakout rooms benchmark (bench/run.sh --breakouts): a meeting of --n (8) as one room and as
--n/2 breakout rooms of two, side by side in one run, and how long moves take.

One plenumd (bench/plenum-bench.ini plus breakout.closing-seconds = 5, temporary data folder)
and --n synthetic WebRTC participants (bench/clients.py) in one ad-hoc room; the first to join
moderates. Then:
  1. CPU: --pairs pairs of windows of --window s: the meeting as one room, then as breakout
     rooms of two (everyone placed, the moderator too: a manual plan), then closed again; --exclude
     s left out after each switch. Opening: from the moderator's 'breakout-open' (sent) to the
     last participant's 'moved'; closing: from 'breakout-close' to the last 'moved' back (the
     closing countdown of 5 s included).
  2. Moves: --moves moves of one participant between two breakout rooms, one after the other,
     each from the moderator's 'breakout-move' (sent) to the participant's 'moved' (received):
     the server side of a move (the endpoint, transport and all, detached from one room's
     pipeline and attached to the other's). How soon the new room is heard and seen is measured
     by the media test "Move times over 20 moves" (bench/run.sh --moves).
Prints a table and appends it to bench/results.md. No retries: a failure ends the run.
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
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import say  # noqa: E402
import recording  # noqa: E402
from recording import Fail, RecClients  # noqa: E402


class Run(recording.Run):
    """recording.Run's liveness checks (alive, sleep); its own phases."""

    def __init__(self, args, work):
        super().__init__(args, work)
        self.pairs = []  # (one room, breakouts, open_s, close_s)
        self.moves = []  # seconds

    def send(self, msg):
        """The moderator sends `msg`; returns (events index before, time it was sent)."""
        since = len(self.clients.events)
        self.clients.command("send %d %s" % (self.mod, json.dumps(msg)))
        sent = self.clients.wait_event(since, lambda e: e["event"] == "sent" and e["type"] == msg["type"], 10,
                                       "send of %s" % msg["type"])
        return since, sent["t"]

    def wait_moved(self, since, who, timeout, what):
        """The time of the last of `who`'s 'moved' after `since`; fails on an error to the moderator."""
        last = 0.0
        for p in who:
            ev = self.clients.wait_event(since, lambda e, p=p: e["event"] == "signal" and (
                (e["p"] == p and e["msg"]["type"] == "moved") or
                (e["p"] == self.mod and e["msg"]["type"] == "error")), timeout, what)
            if ev["msg"]["type"] == "error":
                raise Fail("%s: the server answered %s" % (what, ev["msg"]))
            last = max(last, ev["t"])
        return last

    def setup(self, media):
        a = self.args
        data = os.path.join(self.work, "data")
        os.mkdir(data)
        config = os.path.join(self.work, "plenum.ini")
        with open(a.config) as src, open(config, "w") as dst:
            dst.write(src.read() + "\nbreakout.closing-seconds = 5\n")
        self.port = bench.free_port()
        self.log_path = os.path.join(self.work, "plenumd.log")
        with open(self.log_path, "w") as logf:
            self.server = subprocess.Popen([a.plenumd, "--port", str(self.port), "--data", data, "--config", config],
                                           stdout=logf, stderr=subprocess.STDOUT, cwd=self.work)
        deadline = time.monotonic() + 20
        while bench.healthz(self.port)[0] != 200:
            if self.server.poll() is not None or time.monotonic() > deadline:
                raise Fail("plenumd did not start (log %s)" % self.log_path)
            time.sleep(0.1)
        t0 = time.monotonic()
        self.clients = RecClients(a, "ws://127.0.0.1:%d/ws" % self.port, a.n, *media,
                                  os.path.join(self.work, "clients.log"), False)
        while not self.clients.ready.wait(timeout=0.5):
            self.alive()
            if time.monotonic() - t0 > a.ready_timeout:
                raise Fail("participants not all connected and receiving within %d s" % a.ready_timeout)
        self.ids, self.mod = {}, None
        for p in range(a.n):
            joined = self.clients.wait_event(0, lambda e, p=p: e["event"] == "signal" and e["p"] == p and
                                             e["msg"]["type"] == "joined", 5, "'joined' of participant %d" % p)
            self.ids[p] = joined["msg"]["participantId"]
            if joined["msg"]["role"] == "moderator":
                self.mod = p
        if self.mod is None:
            raise Fail("no participant joined as moderator")
        say("%d participants connected and receiving after %.1f s; participant %d moderates; settling %d s" % (
            a.n, time.monotonic() - t0, self.mod, a.settle))
        self.sleep(a.settle)

    def open_rooms(self):
        a = self.args
        rooms = a.n // 2
        since, t = self.send({"type": "breakout-open", "rooms": ["Raum %d" % (i + 1) for i in range(rooms)],
                              "assignment": "manual", "durationSeconds": 3600,
                              "assign": {self.ids[p]: p // 2 + 1 for p in range(a.n)}})
        # Everyone moves, the moderator too (to room 1 with participant 0 or 1).
        return self.wait_moved(since, range(a.n), 60, "everyone in a breakout room") - t

    def close_rooms(self):
        since, t = self.send({"type": "breakout-close"})
        return self.wait_moved(since, range(self.args.n), 60, "everyone back in the plenum") - t

    def window(self, label):
        w = bench.measure(self.args, self.args.n, self.port, self.server, self.clients)
        if w["other_cpu_pct_core"] > 25:
            self.problems.append("other processes used %.0f %% of a core in a window (%s)" % (w["other_cpu_pct_core"], label))
        if w["min_fps"] < 24:
            self.problems.append("a participant received %.1f composite fps in a window (%s)" % (w["min_fps"], label))
        return w

    def cpu_phase(self):
        a = self.args
        for i in range(a.pairs):
            one = self.window("one room")
            opened = self.open_rooms()
            self.sleep(a.exclude)
            split = self.window("breakout rooms")
            closed = self.close_rooms()
            self.sleep(a.exclude)
            self.pairs.append((one, split, opened, closed))
            say("pair %d: one room %.1f %%, %d breakout rooms %.1f %% of a core; open %.2f s, close %.2f s" % (
                i + 1, one["cpu_pct_core"], a.n // 2, split["cpu_pct_core"], opened, closed))

    def move_phase(self):
        a = self.args
        self.open_rooms()
        mover = next(p for p in range(a.n) if p != self.mod)
        for i in range(a.moves):
            to = "b2" if i % 2 == 0 else "b1"
            since, t = self.send({"type": "breakout-move", "participantId": self.ids[mover], "to": to})
            self.moves.append(self.wait_moved(since, [mover], 20, "move %d" % (i + 1)) - t)
            self.sleep(0.5)
        say("moves: p50 %.0f ms, max %.0f ms" % (1000 * statistics.median(self.moves), 1000 * max(self.moves)))
        self.close_rooms()


def report(run, args, info, started, failure):
    out = ["\n## Breakout rooms (`bench/run.sh --breakouts`)\n"]
    out.append("- Date: %s (run took %.0f s)" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                                                 time.monotonic() - started))
    out.append("- Machine: %d cores, %s, Linux %s, %s" % (info["cores"], info["cpu"], info["kernel"], info["gstreamer"]))
    out.append("- plenumd: `%s` (built %s; repo at %s), config `%s` + `breakout.closing-seconds = 5`" % (
        args.plenumd, info["built"], info["commit"], os.path.relpath(args.config, bench.REPO_DIR)))
    out.append("- %d synthetic participants (bench/clients.py) in one ad-hoc room; %d pairs of %d s windows: one room, "
               "then %d breakout rooms of 2 (manual plan, everyone placed), %d s left out after each switch; "
               "%d moves of one participant between two breakout rooms.\n" % (
                   args.n, args.pairs, args.window, args.n // 2, args.exclude, args.moves))
    if failure:
        out.append("**FAILED: %s**\n" % failure)
    out.append("| pair | one room: plenumd %% of a core / other / fps min | %d breakout rooms: plenumd / other / fps min "
               "| open (s) | close (s, 5 s countdown included) |\n|---|---|---|---|---|" % (args.n // 2))
    for i, (one, split, opened, closed) in enumerate(run.pairs):
        out.append("| %d | %.1f / %.0f / %.1f | %.1f / %.0f / %.1f | %.2f | %.2f |" % (
            i + 1, one["cpu_pct_core"], one["other_cpu_pct_core"], one["min_fps"], split["cpu_pct_core"],
            split["other_cpu_pct_core"], split["min_fps"], opened, closed))
    if run.pairs:
        one = statistics.mean(p[0]["cpu_pct_core"] for p in run.pairs)
        split = statistics.mean(p[1]["cpu_pct_core"] for p in run.pairs)
        out.append("\nMean: one room %.1f %%, breakout rooms %.1f %% of a core: ratio %.2f." % (one, split, split / one))
        o, s = run.pairs[-1][0], run.pairs[-1][1]
        out.append("Busiest plenumd threads, last pair (%% of a core), one room: %s; breakout rooms: %s" % (
            ", ".join("`%s` x%d %.1f" % g for g in o["thread_groups"][:5]),
            ", ".join("`%s` x%d %.1f" % g for g in s["thread_groups"][:5])))
    if run.moves:
        ms = sorted(1000 * m for m in run.moves)
        out.append("\nMoves (breakout-move sent -> moved received), %d: p50 %.0f ms, max %.0f ms, all: %s" % (
            len(ms), statistics.median(ms), ms[-1], ", ".join("%.0f" % m for m in ms)))
    out.extend(recording.problems_and_log(run))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=8, help="participants, even (default 8)")
    ap.add_argument("--pairs", type=int, default=3, help="one room / breakout rooms window pairs (default 3)")
    ap.add_argument("--window", type=int, default=20, help="CPU window, s (default 20)")
    ap.add_argument("--settle", type=int, default=10, help="s after all receive, before the first window (default 10)")
    ap.add_argument("--exclude", type=int, default=3, help="s left out after each switch (default 3)")
    ap.add_argument("--moves", type=int, default=20, help="moves timed (default 20)")
    ap.add_argument("--ready-timeout", type=int, default=60)
    ap.add_argument("--offer-timeout", type=float, default=15)
    ap.add_argument("--plenumd", default=os.environ.get("PLENUMD", bench.DEFAULT_PLENUMD))
    ap.add_argument("--config", default=os.path.join(bench.BENCH_DIR, "plenum-bench.ini"))
    ap.add_argument("--results", default=os.path.join(bench.BENCH_DIR, "results.md"),
                    help="markdown file the section is appended to ('' for none)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    args = ap.parse_args()
    if args.n < 2 or args.n % 2:
        sys.exit("--n must be even and at least 2")
    args.plenumd = os.path.abspath(args.plenumd)
    args.config = os.path.abspath(args.config)
    if not os.access(args.plenumd, os.X_OK):
        sys.exit("plenumd not found at %s (pass --plenumd or set PLENUMD)" % args.plenumd)
    started = time.monotonic()
    info = bench.machine_info(args.plenumd)
    work = tempfile.mkdtemp(prefix="plenum-bobench-")
    say("work folder %s; pre-encoding the participants' media" % work)
    run = Run(args, work)
    failure = None
    try:
        run.setup(bench.make_media(work))
        run.cpu_phase()
        run.move_phase()
    except Fail as e:
        failure = str(e)
    except Exception as e:  # noqa: BLE001  (reported, not retried)
        failure = "%s: %s" % (type(e).__name__, e)
    finally:
        recording.wind_down(run)
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
    sys.exit(1 if failure or run.problems else 0)


if __name__ == "__main__":
    main()
