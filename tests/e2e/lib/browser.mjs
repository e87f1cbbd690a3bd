// SPDX-License-Identifier: EUPL-1.2
// One headless Debian Chromium per participant (persistent context in a fresh temp folder),
// fed with that participant's Y4M/WAV, plus in-page probes for the composite's colours,
// the received tones, and diagnostics.
import { chromium } from 'playwright-core';
import { mkTmp, rmTmp, log } from './util.mjs';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function chromiumArgs({ y4m, wav, spki } = {}) {
  const args = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required',
    // Host candidates as plain IPs, not mDNS names (the server cannot resolve .local).
    '--disable-features=WebRtcHideLocalIpsWithMdns',
  ];
  if (y4m) args.push(`--use-file-for-fake-video-capture=${y4m}`);
  if (wav) args.push(`--use-file-for-fake-audio-capture=${wav}`);
  // Trust exactly this (self-signed) server key, nothing else (lib/tls.mjs).
  if (spki) args.push(`--ignore-certificate-errors-spki-list=${spki}`);
  return args;
}

/**
 * Launches a browser for one participant. Returns { name, context, page, console, close() }.
 * `console` collects the page's console messages and errors (for failure reports).
 * `executablePath` (e.g. a wrapper that runs Chromium in a network namespace) and `extraArgs`
 * (e.g. --proxy-server) are for the firewall tests.
 */
