#!/usr/bin/env node
// SPDX-License-Identifier: EUPL-1.2
// End-to-end latency through plenumd (issue 16), against a direct browser-to-browser reference
// measured in the same run.
//
//   node bench/latency.mjs [--seconds 20] [--plenumd PATH] [--config INI] [--set key=value ...]
//                          [--warmup 6] [--webroot DIR] [--gst-latency] [--json FILE] [--results FILE]
//
// One headless Chromium (one clock), three pages:
// - "sender": a plenumd participant whose camera is a
//   640x360 canvas capture that is white for the first 100 ms of every full second of
//   performance.timeOrigin + now() and black otherwise (a frame every 40 ms, drawn and pushed
//   with requestFrame), and a WebAudio MediaStreamDestination that carries a 1 kHz beep of 50 ms
//   at the same instants. The same two tracks also go to a direct RTCPeerConnection (reference).
// - "receiver": a plenumd participant (its camera a black canvas, its microphone silence); reads
//   the flash from the composite (decoded frames from a MediaStreamTrackProcessor, read in a
//   worker: arrival time, mean luma of the whole frame) and the beep from the mix (AudioWorklet
//   onset: first sample above 0.05 after 300 ms of quiet, mapped to the clock with
//   getOutputTimestamp).
//   Both plenumd participants are plain pages of plenumd's origin that drive the web client's own
//   modules (call.js, signaling.js), not the room page (see joinPlenum).
// - "reference": a plain page with the other end of the direct RTCPeerConnection; the same probes.
// Delay of a sample = detection time - the instant the sender drew the flash / scheduled the
// beep; the pages' clocks are compared with Node's (round trip of page.evaluate) and corrected.
// "added" = plenumd - reference. Exit status 1 when it cannot measure (fewer than half the flashes
// or beeps found on either path, a failed join, a dead plenumd).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH_DIR, '..');

