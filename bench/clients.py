#!/usr/bin/python3
# SPDX-License-Identifier: EUPL-1.2
"""Synthetic Plenum participants for the benchmark (bench/run.sh).

Runs N WebRTC participants in ONE process (each with its own GStreamer pipeline and
webrtcbin), all in one room of a running plenumd. Each participant:
  * joins over the signaling WebSocket (signaling/PROTOCOL.md), pings every 2 s,
  * answers the server's offer (payload types and H.264 profile taken from the offer),
  * sends pre-encoded media from memory (H.264 access units and Opus packets read once from
    the files that bench.py made), paced in real time and looped, so that no encoding is
    done here; a key frame request from the server (PLI/FIR) jumps to the next IDR,
  * drops what it receives into fakesinks, counting RTP packets, bytes and composite
    video frames (distinct RTP timestamps) per participant,
  * measures the time from 'joined' to the server's offer; no offer within --offer-timeout
    of 'joined' fails the participant (no rejoin), and so does bench.py's run.

Talks to bench.py over stdout: one JSON object per line ({"event": "status", ...} every
second, {"event": "ready"} once every participant is connected and receiving audio and
video, {"event": "final", ...} on exit, {"event": "signal", "p": i, "t": ..., "msg": ...} for
each 'joined' (with the participant's own "role" and "participantId"), 'recording-updated',
'moved', 'breakouts-updated' and 'error' from the server, {"event": "sent", "p": i, "t": ..., "type": ...} after a "send"). Reads commands on
stdin: "stop" (or EOF) makes it leave the room and exit; "snapshot PATH" writes the last
decoded composite frame of participant 0 as PNG (only with --decode-first); "send I JSON" makes
participant I send that signaling message (e.g. a moderator's {"type":"recording-start"}).
Persistent rooms (bench/recording.py): --invite joins by the room's invitation token instead
of --room, --cookie-first sends a Cookie header (the staff session) with participant 0's
WebSocket handshake, which makes it the moderator of a room its account owns, and
--recording-consent adds recordingConsent: true to every join.

Must run with Debian's /usr/bin/python3 (python3-gi, gir1.2-gst-plugins-bad-1.0,
python3-websocket).
"""
import argparse
import json
import struct
import sys
import threading
import time
import zlib

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstVideo, GstWebRTC  # noqa: E402

import websocket  # noqa: E402  (python3-websocket, websocket-client)

VIDEO_PERIOD_NS = Gst.SECOND // 25
AUDIO_PERIOD_NS = 20 * Gst.MSECOND


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def log(msg):
    sys.stderr.write("[clients %.1f] %s\n" % (time.monotonic() - T0, msg))
    sys.stderr.flush()


T0 = time.monotonic()


# ---------------------------------------------------------------- pre-encoded media in memory

def load_packets(path, parse_desc, caps_filter):
    """Reads every packet of one stream of a Matroska file into memory:
    ([(bytes, is_keyframe)], caps_string)."""
    pipe = Gst.parse_launch(
        "filesrc location=%s ! matroskademux ! %s ! %s ! appsink name=out sync=false "
        "emit-signals=false max-buffers=0" % (path, parse_desc, caps_filter))
    sink = pipe.get_by_name("out")
    pipe.set_state(Gst.State.PLAYING)
    packets, caps = [], None
    while True:
        sample = sink.emit("pull-sample")
        if sample is None:
            break
        if caps is None:
            caps = sample.get_caps().to_string()
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        packets.append((bytes(info.data), not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)))
        buf.unmap(info)
    pipe.set_state(Gst.State.NULL)
    if not packets:
        raise RuntimeError("no packets in %s" % path)
    return packets, caps


# ---------------------------------------------------------------- SDP helpers

