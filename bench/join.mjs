// SPDX-License-Identifier: EUPL-1.2
// How long a join takes until the first composite frame (issue 16, "Join without waiting"):
//   node bench/join.mjs [--plenumd PATH] [--joins 10] [--before REF|none] [--composite 1280x720@25] [--out FILE.json]
// One headless Debian Chromium (tests/e2e/lib/browser.mjs, the fake camera of the e2e fixture
// "Rot": 320x240 red, 15 fps), and per web client one plenumd (tests/e2e/lib/server.mjs: free port,
// temporary data folder) with bench/plenum-bench.ini's settings (loopback, the composite given by
// --composite, default the shipped 1280x720 at 25 fps) plus http.webroot:
//   "after"  the working tree's webclient/,
//   "before" the web client of git REF (default HEAD, exported with `git archive` to a temp
//            folder); --before none measures "after" alone.
// Each join is a fresh page (same browser) in a fresh ad-hoc room, alone; the two clients
// alternate (before, after, after, before, ...) so that machine load hits both alike; before each
// join every server must have closed the previous room (/healthz "rooms": 0). Two kinds of join,
// --joins times each per client, after one warm-up join per client and kind (not counted):
//   (a) autojoin: page.goto(/r/ROOM?name=X&autojoin=1&audioProcessing=0); t0 = the navigation's
//       start (performance.timeOrigin);
//   (b) pre-join: page.goto(/r/ROOM?name=X&audioProcessing=0), wait until the join button is enabled
//       and the camera preview plays, 1 s more, then click it; t0 = the click (a capture listener
//       in the page, before the app's handlers).
// The end: the first frame of <video id="composite"> (requestVideoFrameCallback, in the page).
// Phases, stamped in the page by an init script that wraps getUserMedia, WebSocket and
// RTCPeerConnection (ms after t0): gUM resolved, WebSocket created/open, `join` sent, `joined`
// received, `offer` received, RTCPeerConnection created, `answer` sent, ICE connected, DTLS
// (connectionState) connected, remote video track, first frame. No retries: a join without a
// frame within 20 s fails the run (exit status 1). Medians are printed and written with every
// raw figure to --out (default bench/join-results.json).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeBenchConfig } from './benchconfig.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');

