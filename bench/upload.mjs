// SPDX-License-Identifier: EUPL-1.2
// Browser upload in a 9-person grid, "send what is shown" against today (issue 16: "Browser
// upload in a 9-person grid: <= 40 % of today's bytes per sender"):
//   node bench/upload.mjs [--plenumd PATH] [--rounds 2] [--settle 10] [--window 20]
//                         [--results bench/results.md | --results none] [--out FILE.json] [--keep]
// One plenumd (PLENUMD or --plenumd, default /tmp/plenumd-sv; tests/e2e/lib/server.mjs: free
// port, temporary data folder) with bench/plenum-bench.ini's settings (loopback ICE, 1280x720 at
// 25 fps composite). One room of 9 tiles: 8 synthetic participants (bench/clients.py, one
// process, the bench's pre-encoded 640x360 25 fps H.264 + Opus made by bench.py's make_media) and
// ONE headless Debian Chromium page (tests/e2e/lib/browser.mjs) whose fake camera is a looped
// 5 s 640x360 25 fps Y4M with motion that does not compress to nothing (SMPTE bars scrolling
// sideways, with their noise patch, a bouncing ball and a running clock) and a fake 440 Hz
// microphone. The page joins, settles --settle s after its camera sends, and its camera sender's
// outbound-rtp (window.plenum.pc.getTransceivers()[1].sender.getStats()) is read over --window
// s: bytesSent rate (and with RTP headers), frameWidth/frameHeight/framesPerSecond sampled every
// second, framesEncoded rate, qualityLimitationReason, the encoder. Two modes, alternating in one
// run (A, B, A, B, ... --rounds times), each a fresh page (fresh PeerConnection) in the same
// browser and the same room, the previous page closed and gone from the room first:
//   A  as shipped: the server's send-video (3x3 grid: 480x270, 25 fps, 259 kbit/s) is applied
//      by the web client with RTCRtpSender.setParameters;
//   B  "today": an init script makes RTCRtpSender.prototype.setParameters a no-op that resolves,
//      so the browser sends as before send-video existed.
// Per window also the CPU (utime+stime from /proc) of the Chromium process tree, plenumd, the
// synthetic clients and the whole machine. Prints one table (per mode: mean of its windows,
// and every window) with the ratio A/B; appends it to --results. No retries: exit status 1
// when a window cannot be measured (no camera bytes, no send-video in A, parameters applied
// in B, a synthetic participant lost).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeBenchConfig } from './benchconfig.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const SYNTHETIC = 8;