export async function launchBrowser({ name, y4m, wav, spki, executablePath = CHROMIUM, extraArgs = [] }) {
  const profile = mkTmp(`chromium-${name}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...chromiumArgs({ y4m, wav, spki }), ...extraArgs],
    viewport: { width: 1000, height: 700 },
  });
  const page = context.pages()[0] || (await context.newPage());
  const consoleLines = [];
  const push = (s) => {
    consoleLines.push(`${new Date().toISOString().slice(11, 23)} ${s}`);
    if (consoleLines.length > 400) consoleLines.splice(0, consoleLines.length - 400);
  };
  page.on('console', (m) => push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => push(`[pageerror] ${e.message}`));
  page.on('crash', () => push('[crash] page crashed'));
  // Signaling frames as seen by the page (SDP and candidates abbreviated), for failure reports.
  const frames = [];
  const frame = (dir, payload) => {
    let text = typeof payload === 'string' ? payload : `<binary ${payload.length} bytes>`;
    try {
      const m = JSON.parse(text);
      if (m.type === 'ping' || m.type === 'pong') return;
      if (typeof m.sdp === 'string') m.sdp = `<${m.sdp.length} chars>`;
      if (typeof m.candidate === 'string' && m.candidate.length > 60) m.candidate = m.candidate.slice(0, 60) + '…';
      text = JSON.stringify(m);
    } catch { /* keep raw */ }
    frames.push(`${new Date().toISOString().slice(11, 23)} ${dir} ${text.slice(0, 400)}`);
    if (frames.length > 300) frames.splice(0, frames.length - 300);
  };
  page.on('websocket', (ws) => {
    frames.push(`${new Date().toISOString().slice(11, 23)} -- open ${ws.url()}`);
    ws.on('framesent', (f) => frame('>>', f.payload));
    ws.on('framereceived', (f) => frame('<<', f.payload));
    ws.on('close', () => frames.push(`${new Date().toISOString().slice(11, 23)} -- closed`));
  });
  let closed = false;
  return {
    name, context, page, console: consoleLines, frames, profile,
    consoleTail: (n = 40) => consoleLines.slice(-n).join('\n'),
    framesTail: (n = 40) => frames.slice(-n).join('\n'),
    async close() {
      if (closed) return;
      closed = true;
      try { await context.close(); } catch (e) { log(`closing ${name}: ${e.message}`); }
      rmTmp(profile);
    },
  };
}

/** Opens the Plenum room page with the test-mode query (autojoin, no audio processing). */
/** Opens the room page's side panel on `tab` through the UI (toolbar button, then the tab). */
export async function showPanelTab(b, tab) {
  const panelOpen = await b.page.locator('#participants-panel').isVisible();
  if (!panelOpen) await b.page.click(tab === 'chat' ? '#btn-chat' : '#btn-participants');
  if (await b.page.getAttribute(`#tab-btn-${tab}`, 'aria-selected') !== 'true') await b.page.click(`#tab-btn-${tab}`);
  await b.page.locator(`#tab-${tab}`).waitFor({ state: 'visible', timeout: 10000 });
}

export async function joinRoom(b, baseUrl, room) {
  const url = `${baseUrl}/r/${encodeURIComponent(room)}?name=${encodeURIComponent(b.name)}&autojoin=1&audioProcessing=0`;
  await b.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
  return url;
}

// ---------------------------------------------------------------------------------------------
// In-page probes (functions run with page.evaluate; they must be self-contained).

/**
 * Draws <video id=composite> (or `selector`) into a canvas and returns the fraction of pixels
 * near each test colour. Tolerant: codecs and colour-space conversions shift colours.
 */
function pageColorProbe(selector) {
  const v = document.querySelector(selector);
  if (!v) return { error: `no ${selector}` };
  const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : {};
  const base = { readyState: v.readyState, paused: v.paused, currentTime: v.currentTime, frames: q.totalVideoFrames };
  if (v.readyState < 2 || !v.videoWidth) {
    const p = window.plenum; // why not: the client's state, its connection's, its error
    return { ...base, error: 'video has no frame yet', why: p ? { state: p.state, conn: p.connectionState, error: p.error, setup: p.mediaSetupErrors, attempt: p.reconnectAttempt } : null };
  }
  const w = v.videoWidth, h = v.videoHeight;
  const c = (window.__e2eCanvas ||= document.createElement('canvas'));
  c.width = w; c.height = h;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(v, 0, 0, w, h);
  const d = g.getImageData(0, 0, w, h).data;
  let red = 0, green = 0, blue = 0, dark = 0, n = 0;
  for (let i = 0; i < d.length; i += 4) {
    const r = d[i], gg = d[i + 1], b = d[i + 2];
    n++;
    if (r > 150 && gg < 90 && b < 90) red++;
    else if (gg > 150 && r < 90 && b < 90) green++;
    else if (b > 150 && r < 90 && gg < 90) blue++;
    else if (r < 40 && gg < 40 && b < 40) dark++;
  }
  return { ...base, width: w, height: h, red: red / n, green: green / n, blue: blue / n, dark: dark / n };
}

/**
 * Like pageColorProbe, with more colours and a region: fractions of the whole frame (`full`) and
 * of `region` ({x0, x1, y0, y1} as fractions of the width and height) that are clearly red,
 * green, blue (the cameras), magenta, cyan, yellow, orange (shared screens, slides), white or dark.
 */
function pagePaletteProbe({ selector, region }) {
  const v = document.querySelector(selector);
  if (!v) return { error: `no ${selector}` };
  if (v.readyState < 2 || !v.videoWidth) {
    const p = window.plenum; // why not: the client's state, its connection's, its error
    return { error: 'video has no frame yet', readyState: v.readyState,
      why: p ? { state: p.state, conn: p.connectionState, error: p.error, setup: p.mediaSetupErrors, attempt: p.reconnectAttempt } : null };
  }
  const w = v.videoWidth, h = v.videoHeight;
  const c = (window.__e2ePaletteCanvas ||= document.createElement('canvas'));
  c.width = w; c.height = h;
  const g = c.getContext('2d', { willReadFrequently: true });
  g.drawImage(v, 0, 0, w, h);
  const d = g.getImageData(0, 0, w, h).data;
  const names = ['red', 'green', 'blue', 'magenta', 'cyan', 'yellow', 'orange', 'white', 'dark'];
  const classify = (r, gg, b) => {
    if (r > 150 && gg < 90 && b < 90) return 0;
    if (gg > 150 && r < 90 && b < 90) return 1;
    if (b > 150 && r < 90 && gg < 90) return 2;
    if (r > 150 && b > 150 && gg < 90) return 3;
    if (gg > 150 && b > 150 && r < 90) return 4;
    if (r > 150 && gg > 150 && b < 90) return 5;
    if (r > 190 && gg >= 80 && gg <= 150 && b < 80) return 6;
    if (r > 200 && gg > 200 && b > 200) return 7;
    if (r < 40 && gg < 40 && b < 40) return 8;
    return -1;
  };
  const full = new Array(names.length).fill(0);
  const part = new Array(names.length).fill(0);
  const rg = region || { x0: 0, x1: 1, y0: 0, y1: 1 };
  const rx0 = Math.floor(rg.x0 * w), rx1 = Math.ceil(rg.x1 * w), ry0 = Math.floor(rg.y0 * h), ry1 = Math.ceil(rg.y1 * h);
  let nFull = 0, nPart = 0;
  for (let y = 0; y < h; y++) {
    const inRows = y >= ry0 && y < ry1;
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const k = classify(d[i], d[i + 1], d[i + 2]);
      nFull++;
      if (k >= 0) full[k]++;
      if (inRows && x >= rx0 && x < rx1) {
        nPart++;
        if (k >= 0) part[k]++;
      }
    }
  }
  const out = { width: w, height: h, full: {}, region: {} };
  names.forEach((name, k) => {
    out.full[name] = full[k] / nFull;
    out.region[name] = nPart ? part[k] / nPart : 0;
  });
  return out;
}