def offer_payloads(sdp):
    """Payload types of the server's offer: {'audio': (pt, ...), 'video': (pt, fmtp-profile)}."""
    result = {}
    for i in range(sdp.medias_len()):
        media = sdp.get_media(i)
        kind = media.get_media()
        for j in range(media.attributes_len()):
            attr = media.get_attribute(j)
            if attr.key != "rtpmap" or not attr.value:
                continue
            pt, _, enc = attr.value.partition(" ")
            name = enc.split("/")[0].upper()
            if kind == "audio" and name == "OPUS" and "audio" not in result:
                result["audio"] = (i, int(pt), None)
            elif kind == "video" and name in ("H264", "VP8") and "video" not in result:
                profile = None
                for k in range(media.attributes_len()):
                    a = media.get_attribute(k)
                    if a.key == "fmtp" and a.value and a.value.startswith(pt + " "):
                        for kv in a.value[len(pt) + 1:].split(";"):
                            key, _, val = kv.strip().partition("=")
                            if key == "profile-level-id":
                                profile = val
                result["video"] = (i, int(pt), name, profile)
    return result


# ---------------------------------------------------------------- one participant

class Participant:
    def __init__(self, app, idx):
        self.app = app
        self.idx = idx
        self.name = "Bench %d" % (idx + 1)
        self.ws = None
        self.pipe = None
        self.webrtc = None
        self.ice_agent = None
        self.answered = False
        self.pending_local_candidates = []
        self.participant_id = None
        self.video_codec = None
        self.state = "new"  # new, joined, negotiating, connected, failed, closed
        self.conn_state = "new"
        self.errors = []  # error messages from the server
        self.left_events = 0
        # sending
        self.streaming = False
        self.start_rt = 0  # running time at which sending started (ns)
        self.v_sent = 0  # video frames pushed (drives timing)
        self.a_sent = 0
        self.v_pos = 0  # index into the video packet list (jumps on key frame requests)
        self.keyframe_requested = False
        self.keyframe_jumps = 0
        self.appsrc_v = None
        self.appsrc_a = None
        # receiving (updated on streaming threads; plain ints under the GIL)
        self.rx = {"audio": [0, 0], "video": [0, 0]}  # packets, bytes
        self.rx_frames = 0
        self._last_rtp_ts = None
        self.decode_sink = None
        self.stopping = False
        self.joined_at = None
        self.offer_s = None  # seconds from 'joined' to the server's offer
        self.no_offer = False  # no offer within --offer-timeout of 'joined' (see App._check_offers)
        self.stall_s = 0  # seconds after 'ready' in which no composite frame arrived (see App._status)
        self.reader_done = False
        self.last_rx = None  # (t, frames, audio packets) at the previous status
        self.recent_fps = 0.0
        self.recent_aps = 0.0

    # ---- signaling
    def connect(self):
        # No Origin header (websocket-client sends http://HOST even for wss://): not a browser.
        cookie = self.app.cookie_first if self.idx == 0 else None
        self.ws = websocket.create_connection(self.app.url, timeout=10, suppress_origin=True, cookie=cookie)
        self.ws.settimeout(None)
        threading.Thread(target=self._reader, name="ws-%d" % self.idx, daemon=True).start()
        join = {"type": "join", "name": self.name, "videoCodecs": self.app.video_codecs}
        if self.app.invite:
            join["invite"] = self.app.invite
        else:
            join["room"] = self.app.room
        if self.app.recording_consent:
            join["recordingConsent"] = True
        self.send(join)

    def _reader(self):
        try:
            while True:
                try:
                    text = self.ws.recv()
                except Exception as e:  # closed or failed
                    if not self.stopping:
                        GLib.idle_add(self._on_ws_closed, str(e) or type(e).__name__)
                    return
                if not text:
                    if not self.stopping:
                        GLib.idle_add(self._on_ws_closed, "closed by server")
                    return
                if not self.stopping:
                    GLib.idle_add(self._on_message, text)
        finally:
            self.reader_done = True

    def send(self, obj):
        if self.ws is None:
            return
        try:
            self.ws.send(json.dumps(obj))
        except Exception as e:
            if not self.stopping:
                log("p%d: send failed: %s" % (self.idx, e))

    def ping(self):
        if self.ws is not None and not self.stopping:
            self.send({"type": "ping"})

    def _on_ws_closed(self, why):
        if self.state != "closed":
            log("p%d: WebSocket closed: %s" % (self.idx, why))
            self.state = "failed"
        return False

    def _on_message(self, text):
        try:
            msg = json.loads(text)
        except ValueError:
            log("p%d: bad JSON from server: %r" % (self.idx, text[:200]))
            return False
        t = msg.get("type")
        if self.app.verbose and t not in ("pong",):
            log("p%d: <- %s" % (self.idx, t))
        if t == "joined":
            self.participant_id = msg.get("participantId")
            self.video_codec = msg.get("videoCodec")
            self.state = "joined"
            self.joined_at = time.monotonic()
            role = next((p.get("role") for p in msg.get("participants", [])
                         if p.get("participantId", p.get("id")) == self.participant_id), None)
            emit({"event": "signal", "p": self.idx, "t": time.monotonic(),
                  "msg": {"type": t, "role": role, "participantId": self.participant_id}})
        elif t in ("recording-updated", "moved", "breakouts-updated"):
            emit({"event": "signal", "p": self.idx, "t": time.monotonic(), "msg": msg})
        elif t == "offer":
            if self.offer_s is None and self.joined_at is not None:
                self.offer_s = time.monotonic() - self.joined_at
            try:
                self._on_offer(msg["sdp"])
            except Exception as e:
                log("p%d: cannot handle offer: %s" % (self.idx, e))
                self.state = "failed"
        elif t == "candidate":
            if self.webrtc is not None and msg.get("candidate"):
                self.webrtc.emit("add-ice-candidate", int(msg.get("sdpMLineIndex", 0)), msg["candidate"])
        elif t == "error":
            self.errors.append("%s: %s" % (msg.get("code"), msg.get("message")))
            log("p%d: server error %s" % (self.idx, msg))
            emit({"event": "signal", "p": self.idx, "t": time.monotonic(), "msg": msg})
        elif t == "participant-left":
            self.left_events += 1
            if msg.get("reason") not in ("left", "moved"):
                log("p%d: participant-left %s" % (self.idx, msg))
        return False

    # ---- media
    def _on_offer(self, sdp_text):
        res, sdp = GstSdp.SDPMessage.new_from_text(sdp_text)
        if res != GstSdp.SDPResult.OK:
            raise RuntimeError("offer does not parse")
        pts = offer_payloads(sdp)
        if "audio" not in pts or "video" not in pts:
            raise RuntimeError("offer lacks Opus or H264/VP8: %s" % pts)
        a_mline, a_pt, _ = pts["audio"]
        v_mline, v_pt, v_name, v_profile = pts["video"]
        if v_name != "H264":
            raise RuntimeError("server offers %s video; the synthetic clients only send H.264" % v_name)
        self._build_pipeline(a_mline, a_pt, v_mline, v_pt, v_profile or "42e01f")
        self.state = "negotiating"
        offer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp)
        promise = Gst.Promise.new_with_change_func(self._on_remote_set, None)
        self.webrtc.emit("set-remote-description", offer, promise)

    def _build_pipeline(self, a_mline, a_pt, v_mline, v_pt, profile):
        app = self.app
        self.pipe = Gst.Pipeline.new("participant-%d" % self.idx)
        webrtc = Gst.ElementFactory.make("webrtcbin", "webrtc")
        webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
        webrtc.set_property("latency", 50)
        webrtc.connect("on-ice-candidate", self._on_ice_candidate)
        webrtc.connect("pad-added", self._on_pad_added)
        webrtc.connect("notify::connection-state", self._on_conn_state)
        self.pipe.add(webrtc)
        self.webrtc = webrtc
        self.ice_agent = webrtc.get_property("ice-agent")  # keep a reference while used
        try:
            # no UPnP/SSDP discovery (it would multicast on the machine's other interfaces)
            self.ice_agent.get_property("agent").set_property("upnp", False)
        except Exception as e:
            log("p%d: cannot switch off UPnP: %s" % (self.idx, e))
        if not self.ice_agent.emit("add-local-ip-address", "127.0.0.1"):
            log("p%d: add-local-ip-address 127.0.0.1 refused" % self.idx)

        def src(caps):
            s = Gst.ElementFactory.make("appsrc")
            s.set_property("caps", Gst.Caps.from_string(caps))
            s.set_property("format", Gst.Format.TIME)
            s.set_property("is-live", True)
            s.set_property("do-timestamp", False)
            s.set_property("max-buffers", 10)
            s.set_property("leaky-type", 2)  # downstream: drop the oldest if ever stuck
            return s

        def make(factory, **props):
            e = Gst.ElementFactory.make(factory)
            for k, v in props.items():
                e.set_property(k.replace("_", "-"), v)
            return e

        self.appsrc_a = src(app.audio_caps)
        apay = make("rtpopuspay", pt=a_pt)
        acaps = make("capsfilter", caps=Gst.Caps.from_string(
            "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=%d" % a_pt))
        self.appsrc_v = src(app.video_caps)
        vpay = make("rtph264pay", pt=v_pt, config_interval=-1, mtu=1200)
        Gst.util_set_object_arg(vpay, "aggregate-mode", "zero-latency")
        vcaps = make("capsfilter", caps=Gst.Caps.from_string(
            "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=%d,"
            "packetization-mode=(string)1,profile-level-id=(string)%s" % (v_pt, profile)))
        for e in (self.appsrc_a, apay, acaps, self.appsrc_v, vpay, vcaps):
            self.pipe.add(e)
        self.appsrc_a.link(apay)
        apay.link(acaps)
        self.appsrc_v.link(vpay)
        vpay.link(vcaps)
        acaps.get_static_pad("src").link(webrtc.request_pad_simple("sink_%d" % a_mline))
        vcaps.get_static_pad("src").link(webrtc.request_pad_simple("sink_%d" % v_mline))
        for i in sorted({a_mline, v_mline}):
            tr = webrtc.emit("get-transceiver", i)
            if tr is not None:
                tr.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDRECV)
        # key frame requests (the server's PLI/FIR) arrive as upstream force-key-unit events
        self.appsrc_v.get_static_pad("src").add_probe(
            Gst.PadProbeType.EVENT_UPSTREAM, self._on_upstream_event)
        self.pipe.set_state(Gst.State.PLAYING)

    def _on_upstream_event(self, pad, info):
        ev = info.get_event()
        if ev is not None and GstVideo.video_event_is_force_key_unit(ev):
            self.keyframe_requested = True
        return Gst.PadProbeReturn.OK

    def _on_remote_set(self, promise, _):
        promise.wait()
        GLib.idle_add(self._create_answer)

    def _create_answer(self):
        promise = Gst.Promise.new_with_change_func(self._on_answer_created, None)
        self.webrtc.emit("create-answer", None, promise)
        return False

    def _on_answer_created(self, promise, _):
        promise.wait()
        reply = promise.get_reply()
        answer = reply.get_value("answer") if reply is not None else None
        if answer is None:
            err = reply.get_value("error") if reply is not None and reply.has_field("error") else None
            GLib.idle_add(self._fail, "create-answer failed: %s" % (err,))
            return
        # Only the text leaves this callback: the reply (and the description in it) belongs
        # to the promise, which is gone once this returns.
        text = answer.sdp.as_text()
        GLib.idle_add(self._send_answer, text)

    def _fail(self, why):
        log("p%d: %s" % (self.idx, why))
        self.state = "failed"
        return False

    def _send_answer(self, text):
        # The answer goes out before any of our candidates (the server refuses candidates
        # that come before the answer).
        self.send({"type": "answer", "sdp": text})
        self.answered = True
        res, sdp = GstSdp.SDPMessage.new_from_text(text)
        answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, sdp)
        self.webrtc.emit("set-local-description", answer, None)
        for mline, cand in self.pending_local_candidates:
            self.send({"type": "candidate", "candidate": cand, "sdpMLineIndex": mline})
        self.pending_local_candidates = []
        return False

    def _on_ice_candidate(self, _webrtc, mline, candidate):
        GLib.idle_add(self._send_candidate, mline, candidate)

    def _send_candidate(self, mline, candidate):
        if self.answered:
            self.send({"type": "candidate", "candidate": candidate, "sdpMLineIndex": mline})
        else:
            self.pending_local_candidates.append((mline, candidate))
        return False

    def _on_conn_state(self, webrtc, _pspec):
        state = webrtc.get_property("connection-state")
        GLib.idle_add(self._conn_state_changed, state)

    def _conn_state_changed(self, state):
        name = state.value_nick
        if name == self.conn_state:
            return False
        self.conn_state = name
        if state == GstWebRTC.WebRTCPeerConnectionState.CONNECTED and not self.streaming:
            self.state = "connected"
            self._start_streaming()
        elif state == GstWebRTC.WebRTCPeerConnectionState.FAILED:
            log("p%d: connection failed" % self.idx)
            self.state = "failed"
        return False

    def _running_time(self):
        clock = self.pipe.get_clock()
        if clock is None:
            return None
        return clock.get_time() - self.pipe.get_base_time()

    def _start_streaming(self):
        rt = self._running_time()
        if rt is None:
            return
        self.start_rt = rt
        self.v_sent = self.a_sent = self.v_pos = 0
        self.streaming = True

    def pump(self):
        """Pushes every audio and video packet that is due (called every 5 ms)."""
        if not self.streaming or self.stopping:
            return
        now = self._running_time()
        if now is None:
            return
        elapsed = now - self.start_rt
        vpk, apk = self.app.video_packets, self.app.audio_packets
        # do not try to catch up more than 200 ms after a stall: skip instead
        if elapsed - self.v_sent * VIDEO_PERIOD_NS > 200 * Gst.MSECOND:
            self.v_sent = elapsed // VIDEO_PERIOD_NS
        if elapsed - self.a_sent * AUDIO_PERIOD_NS > 200 * Gst.MSECOND:
            self.a_sent = elapsed // AUDIO_PERIOD_NS
        while self.v_sent * VIDEO_PERIOD_NS <= elapsed:
            if self.keyframe_requested:
                self.keyframe_requested = False
                n = len(vpk)
                pos = self.v_pos % n
                if not vpk[pos][1]:
                    self.keyframe_jumps += 1
                    for k in range(1, n + 1):
                        if vpk[(pos + k) % n][1]:
                            self.v_pos = (pos + k) % n
                            break
            data, key = vpk[self.v_pos % len(vpk)]
            buf = Gst.Buffer.new_wrapped(data)
            buf.pts = buf.dts = self.start_rt + self.v_sent * VIDEO_PERIOD_NS
            buf.duration = VIDEO_PERIOD_NS
            if not key:
                buf.set_flags(Gst.BufferFlags.DELTA_UNIT)
            self.appsrc_v.emit("push-buffer", buf)
            self.v_sent += 1
            self.v_pos += 1
        while self.a_sent * AUDIO_PERIOD_NS <= elapsed:
            data, _ = apk[self.a_sent % len(apk)]
            buf = Gst.Buffer.new_wrapped(data)
            buf.pts = buf.dts = self.start_rt + self.a_sent * AUDIO_PERIOD_NS
            buf.duration = AUDIO_PERIOD_NS
            self.appsrc_a.emit("push-buffer", buf)
            self.a_sent += 1

    def _on_pad_added(self, webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        s = caps.get_structure(0)
        media = s.get_string("media") or "?"
        kind = "video" if media == "video" else "audio"
        pad.add_probe(Gst.PadProbeType.BUFFER, self._count_rx, kind)
        if kind == "video" and self.idx == 0 and self.app.decode_first:
            chain = "rtph264depay ! avdec_h264 ! videoconvert ! video/x-raw,format=RGB ! " \
                    "fakesink name=dec sync=false async=false enable-last-sample=true"
            bin_ = Gst.parse_bin_from_description(chain, True)
            self.decode_sink = bin_.get_by_name("dec")
            elem = bin_
        else:
            elem = Gst.ElementFactory.make("fakesink")
            elem.set_property("sync", False)
            elem.set_property("async", False)
        self.pipe.add(elem)
        elem.sync_state_with_parent()
        pad.link(elem.get_static_pad("sink"))

    def _count_rx(self, pad, info, kind):
        buf = info.get_buffer()
        c = self.rx[kind]
        c[0] += 1
        c[1] += buf.get_size()
        if kind == "video":
            hdr = buf.extract_dup(4, 4)
            if hdr != self._last_rtp_ts:
                self._last_rtp_ts = hdr
                self.rx_frames += 1
        return Gst.PadProbeReturn.OK

    def receiving(self):
        return self.rx["audio"][0] > 0 and self.rx["video"][0] > 0

    def counters(self):
        return {"p": self.idx, "state": self.state, "conn": self.conn_state,
                "codec": self.video_codec,
                "rx_audio_pkts": self.rx["audio"][0], "rx_audio_bytes": self.rx["audio"][1],
                "rx_video_pkts": self.rx["video"][0], "rx_video_bytes": self.rx["video"][1],
                "rx_video_frames": self.rx_frames,
                "tx_video_frames": self.v_sent if self.streaming else 0,
                "tx_audio_pkts": self.a_sent if self.streaming else 0,
                "keyframe_jumps": self.keyframe_jumps,
                "offer_s": None if self.offer_s is None else round(self.offer_s, 3),
                "no_offer": self.no_offer, "stall_s": self.stall_s,
                "recent_fps": round(self.recent_fps, 1), "recent_aps": round(self.recent_aps, 1),
                "errors": list(self.errors), "left_events": self.left_events}

    def snapshot(self, path):
        if self.decode_sink is None:
            return "no decoder (use --decode-first)"
        sample = self.decode_sink.get_property("last-sample")
        if sample is None:
            return "no decoded frame yet"
        s = sample.get_caps().get_structure(0)
        w, h = s.get_value("width"), s.get_value("height")
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        data = bytes(info.data)
        buf.unmap(info)
        stride = (w * 3 + 3) & ~3
        raw = b"".join(b"\x00" + data[y * stride:y * stride + w * 3] for y in range(h))

        def chunk(tag, body):
            return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))
        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
        with open(path, "wb") as f:
            f.write(png)
        return "wrote %dx%d to %s" % (w, h, path)

    def leave(self):
        """Sends 'leave' and closes the WebSocket right away, without waiting for the server
        (as a browser tab that is closed may do)."""
        self.stopping = True
        self.streaming = False
        if self.ws is not None:
            if not self.reader_done:
                self.send({"type": "leave"})
            try:
                self.ws.close(timeout=0)  # close frame, then the TCP connection: no wait for the reply
            except Exception:
                pass

    def close(self):
        self.leave()
        if self.pipe is not None:
            self.pipe.set_state(Gst.State.NULL)
        self.state = "closed"