function parseArgs(argv) {
  const o = { plenumd: process.env.PLENUMD || '/tmp/plenumd-sv', rounds: 2, settle: 10, window: 20,
    results: path.join(HERE, 'results.md'), out: null, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${k} needs a value`); return argv[++i]; };
    if (k === '--plenumd') o.plenumd = v();
    else if (k === '--rounds') o.rounds = Number(v());
    else if (k === '--settle') o.settle = Number(v());
    else if (k === '--window') o.window = Number(v());
    else if (k === '--results') o.results = v();
    else if (k === '--out') o.out = v();
    else if (k === '--keep') o.keep = true;
    else throw new Error(`unknown option ${k}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
process.env.PLENUMD = opts.plenumd; // lib/server.mjs reads these when it is imported
const benchTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-bench-upload-'));
const configFile = writeBenchConfig(benchTmp, 'plenum-upload.ini');
process.env.PLENUM_TEST_CONFIG = configFile;

const { startServer } = await import('../tests/e2e/lib/server.mjs');
const { launchBrowser } = await import('../tests/e2e/lib/browser.mjs');
const { sleep, log, waitFor, cpuSeconds, CLK_TCK, fmt } = await import('../tests/e2e/lib/util.mjs');

const PYTHON = '/usr/bin/python3';
const ROOM = 'upload';

// ------------------------------------------------------------------------------------------
// Media

function gst(args) {
  execFileSync('gst-launch-1.0', ['-q', ...args], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120000 });
}

/** The Chromium camera (640x360 25 fps, 5 s looped) and microphone (440 Hz, 10 s looped). */
function makeBrowserMedia(dir) {
  const y4m = path.join(dir, 'camera-640x360-25.y4m');
  const wav = path.join(dir, 'mic-440.wav');
  const frames = 125;
  gst(['compositor', 'name=m', 'background=black',
    '!', 'video/x-raw,width=640,height=360,framerate=25/1', '!', 'timeoverlay', 'font-desc=Sans 28',
    '!', 'videoconvert', '!', 'video/x-raw,format=I420', '!', 'y4menc', '!', 'filesink', `location=${y4m}`,
    'videotestsrc', `num-buffers=${frames}`, 'pattern=smpte', 'horizontal-speed=3',
    '!', 'video/x-raw,width=640,height=360,framerate=25/1', '!', 'm.sink_0',
    'videotestsrc', `num-buffers=${frames}`, 'pattern=ball', 'background-color=0x00000000', 'foreground-color=0xffffff00',
    '!', 'video/x-raw,format=AYUV,width=640,height=360,framerate=25/1', '!', 'm.sink_1']);
  gst(['audiotestsrc', 'wave=sine', 'freq=440', 'volume=0.2', 'samplesperbuffer=4800', 'num-buffers=100',
    '!', 'audio/x-raw,format=S16LE,rate=48000,channels=1', '!', 'wavenc', '!', 'filesink', `location=${wav}`]);
  return { y4m, wav };
}

/** The synthetic participants' pre-encoded media, made by bench.py's own make_media. */
function makeSyntheticMedia(dir) {
  const out = execFileSync(PYTHON, ['-c',
    'import json, sys; sys.path.insert(0, sys.argv[1]); import bench; print(json.dumps(bench.make_media(sys.argv[2])))',
    HERE, dir], { encoding: 'utf8', timeout: 240000 });
  const [video, audio] = JSON.parse(out.trim().split('\n').pop());
  return { video, audio };
}

// ------------------------------------------------------------------------------------------
// The synthetic participants (bench/clients.py, JSON lines on stdout, "stop" on stdin)

function startClients(wsUrl, media, logFile) {
  const child = spawn(PYTHON, [path.join(HERE, 'clients.py'), '--url', wsUrl, '--n', String(SYNTHETIC),
    '--video', media.video, '--audio', media.audio, '--room', ROOM], { stdio: ['pipe', 'pipe', fs.openSync(logFile, 'w')] });
  const c = { child, status: null, ready: false, exited: null, final: null };
  child.on('exit', (code, sig) => { c.exited = { code, sig }; });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let m;
    try { m = JSON.parse(line); } catch { return; }
    if (m.event === 'status') c.status = m;
    else if (m.event === 'ready') c.ready = true;
    else if (m.event === 'final') c.final = m;
  });
  c.stop = async () => {
    if (c.exited) return;
    try { child.stdin.write('stop\n'); } catch { /* gone */ }
    for (let i = 0; i < 100 && !c.exited; i++) await sleep(100);
    if (!c.exited) { log(`clients.py pid ${child.pid} did not exit within 10 s: SIGKILL`); child.kill('SIGKILL'); }
  };
  return c;
}

// ------------------------------------------------------------------------------------------
// CPU figures from /proc

function procTable() {
  const out = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / CLK_TCK,
        comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')) });
    } catch { /* gone */ }
  }
  return out;
}

/** CPU seconds of every process below `root` (not root itself), except the pids in `skip` and theirs. */
function treeCpu(table, root, skip) {
  const kids = new Map();
  for (const [pid, p] of table) {
    if (!kids.has(p.ppid)) kids.set(p.ppid, []);
    kids.get(p.ppid).push(pid);
  }
  const pids = new Map();
  const walk = (pid) => {
    for (const k of kids.get(pid) || []) {
      if (skip.has(k)) continue;
      pids.set(k, table.get(k).cpu);
      walk(k);
    }
  };
  walk(root);
  return pids;
}

function machineTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

// ------------------------------------------------------------------------------------------
// In the page

// Mode B: the browser sends as before send-video existed (the web client's setParameters calls
// all "succeed" and change nothing).
function noSetParameters() {
  RTCRtpSender.prototype.setParameters = function setParametersNoOp() { return Promise.resolve(); };
}