/**
 * Measures the remote audio (window.plenum.remoteStream's audio track, or `opts.stream` path)
 * with one persistent AnalyserNode (fftSize 8192). For each frequency: the level (dB, max over
 * ±2 bins) relative to the median of the spectrum between 100 Hz and 5 kHz (the noise floor),
 * max over `snapshots` snapshots spread over `durationMs`.
 */
async function pageToneProbe({ freqs, snapshots = 8, durationMs = 1000 }) {
  const st = (window.__e2eAudio ||= {});
  const stream = window.plenum && window.plenum.remoteStream;
  const track = stream && stream.getAudioTracks && stream.getAudioTracks()[0];
  if (!track) return { error: 'no remote audio track (window.plenum.remoteStream)' };
  if (!st.ctx) {
    st.ctx = new AudioContext();
    st.analyser = st.ctx.createAnalyser();
    st.analyser.fftSize = 8192;
    st.analyser.smoothingTimeConstant = 0.3;
    st.buf = new Float32Array(st.analyser.frequencyBinCount);
  }
  if (st.trackId !== track.id) {
    if (st.src) try { st.src.disconnect(); } catch { /* ignore */ }
    st.src = st.ctx.createMediaStreamSource(new MediaStream([track]));
    st.src.connect(st.analyser);
    st.trackId = track.id;
  }
  if (st.ctx.state !== 'running') { try { await st.ctx.resume(); } catch { /* ignore */ } }
  const sr = st.ctx.sampleRate, binHz = sr / st.analyser.fftSize, nb = st.buf.length;
  const FLOOR = -200;
  const lo = Math.max(1, Math.floor(100 / binHz)), hi = Math.min(nb - 1, Math.ceil(5000 / binHz));
  const best = {};
  for (const f of freqs) best[f] = { rel: -Infinity, level: -Infinity };
  const floors = [];
  for (let s = 0; s < snapshots; s++) {
    if (s) await new Promise((r) => setTimeout(r, durationMs / Math.max(1, snapshots - 1)));
    st.analyser.getFloatFrequencyData(st.buf);
    const v = (i) => (Number.isFinite(st.buf[i]) ? Math.max(FLOOR, st.buf[i]) : FLOOR); // silence: -Infinity or ~-700
    const band = [];
    for (let i = lo; i <= hi; i++) band.push(v(i));
    band.sort((a, b) => a - b);
    const median = band[band.length >> 1];
    floors.push(median);
    for (const f of freqs) {
      const k = Math.round(f / binHz);
      let lvl = FLOOR;
      for (let i = Math.max(0, k - 2); i <= Math.min(nb - 1, k + 2); i++) lvl = Math.max(lvl, v(i));
      if (lvl - median > best[f].rel) best[f] = { rel: lvl - median, level: lvl };
    }
  }
  floors.sort((a, b) => a - b);
  return {
    sampleRate: sr, ctxState: st.ctx.state, trackState: track.readyState, trackMuted: track.muted,
    floor: floors[floors.length >> 1], tones: best,
  };
}

/** Saves the composite's current frame as a PNG (for failure reports). */
export async function snapshot(b, file, selector = '#composite') {
  const url = await b.page.evaluate((sel) => {
    const v = document.querySelector(sel);
    if (!v || !v.videoWidth) return null;
    const c = document.createElement('canvas');
    c.width = v.videoWidth; c.height = v.videoHeight;
    c.getContext('2d').drawImage(v, 0, 0);
    return c.toDataURL('image/png');
  }, selector);
  if (!url) return null;
  (await import('node:fs')).writeFileSync(file, Buffer.from(url.split(',')[1], 'base64'));
  return file;
}

/** State, participants, ICE/DTLS state and RTP counters of the page's client. */
async function pageDiagnostics() {
  const p = window.plenum;
  if (!p) return { error: 'window.plenum missing', url: location.href, title: document.title };
  const out = {
    state: p.state, participantId: p.participantId, room: p.room, videoCodec: p.videoCodec,
    error: p.error, mediaSetupErrors: p.mediaSetupErrors, reconnectAttempt: p.reconnectAttempt,
    participants: (p.participants || []).map((x) => ({ id: x.id, name: x.name, audio: x.audio, video: x.video })),
  };
  const pc = p.pc;
  if (pc) {
    out.pc = { signaling: pc.signalingState, ice: pc.iceConnectionState, conn: pc.connectionState };
    try {
      const stats = await pc.getStats();
      const rtp = [];
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' || s.type === 'outbound-rtp') {
          rtp.push({ type: s.type, kind: s.kind, bytes: s.bytesReceived ?? s.bytesSent, packets: s.packetsReceived ?? s.packetsSent,
            frames: s.framesDecoded ?? s.framesEncoded, size: s.frameWidth ? `${s.frameWidth}x${s.frameHeight}` : undefined,
            lost: s.packetsLost, codecId: s.codecId });
        }
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
          out.pair = { local: s.localCandidateId, remote: s.remoteCandidateId, rtt: s.currentRoundTripTime };
        }
      });
      out.rtp = rtp;
    } catch (e) { out.statsError = String(e); }
  }
  const v = document.getElementById('composite');
  if (v) out.composite = { w: v.videoWidth, h: v.videoHeight, readyState: v.readyState, paused: v.paused };
  const a = document.getElementById('remote-audio');
  if (a) out.remoteAudio = { paused: a.paused, muted: a.muted, readyState: a.readyState };
  return out;
}

