#!/usr/bin/python3
# SPDX-License-Identifier: EUPL-1.2
"""Soak: one room for a long time, with people coming and going (bench/run.sh --soak).

A plenumd (bench/plenum-bench.ini), a room of --stable synthetic participants who stay
(bench/clients.py), and --churners more who join, wait until they see and hear the room, and
leave, again and again (a pause of --pause s between rounds), for --minutes. Reports plenumd's
RSS and open file descriptors after the first round and at the end (after the last churners
left and a settling pause), the growth in %, the rounds, and every round in which a churner got
no offer or no media within --ready-timeout (no retries: such a round counts as failed).
Exit status 1 if a round failed, plenumd died, or RSS or descriptors grew by more than 5 %.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (plenumd start, media files, the clients' process)


def snapshot(pid):
    status = bench.proc_status(pid)
    return {"rss_mb": status["VmRSS"] / bench.PAGE_MB, "fds": len(os.listdir("/proc/%d/fd" % pid))}


def wait_ready(clients, timeout):
    deadline = time.monotonic() + timeout
    while not clients.ready.wait(timeout=0.5):
        st = clients.latest()
        if st is not None and st["failed"]:
            return "a participant failed (no offer within the offer timeout, or no connection)"
        if time.monotonic() > deadline:
            return "not connected and receiving within %d s" % timeout
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--stable", type=int, default=4, help="participants who stay (default 4)")
    ap.add_argument("--churners", type=int, default=2, help="participants who come and go (default 2)")
    ap.add_argument("--pause", type=float, default=3, help="seconds between rounds (default 3)")
    ap.add_argument("--ready-timeout", type=int, default=40)
    ap.add_argument("--offer-timeout", type=float, default=15)
    ap.add_argument("--plenumd", default=os.environ.get("PLENUMD", bench.DEFAULT_PLENUMD))
    ap.add_argument("--config", default=os.path.join(bench.BENCH_DIR, "plenum-bench.ini"))
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="plenum-soak-")
    media = bench.make_media(work)
    data = os.path.join(work, "data")
    os.mkdir(data)
    port = bench.free_port()
    url = "ws://127.0.0.1:%d/ws" % port
    server_log = os.path.join(work, "plenumd.log")
    with open(server_log, "w") as logf:
        server = bench.subprocess.Popen([args.plenumd, "--port", str(port), "--data", data, "--config", args.config],
                                        stdout=logf, stderr=bench.subprocess.STDOUT, cwd=work)
    deadline = time.monotonic() + 20
    while bench.healthz(port)[0] != 200:
        if server.poll() is not None or time.monotonic() > deadline:
            sys.exit("plenumd did not start (log %s)" % server_log)
        time.sleep(0.1)

    stable = bench.Clients(args, url, args.stable, *media, os.path.join(work, "stable.log"), False)
    problem = wait_ready(stable, args.ready_timeout)
    if problem:
        sys.exit("the stable participants: %s (logs in %s)" % (problem, work))

    rounds, failed, start = 0, [], None
    end_at = time.monotonic() + args.minutes * 60
    while time.monotonic() < end_at and server.poll() is None:
        churn = bench.Clients(args, url, args.churners, *media, os.path.join(work, "churn.log"), False)
        problem = wait_ready(churn, args.ready_timeout)
        churn.stop()
        rounds += 1
        if problem:
            failed.append("round %d: %s" % (rounds, problem))
            bench.say("round %d failed: %s" % (rounds, problem))
        if start is None:
            time.sleep(5)  # what the first round allocated for good (pools, caches) is the baseline
            start = snapshot(server.pid)
            bench.say("after round 1: RSS %.1f MB, %d descriptors" % (start["rss_mb"], start["fds"]))
        elif rounds % 50 == 0:
            now = snapshot(server.pid)
            bench.say("after round %d: RSS %.1f MB, %d descriptors" % (rounds, now["rss_mb"], now["fds"]))
        time.sleep(args.pause)

    died = server.poll() is not None
    end = None
    if not died:
        time.sleep(10)
        end = snapshot(server.pid)
    stable.stop()
    bench.stop_process(server, "plenumd")

    print("\n| soak | value |\n|---|---|")
    print("| minutes, rounds (%d stable, %d coming and going) | %.0f, %d |" % (
        args.stable, args.churners, args.minutes, rounds))
    print("| rounds without offer or media | %d |" % len(failed))
    if start and end:
        growth_rss = 100.0 * (end["rss_mb"] - start["rss_mb"]) / start["rss_mb"]
        growth_fds = 100.0 * (end["fds"] - start["fds"]) / start["fds"]
        print("| RSS after round 1 -> end | %.1f MB -> %.1f MB (%+.1f %%) |" % (start["rss_mb"], end["rss_mb"], growth_rss))
        print("| open descriptors after round 1 -> end | %d -> %d (%+.1f %%) |" % (start["fds"], end["fds"], growth_fds))
    else:
        growth_rss = growth_fds = float("inf")
        print("| plenumd | died (log %s) |" % server_log)
    for line in failed[:20]:
        print("  " + line)
    bad = died or failed or growth_rss > 5 or growth_fds > 5
    print("logs: %s" % work)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