/** The camera sender's outbound-rtp and what the page knows (m-line 1 is the camera). */
async function pageCameraStats() {
  const p = window.plenum;
  const pc = p && p.pc;
  const out = { state: p && p.state, participants: p && p.participants ? p.participants.length : 0,
    request: p && p.videoRequest ? { ...p.videoRequest } : null, conn: pc ? pc.connectionState : null };
  if (!pc) return out;
  const sender = pc.getTransceivers()[1] && pc.getTransceivers()[1].sender;
  if (!sender) return out;
  out.track = sender.track ? { ...sender.track.getSettings() } : null;
  const enc = (sender.getParameters().encodings || [])[0] || {};
  out.encoding = { scale: enc.scaleResolutionDownBy ?? null, maxBitrate: enc.maxBitrate ?? null,
    maxFramerate: enc.maxFramerate ?? null, active: enc.active };
  const stats = await sender.getStats();
  let rtp = null;
  const codecs = {};
  out.all = [];
  stats.forEach((r) => {
    if (r.type === 'outbound-rtp' && r.kind === 'video') { rtp = r; out.all.push(`${r.id} ssrc ${r.ssrc} ${r.bytesSent} B ${r.framesEncoded} fr ${r.frameWidth}x${r.frameHeight} active ${r.active}`); }
    if (r.type === 'media-source' && r.kind === 'video') {
      out.source = { framesPerSecond: r.framesPerSecond || 0, frames: r.frames || 0 };
      out.all.push(`src ${r.kind} ${r.width}x${r.height} ${r.framesPerSecond} fps ${r.frames} frames`);
    }
    if (r.type === 'codec') codecs[r.id] = r.mimeType;
  });
  if (rtp) {
    out.rtp = { ssrc: rtp.ssrc, sourceFrames: out.source ? out.source.frames : null, timestamp: rtp.timestamp, bytesSent: rtp.bytesSent || 0, headerBytesSent: rtp.headerBytesSent || 0,
      packetsSent: rtp.packetsSent || 0, framesEncoded: rtp.framesEncoded || 0, keyFramesEncoded: rtp.keyFramesEncoded || 0,
      frameWidth: rtp.frameWidth || 0, frameHeight: rtp.frameHeight || 0, framesPerSecond: rtp.framesPerSecond || 0,
      targetBitrate: rtp.targetBitrate ?? null, qualityLimitationReason: rtp.qualityLimitationReason,
      qualityLimitationResolutionChanges: rtp.qualityLimitationResolutionChanges, totalEncodeTime: rtp.totalEncodeTime || 0,
      encoderImplementation: rtp.encoderImplementation, codec: codecs[rtp.codecId] || rtp.codecId,
      nackCount: rtp.nackCount || 0, pliCount: rtp.pliCount || 0, firCount: rtp.firCount || 0 };
  }
  return out;
}

// ------------------------------------------------------------------------------------------

