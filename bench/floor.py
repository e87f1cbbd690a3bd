# SPDX-License-Identifier: EUPL-1.2
"""The physical floor for bench.py --floor: a bare gst-launch-1.0 pipeline doing the media work
plenumd must do for N participants, and nothing else (no network, ICE, DTLS/SRTP, RTP, jitter
buffers, placeholders, captions, mix-minus encodes). See bench/README.md ("The floor").

Per participant: the bench's own pre-encoded 640x360 25 fps H.264 (video.mkv, made by
bench.make_media), replayed at real time (identity sync=true before the parser, so frames arrive
as from the network), h264parse + avdec_h264 (as mixer/WebRtcEndpoint.cpp decodes a camera), a
leaky queue of 3 (as Composite's camera queue), scaled by the compositor straight into its grid
cell (mixer/TileLayout.cpp gridLayout, 8 px gap). The compositor's 1280x720 I420 25 fps output goes
through a leaky queue of 2 to ONE x264enc with CompositeEncoders' settings (tune=zerolatency,
speed-preset=ultrafast, bitrate 1500, key-int-max 250, threads 2, constrained baseline,
h264parse config-interval=-1) and a fakesink. Audio: N x (Opus from audio.mkv at real time,
opusdec plc/in-band FEC as WebRtcEndpoint) -> audiomixer (S16LE 48 kHz mono, plenumd's mixing
format) -> ONE opusenc (voice, 20 ms, 32 kbit/s, in-band FEC, as makeOpusEncoder) -> fakesink.

The 10 s inputs are made long enough by concatenating copies of the same files (concat element,
remuxed, no re-encoding) once per run.
"""
import math
import os
import subprocess