function parseArgs(argv) {
  const o = { plenumd: process.env.PLENUMD || '/tmp/plenumd-base', joins: 10, before: 'HEAD', composite: '1280x720@25',
    out: path.join(HERE, 'join-results.json'), kinds: 'a,b' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${k} needs a value`); return argv[++i]; };
    if (k === '--plenumd') o.plenumd = v();
    else if (k === '--joins') o.joins = Number(v());
    else if (k === '--before') o.before = v();
    else if (k === '--composite') o.composite = v();
    else if (k === '--out') o.out = v();
    else if (k === '--kinds') o.kinds = v();
    else throw new Error(`unknown option ${k}`);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
// lib/server.mjs reads these when it is imported.
process.env.PLENUMD = opts.plenumd;
const [CW, CH, CFPS] = (/^(\d+)x(\d+)@(\d+)$/.exec(opts.composite) || []).slice(1).map(Number);
if (!CW) { console.error('bench/join: --composite must look like 1280x720@25'); process.exit(2); }

const benchTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-bench-join-'));
const configFile = writeBenchConfig(benchTmp, 'plenum-join.ini', { width: CW, height: CH, framerate: CFPS });
process.env.PLENUM_TEST_CONFIG = configFile;

const { startServer } = await import('../tests/e2e/lib/server.mjs');
const { launchBrowser } = await import('../tests/e2e/lib/browser.mjs');
const { makeMedia, PARTICIPANTS } = await import('../tests/e2e/lib/fixtures.mjs');
const { sleep, log, randomId, waitFor } = await import('../tests/e2e/lib/util.mjs');

const FRAME_TIMEOUT_MS = 20000;
const PHASES = ['domContentLoaded', 'gumStart', 'gumDone', 'wsCreate', 'wsOpen', 'joinSent', 'joined', 'offer', 'pcCreate', 'srdDone', 'createAnswerDone', 'sldDone', 'answerSent',
  'firstServerCandidate', 'iceConnected', 'pcConnected', 'trackVideo', 'firstFrame'];

// Runs in every page before its own scripts: stamps the phases into window.__jb.marks
// (performance.now(), ms since the navigation started); the first of each counts.
function instrument() {
  const T = (window.__jb = { marks: {} });
  const mark = (k, t = performance.now()) => { if (!(k in T.marks)) T.marks[k] = t; };
  const md = navigator.mediaDevices;
  if (md && md.getUserMedia) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = (c) => {
      mark('gumStart');
      return gum(c).then((s) => { mark('gumDone'); return s; });
    };
  }
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      mark('wsCreate');
      this.addEventListener('open', () => mark('wsOpen'));
      this.addEventListener('message', (ev) => {
        let m;
        try { m = JSON.parse(ev.data); } catch { return; }
        if (m.type === 'joined') mark('joined');
        else if (m.type === 'offer') mark('offer');
        else if (m.type === 'candidate') mark('firstServerCandidate');
      });
    }
    send(data) {
      try {
        const m = JSON.parse(data);
        if (m.type === 'join') mark('joinSent');
        else if (m.type === 'answer') mark('answerSent');
      } catch { /* not ours */ }
      return super.send(data);
    }
  };
  const PC = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends PC {
    constructor(...args) {
      super(...args);
      mark('pcCreate');
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') mark('iceConnected');
      });
      this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected') mark('pcConnected'); });
      this.addEventListener('track', (ev) => mark(ev.track.kind === 'video' ? 'trackVideo' : 'trackAudio'));
    }
    async setRemoteDescription(...a) { const r = await super.setRemoteDescription(...a); mark('srdDone'); return r; }
    async createAnswer(...a) { const r = await super.createAnswer(...a); mark('createAnswerDone'); return r; }
    async setLocalDescription(...a) { const r = await super.setLocalDescription(...a); mark('sldDone'); return r; }
  };
  document.addEventListener('DOMContentLoaded', () => mark('domContentLoaded'));
  window.addEventListener('click', (ev) => {
    if (ev.target && ev.target.closest && ev.target.closest('#btn-join')) mark('click');
  }, true);
  const watch = () => {
    const v = document.getElementById('composite');
    if (!v) return;
    if (v.requestVideoFrameCallback) {
      v.requestVideoFrameCallback((now, meta) => {
        mark('firstFrame');
        T.frameMeta = { now, presentationTime: meta.presentationTime, width: meta.width, height: meta.height };
      });
    }
    v.addEventListener('playing', () => mark('playing'));
    v.addEventListener('resize', () => { if (v.videoWidth > 0) mark('videoWidth'); });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (Number.isFinite(x) ? x.toFixed(0) : '-');

function exportWebclient(ref) {
  const dir = path.join(benchTmp, `webclient-${ref.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  fs.mkdirSync(dir);
  const tar = execFileSync('git', ['-C', REPO, 'archive', '--format=tar', ref, 'webclient'], { maxBuffer: 64 << 20 });
  execFileSync('tar', ['-x', '-C', dir, '--strip-components=1'], { input: tar });
  const rev = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', ref]).toString().trim();
  return { dir, rev };
}

// The previous join's room has closed on every server (/healthz "rooms": 0), so that no
// leftover composite costs CPU during the next join; bounded, reported when it does not happen.
async function waitIdle(servers) {
  const t0 = Date.now();
  for (const s of servers) {
    try {
      await waitFor(async () => {
        const r = await fetch(`${s.httpUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
        const j = await r.json();
        return j.rooms === 0;
      }, { timeout: 15000, interval: 100, message: 'no room open' });
    } catch (e) { log(`server ${s.port}: ${e.message.split('\n')[0]}`); }
  }
  return Date.now() - t0;
}

async function oneJoin(b, server, kind, label, i) {
  const room = `jb-${label}-${kind}-${i}-${randomId(4)}`;
  const page = await b.context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  const q = kind === 'a' ? '&autojoin=1' : '';
  const url = `${server.baseUrl}/r/${room}?name=Rot${q}&audioProcessing=0`;
  const result = { kind, label, i, room };
  try {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30000 });
    if (kind === 'b') {
      await waitFor(() => page.evaluate(() => {
        const btn = document.getElementById('btn-join');
        const prev = document.getElementById('preview');
        return !!btn && !btn.disabled && !!window.__jb.marks.gumDone && (!prev || prev.readyState >= 2);
      }), { timeout: 20000, interval: 50, message: 'pre-join screen ready' });
      await sleep(1000);
      await page.click('#btn-join');
    }
    await waitFor(() => page.evaluate(() => window.__jb.marks.firstFrame !== undefined), {
      timeout: FRAME_TIMEOUT_MS, interval: 20, message: 'first composite frame',
    });
    const r = await page.evaluate(() => ({ marks: window.__jb.marks, meta: window.__jb.frameMeta,
      w: document.getElementById('composite').videoWidth }));
    const t0 = kind === 'a' ? 0 : r.marks.click;
    result.t0 = t0;
    result.phases = {};
    for (const [k, v] of Object.entries(r.marks)) result.phases[k] = v - t0;
    result.total = r.marks.firstFrame - t0;
    result.width = r.w;
    result.ok = Number.isFinite(result.total);
  } catch (e) {
    result.ok = false;
    result.error = e.message.split('\n')[0];
    result.console = consoleLines.slice(-20);
    try { result.marks = await page.evaluate(() => window.__jb && window.__jb.marks); } catch { /* gone */ }
  }
  await page.close({ runBeforeUnload: false }).catch(() => {});
  return result;
}

async function main() {
  const load0 = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const clients = [];
  if (opts.before !== 'none') {
    const { dir, rev } = exportWebclient(opts.before);
    clients.push({ label: 'before', webroot: dir, desc: `git ${opts.before} (${rev})` });
  }
  clients.push({ label: 'after', webroot: path.join(REPO, 'webclient'), desc: 'working tree webclient/' });
  const media = await makeMedia(path.join(benchTmp, 'media'), PARTICIPANTS[0]);
  for (const c of clients) {
    c.server = await startServer({ config: `http.webroot = ${c.webroot}\n` });
  }
  const b = await launchBrowser({ name: 'join-bench', ...media });
  await b.context.addInitScript(instrument);
  // The browser's own first page is not used (it would lack nothing, but keep all pages alike).
  const results = [];
  let failed = false;
  try {
    const kinds = opts.kinds.split(',');
    for (const kind of kinds) {
      for (const c of clients) {
        const w = await oneJoin(b, c.server, kind, c.label, 'warmup');
        log(`warm-up ${kind} ${c.label}: ${w.ok ? `${fmt(w.total)} ms` : `FAILED ${w.error}`}`);
        await waitIdle(clients.map((x) => x.server));
        await sleep(500);
      }
      for (let i = 0; i < opts.joins; i++) {
        // Alternate the order too: before-after, after-before, ...
        const order = i % 2 ? [...clients].reverse() : clients;
        for (const c of order) {
          const r = await oneJoin(b, c.server, kind, c.label, i);
          results.push(r);
          if (!r.ok) failed = true;
          log(`${kind} ${c.label} #${i}: ${r.ok ? `${fmt(r.total)} ms` : `FAILED ${r.error} marks=${JSON.stringify(r.marks)}\n${(r.console || []).join('\n')}`}`);
          r.idleWaitMs = await waitIdle(clients.map((x) => x.server)); // the room closes; the next join starts a new one
          await sleep(500);
        }
      }
    }
  } finally {
    await b.close();
    for (const c of clients) await c.server.stop();
  }
  const load1 = fs.readFileSync('/proc/loadavg', 'utf8').trim();

  const lines = [];
  lines.push(`join bench: plenumd ${opts.plenumd}, composite ${opts.composite}, ${opts.joins} joins per kind and client, alternating`);
  for (const c of clients) lines.push(`  ${c.label}: ${c.desc}`);
  lines.push(`loadavg before ${load0}; after ${load1}`);
  lines.push('');
  const kindName = { a: '(a) autojoin link, t0 = navigation start', b: '(b) pre-join click, t0 = click' };
  const table = {};
  for (const kind of opts.kinds.split(',')) {
    lines.push(`${kindName[kind]}: medians in ms after t0 (n ok / n)`);
    lines.push(['phase'.padEnd(22), ...clients.map((c) => c.label.padStart(9))].join(''));
    table[kind] = {};
    for (const ph of PHASES) {
      const row = clients.map((c) => median(results.filter((r) => r.kind === kind && r.label === c.label && r.ok).map((r) => r.phases[ph])));
      table[kind][ph] = Object.fromEntries(clients.map((c, j) => [c.label, row[j]]));
      lines.push([ph.padEnd(22), ...row.map((x) => fmt(x).padStart(9))].join(''));
    }
    const tot = clients.map((c) => {
      const rs = results.filter((r) => r.kind === kind && r.label === c.label);
      const ok = rs.filter((r) => r.ok);
      return { med: median(ok.map((r) => r.total)), raw: ok.map((r) => Math.round(r.total)), n: rs.length, nok: ok.length };
    });
    lines.push(['FIRST FRAME (median)'.padEnd(22), ...tot.map((x) => fmt(x.med).padStart(9))].join(''));
    for (let j = 0; j < clients.length; j++) {
      lines.push(`  ${clients[j].label} raw (${tot[j].nok}/${tot[j].n}): ${tot[j].raw.join(' ')}`);
    }
    if (clients.length === 2) lines.push(`  after/before = ${(tot[1].med / tot[0].med).toFixed(2)}`);
    lines.push('');
  }
  const text = lines.join('\n');
  console.log(text);
  fs.writeFileSync(opts.out, JSON.stringify({ opts, clients: clients.map((c) => ({ label: c.label, desc: c.desc })),
    load: [load0, load1], table, results }, null, 1));
  fs.rmSync(benchTmp, { recursive: true, force: true });
  if (failed) { console.error('bench/join: some joins failed (no retries)'); process.exitCode = 1; }
}

await main();