async function healthParticipants(server) {
  try {
    const r = await fetch(`${server.httpUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
    return (await r.json()).participants;
  } catch { return null; }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[s.length >> 1] : NaN; };
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

async function measureWindow({ browser, server, clients, mode, index }) {
  const w = { mode, index, problems: [] };
  const page = await browser.context.newPage();
  const consoleLines = [];
  page.on('console', (m) => { consoleLines.push(`[${m.type()}] ${m.text()}`); if (consoleLines.length > 100) consoleLines.shift(); });
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  // The server's offers and send-video messages as the page receives them (ms after the navigation).
  const signals = [];
  const t0 = Date.now();
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    const m = /"type":"(offer|send-video)"/.exec(typeof f.payload === 'string' ? f.payload : '');
    if (m) signals.push(`${m[1]}@${Date.now() - t0}`);
  }));
  try {
    if (mode === 'B') await page.addInitScript(noSetParameters);
    const name = `Cam-${mode}${index}`;
    await page.goto(`${server.baseUrl}/r/${ROOM}?name=${name}&autojoin=1&audioProcessing=0`, { waitUntil: 'domcontentloaded', timeout: 60000 });
    let last = null;
    await waitFor(async () => {
      last = await page.evaluate(pageCameraStats);
      return last.conn === 'connected' && last.rtp && last.rtp.framesEncoded > 0 && last.participants >= SYNTHETIC + 1;
    }, { timeout: 60000, interval: 250, message: `${name} connected, in a room of ${SYNTHETIC + 1}, its camera encoding`,
      describe: () => JSON.stringify(last) });
    w.sendingAfterMs = Date.now() - t0;
    w.firstSsrc = last.rtp.ssrc;
    log(`${name}: camera sending ${w.sendingAfterMs} ms after the navigation; settling ${opts.settle} s`);
    await sleep(opts.settle * 1000);

    const skip = new Set([server.pid, clients.child.pid]);
    const tab0 = procTable();
    const m0 = machineTicks();
    const s0 = await page.evaluate(pageCameraStats);
    w.windowStartMs = Date.now() - t0;
    const samples = [];
    const tStart = Date.now();
    while (Date.now() - tStart < opts.window * 1000) {
      await sleep(Math.min(1000, opts.window * 1000 - (Date.now() - tStart)));
      const s = await page.evaluate(pageCameraStats);
      if (process.env.UPLOAD_DEBUG) log(JSON.stringify(s.all));
      if (s.rtp) samples.push(s.rtp);
    }
    const s1 = await page.evaluate(pageCameraStats);
    const m1 = machineTicks();
    const tab1 = procTable();

    if (!s0.rtp || !s1.rtp) {
      throw new Error(`no outbound-rtp for the camera at the window's ${s0.rtp ? 'end' : 'start'} (outbound-rtp at the ` +
        `start: ${JSON.stringify(s0.all)}, at the end: ${JSON.stringify(s1.all)}; signals ${signals.join(' ')})`);
    }
    if (s1.rtp.ssrc !== s0.rtp.ssrc || samples.some((s) => s.ssrc !== s0.rtp.ssrc)) {
      throw new Error(`the camera's SSRC changed in the window (${s0.rtp.ssrc} -> ${s1.rtp.ssrc})`);
    }
    const dt = (s1.rtp.timestamp - s0.rtp.timestamp) / 1000;
    // What the fake camera delivered (on a loaded machine Chromium's file capture runs slow).
    w.cameraFps = s1.rtp.sourceFrames != null && s0.rtp.sourceFrames != null ? (s1.rtp.sourceFrames - s0.rtp.sourceFrames) / dt : NaN;
    w.windowS = dt;
    w.kbps = ((s1.rtp.bytesSent - s0.rtp.bytesSent) * 8) / dt / 1000;
    w.kbpsWithHeaders = ((s1.rtp.bytesSent + s1.rtp.headerBytesSent - s0.rtp.bytesSent - s0.rtp.headerBytesSent) * 8) / dt / 1000;
    w.bytes = s1.rtp.bytesSent - s0.rtp.bytesSent;
    w.framesPerS = (s1.rtp.framesEncoded - s0.rtp.framesEncoded) / dt;
    w.keyFrames = s1.rtp.keyFramesEncoded - s0.rtp.keyFramesEncoded;
    w.encodeMsPerFrame = s1.rtp.framesEncoded > s0.rtp.framesEncoded
      ? ((s1.rtp.totalEncodeTime - s0.rtp.totalEncodeTime) * 1000) / (s1.rtp.framesEncoded - s0.rtp.framesEncoded) : NaN;
    // kbit/s second by second (bandwidth estimation may still be ramping up) and over the window's second half.
    const series = [s0.rtp, ...samples];
    w.kbpsSeries = series.slice(1).map((s, i) => Math.round(((s.bytesSent - series[i].bytesSent) * 8) / (s.timestamp - series[i].timestamp)));
    w.targetSeries = samples.map((s) => (s.targetBitrate == null ? null : Math.round(s.targetBitrate / 1000)));
    const half = samples.find((s) => s.timestamp - s0.rtp.timestamp >= (dt * 1000) / 2);
    w.kbpsSecondHalf = half ? ((s1.rtp.bytesSent - half.bytesSent) * 8) / (s1.rtp.timestamp - half.timestamp) : NaN;
    const sizes = {};
    for (const s of samples) { const k = `${s.frameWidth}x${s.frameHeight}`; sizes[k] = (sizes[k] || 0) + 1; }
    w.sizes = sizes;
    w.size = Object.entries(sizes).sort((a, b) => b[1] - a[1])[0]?.[0] || 'none';
    w.fpsSampled = median(samples.map((s) => s.framesPerSecond));
    w.limitation = [...new Set(samples.map((s) => s.qualityLimitationReason))].join(',');
    w.targetKbps = median(samples.map((s) => s.targetBitrate).filter((x) => x != null)) / 1000;
    w.codec = s1.rtp.codec;
    w.encoder = s1.rtp.encoderImplementation;
    w.request = s1.request;
    w.encoding = s1.encoding;
    w.track = s1.track;
    w.nacks = s1.rtp.nackCount - s0.rtp.nackCount;
    w.plis = s1.rtp.pliCount - s0.rtp.pliCount + s1.rtp.firCount - s0.rtp.firCount;
    w.participants = s1.participants;

    const c0 = treeCpu(tab0, process.pid, skip);
    const c1 = treeCpu(tab1, process.pid, skip);
    let chromium = 0;
    for (const [pid, cpu] of c1) chromium += cpu - (c0.get(pid) ?? 0);
    const cpuOf = (pid) => (tab1.get(pid)?.cpu ?? NaN) - (tab0.get(pid)?.cpu ?? NaN);
    const wall = (Date.now() - tStart) / 1000;
    w.cpu = {
      chromiumPct: (100 * chromium) / wall,
      plenumdPct: (100 * cpuOf(server.pid)) / wall,
      clientsPct: (100 * cpuOf(clients.child.pid)) / wall,
      machinePct: (100 * (m1.busy - m0.busy)) / wall, // % of one core; 200 = both cores busy
    };
    w.cpu.otherPct = w.cpu.machinePct - w.cpu.chromiumPct - w.cpu.plenumdPct - w.cpu.clientsPct;
    w.loadavg = loadavg();

    // What makes a window unusable (no retries: the run fails).
    if (!(w.bytes > 0)) w.problems.push('the camera sent no bytes in the window');
    if (w.participants !== SYNTHETIC + 1) w.problems.push(`the page saw ${w.participants} participants, not ${SYNTHETIC + 1}`);
    if (!w.request) w.problems.push('no send-video received');
    if (mode === 'A' && w.encoding.maxBitrate == null) w.problems.push('mode A: the encoding has no maxBitrate (send-video not applied)');
    if (mode === 'B' && w.encoding.maxBitrate != null) w.problems.push('mode B: setParameters took effect');
    const st = clients.status;
    if (!st || st.connected !== SYNTHETIC) w.problems.push(`synthetic participants connected: ${st ? st.connected : '?'} of ${SYNTHETIC}`);
    log(`${name}: ${fmt(w.kbps)} kbit/s (${fmt(w.kbpsWithHeaders)} with RTP headers; second half ${fmt(w.kbpsSecondHalf)}; per s ${w.kbpsSeries.join(' ')}; target ${w.targetSeries.join(' ')}), ${w.size} ${JSON.stringify(sizes)}, ` +
      `${fmt(w.framesPerS)} frames/s (stats fps ${fmt(w.fpsSampled)}; camera ${fmt(w.cameraFps)} fps), ${w.codec} ${w.encoder}, limitation ${w.limitation}, ` +
      `signals ${signals.join(' ')} (window from ${w.windowStartMs}), request ${JSON.stringify(w.request)}, encoding ${JSON.stringify(w.encoding)}; CPU % of a core: chromium ${fmt(w.cpu.chromiumPct)}, ` +
      `plenumd ${fmt(w.cpu.plenumdPct)}, clients ${fmt(w.cpu.clientsPct)}, machine ${fmt(w.cpu.machinePct)}; load ${w.loadavg}`);
  } catch (e) {
    w.problems.push(String(e.message || e).split('\n')[0].slice(0, 600));
    log(`${mode}${index}: ${w.problems.at(-1)}`);
    w.consoleTail = consoleLines.slice(-20);
  } finally {
    await page.close().catch(() => {});
  }
  w.signals = signals;
  w.windowStartMs = w.windowStartMs ?? null;
  // A renegotiation during the window is worth knowing (not a failure: the figures still count).
  w.notes = w.windowStartMs == null ? [] : signals.filter((x) => x.startsWith('offer@') && Number(x.slice(6)) >= w.windowStartMs)
    .map((x) => `server re-offer ${Number(x.slice(6)) - w.windowStartMs} ms into the window`);
  // The page is gone from the room before the next one comes.
  try {
    await waitFor(async () => (await healthParticipants(server)) === SYNTHETIC, { timeout: 20000, interval: 250,
      message: `plenumd holds ${SYNTHETIC} participants again` });
  } catch (e) { w.problems.push(e.message.split('\n')[0]); }
  return w;
}