def grid_layout(count, width, height, gap=8):
    """mixer/TileLayout.cpp gridLayout, in Python: [(x, y, w, h)] for `count` 16:9 tiles."""
    def even(v):
        return v & ~1
    best_columns, best_width = 1, 0
    for columns in range(1, count + 1):
        rows = (count + columns - 1) // columns
        cell_w = (width - gap * (columns + 1)) // columns
        cell_h = (height - gap * (rows + 1)) // rows
        if cell_w <= 0 or cell_h <= 0:
            continue
        tile_w = min(cell_w, cell_h * 16 // 9)
        if tile_w > best_width:
            best_width, best_columns = tile_w, columns
    columns = best_columns
    rows = (count + columns - 1) // columns
    tile_w = max(2, even(best_width))
    tile_h = max(2, even(tile_w * 9 // 16))
    grid_h = rows * tile_h + (rows - 1) * gap
    top = max(0, (height - grid_h) // 2)
    tiles = []
    for row in range(rows):
        in_row = min(columns, count - row * columns)
        row_w = in_row * tile_w + (in_row - 1) * gap
        left = max(0, (width - row_w) // 2)
        for column in range(in_row):
            tiles.append((even(left + column * (tile_w + gap)), even(top + row * (tile_h + gap)), tile_w, tile_h))
    return tiles


def make_long_media(folder, video, audio, seconds):
    """Copies of the 10 s inputs, concatenated (remuxed, not re-encoded) to at least `seconds`."""
    copies = max(1, int(math.ceil(seconds / 10.0)))
    out_video = os.path.join(folder, "floor-video.mkv")
    out_audio = os.path.join(folder, "floor-audio.mkv")
    args = ["gst-launch-1.0", "-q", "concat", "name=c", "!", "matroskamux", "!", "filesink", "location=" + out_video]
    for _ in range(copies):
        args += ["filesrc", "location=" + video, "!", "matroskademux", "!", "h264parse", "!", "c."]
    subprocess.run(args, check=True, timeout=120, stdout=subprocess.DEVNULL)
    args = ["gst-launch-1.0", "-q", "concat", "name=c", "!", "opusparse", "!", "matroskamux", "!", "filesink",
            "location=" + out_audio]
    for _ in range(copies):
        args += ["filesrc", "location=" + audio, "!", "matroskademux", "!", "opusparse", "!", "c."]
    subprocess.run(args, check=True, timeout=120, stdout=subprocess.DEVNULL)
    return out_video, out_audio


EXTRAS = ("background", "placeholders", "captions", "speaker-frame")


def pipeline_args(n, video, audio, width=1280, height=720, fps=25, bitrate_kbps=1500, keyframe_max_s=10,
                  audio_bitrate=32000, extras=()):
    """The gst-launch-1.0 arguments of the floor for n participants. `extras` adds some of the
    video work plenumd does beyond the floor, as mixer/Composite.cpp builds it, to see what each
    costs: "background" (a live 1280x720 solid-colour videotestsrc under everything),
    "placeholders" (per tile a live 320x180 videotestsrc + textoverlay at the composite's rate,
    composited under the camera), "captions" (per camera videoscale + videoconvert to 640x360 and
    a textoverlay with the name), "speaker-frame" (the active speaker's frame: a live 16x16
    solid-colour source scaled to tile 0's rectangle, the camera inset by 4 px over it)."""
    raw = "video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1,framerate=%d/1" % (width, height, fps)
    comp = ["compositor", "name=comp", "background=black"]
    rects = grid_layout(n, width, height)
    for i, (x, y, w, h) in enumerate(rects):
        if i == 0 and "speaker-frame" in extras:
            comp += ["sink_98::xpos=%d" % x, "sink_98::ypos=%d" % y, "sink_98::width=%d" % w,
                     "sink_98::height=%d" % h, "sink_98::zorder=2"]
            x, y, w, h = x + 4, y + 4, w - 8, h - 8
        comp += ["sink_%d::xpos=%d" % (i, x), "sink_%d::ypos=%d" % (i, y),
                 "sink_%d::width=%d" % (i, w), "sink_%d::height=%d" % (i, h), "sink_%d::zorder=4" % i]
    if "placeholders" in extras:
        for i, (x, y, w, h) in enumerate(rects):
            k = 100 + i
            comp += ["sink_%d::xpos=%d" % (k, x), "sink_%d::ypos=%d" % (k, y),
                     "sink_%d::width=%d" % (k, w), "sink_%d::height=%d" % (k, h), "sink_%d::zorder=3" % k]
    if "background" in extras:
        comp += ["sink_99::zorder=0"]
    a = ["gst-launch-1.0", "-q"]
    a += comp + ["!", raw, "!", "queue", "leaky=downstream", "max-size-buffers=2", "max-size-bytes=0",
                 "max-size-time=0",
                 "!", "x264enc", "tune=zerolatency", "speed-preset=ultrafast", "bitrate=%d" % bitrate_kbps,
                 "key-int-max=%d" % (fps * keyframe_max_s), "threads=2",
                 "!", "video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au",
                 "!", "h264parse", "config-interval=-1",
                 "!", "fpsdisplaysink", "name=vout", "video-sink=fakesink", "text-overlay=false", "sync=false",
                 "fps-update-interval=250"]
    a += ["audiomixer", "name=amix", "!", "audio/x-raw,format=S16LE,rate=48000,channels=1",
          "!", "opusenc", "bitrate=%d" % audio_bitrate, "inband-fec=true", "audio-type=voice", "frame-size=20",
          "!", "fakesink", "name=aout", "sync=false"]
    if "speaker-frame" in extras:
        a += ["videotestsrc", "is-live=true", "pattern=solid-color", "foreground-color=0xff8ab4f8",
              "!", "video/x-raw,format=I420,width=16,height=16,pixel-aspect-ratio=1/1,framerate=%d/1" % fps,
              "!", "comp.sink_98"]
    if "background" in extras:
        a += ["videotestsrc", "is-live=true", "pattern=solid-color", "foreground-color=0xff202124", "!", raw,
              "!", "comp.sink_99"]
    for i in range(n):
        a += ["filesrc", "location=" + video, "!", "matroskademux", "!", "identity", "sync=true",
              "!", "h264parse", "!", "avdec_h264",
              "!", "queue", "leaky=downstream", "max-size-buffers=3", "max-size-bytes=0", "max-size-time=0"]
        if "captions" in extras:
            a += ["!", "videoscale", "add-borders=true", "!", "videoconvert",
                  "!", "video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1" % (
                      max(160, width // 2) & ~3, max(90, height // 2) & ~3),
                  "!", "textoverlay", "text=\"Participant %d\"" % i, "halignment=left", "valignment=bottom",
                  "shaded-background=true", "font-desc=\"Sans Bold 22\""]
        a += ["!", "comp.sink_%d" % i]
        if "placeholders" in extras:
            a += ["videotestsrc", "is-live=true", "pattern=solid-color", "foreground-color=0xff3c4f76",
                  "!", "video/x-raw,format=I420,width=%d,height=%d,pixel-aspect-ratio=1/1,framerate=%d/1" % (
                      (max(160, width // 2) & ~3) // 2, (max(90, height // 2) & ~3) // 2, fps),
                  "!", "textoverlay", "text=\"<span size='xx-large' weight='bold'>P%d</span>\nParticipant %d\"" % (i, i),
                  "halignment=center", "valignment=center", "line-alignment=center", "shaded-background=false",
                  "font-desc=\"Sans 24\"", "!", "comp.sink_%d" % (100 + i)]
        a += ["filesrc", "location=" + audio, "!", "matroskademux", "!", "identity", "sync=true",
              "!", "opusdec", "plc=true", "use-inband-fec=true", "!", "amix."]
    return a


def main():
    """Standalone: python3 bench/floor.py N [SECONDS] [--extras background,placeholders,captions]
    makes the bench's media, runs the floor (plus extras) for N, and prints its CPU over SECONDS
    (default 20) after 5 s. For attributing plenumd's cost beyond the floor; bench.py --floor is the
    side-by-side measurement."""
    import argparse
    import re
    import shutil
    import sys
    import tempfile
    import time
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("seconds", type=int, nargs="?", default=20)
    ap.add_argument("--extras", default="", help="comma-separated: " + ",".join(EXTRAS))
    ap.add_argument("--settle", type=int, default=5)
    args = ap.parse_args()
    extras = tuple(e for e in args.extras.split(",") if e)
    if any(e not in EXTRAS for e in extras):
        sys.exit("unknown extra; known: " + ",".join(EXTRAS))
    folder = tempfile.mkdtemp(prefix="plenum-floor-")
    try:
        video, audio = make_long_media(folder, *bench.make_media(folder), seconds=args.seconds + args.settle + 30)
        cmd = [c for c in pipeline_args(args.n, video, audio, extras=extras) if c != "-q"]
        cmd.insert(1, "-v")
        log = os.path.join(folder, "gst-launch.log")
        with open(log, "w") as f:
            proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
        time.sleep(args.settle)

        def rendered():
            with open(log, errors="replace") as f:
                found = re.findall(r"rendered: (\d+)", f.read())
            return int(found[-1]) if found else 0
        c0, f0, w0 = bench.proc_cpu_ticks(proc.pid), rendered(), time.monotonic()
        time.sleep(args.seconds)
        c1, f1, w1 = bench.proc_cpu_ticks(proc.pid), rendered(), time.monotonic()
        alive = proc.poll() is None
        proc.terminate()
        proc.wait(timeout=10)
        print("N=%d extras=%s: %.1f %% of a core, %.1f composite frames/s%s" % (
            args.n, ",".join(extras) or "-", 100.0 * (c1 - c0) / bench.CLK_TCK / (w1 - w0), (f1 - f0) / (w1 - w0),
            "" if alive else " (gst-launch-1.0 had exited: see %s)" % log))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