export const colors = (b, selector = '#composite') => b.page.evaluate(pageColorProbe, selector);
export const palette = (b, region, selector = '#composite') => b.page.evaluate(pagePaletteProbe, { selector, region });
export const tones = (b, freqs, opts = {}) => b.page.evaluate(pageToneProbe, { freqs, ...opts });
export const diagnostics = (b) => b.page.evaluate(pageDiagnostics).catch((e) => ({ error: String(e) }));
export const plenumState = (b) => b.page.evaluate(() => {
  const p = window.plenum;
  return p ? { state: p.state, participantId: p.participantId,
    participants: (p.participants || []).map((x) => ({ id: x.id, name: x.name, audio: x.audio, video: x.video })) } : null;
});

/** Measured colours + tones in one go; never throws (errors go into the result). */
export async function measure(b, freqs) {
  const [c, t] = await Promise.all([
    colors(b).catch((e) => ({ error: String(e) })),
    tones(b, freqs).catch((e) => ({ error: String(e) })),
  ]);
  return { colors: c, tones: t };
}

/** One line for logs: "red=0.187 green=0.190 blue=0.000 | 500Hz +52.1dB 850Hz +48.0dB ..." */
export function summarize(m) {
  const c = m.colors || {};
  const cs = c.error ? `colours: ${c.error}${c.why ? ` ${JSON.stringify(c.why)}` : ''}` :
    `${c.width}x${c.height} red=${c.red?.toFixed(3)} green=${c.green?.toFixed(3)} blue=${c.blue?.toFixed(3)} dark=${c.dark?.toFixed(3)} frames=${c.frames}`;
  const t = m.tones || {};
  const ts = t.error ? `tones: ${t.error}` :
    Object.entries(t.tones).map(([f, v]) => `${f}Hz ${v.rel >= 0 ? '+' : ''}${v.rel.toFixed(1)}dB(${v.level.toFixed(1)})`).join(' ') +
    ` floor=${t.floor?.toFixed(1)}dB ctx=${t.ctxState}`;
  return `${cs} | ${ts}`;
}

// ---------------------------------------------------------------------------------------------
// Verdicts. The analyser's scale: a -6 dBFS sine reads about -20 dB, the fixtures' -12 dBFS about -26.
// The median of the spectrum is far below the codec noise that Opus leaves within a few hundred
// Hz of a tone (measured through a loopback Opus call: floor about -110..-128 dB, codec noise at
// the other test frequencies -86..-95 dB, i.e. 30-40 dB above the floor), so "absent" is judged on
// the absolute level as well: a tone that leaks into a mix at any audible level reads > -50 dB.
const num = (name, def) => (process.env[name] !== undefined ? Number(process.env[name]) : def);
export const THRESHOLDS = {
  colorPresent: num('E2E_COLOR_PRESENT', 0.02), // fraction of the composite's pixels
  colorAbsent: num('E2E_COLOR_ABSENT', 0.003),
  tonePresentRel: num('E2E_TONE_PRESENT_REL', 25), // dB above the spectrum's median
  tonePresentAbs: num('E2E_TONE_PRESENT_ABS', -50), // analyser dB
  toneAbsentRel: num('E2E_TONE_ABSENT_REL', 10),
  toneAbsentAbs: num('E2E_TONE_ABSENT_ABS', -60),
};
export const colorPresent = (c, color) => !!c && !c.error && c[color] > THRESHOLDS.colorPresent;
export const colorAbsent = (c, color) => !!c && !c.error && c[color] < THRESHOLDS.colorAbsent;
export function tonePresent(t, f) {
  const v = t && !t.error && t.tones[f];
  return !!v && v.rel > THRESHOLDS.tonePresentRel && v.level > THRESHOLDS.tonePresentAbs;
}
export function toneAbsent(t, f) {
  const v = t && !t.error && t.tones[f];
  return !!v && (v.rel < THRESHOLDS.toneAbsentRel || v.level < THRESHOLDS.toneAbsentAbs);
}