# ---------------------------------------------------------------- the application

class App:
    def __init__(self, args):
        self.url = args.url
        self.room = args.room
        self.invite = args.invite
        self.cookie_first = args.cookie_first
        self.recording_consent = args.recording_consent
        self.video_codecs = ["H264/42e01f"]
        self.decode_first = args.decode_first
        self.verbose = args.verbose
        self.video_packets, self.video_caps = load_packets(
            args.video, "h264parse",
            "video/x-h264,stream-format=byte-stream,alignment=au")
        self.audio_packets, self.audio_caps = load_packets(args.audio, "opusparse", "audio/x-opus")
        log("loaded %d video AUs (%d key), %d Opus packets" % (
            len(self.video_packets), sum(1 for _, k in self.video_packets if k), len(self.audio_packets)))
        self.participants = [Participant(self, i) for i in range(args.n)]
        self.join_interval_ms = args.join_interval_ms
        self.offer_timeout = args.offer_timeout
        self.loop = GLib.MainLoop()
        self.ready_sent = False
        self.stopping_since = None
        self.final_counters = None
        self.ready_since = None

    def run(self):
        delay = 0
        for p in self.participants:
            GLib.timeout_add(delay, self._connect, p)
            delay += self.join_interval_ms
        GLib.timeout_add(2000, self._ping)
        GLib.timeout_add(5, self._pump)
        GLib.timeout_add(1000, self._status)
        threading.Thread(target=self._stdin_reader, daemon=True).start()
        self.loop.run()

    def _connect(self, p):
        try:
            p.connect()
        except Exception as e:
            log("p%d: cannot connect: %s" % (p.idx, e))
            p.state = "failed"
        return False

    def _ping(self):
        for p in self.participants:
            p.ping()
        return True

    def _pump(self):
        for p in self.participants:
            p.pump()
        return True

    def _check_offers(self):
        """A participant that got no offer within --offer-timeout s of 'joined' has failed (no
        rejoin: bench.py reports it and fails the run)."""
        now = time.monotonic()
        for p in self.participants:
            if p.state != "joined" or p.joined_at is None or now - p.joined_at < self.offer_timeout:
                continue
            log("p%d: no offer %.0f s after 'joined'" % (p.idx, self.offer_timeout))
            p.no_offer = True
            p.state = "failed"

    def _status(self):
        self._check_offers()
        now = time.monotonic()
        for p in self.participants:
            if p.last_rx is not None and now > p.last_rx[0]:
                p.recent_fps = (p.rx_frames - p.last_rx[1]) / (now - p.last_rx[0])
                p.recent_aps = (p.rx["audio"][0] - p.last_rx[2]) / (now - p.last_rx[0])
                # once all receive, a second without a composite frame is a stalled composite
                if self.ready_sent and self.stopping_since is None and p.rx_frames == p.last_rx[1]:
                    p.stall_s += 1
            p.last_rx = (now, p.rx_frames, p.rx["audio"][0])
        counters = [p.counters() for p in self.participants]
        connected = sum(1 for p in self.participants if p.state == "connected")
        # receiving = connected, and composite video and mix-minus audio arrived in the last second
        receiving = sum(1 for p in self.participants
                        if p.state == "connected" and p.recent_fps >= 5 and p.recent_aps >= 20)
        failed = sum(1 for p in self.participants if p.state == "failed")
        emit({"event": "status", "t": time.monotonic(), "connected": connected,
              "receiving": receiving, "failed": failed, "participants": counters})
        if receiving < len(self.participants):
            self.ready_since = None
        elif not self.ready_sent:
            if self.ready_since is None:
                self.ready_since = time.monotonic()
            elif time.monotonic() - self.ready_since >= 1.5:
                self.ready_sent = True
                emit({"event": "ready", "t": time.monotonic()})
        return True

    def _stdin_reader(self):
        for line in sys.stdin:
            cmd = line.strip().split(" ", 1)
            if cmd[0] == "stop":
                break
            if cmd[0] == "snapshot" and len(cmd) == 2:
                GLib.idle_add(self._snapshot, cmd[1])
            if cmd[0] == "send" and len(cmd) == 2:
                idx, _, text = cmd[1].partition(" ")
                try:
                    GLib.idle_add(self._send, self.participants[int(idx)], json.loads(text))
                except (ValueError, IndexError) as e:
                    log("bad send command %r: %s" % (line.strip(), e))
        GLib.idle_add(self._stop)

    def _send(self, p, obj):
        p.send(obj)
        emit({"event": "sent", "p": p.idx, "t": time.monotonic(), "type": obj.get("type")})
        return False

    def _snapshot(self, path):
        emit({"event": "snapshot", "result": self.participants[0].snapshot(path)})
        return False

    def _stop(self):
        if self.stopping_since is not None:
            return False
        self.final_counters = [p.counters() for p in self.participants]
        self.stopping_since = time.monotonic()
        for p in self.participants:
            p.close()
        emit({"event": "final", "t": time.monotonic(), "participants": self.final_counters})
        self.loop.quit()
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/ws")
    ap.add_argument("--room", default="bench")
    ap.add_argument("--invite", default=None, help="join by this invitation token instead of --room")
    ap.add_argument("--cookie-first", default=None,
                    help="Cookie header for participant 0's WebSocket handshake (plenum_session=...)")
    ap.add_argument("--recording-consent", action="store_true", help="recordingConsent: true in every join")
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--video", required=True, help="Matroska file with H.264 (constrained baseline)")
    ap.add_argument("--audio", required=True, help="Matroska file with Opus 48 kHz")
    ap.add_argument("--join-interval-ms", type=int, default=300)
    ap.add_argument("--decode-first", action="store_true",
                    help="participant 0 decodes the composite (for a snapshot; costs client CPU)")
    ap.add_argument("--offer-timeout", type=float, default=15.0,
                    help="a participant without an offer this many seconds after 'joined' has failed "
                         "(default 15)")
    ap.add_argument("--verbose", action="store_true", help="log every signaling message type")
    args = ap.parse_args()
    Gst.init(None)
    app = App(args)
    app.run()


if __name__ == "__main__":
    main()