function summary(windows) {
  const by = (m) => windows.filter((w) => w.mode === m && !w.problems.length);
  const agg = (ws) => ({
    n: ws.length, kbps: mean(ws.map((w) => w.kbps)), kbpsWithHeaders: mean(ws.map((w) => w.kbpsWithHeaders)),
    framesPerS: mean(ws.map((w) => w.framesPerS)), fpsSampled: mean(ws.map((w) => w.fpsSampled)),
    sizes: [...new Set(ws.map((w) => w.size))].join(', '), chromiumPct: mean(ws.map((w) => w.cpu.chromiumPct)),
    encodeMs: mean(ws.map((w) => w.encodeMsPerFrame)), cameraFps: mean(ws.map((w) => w.cameraFps)),
    kbpsSecondHalf: mean(ws.map((w) => w.kbpsSecondHalf)),
    bytesPerFrame: mean(ws.map((w) => (w.kbps * 1000) / 8 / w.framesPerS)),
  });
  const a = agg(by('A'));
  const b = agg(by('B'));
  return { A: a, B: b, ratio: a.kbps / b.kbps, ratioSecondHalf: a.kbpsSecondHalf / b.kbpsSecondHalf, ratioPerFrame: a.bytesPerFrame / b.bytesPerFrame, ratioWithHeaders: a.kbpsWithHeaders / b.kbpsWithHeaders,
    cpuRatio: a.chromiumPct / b.chromiumPct };
}