// ---- arguments ----------------------------------------------------------------------------------
function parseArgs(argv) {
  const o = { seconds: 20, warmup: 6, plenumd: null, config: path.join(BENCH_DIR, 'plenum-bench.ini'), set: [],
    webroot: null, gstLatency: false, json: null, results: null, label: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--seconds') o.seconds = Number(val());
    else if (a === '--warmup') o.warmup = Number(val());
    else if (a === '--plenumd') o.plenumd = val();
    else if (a === '--config') o.config = val();
    else if (a === '--set') o.set.push(val());
    else if (a === '--webroot') o.webroot = val();
    else if (a === '--gst-latency') o.gstLatency = true;
    else if (a === '--json') o.json = val();
    else if (a === '--results') o.results = val();
    else if (a === '--label') o.label = val();
    else if (a === '-h' || a === '--help') {
      process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2, 22).join('\n') + '\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.seconds >= 5)) throw new Error('--seconds must be >= 5');
  return o;
}

const opts = (() => {
  try { return parseArgs(process.argv.slice(2)); } catch (e) { process.stderr.write(`${e.message}\n`); process.exit(2); }
})();
if (opts.plenumd) process.env.PLENUMD = path.resolve(opts.plenumd);
process.env.PLENUM_TEST_CONFIG = path.resolve(opts.config);

// tests/e2e's helpers (server.mjs reads PLENUMD / PLENUM_TEST_CONFIG when it is loaded).
const { startServer } = await import('../tests/e2e/lib/server.mjs');
const { chromiumArgs, CHROMIUM } = await import('../tests/e2e/lib/browser.mjs');
const { mkTmp, rmTmp, randomId, waitFor, sleep, log, cpuSeconds, fmt } = await import('../tests/e2e/lib/util.mjs');
const { chromium } = await import('../tests/e2e/node_modules/playwright-core/index.mjs');

// ---- in-page code (self-contained functions, serialised into the pages) -------------------------

/** Init script of every page: the bench's fake devices; the role comes from ?name=. */
function initScript() {
  const name = new URLSearchParams(location.search).get('name');
  if (location.pathname !== '/healthz') return;
  if (name !== 'LatencySender' && name !== 'LatencyReceiver') return;
  const now = () => performance.timeOrigin + performance.now();
  const B = (window.__bench = { role: name === 'LatencySender' ? 'sender' : 'receiver', flashes: [], beeps: [], draws: 0, late: [] });
  // Context time <-> epoch ms. getOutputTimestamp when it knows the output's clock, else
  // currentTime against now() (the same method on both ends: its offset cancels).
  B.clock = (ctx) => {
    const ts = ctx.getOutputTimestamp ? ctx.getOutputTimestamp() : null;
    if (ts && ts.performanceTime > 0) return { method: 'outputTimestamp', ctx: ts.contextTime, epoch: performance.timeOrigin + ts.performanceTime };
    return { method: 'currentTime', ctx: ctx.currentTime, epoch: now() };
  };
  function makeTracks() {
    if (B.stream) return B.stream;
    const sender = B.role === 'sender';
    const W = sender ? 640 : 160, H = sender ? 360 : 90, STEP = sender ? 40 : 200;
    const canvas = document.createElement('canvas');
    canvas.width = W; canvas.height = H;
    const g = canvas.getContext('2d');
    const vstream = canvas.captureStream(0);
    const vt = vstream.getVideoTracks()[0];
    let wasWhite = false;
    const draw = () => {
      const t = now();
      const white = sender && (t % 1000) < 100;
      g.fillStyle = white ? '#ffffff' : '#000000';
      g.fillRect(0, 0, W, H);
      vt.requestFrame();
      B.draws++;
      if (white && !wasWhite) {
        B.flashes.push({ second: Math.floor(t / 1000) * 1000, t });
      }
      wasWhite = white;
      const next = (Math.floor(t / STEP) + 1) * STEP;
      setTimeout(draw, Math.max(0, next - now()));
    };
    draw();
    const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
    const dest = ctx.createMediaStreamDestination();
    if (sender) {
      const osc = ctx.createOscillator();
      osc.frequency.value = 1000;
      const gain = ctx.createGain();
      gain.gain.value = 0;
      osc.connect(gain).connect(dest);
      osc.start();
      let until = 0;
      const schedule = () => {
        if (ctx.state !== 'running') ctx.resume().catch(() => {});
        const c = B.clock(ctx);
        B.clockMethod = c.method;
        const t = now();
        for (let S = Math.ceil((t + 300) / 1000) * 1000; S < t + 2300; S += 1000) {
          if (S <= until) continue;
          const at = c.ctx + (S - c.epoch) / 1000;
          gain.gain.setValueAtTime(0.5, at);
          gain.gain.setValueAtTime(0, at + 0.05);
          B.beeps.push({ second: S, t: S, ctxTime: at });
          until = S;
        }
        setTimeout(schedule, 400);
      };
      schedule();
    }
    B.ctx = ctx;
    B.stream = new MediaStream([dest.stream.getAudioTracks()[0], vt]);
    return B.stream;
  }
  B.makeTracks = makeTracks;
  const md = navigator.mediaDevices;
  md.getUserMedia = async (c) => {
    const s = makeTracks();
    const out = [];
    if (c && c.audio) out.push(...s.getAudioTracks());
    if (c && c.video) out.push(...s.getVideoTracks());
    return new MediaStream(out);
  };
}

/**
 * A minimal plenumd client in a plain page of the server's origin, built from the web client's
 * own modules (signaling.js, call.js): join, answer the offer, trickle candidates. Not the room
 * page: that page's frames and timers run at 1 Hz in this headless Chromium once a call is up
 * (measured: requestAnimationFrame 1/s, setTimeout gaps of ~1 s, main thread idle), which
 * would ruin the flash timing.
 */
async function joinPlenum({ room, name }) {
  const { Call, receiveVideoCodecs } = await import('/call.js');
  const { Signaling, signalingUrl } = await import('/signaling.js');
  const tracks = window.__bench.makeTracks();
  const P = (window.plenum = { state: 'connecting', pc: null, remoteStream: null, connectionState: 'new', participants: 0, errors: [] });
  let sig = null;
  const call = new Call({
    send: (msg) => sig.send(msg),
    getLocalTracks: () => ({ mic: tracks.getAudioTracks()[0], cam: tracks.getVideoTracks()[0] }),
    onPeerConnection: (pc) => { P.pc = pc; },
    onRemoteTrack: () => {},
    onConnectionState: (state) => { P.connectionState = state; },
  });
  P.remoteStream = call.remoteStream;
  P.call = call;
  sig = new Signaling(signalingUrl(), {
    onOpen: () => {
      const msg = { type: 'join', name, audio: true, video: true, room };
      const codecs = receiveVideoCodecs();
      if (codecs) msg.videoCodecs = codecs;
      sig.send(msg);
    },
    onMessage: (msg) => {
      if (msg.type === 'joined') {
        P.state = 'joined';
        call.setIceServers(msg.iceServers);
        P.participants = Array.isArray(msg.participants) ? msg.participants.length : 0;
        P.videoCodec = msg.videoCodec;
      } else if (msg.type === 'offer' && typeof msg.sdp === 'string') {
        call.handleOffer(msg.sdp).catch((e) => P.errors.push(`offer: ${e}`));
      } else if (msg.type === 'candidate' && typeof msg.candidate === 'string') {
        call.handleCandidate(msg.candidate, Number.isInteger(msg.sdpMLineIndex) ? msg.sdpMLineIndex : 0);
      } else if (msg.type === 'participant-joined') {
        P.participants++;
      } else if (msg.type === 'error') {
        P.errors.push(JSON.stringify(msg));
      }
    },
    onClose: (ev) => { P.state = `closed ${ev && ev.code}`; },
  });
  // The mix plays in an <audio> (Chromium's audio receive path runs only for a played track).
  const audio = document.createElement('audio');
  audio.autoplay = true;
  document.body.append(audio);
  const attach = setInterval(() => {
    const t = call.remoteStream.getAudioTracks()[0];
    if (t && (!audio.srcObject || audio.srcObject.getAudioTracks()[0] !== t)) {
      audio.srcObject = new MediaStream([t]);
      audio.play().catch(() => {});
    }
  }, 200);
  P.stopAttach = () => clearInterval(attach);
  return true;
}

/**
 * Starts the probes on the received tracks of this page: per decoded video frame the mean luma
 * of the whole frame; audio onsets from an AudioWorklet. `src` says where to find
 * them: 'room' (plenumd's page) or 'ref' (window.__ref).
 */
async function startProbes({ src, threshold }) {
  const now = () => performance.timeOrigin + performance.now();
  const P = (window.__probe = { frames: [], onsets: [], peak: 0, errors: [], t0: now() });
  const stream = src === 'room' ? window.plenum.remoteStream : window.__ref.stream;
  const track = stream && stream.getAudioTracks()[0];
  const vtrack = stream && stream.getVideoTracks()[0];
  if (!vtrack || !track) return { error: `no ${vtrack ? 'audio' : 'video'} track` };
  // Video frames as they leave the decoder: a MediaStreamTrackProcessor whose stream a worker
  // reads (timestamp on arrival, mean luma of the Y plane, every 4th pixel). Not a <video> with
  // requestVideoFrameCallback: a page receiving the 1280x720 composite is drawn about once a
  // second in this headless, software-composited Chromium under load (its requestAnimationFrame
  // measured at 1/s), so presentation times say nothing; the worker is not throttled.
  const proc = new MediaStreamTrackProcessor({ track: vtrack, maxBufferSize: 8 });
  const wcode = `let buf = null, out = [];
  onmessage = async (e) => {
    if (e.data.flush) { postMessage({ frames: out.splice(0), flushed: true }); return; }
    const reader = e.data.readable.getReader();
    for (;;) {
      const { value: f, done } = await reader.read();
      if (done) break;
      const t = performance.timeOrigin + performance.now();
      let luma = NaN;
      try {
        const n = f.allocationSize();
        if (!buf || buf.byteLength < n) buf = new Uint8Array(n);
        const layout = await f.copyTo(buf);
        const w = f.visibleRect.width, h = f.visibleRect.height, { offset, stride } = layout[0];
        let s = 0, k = 0;
        if (/^(I4|NV12)/.test(f.format)) {
          for (let y = 0; y < h; y += 4) for (let x = 0; x < w; x += 4) { s += buf[offset + y * stride + x]; k++; }
        } else {
          const bgr = /^BGR/.test(f.format);
          for (let y = 0; y < h; y += 4) for (let x = 0; x < w; x += 4) {
            const i = offset + y * stride + 4 * x;
            s += bgr ? 0.114 * buf[i] + 0.587 * buf[i + 1] + 0.299 * buf[i + 2] : 0.299 * buf[i] + 0.587 * buf[i + 1] + 0.114 * buf[i + 2]; k++;
          }
        }
        luma = s / k;
        out.push([t, luma, w, h, f.format]);
      } catch (err) { out.push([t, NaN, 0, 0, String(err)]); }
      f.close();
      if (out.length >= 10) postMessage({ frames: out.splice(0) });
    }
  };`;
  const worker = new Worker(URL.createObjectURL(new Blob([wcode], { type: 'application/javascript' })));
  P.flushWaiters = [];
  worker.onmessage = (e) => {
    if (!P.stopped || e.data.flushed) P.frames.push(...e.data.frames);
    if (e.data.flushed) for (const r of P.flushWaiters.splice(0)) r();
  };
  worker.postMessage({ readable: proc.readable }, [proc.readable]);
  P.worker = worker;
  // How late this page's timers run (for the report).
  P.maxTimerGap = 0;
  let last = performance.now();
  P.gapTimer = setInterval(() => { const t = performance.now(); P.maxTimerGap = Math.max(P.maxTimerGap, t - last - 50); last = t; }, 50);
  const ctx = new AudioContext({ sampleRate: 48000, latencyHint: 'interactive' });
  const code = `class Onset extends AudioWorkletProcessor {
    constructor() { super(); this.quiet = 1e9; this.peak = 0; this.n = 0; }
    process(inputs) {
      const ch = inputs[0] && inputs[0][0];
      if (ch) {
        let first = -1, peak = 0;
        for (let i = 0; i < ch.length; i++) {
          const a = Math.abs(ch[i]);
          if (a > peak) peak = a;
          if (first < 0 && a > ${threshold}) first = i;
        }
        if (first >= 0 && this.quiet >= 0.3 * sampleRate) this.port.postMessage({ frame: currentFrame + first });
        this.quiet = first >= 0 ? 0 : this.quiet + ch.length;
        if (peak > this.peak) this.peak = peak;
        if (++this.n % 375 === 0) { this.port.postMessage({ peak: this.peak }); this.peak = 0; }
      }
      return true;
    }
  }
  registerProcessor('onset', Onset);`;
  const url = URL.createObjectURL(new Blob([code], { type: 'application/javascript' }));
  await ctx.audioWorklet.addModule(url);
  const node = new AudioWorkletNode(ctx, 'onset', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
  const source = ctx.createMediaStreamSource(new MediaStream([track]));
  source.connect(node);
  const sink = ctx.createGain();
  sink.gain.value = 0;
  node.connect(sink).connect(ctx.destination);
  if (ctx.state !== 'running') await ctx.resume().catch(() => {});
  const clock = () => {
    const ts = ctx.getOutputTimestamp ? ctx.getOutputTimestamp() : null;
    if (ts && ts.performanceTime > 0) return { method: 'outputTimestamp', ctx: ts.contextTime, epoch: performance.timeOrigin + ts.performanceTime };
    return { method: 'currentTime', ctx: ctx.currentTime, epoch: now() };
  };
  node.port.onmessage = (e) => {
    if (P.stopped) return;
    if (e.data.peak !== undefined) { P.peak = Math.max(P.peak, e.data.peak); return; }
    const k = clock();
    P.clockMethod = k.method;
    P.onsets.push(k.epoch + (e.data.frame / ctx.sampleRate - k.ctx) * 1000);
  };
  P.ctx = ctx;
  return { ok: true, ctxState: ctx.state, sampleRate: ctx.sampleRate, visibility: document.visibilityState };
}

async function stopProbes() {
  const P = window.__probe;
  await new Promise((r) => { P.flushWaiters.push(r); P.worker.postMessage({ flush: true }); setTimeout(r, 5000); });
  P.stopped = true;
  clearInterval(P.gapTimer);
  return { maxTimerGap: P.maxTimerGap, frames: P.frames, onsets: P.onsets, peak: P.peak, errors: P.errors, clockMethod: P.clockMethod };
}

/** The RTP figures that say where a receiver's or sender's time goes (getStats). */
async function rtpStats(src) {
  const pc = src === 'room' ? window.plenum && window.plenum.pc : src === 'ref' ? window.__ref && window.__ref.pc : window.__bench.refPc;
  if (!pc) return { error: 'no pc' };
  const stats = await pc.getStats();
  const out = { inbound: {}, outbound: {}, codecs: {} };
  const pick = (s, keys) => Object.fromEntries(keys.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  stats.forEach((s) => {
    if (s.type === 'codec') out.codecs[s.id] = `${s.mimeType} ${s.sdpFmtpLine || ''}`.trim();
  });
  stats.forEach((s) => {
    if (s.type === 'inbound-rtp') {
      out.inbound[s.kind] = { codec: out.codecs[s.codecId], ...pick(s, ['jitterBufferDelay', 'jitterBufferEmittedCount', 'jitterBufferTargetDelay',
        'jitterBufferMinimumDelay', 'framesDecoded', 'totalDecodeTime', 'totalProcessingDelay', 'totalAssemblyTime', 'framesAssembledFromMultiplePackets',
        'framesDropped', 'framesReceived', 'frameWidth', 'frameHeight', 'packetsReceived', 'packetsLost', 'jitter', 'concealedSamples',
        'insertedSamplesForDeceleration', 'removedSamplesForAcceleration', 'totalSamplesReceived', 'bytesReceived', 'nackCount', 'pliCount', 'freezeCount']) };
    } else if (s.type === 'outbound-rtp' && !s.rid) {
      const prev = out.outbound[s.kind];
      if (!prev || (s.bytesSent || 0) > (prev.bytesSent || 0)) {
        out.outbound[s.kind] = { codec: out.codecs[s.codecId], ...pick(s, ['framesEncoded', 'totalEncodeTime', 'totalPacketSendDelay', 'packetsSent',
          'bytesSent', 'frameWidth', 'frameHeight', 'framesPerSecond', 'qualityLimitationReason', 'targetBitrate']) };
      }
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
      out.rtt = s.currentRoundTripTime;
    }
  });
  return out;
}

// ---- analysis -----------------------------------------------------------------------------------
const quantile = (xs, q) => {
  const a = xs.filter(Number.isFinite).sort((x, y) => x - y);
  if (!a.length) return NaN;
  const i = (a.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i);
  return a[lo] + (a[hi] - a[lo]) * (i - lo);
};
const median = (xs) => quantile(xs, 0.5);

/**
 * Per second S of the window: the first frame (presentation time) whose luma rises above the
 * half-way mark between the dark level before S and the brightest frame within 950 ms after it;
 * the first audio onset within [S - 50, S + 950). (Delays beyond that are not measured: misses.)
 */
function analyse(trace, sends, seconds, offset) {
  const frames = trace.frames.filter((f) => Number.isFinite(f[1])).map(([t, luma]) => ({ pres: t - offset, recv: null, luma }));
  const onsets = trace.onsets.map((t) => t - offset);
  const rows = [];
  for (const S of seconds) {
    const flash = sends.flashes.get(S);
    const beep = sends.beeps.get(S);
    const row = { second: S };
    const before = frames.filter((f) => f.pres >= S - 400 && f.pres < S);
    const after = frames.filter((f) => f.pres >= S && f.pres < S + 950);
    if (flash && before.length && after.length) {
      const dark = median(before.map((f) => f.luma));
      const bright = Math.max(...after.map((f) => f.luma));
      if (bright - dark > 8) {
        const mark = dark + (bright - dark) / 2;
        const hit = after.find((f) => f.luma > mark);
        row.video = hit.pres - flash.t;
        row.videoRecv = hit.recv == null ? null : hit.recv - flash.t;
        row.contrast = bright - dark;
      }
    }
    if (beep) {
      const hit = onsets.find((t) => t >= S - 50 && t < S + 950);
      if (hit !== undefined) row.audio = hit - beep.t;
    }
    if (row.video !== undefined && row.audio !== undefined) row.sync = row.audio - row.video;
    rows.push(row);
  }
  const col = (k) => rows.map((r) => r[k]).filter((x) => Number.isFinite(x));
  const stat = (k) => ({ n: col(k).length, median: median(col(k)), p90: quantile(col(k), 0.9), min: Math.min(...col(k)), max: Math.max(...col(k)) });
  const fps = frames.length / ((frames.at(-1)?.pres - frames[0]?.pres) / 1000 || NaN);
  return { rows, video: stat('video'), videoRecv: stat('videoRecv'), audio: stat('audio'), sync: stat('sync'),
    framesPerSecond: fps, maxTimerGapMs: trace.maxTimerGap, frameFormat: trace.frames[0]?.slice(2).join(' '), audioPeak: trace.peak, clockMethod: trace.clockMethod, errors: trace.errors };
}

/** Differences of two getStats snapshots: ms per frame/sample where the counters allow. */
function statsDelta(a, b) {
  const out = {};
  for (const kind of ['audio', 'video']) {
    const x = a?.inbound?.[kind], y = b?.inbound?.[kind];
    if (!x || !y) continue;
    const d = (k) => (y[k] ?? NaN) - (x[k] ?? NaN);
    const o = { codec: y.codec };
    o.jitterBufferMs = 1000 * d('jitterBufferDelay') / d('jitterBufferEmittedCount');
    o.jitterBufferTargetMs = 1000 * d('jitterBufferTargetDelay') / d('jitterBufferEmittedCount');
    o.jitterBufferMinimumMs = 1000 * d('jitterBufferMinimumDelay') / d('jitterBufferEmittedCount');
    if (kind === 'video') {
      o.decodeMs = 1000 * d('totalDecodeTime') / d('framesDecoded');
      o.processingMs = 1000 * d('totalProcessingDelay') / d('framesDecoded');
      o.assemblyMs = 1000 * d('totalAssemblyTime') / d('framesAssembledFromMultiplePackets');
      o.fps = d('framesDecoded') / ((b.t - a.t) / 1000);
      o.size = `${y.frameWidth}x${y.frameHeight}`;
      o.framesDropped = d('framesDropped');
      o.freezes = d('freezeCount');
    } else {
      o.concealedSamples = d('concealedSamples');
      o.accelerated = d('removedSamplesForAcceleration');
      o.decelerated = d('insertedSamplesForDeceleration');
    }
    o.lost = d('packetsLost');
    o.jitterMs = 1000 * (y.jitter ?? NaN);
    out[kind] = o;
  }
  for (const kind of ['audio', 'video']) {
    const x = a?.outbound?.[kind], y = b?.outbound?.[kind];
    if (!x || !y) continue;
    const d = (k) => (y[k] ?? NaN) - (x[k] ?? NaN);
    out[`sent-${kind}`] = { codec: y.codec, encodeMs: kind === 'video' ? 1000 * d('totalEncodeTime') / d('framesEncoded') : undefined,
      packetSendDelayMs: 1000 * d('totalPacketSendDelay') / d('packetsSent'), size: y.frameWidth ? `${y.frameWidth}x${y.frameHeight}` : undefined,
      kbps: 8 * d('bytesSent') / (b.t - a.t) };
  }
  out.rttMs = b?.rtt !== undefined ? 1000 * b.rtt : undefined;
  return out;
}

/** GST_TRACERS=latency output: per element (name without trailing digits), median and p90 µs → ms. */
function summariseGstLatency(file) {
  if (!fs.existsSync(file)) return null;
  const per = new Map();
  const paths = new Map();
  const text = fs.readFileSync(file, 'utf8');
  for (const line of text.split('\n')) {
    let m = /element-latency, element-id=\(string\)\S+, element=\(string\)([^,]+), src=\(string\)([^,]+), time=\(guint64\)(\d+)/.exec(line);
    if (m) {
      const key = m[1].replace(/[0-9_]+$/, '').replace(/-[0-9a-f]{4,}.*$/, '') + '.' + m[2];
      if (!per.has(key)) per.set(key, []);
      per.get(key).push(Number(m[3]) / 1e6);
      continue;
    }
    m = /\blatency, src-element-id=\(string\)\S+, src-element=\(string\)([^,]+), src=\(string\)([^,]+), sink-element-id=\(string\)\S+, sink-element=\(string\)([^,]+), sink=\(string\)([^,]+), time=\(guint64\)(\d+)/.exec(line);
    if (m) {
      const key = `${m[1].replace(/[0-9_]+$/, '')} -> ${m[3].replace(/[0-9_]+$/, '')}`;
      if (!paths.has(key)) paths.set(key, []);
      paths.get(key).push(Number(m[5]) / 1e6);
    }
  }
  const sum = (map) => [...map.entries()].map(([k, v]) => ({ element: k, n: v.length, medianMs: median(v), p90Ms: quantile(v, 0.9) }))
    .sort((x, y) => y.medianMs - x.medianMs);
  return { elements: sum(per).slice(0, 25), paths: sum(paths).slice(0, 25) };
}

// ---- the run ------------------------------------------------------------------------------------
const problems = [];
const consoleOf = {};
let server = null, context = null, profile = null, webrootTmp = null;
const loadBefore = fs.readFileSync('/proc/loadavg', 'utf8').trim();
const procStat = () => {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: f[0] + f[1] + f[2] + f[5] + f[6] + f[7], total: f.reduce((a, b) => a + b, 0) };
};

async function clockOffset(page) {
  // page clock - Node clock, from the evaluation with the shortest round trip.
  let best = null;
  for (let i = 0; i < 9; i++) {
    const t0 = performance.timeOrigin + performance.now();
    const p = await page.evaluate(() => performance.timeOrigin + performance.now());
    const t1 = performance.timeOrigin + performance.now();
    if (!best || t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: p - (t0 + t1) / 2 };
  }
  return best;
}

async function main() {
  const extra = [...opts.set];
  let gstLog = null;
  const tmp = mkTmp('latency');
  if (opts.webroot) extra.push(`http.webroot = ${path.resolve(opts.webroot)}`);
  if (opts.gstLatency) {
    gstLog = path.join(tmp, 'gst-latency.log');
    process.env.GST_TRACERS = 'latency(flags=pipeline+element)';
    process.env.GST_DEBUG = process.env.GST_DEBUG ? `${process.env.GST_DEBUG},GST_TRACER:7` : 'GST_TRACER:7';
    process.env.GST_DEBUG_FILE = gstLog;
    process.env.GST_DEBUG_NO_COLOR = '1';
  }
  server = await startServer({ config: extra.map((l) => l.replace(/^([^=\s]+)=/, '$1 = ')).join('\n') });
  const plenumdPath = process.env.PLENUMD || path.join(REPO, 'build', 'appliance', 'plenumd');
  log(`plenumd ${plenumdPath}, config ${opts.config}${extra.length ? ` + ${extra.join(', ')}` : ''}`);

  profile = mkTmp('chromium-latency');
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, bypassCSP: true, viewport: { width: 1280, height: 800 },
    args: chromiumArgs({}),
  });
  await context.addInitScript(initScript);
  const room = `latency-${randomId(6)}`;
  const url = (name) => `${server.baseUrl}/healthz?name=${name}`;
  const pages = {};
  for (const role of ['sender', 'receiver', 'reference']) {
    const p = role === 'sender' && context.pages()[0] ? context.pages()[0] : await context.newPage();
    consoleOf[role] = [];
    p.on('console', (m) => { if (consoleOf[role].length < 200) consoleOf[role].push(`[${m.type()}] ${m.text()}`); });
    p.on('pageerror', (e) => consoleOf[role].push(`[pageerror] ${e.message}`));
    pages[role] = p;
  }
  for (const [role, name] of [['sender', 'LatencySender'], ['receiver', 'LatencyReceiver']]) {
    await pages[role].goto(url(name), { waitUntil: 'domcontentloaded', timeout: 60000 });
    await pages[role].evaluate(joinPlenum, { room, name });
  }
  // The reference's page: any page of the server's origin (a secure context on 127.0.0.1).
  await pages.reference.goto(`${server.baseUrl}/healthz`, { waitUntil: 'domcontentloaded', timeout: 60000 });

  // plenumd path up: both joined, the receiver's composite flashing and its mix beeping is
  // checked by the analysis; here: composite frames and an audio track present.
  await waitFor(() => pages.receiver.evaluate(() => {
    const p = window.plenum;
    return p && p.state === 'joined' && p.participants >= 2 && p.connectionState === 'connected' &&
      p.remoteStream.getVideoTracks().length > 0 && p.remoteStream.getAudioTracks().length > 0;
  }), { timeout: 45000, interval: 250, message: 'the receiver joined, connected, with composite video and mix audio', describe: () => '' });
  await waitFor(() => pages.sender.evaluate(() => window.plenum && window.plenum.state === 'joined' && window.plenum.connectionState === 'connected'),
    { timeout: 30000, interval: 250, message: 'the sender connected to plenumd' });

  // The reference: a direct RTCPeerConnection from the sender's tracks to the reference page,
  // with the codec the sender uses towards plenumd (read from its outbound-rtp).
  const upCodec = await waitFor(async () => {
    const s = await pages.sender.evaluate(rtpStats, 'room');
    const c = s.outbound && s.outbound.video && s.outbound.video.codec;
    return c || null;
  }, { timeout: 15000, interval: 500, message: "the sender's outbound video codec towards plenumd" });
  const offer = await pages.sender.evaluate(async (codec) => {
    const B = window.__bench;
    const pc = (B.refPc = new RTCPeerConnection());
    const s = B.makeTracks();
    for (const t of s.getTracks()) pc.addTrack(t, s);
    const [mime, ...fmtp] = codec.split(' ');
    const caps = RTCRtpSender.getCapabilities('video').codecs;
    const want = caps.filter((c) => c.mimeType.toLowerCase() === mime.toLowerCase() && (!fmtp.length || (c.sdpFmtpLine || '') === fmtp.join(' ')));
    const chosen = want.length ? want : caps.filter((c) => c.mimeType.toLowerCase() === mime.toLowerCase());
    const tr = pc.getTransceivers().find((x) => x.sender.track && x.sender.track.kind === 'video');
    if (chosen.length) tr.setCodecPreferences([...chosen, ...caps.filter((c) => !chosen.includes(c))]);
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()); setTimeout(r, 5000); });
    return pc.localDescription.sdp;
  }, upCodec);
  const answer = await pages.reference.evaluate(async (sdp) => {
    const R = (window.__ref = {});
    const pc = (R.pc = new RTCPeerConnection());
    R.stream = new MediaStream();
    // Like the plenumd client: the audio plays in an <audio>, the video goes to the probe only.
    R.audio = document.createElement('audio');
    R.audio.autoplay = true;
    document.body.append(R.audio);
    pc.ontrack = (e) => {
      R.stream.addTrack(e.track);
      if (e.track.kind === 'audio') { R.audio.srcObject = new MediaStream([e.track]); R.audio.play().catch(() => {}); }
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()); setTimeout(r, 5000); });
    return pc.localDescription.sdp;
  }, offer);
  await pages.sender.evaluate((sdp) => window.__bench.refPc.setRemoteDescription({ type: 'answer', sdp }), answer);
  await waitFor(() => pages.reference.evaluate(() => window.__ref.stream.getVideoTracks().length > 0 && window.__ref.stream.getAudioTracks().length > 0 &&
    window.__ref.pc.connectionState === 'connected'), { timeout: 20000, interval: 250, message: 'the direct reference connected with video and audio' });

  log(`both paths up (upload codec ${upCodec}); warming up ${opts.warmup} s`);
  await sleep(opts.warmup * 1000);

  // Clocks: every page against Node's.
  const clocks = {};
  for (const role of ['sender', 'receiver', 'reference']) clocks[role] = await clockOffset(pages[role]);

  const threshold = 0.05;
  const probeInfo = {};
  for (const [role, src] of [['receiver', 'room'], ['reference', 'ref']]) {
    probeInfo[role] = await pages[role].evaluate(startProbes, { src, threshold });
    if (probeInfo[role].error) throw new Error(`${role}: cannot start the probes: ${probeInfo[role].error}`);
  }
  const statsAt = async () => {
    const t = Date.now();
    const [r, f, s, sr] = await Promise.all([pages.receiver.evaluate(rtpStats, 'room'), pages.reference.evaluate(rtpStats, 'ref'),
      pages.sender.evaluate(rtpStats, 'room'), pages.sender.evaluate(rtpStats, 'senderRef')]);
    return { receiver: { ...r, t }, reference: { ...f, t }, sender: { ...s, t }, senderRef: { ...sr, t } };
  };
  const s0 = await statsAt();
  const cpu0 = cpuSeconds(server.pid), st0 = procStat(), wall0 = Date.now();
  const tStart = performance.timeOrigin + performance.now();
  await sleep((opts.seconds + 1.5) * 1000);
  const tEnd = performance.timeOrigin + performance.now();
  const cpu1 = cpuSeconds(server.pid), st1 = procStat(), wall1 = Date.now();
  const s1 = await statsAt();
  const traces = {};
  for (const role of ['receiver', 'reference']) traces[role] = await pages[role].evaluate(stopProbes);
  const bench = await pages.sender.evaluate(() => ({ flashes: window.__bench.flashes, beeps: window.__bench.beeps, clockMethod: window.__bench.clockMethod }));
  if (server.exited) problems.push(`plenumd exited: ${JSON.stringify(server.exited)}`);
  const pageState = (role) => pages[role].evaluate(() => {
    const p = window.plenum;
    return { state: p ? p.state : undefined, connection: p ? p.connectionState : window.__ref.pc.connectionState, errors: p ? p.errors : undefined,
      frames: window.__probe.frames.length };
  }).catch((e) => ({ error: String(e) }));
  const states = { receiver: await pageState('receiver'), reference: await pageState('reference') };

  // Seconds fully inside the window (detections up to 900 ms later still recorded), on the sender's clock.
  const off = (role) => clocks[role].offset - clocks.sender.offset; // role's clock - sender's clock
  const seconds = [];
  const startS = tStart + clocks.sender.offset + 500, endS = tEnd + clocks.sender.offset - 1000;
  for (let S = Math.ceil(startS / 1000) * 1000; S < endS; S += 1000) seconds.push(S);
  const sends = { flashes: new Map(bench.flashes.map((f) => [f.second, f])), beeps: new Map(bench.beeps.map((b) => [b.second, b])) };
  const result = {
    date: new Date().toISOString(), commit: gitHead(), config: opts.config, set: extra, label: opts.label,
    seconds: seconds.length, upCodec, clocks, clockMethods: { sender: bench.clockMethod, receiver: traces.receiver.clockMethod, reference: traces.reference.clockMethod },
    plenumd: analyse(traces.receiver, sends, seconds, off('receiver')),
    reference: analyse(traces.reference, sends, seconds, off('reference')),
    flashLatenessMs: median(seconds.map((S) => sends.flashes.get(S)?.t - S)),
    stats: { receiver: statsDelta(s0.receiver, s1.receiver), reference: statsDelta(s0.reference, s1.reference),
      senderToPlenumd: statsDelta(s0.sender, s1.sender), senderToReference: statsDelta(s0.senderRef, s1.senderRef) },
    cpu: { plenumdPercent: 100 * (cpu1 - cpu0) / ((wall1 - wall0) / 1000), machineBusyPercentOf2: 200 * (st1.busy - st0.busy) / (st1.total - st0.total) },
    pageStates: states, probeInfo,
    loadavg: { before: loadBefore, after: fs.readFileSync('/proc/loadavg', 'utf8').trim() },
  };
  result.plenumdPath = plenumdPath;
  for (const [k, p] of [['plenumd', result.plenumd], ['reference', result.reference]]) {
    for (const m of ['video', 'audio']) {
      if (p[m].n < seconds.length / 2) problems.push(`${k}: ${m} found in only ${p[m].n} of ${seconds.length} seconds`);
    }
    if (p.framesPerSecond < 5) problems.push(`${k}: the probe saw ${fmt(p.framesPerSecond, 1)} video frames/s (page: ${JSON.stringify(states[k === 'plenumd' ? 'receiver' : 'reference'])})`);
    {
    }
  }
  result.added = {};
  for (const m of ['video', 'audio', 'sync']) {
    result.added[m] = { median: result.plenumd[m].median - result.reference[m].median, p90: result.plenumd[m].p90 - result.reference[m].p90 };
  }
  // Paired per second (both paths saw the same flash/beep).
  const paired = (m) => result.plenumd.rows.map((r, i) => r[m] - result.reference.rows[i][m]).filter(Number.isFinite);
  result.addedPaired = { video: { median: median(paired('video')), p90: quantile(paired('video'), 0.9), n: paired('video').length },
    audio: { median: median(paired('audio')), p90: quantile(paired('audio'), 0.9), n: paired('audio').length } };
  if (gstLog) {
    await server.stop();
    server = null;
    result.gstLatency = summariseGstLatency(gstLog);
  }
  rmTmp(tmp);
  result.problems = problems;
  return result;
}