function markdown(info, windows, sum) {
  const L = [];
  L.push(`\n## Upload: browser camera in a 9-person grid, send-video vs today (bench/upload.mjs, ${info.started})\n`);
  L.push(`plenumd \`${info.plenumd}\` (${info.plenumdMtime}), composite 1280x720 at 25 fps, 8 synthetic participants ` +
    '(bench/clients.py) + one headless Chromium (fake camera: 640x360 25 fps Y4M, scrolling SMPTE bars with their noise ' +
    `patch, a ball, a clock; 5 s looped), ${info.chromium}. Windows alternate A, B, ...: ${opts.settle} s settle after the camera ` +
    `sends, then ${opts.window} s of the camera sender's outbound-rtp. A = as shipped (send-video applied with setParameters); ` +
    'B = "today" (setParameters a no-op). 2 cores shared with others: load average ' +
    `${info.loadBefore} before, ${info.loadAfter} after.\n`);
  L.push('| mode | windows | kbit/s (payload) | kbit/s (with RTP headers) | kbit/s, 2nd half of window | resolution | frames/s (encoded) | stats framesPerSecond | camera frames/s | bytes/frame | encode ms/frame | Chromium CPU % of a core |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const m of ['A', 'B']) {
    const s = sum[m];
    L.push(`| ${m === 'A' ? 'A send-video' : 'B today'} | ${s.n} | ${fmt(s.kbps)} | ${fmt(s.kbpsWithHeaders)} | ${fmt(s.kbpsSecondHalf)} | ${s.sizes} | ${fmt(s.framesPerS)} | ` +
      `${fmt(s.fpsSampled)} | ${fmt(s.cameraFps)} | ${fmt(s.bytesPerFrame, 0)} | ${fmt(s.encodeMs, 2)} | ${fmt(s.chromiumPct, 0)} |`);
  }
  L.push(`| **A / B** | | **${fmt(sum.ratio, 3)}** | ${fmt(sum.ratioWithHeaders, 3)} | ${fmt(sum.ratioSecondHalf, 3)} | | | | | ${fmt(sum.ratioPerFrame, 3)} | | ${fmt(sum.cpuRatio, 2)} |\n`);
  L.push(`Target (issue 16): A / B <= 0.40. ${Number.isFinite(sum.ratio) ? (sum.ratio <= 0.4 ? 'Met' : 'Not met') : 'Not measured'}.\n`);
  L.push('| window | mode | kbit/s | kbit/s per second | resolution (samples) | frames/s (camera) | codec, encoder | limitation | target kbit/s | send-video | encoding | CPU % of a core: Chromium / plenumd / clients / machine (of 200) | problems, notes |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  windows.forEach((w, i) => {
    const r = w.request ? `${w.request.width}x${w.request.height}@${w.request.fps} ${w.request.maxKbps} kbit/s` : '-';
    const e = w.encoding ? `scale ${w.encoding.scale ?? '-'}, max ${w.encoding.maxBitrate ?? '-'}, fps ${w.encoding.maxFramerate ?? '-'}` : '-';
    const c = w.cpu ? `${fmt(w.cpu.chromiumPct, 0)} / ${fmt(w.cpu.plenumdPct, 0)} / ${fmt(w.cpu.clientsPct, 0)} / ${fmt(w.cpu.machinePct, 0)}` : '-';
    L.push(`| ${i + 1} | ${w.mode} | ${fmt(w.kbps)} | ${w.kbpsSeries ? w.kbpsSeries.join(' ') : '-'} | ${w.size ?? '-'} ${w.sizes ? JSON.stringify(w.sizes).replace(/"/g, '') : ''} | ${fmt(w.framesPerS)} (${fmt(w.cameraFps)}) | ` +
      `${w.codec ?? '-'}, ${w.encoder ?? '-'} | ${w.limitation ?? '-'} | ${fmt(w.targetKbps, 0)} | ${r} | ${e} | ${c} | ${[...w.problems, ...(w.notes || [])].join('; ') || '-'} |`);
  });
  L.push('');
  return L.join('\n');
}