function gitHead() {
  try { return execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { return '?'; }
}

function report(r) {
  const f = (x) => fmt(x, 0);
  const L = [];
  L.push(`### Latency ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.commit}${r.label ? `, ${r.label}` : ''}`);
  L.push('');
  const codec = r.upCodec.split(' ')[0] + (/profile-level-id=(\w+)/.exec(r.upCodec) ? ` ${/profile-level-id=(\w+)/.exec(r.upCodec)[1]}` : '');
  L.push(`plenumd ${r.plenumdPath}, ${path.relative(REPO, r.config)}${r.set.length ? ` + ${r.set.join(', ')}` : ''}; ${r.seconds} flashes/beeps; upload ${codec}; ` +
    `plenumd CPU ${fmt(r.cpu.plenumdPercent, 0)} % of a core, machine ${fmt(r.cpu.machineBusyPercentOf2, 0)} % of 2 cores; loadavg before ${r.loadavg.before.split(' ').slice(0, 3).join(' ')}, after ${r.loadavg.after.split(' ').slice(0, 3).join(' ')}`);
  L.push('');
  L.push('| ms (median / p90) | video | audio | audio - video |');
  L.push('|---|---|---|---|');
  for (const k of ['plenumd', 'reference']) {
    const p = r[k];
    L.push(`| ${k === 'plenumd' ? 'through plenumd' : 'direct (reference)'} | ${f(p.video.median)} / ${f(p.video.p90)} (n=${p.video.n}) | ${f(p.audio.median)} / ${f(p.audio.p90)} (n=${p.audio.n}) | ${f(p.sync.median)} / ${f(p.sync.p90)} |`);
  }
  L.push(`| **added by plenumd** | **${f(r.added.video.median)}** / ${f(r.added.video.p90)} | **${f(r.added.audio.median)}** / ${f(r.added.audio.p90)} | ${f(r.added.sync.median)} / ${f(r.added.sync.p90)} |`);
  L.push(`| added, paired per second (median / p90) | ${f(r.addedPaired.video.median)} / ${f(r.addedPaired.video.p90)} | ${f(r.addedPaired.audio.median)} / ${f(r.addedPaired.audio.p90)} | |`);
  L.push('');
  const s = r.stats;
  const jb = (x) => (x ? `${fmt(x.jitterBufferMs, 0)} (target ${fmt(x.jitterBufferTargetMs, 0)})` : '-');
  L.push('| Chromium receiver, ms | plenumd path | direct |');
  L.push('|---|---|---|');
  L.push(`| video jitter buffer (jitterBufferDelay / emitted) | ${jb(s.receiver.video)} | ${jb(s.reference.video)} |`);
  L.push(`| audio jitter buffer | ${jb(s.receiver.audio)} | ${jb(s.reference.audio)} |`);
  L.push(`| video decode (totalDecodeTime / frames) | ${fmt(s.receiver.video?.decodeMs, 1)} | ${fmt(s.reference.video?.decodeMs, 1)} |`);
  L.push(`| video processing (totalProcessingDelay / frames) | ${fmt(s.receiver.video?.processingMs, 0)} | ${fmt(s.reference.video?.processingMs, 0)} |`);
  L.push(`| probe: decoded frames/s seen, worst main-thread timer lateness ms | ${fmt(r.plenumd.framesPerSecond, 1)}, ${fmt(r.plenumd.maxTimerGapMs, 0)} | ${fmt(r.reference.framesPerSecond, 1)}, ${fmt(r.reference.maxTimerGapMs, 0)} |`);
  const vc = (x) => (x?.codec || '').replace(/ .*profile-level-id=(\w+).*/, ' $1');
  L.push(`| received video | ${s.receiver.video?.size} ${fmt(s.receiver.video?.fps, 1)} fps ${vc(s.receiver.video)} | ${s.reference.video?.size} ${fmt(s.reference.video?.fps, 1)} fps ${vc(s.reference.video)} |`);
  L.push(`| sender: encode ms / packet send delay ms / kbit/s | ${fmt(s.senderToPlenumd['sent-video']?.encodeMs, 1)} / ${fmt(s.senderToPlenumd['sent-video']?.packetSendDelayMs, 1)} / ${fmt(s.senderToPlenumd['sent-video']?.kbps, 0)} (${s.senderToPlenumd['sent-video']?.size}) | ${fmt(s.senderToReference['sent-video']?.encodeMs, 1)} / ${fmt(s.senderToReference['sent-video']?.packetSendDelayMs, 1)} / ${fmt(s.senderToReference['sent-video']?.kbps, 0)} (${s.senderToReference['sent-video']?.size}) |`);
  L.push(`| audio peak at the probe (beep sent at 0.5) | ${fmt(r.plenumd.audioPeak, 2)} | ${fmt(r.reference.audioPeak, 2)} |`);
  if (r.gstLatency) {
    L.push('');
    L.push('GStreamer latency tracer (plenumd, per element, ms median / p90):');
    L.push('');
    for (const e of r.gstLatency.elements.slice(0, 15)) L.push(`- ${e.element}: ${fmt(e.medianMs, 2)} / ${fmt(e.p90Ms, 2)} (n=${e.n})`);
    if (r.gstLatency.paths.length) {
      L.push('');
      L.push('source -> sink:');
      for (const e of r.gstLatency.paths.slice(0, 10)) L.push(`- ${e.element}: ${fmt(e.medianMs, 1)} / ${fmt(e.p90Ms, 1)} (n=${e.n})`);
    }
  }
  if (r.problems.length) { L.push(''); L.push(`Problems: ${r.problems.join('; ')}`); }
  return L.join('\n');
}

let exitCode = 0;
try {
  const r = await main();
  const text = report(r);
  process.stdout.write(`${text}\n`);
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(r, null, 1));
  if (opts.results) fs.appendFileSync(opts.results, `\n${text}\n`);
  if (r.problems.length) exitCode = 1;
} catch (e) {
  process.stderr.write(`latency bench failed: ${e.stack || e}\n`);
  for (const [role, lines] of Object.entries(consoleOf)) process.stderr.write(`--- ${role} page console ---\n${lines.slice(-15).join('\n')}\n`);
  if (server) process.stderr.write(`--- plenumd log tail ---\n${server.logTail(30)}\n`);
  exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  if (profile) rmTmp(profile);
  if (server) {
    const keep = exitCode !== 0;
    if (keep) process.stderr.write(`plenumd's log kept: ${server.logFile}\n`);
    await server.stop({ keepTmp: keep }).catch(() => {});
  }
}
process.exit(exitCode);