async function main() {
  const started = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const info = { started, plenumd: opts.plenumd, loadBefore: loadavg() };
  if (!fs.existsSync(opts.plenumd)) throw new Error(`plenumd not found: ${opts.plenumd}`);
  info.plenumdMtime = fs.statSync(opts.plenumd).mtime.toISOString().replace(/\.\d+Z$/, 'Z');
  try { info.chromium = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim(); } catch { info.chromium = 'chromium'; }
  log(`bench/upload: load average ${info.loadBefore}; media in ${benchTmp}`);
  const media = makeBrowserMedia(benchTmp);
  const synth = makeSyntheticMedia(benchTmp);

  let server = null, clients = null, browser = null;
  const windows = [];
  let fatal = null;
  try {
    server = await startServer({ healthTimeout: 30000 });
    clients = startClients(server.wsUrl, synth, path.join(benchTmp, 'clients.log'));
    await waitFor(async () => {
      if (clients.exited) throw Object.assign(new Error(`clients.py exited: ${JSON.stringify(clients.exited)}`), { fatal: true });
      return clients.ready;
    }, { timeout: 60000, interval: 250, message: `${SYNTHETIC} synthetic participants connected and receiving`,
      describe: () => JSON.stringify(clients.status && { connected: clients.status.connected, receiving: clients.status.receiving, failed: clients.status.failed }) });
    log(`${SYNTHETIC} synthetic participants ready`);
    browser = await launchBrowser({ name: 'upload', y4m: media.y4m, wav: media.wav });
    for (let r = 1; r <= opts.rounds; r++) {
      for (const mode of ['A', 'B']) {
        windows.push(await measureWindow({ browser, server, clients, mode, index: r }));
      }
    }
  } catch (e) {
    fatal = String(e.message || e);
    log(`bench/upload: ${fatal}`);
  } finally {
    if (browser) await browser.close();
    if (clients) await clients.stop();
    if (server) await server.stop({ keepTmp: opts.keep });
  }
  info.loadAfter = loadavg();
  const sum = summary(windows);
  const md = markdown(info, windows, sum) + (fatal ? `\nThe run failed: ${fatal}\n` : '');
  process.stdout.write(md);
  if (opts.out) fs.writeFileSync(opts.out, JSON.stringify({ info, opts, windows, summary: sum }, null, 2));
  if (opts.results !== 'none') fs.appendFileSync(opts.results, md); // append only: others append too
  if (!opts.keep) fs.rmSync(benchTmp, { recursive: true, force: true });
  const bad = fatal || !windows.length || windows.some((w) => w.problems.length) || !Number.isFinite(sum.ratio);
  process.exit(bad ? 1 : 0);
}

await main();
