// SPDX-License-Identifier: EUPL-1.2
// What presenting costs (issue 13), in one run of one plenumd with four headless Chromiums:
//   node bench/presentation.mjs [RESULT.json]     (about 3 minutes; PLENUMD=... for another binary)
// plenumd (tests/e2e/lib/server.mjs) gets tests/e2e/plenum-test.ini, so the e2e tests' small
// composite, 640x360 at 15 fps; COMPOSITE=1280x720@25 for the shipped default (on 2 cores the
// four Chromiums then starve: pages miss the 8 s signaling timeout once the share starts).
// Four participants with fake cameras (tests/e2e/lib/fixtures.mjs: Rot, Gruen, Blau and a silent
// grey one) join one ad-hoc room; Rot joins first and moderates. Measured:
// 1. plenumd's CPU (utime+stime of /proc/PID/stat, all threads, % of one core) over 20 s windows
//    after 5 s to settle, alternating no share and a 1920x1080 screen share (A B A B): Rot's
//    getDisplayMedia is replaced by a canvas captureStream(15) that looks like an editor (static
//    text on white), with a clock and a line being typed as the only parts that change. The share
//    is started and stopped with the page's Present button; before each window, another
//    participant's composite must show it large (white over most of the presentation's part,
//    the three coloured cameras in the strip) or show the grid again. Reported: each window, the
//    means, share/no share, what the sharer's encoder sent and how Gruen received the composite
//    (getStats), and the CPU of the four Chromiums (this process's other descendants) and of the
//    rest of the machine over the same window (other processes disturb the figures on 2 cores).
// 2. A 20-page and a 300-page PDF (tests/e2e/lib/pdf.mjs; pages cycle magenta, cyan, yellow,
//    orange), each uploaded from Node (POST /api/meeting/document with Rot's upload token): the
//    time to the 201, and to page 1 large in Gruen's composite (palette polled every 50 ms, so
//    add up to ~100 ms of probe); then 5 page turns (ArrowRight on Rot's page) right after each
//    other, each timed from the key press to the page visible large in Gruen's composite, and
//    whether the page had been rendered ahead already (its PNG in the document's folder at the
//    moment of the turn); then presentation-stop (the bar's stop button) and the grid again.
// No retries: anything not seen within its timeout ends the run (exit status 1).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PARTICIPANTS, SILENT_GREY } from '../tests/e2e/lib/fixtures.mjs';
import { Session } from '../tests/e2e/lib/session.mjs';
import { launchBrowser, joinRoom, palette, plenumState } from '../tests/e2e/lib/browser.mjs';
import { makePdf } from '../tests/e2e/lib/pdf.mjs';
import { CLK_TCK, cpuSeconds, waitFor, sleep, log } from '../tests/e2e/lib/util.mjs';

const OUT = process.argv[2] || null;
const SETTLE_MS = 5000;
const WINDOW_MS = 20000;
const PAIRS = 2;                 // of windows: no share, share
const TURNS = 5;
const DOCUMENTS = [20, 300];     // pages
const POLL_MS = 50;
// The composite: the e2e tests' (640x360, 15 fps: tests/e2e/plenum-test.ini), unless COMPOSITE.
const COMPOSITE = process.env.COMPOSITE || '640x360@15';
const [CW, CH, CFPS] = (/^(\d+)x(\d+)@(\d+)$/.exec(COMPOSITE) || []).slice(1).map(Number);
if (!CW) {
  console.error('bench/presentation: COMPOSITE must look like 1280x720@25');
  process.exit(2);
}

const [ROT, GRUEN, BLAU] = PARTICIPANTS;
const GRAU = { ...SILENT_GREY, name: 'Grau' };
const ALL = [ROT, GRUEN, BLAU, GRAU];
const CAMERAS = ['red', 'green', 'blue'];
// As in tests/e2e/presentation.test.mjs: the presentation's part of the composite, well inside
// the left three quarters; "large" is more than half of it in the presented colour with the
// three coloured cameras in the strip on the right.
const LARGE = { x0: 0.05, x1: 0.70, y0: 0.2, y1: 0.8 };
const large = (color) => (p) => p.region[color] > 0.5 && CAMERAS.every((c) => p.full[c] > 0.015);
const grid = (gone) => (p) => gone.every((c) => p.region[c] < 0.06) && CAMERAS.every((c) => p.full[c] > 0.08);
const SLIDE_COLORS = [['magenta', [1, 0, 1]], ['cyan', [0, 1, 1]], ['yellow', [1, 1, 0]], ['orange', [1, 0.5, 0]]];
const pageColor = (n) => SLIDE_COLORS[(n - 1) % SLIDE_COLORS.length][0];
const ALL_SHOWN = ['white', ...SLIDE_COLORS.map(([c]) => c)];


// CPU seconds the whole machine was busy (all cores; idle and iowait left out).
function machineSeconds() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3] - f[4]) / CLK_TCK;
}

// CPU seconds by process of this bench's descendants other than plenumd and its children: the
// four Chromiums (browser, renderer, GPU and utility processes).
function browserSeconds(plenumd) {
  const procs = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK });
    } catch { /* gone */ }
  }
  const ours = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === plenumd) return false;
      if (p === process.pid) return pid !== process.pid;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const out = new Map();
  for (const [pid, x] of procs) if (ours(pid)) out.set(pid, x.cpu);
  return out;
}
const browsersDelta = (a, b) => [...b].reduce((sum, [pid, cpu]) => sum + cpu - (a.get(pid) ?? 0), 0);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Polls `b`'s composite every POLL_MS until `ok(palette)`; ms from `t0`. */
async function seen(b, ok, label, t0 = Date.now(), { timeout = 30000, interval = POLL_MS, cancelled = () => false } = {}) {
  let last = null;
  await waitFor(async () => {
    if (cancelled()) throw Object.assign(new Error(`${label}: given up`), { fatal: true });
    const p = await palette(b, LARGE);
    last = p;
    return !p.error && ok(p);
  }, { timeout, interval, message: `${b.name}: ${label}`, describe: () => JSON.stringify(last && (last.error || last.region)) });
  return Date.now() - t0;
}

/**
 * Replaces getDisplayMedia in the page: a 1920x1080 canvas, captureStream(15), that looks like a
 * screen with an editor: title bar, file list, lines of code on white, a status bar (drawn once);
 * per frame (66 ms) only a clock in the title bar and a line being typed change.
 */
function stubScreen(b) {
  return b.page.evaluate(() => {
    window.__benchShare = { calls: 0, tracks: [] };
    navigator.mediaDevices.getDisplayMedia = async () => {
      window.__benchShare.calls += 1;
      const W = 1920, H = 1080;
      const c = document.createElement('canvas');
      c.width = W; c.height = H;
      const g = c.getContext('2d');
      let seed = 13;
      const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
      const words = ['const', 'return', 'if', 'for', 'let', 'room', 'mixer', 'frame', 'pad', 'width', 'height',
        'participant', 'composite', 'layout', 'tile', 'scale', 'push', 'await', 'page', 'document', '=', '(', ')', '{', '}'];
      g.fillStyle = '#ffffff'; g.fillRect(0, 0, W, H);
      g.fillStyle = '#dcdcdc'; g.fillRect(0, 0, W, 44);                 // title bar
      g.fillStyle = '#f2f2f2'; g.fillRect(0, 44, 300, H - 44 - 30);     // file list
      g.fillStyle = '#2b2b2b'; g.fillRect(0, H - 30, W, 30);             // status bar
      g.fillStyle = '#202020'; g.font = '22px sans-serif';
      g.fillText('TileLayout.cpp — plenum — Editor', 24, 30);
      g.font = '18px sans-serif';
      for (let i = 0; i < 30; i++) {
        g.fillStyle = i === 7 ? '#1f4e9c' : '#333333';
        g.fillText(`${'  '.repeat(i % 3)}${words[Math.floor(rnd() * 11) + 5]}_${i}.cpp`, 20, 84 + i * 30);
      }
      g.font = '18px monospace';
      const colours = ['#1a1a1a', '#1f3f8f', '#2e6b30', '#8a8a8a', '#7a2e8e'];
      for (let line = 0; line < 32; line++) {
        if (line === 20) continue; // the line being typed
        const y = 84 + line * 30;
        g.fillStyle = '#9a9a9a';
        g.fillText(String(line + 1).padStart(3, ' '), 320, y);
        let x = 380 + 22 * Math.floor(rnd() * 4);
        const n = 3 + Math.floor(rnd() * 9);
        for (let k = 0; k < n && x < W - 100; k++) {
          const w = words[Math.floor(rnd() * words.length)];
          g.fillStyle = colours[Math.floor(rnd() * colours.length)];
          g.fillText(w, x, y);
          x += (w.length + 1) * 11;
        }
      }
      g.fillStyle = '#e0e0e0'; g.font = '16px sans-serif';
      g.fillText('main  ✓ 0 problems   Ln 21, Col 1   UTF-8   C++', 20, H - 10);
      const stream = c.captureStream(15);
      const track = stream.getVideoTracks()[0];
      const typed = 'for (const tile : layout.tiles()) scale(tile, presentation.rect());';
      let n = 0;
      const draw = () => {
        if (track.readyState === 'ended') { clearInterval(timer); return; }
        n += 1;
        const d = new Date();
        g.fillStyle = '#dcdcdc'; g.fillRect(W - 260, 0, 260, 44);
        g.fillStyle = '#202020'; g.font = '22px monospace';
        g.fillText(`${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds()).padStart(3, '0')}`, W - 240, 30);
        const y = 84 + 20 * 30;
        const shown = n % (typed.length + 10);
        g.fillStyle = '#ffffff'; g.fillRect(300, y - 22, W - 300, 30);
        g.fillStyle = '#9a9a9a'; g.font = '18px monospace';
        g.fillText(' 21', 320, y);
        g.fillStyle = '#1a1a1a';
        g.fillText(typed.slice(0, shown), 380, y);
        g.fillRect(380 + Math.min(shown, typed.length) * 10.8, y - 18, 10, 22); // the cursor
      };
      const timer = setInterval(draw, 66);
      draw();
      window.__benchShare.tracks.push(track);
      return stream;
    };
  });
}

/** What the sharer's encoder does with the screen track (outbound-rtp of its sender). */
function shareStats(b) {
  return b.page.evaluate(async () => {
    const pc = window.plenum && window.plenum.pc;
    const track = window.__benchShare && window.__benchShare.tracks.at(-1);
    if (!pc || !track) return null;
    const stats = await pc.getStats();
    let source = null;
    stats.forEach((s) => { if (s.type === 'media-source' && s.trackIdentifier === track.id) source = s.id; });
    let out = null;
    stats.forEach((s) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video' && s.mediaSourceId === source && (!out || s.bytesSent > out.bytesSent)) out = s;
    });
    if (!out) return null;
    const codec = out.codecId && stats.get(out.codecId);
    return {
      at: Date.now(), width: out.frameWidth, height: out.frameHeight, framesEncoded: out.framesEncoded,
      bytesSent: out.bytesSent, limitation: out.qualityLimitationReason, encoder: out.encoderImplementation,
      codec: codec ? codec.mimeType : null,
    };
  });
}

/** The composite as a participant's browser receives and decodes it (inbound-rtp, video). */
function inboundStats(b) {
  return b.page.evaluate(async () => {
    const pc = window.plenum && window.plenum.pc;
    if (!pc) return null;
    let out = null;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && (!out || s.framesDecoded > out.framesDecoded)) out = s;
    });
    return out && {
      at: Date.now(), framesDecoded: out.framesDecoded, freezeCount: out.freezeCount ?? 0,
      freezeS: out.totalFreezesDuration ?? 0, pliCount: out.pliCount ?? 0, packetsLost: out.packetsLost ?? 0,
      keyFrames: out.keyFramesDecoded ?? 0, size: `${out.frameWidth}x${out.frameHeight}`,
    };
  });
}
const inboundDelta = (a, b) => (a && b ? {
  size: b.size, fps: (b.framesDecoded - a.framesDecoded) / ((b.at - a.at) / 1000), freezes: b.freezeCount - a.freezeCount,
  freezeS: b.freezeS - a.freezeS, plis: b.pliCount - a.pliCount, lost: b.packetsLost - a.packetsLost, keyFrames: b.keyFrames - a.keyFrames,
} : null);

/**
 * The longest a page's main thread was late (a 250 ms interval timer's gap beyond 250 ms) since
 * the last call; starts the timer on the first. The client pings every 2 s from this thread, and
 * plenumd drops a connection after 8 s without a message.
 */
function stall(b) {
  return b.page.evaluate(() => {
    const st = window.__benchStall;
    if (!st) {
      const s = (window.__benchStall = { last: performance.now(), max: 0 });
      setInterval(() => {
        const now = performance.now();
        s.max = Math.max(s.max, now - s.last - 250);
        s.last = now;
      }, 250);
      return 0;
    }
    const max = Math.max(st.max, performance.now() - st.last - 250);
    st.max = 0;
    return Math.round(Math.max(0, max));
  });
}
const stalls = async (browsers) => Object.fromEntries(await Promise.all(browsers.map(async (b) => [b.name, await stall(b)])));

/** plenumd, the four Chromiums and the rest of the machine over one window, in % of one core. */
async function cpuWindow(pid) {
  const c0 = cpuSeconds(pid), m0 = machineSeconds(), b0 = browserSeconds(pid), t0 = Date.now();
  await sleep(WINDOW_MS);
  const seconds = (Date.now() - t0) / 1000;
  const b1 = browserSeconds(pid);
  const plenumd = (100 * (cpuSeconds(pid) - c0)) / seconds;
  const browsers = (100 * browsersDelta(b0, b1)) / seconds;
  const machine = (100 * (machineSeconds() - m0)) / seconds;
  return { seconds, plenumdCpu: plenumd, browsersCpu: browsers, restCpu: machine - plenumd - browsers, machineCpu: machine,
    browserProcesses: b1.size };
}

const s = new Session(ALL, {
  roomPrefix: 'bench-present',
  server: { config: process.env.COMPOSITE ? `video.width = ${CW}\nvideo.height = ${CH}\nvideo.framerate = ${CFPS}\n` : '' },
});
const results = { date: new Date().toISOString(), cores: os.cpus().length, composite: `${CW}x${CH}@${CFPS}`, windows: [], documents: [] };
let failure = null;
try {
  await s.start();
  results.plenumd = s.server.pid;
  // Browsers up at once; Rot joins first (moderator), then the other three.
  const browsers = await Promise.all(ALL.map((p) => launchBrowser({ name: p.name, ...s.media[p.name] })));
  browsers.forEach((b, i) => { b.participant = ALL[i]; s.browsers.set(b.name, b); });
  const [rot, gruen] = browsers;
  await joinRoom(rot, s.server.baseUrl, s.room);
  await waitFor(async () => (await plenumState(rot))?.state === 'joined', { timeout: 60000, message: 'Rot joined' });
  await Promise.all(browsers.slice(1).map((b) => joinRoom(b, s.server.baseUrl, s.room)));
  await s.waitParticipants(ALL.map((p) => p.name), { timeout: 90000 });
  const role = await rot.page.evaluate(() => window.plenum.role);
  if (role !== 'moderator') throw new Error(`Rot is ${role}, not moderator`);
  await seen(gruen, grid([]), 'the four cameras in the grid', Date.now(), { timeout: 60000, interval: 300 });
  log('presentation bench: four in the room, the grid shown');
  await stalls(browsers);

  // ---- 1. CPU: no share / share, alternating ----
  await stubScreen(rot);
  const pid = s.server.pid;
  for (let i = 0; i < 2 * PAIRS; i++) {
    const share = i % 2 === 1;
    let switchMs = null;
    const t0 = Date.now();
    if (share) {
      await rot.page.click('#btn-present'); // a moderator gets the menu: screen or PDF
      await rot.page.click('#btn-share-screen');
      switchMs = await seen(gruen, large('white'), 'the shared screen large', t0, { interval: 100 });
    } else if (i > 0) {
      await rot.page.click('#btn-present'); // pressed while sharing: stops
      switchMs = await seen(gruen, grid(['white']), 'the grid again', t0, { interval: 100 });
    }
    await sleep(SETTLE_MS);
    const before = share ? await shareStats(rot) : null;
    const in0 = await inboundStats(gruen);
    await stalls(browsers);
    const w = await cpuWindow(pid);
    const pagesLate = await stalls(browsers);
    const in1 = await inboundStats(gruen);
    const after = share ? await shareStats(rot) : null;
    const row = { window: i + 1, share, switchMs, ...w, received: inboundDelta(in0, in1), pagesLate };
    if (share && before && after) {
      const dt = (after.at - before.at) / 1000;
      row.sent = {
        size: `${after.width}x${after.height}`, fps: (after.framesEncoded - before.framesEncoded) / dt,
        kbps: (8 * (after.bytesSent - before.bytesSent)) / dt / 1000, limitation: after.limitation,
        encoder: after.encoder, codec: after.codec,
      };
    }
    results.windows.push(row);
    log(`presentation bench: ${JSON.stringify(row)}`);
    if (share && !row.sent) throw new Error(`window ${i + 1}: no outbound-rtp for the screen track in Rot's page`);
    // Still as it was (one look, after the window: no probing during it).
    const p = await palette(gruen, LARGE);
    if (p.error || !(share ? large('white') : grid(['white']))(p)) {
      row.invalid = true;
      throw new Error(`window ${i + 1}: the composite no longer shows ${share ? 'the share' : 'the grid'}: ${JSON.stringify(p.error || p.region)}`);
    }
  }
  const t0 = Date.now();
  await rot.page.click('#btn-present');
  await seen(gruen, grid(['white']), 'the grid after the last share', t0, { interval: 100 });

  // ---- 2. PDFs: upload, page 1, page turns ----
  const documentsDir = path.join(s.server.dataDir, 'documents');
  for (const pages of DOCUMENTS) {
    const pdf = makePdf(Array.from({ length: pages }, (_, k) => SLIDE_COLORS[k % SLIDE_COLORS.length][1]),
      { title: `Plenum bench ${pages} pages` });
    const token = await rot.page.evaluate(() => window.plenum.uploadToken);
    let uploadFailed = false;
    const in0 = await inboundStats(gruen);
    const up = Date.now();
    const visible = seen(gruen, large(pageColor(1)), `page 1 of ${pages} large`, up,
      { timeout: 90000, cancelled: () => uploadFailed });
    visible.catch(() => {});
    let answer;
    try {
      answer = await fetch(`${s.server.baseUrl}/api/meeting/document`, {
        method: 'POST',
        headers: {
          'X-Plenum-Upload-Token': token, 'X-Plenum-Filename': encodeURIComponent(`Bench ${pages}.pdf`),
          'Content-Type': 'application/pdf', Accept: 'application/json',
        },
        body: pdf,
      });
    } catch (e) {
      uploadFailed = true;
      throw e;
    }
    const answerMs = Date.now() - up;
    const body = await answer.json().catch(() => null);
    if (answer.status !== 201 || !body || body.pages !== pages) {
      uploadFailed = true;
      throw new Error(`upload of ${pages} pages: ${answer.status} ${JSON.stringify(body)}`);
    }
    const page1Ms = await visible;
    const doc = { pages, bytes: pdf.length, id: body.id, answerMs, page1Ms, turns: [] };
    log(`presentation bench: ${pages} pages: 201 after ${answerMs} ms, page 1 seen after ${page1Ms} ms`);
    // Turns, one right after the other is seen (focus off any control: the arrow keys are the page's).
    await rot.page.evaluate(() => { if (document.activeElement && document.activeElement.blur) document.activeElement.blur(); });
    for (let page = 2; page <= TURNS + 1; page++) {
      const renderedBefore = fs.existsSync(path.join(documentsDir, body.id, `page-${page}.png`));
      const t = Date.now();
      await rot.page.keyboard.press('ArrowRight');
      const ms = await seen(gruen, large(pageColor(page)), `page ${page} of ${pages} (${pageColor(page)}) large`, t);
      const signalled = await gruen.page.evaluate(({ since, pg }) => {
        const a = window.plenum.arrivals.find((x) => x.type === 'presentation' && x.wall >= since && x.page === pg);
        return a ? a.wall - since : null;
      }, { since: t, pg: page });
      doc.turns.push({ page, ms, signalledMs: signalled, renderedBefore });
    }
    const ms = doc.turns.map((x) => x.ms);
    doc.turnMedianMs = median(ms);
    doc.turnMaxMs = Math.max(...ms);
    const renderedPages = fs.existsSync(path.join(documentsDir, body.id))
      ? fs.readdirSync(path.join(documentsDir, body.id)).filter((n) => /^page-\d+\.png$/.test(n)).length : 0;
    doc.renderedAtStop = renderedPages;
    doc.received = inboundDelta(in0, await inboundStats(gruen)); // upload to the last turn seen
    log(`presentation bench: ${pages} pages: turns ${JSON.stringify(doc.turns)}; ${renderedPages} pages rendered at the stop`);
    const stop = Date.now();
    await rot.page.click('#btn-presentation-stop');
    doc.stopMs = await seen(gruen, grid(ALL_SHOWN), 'the grid after presentation-stop', stop, { interval: 100 });
    results.documents.push(doc);
  }
  // What plenumd logged about the documents (checked, page 1, all pages rendered).
  const logText = fs.readFileSync(s.server.logFile, 'utf8');
  for (const doc of results.documents) {
    const acc = new RegExp(`document ${doc.id} accepted: .*checked in (\\d+) ms, page 1 ready in (\\d+) ms`).exec(logText);
    const all = new RegExp(`document ${doc.id}: all \\d+ pages rendered in (\\d+) ms`).exec(logText);
    doc.serverCheckedMs = acc ? Number(acc[1]) : null;
    doc.serverPage1Ms = acc ? Number(acc[2]) : null;
    doc.serverAllPagesMs = all ? Number(all[1]) : null;
  }
  results.logProblems = logText.split('\n').filter((l) => /^\S+ \S+ (Warning|Error|Critical|Fatal) /.test(l)).slice(0, 20);
} catch (e) {
  failure = e;
  console.error(`bench/presentation: ${e.stack || e.message}`);
  // Each page's state, composite frame (PNG), signaling and console; plenumd's log tail.
  await s.report(`bench/presentation failed: ${e.message}`).catch((x) => console.error(`no report: ${x.message}`));
} finally {
  if (failure) s.anyFailed = true; // keeps plenumd's temp folder
  await s.stop();
}

// ---- the figures ----
const received = (r) => (r ? `${f(r.fps)} fps, ${r.freezes} freezes (${f(r.freezeS)} s), ${r.plis} PLIs, ${r.lost} lost` : '-');
const off = results.windows.filter((w) => !w.share);
const on = results.windows.filter((w) => w.share);
if (results.windows.length) {
  console.log(`\nplenumd CPU, 4 participants, composite ${results.composite}, ${WINDOW_MS / 1000} s windows after ${SETTLE_MS / 1000} s, ` +
    `% of one core (${results.cores} cores; "rest": other processes on the machine)\n`);
  console.log('| window | share | switch→seen (ms) | plenumd | 4 Chromiums | rest | screen sent by Rot | composite at Gruen | pages late, max (ms) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const w of results.windows) {
    const sent = w.sent ? `${w.sent.size} ${f(w.sent.fps)} fps ${f(w.sent.kbps, 0)} kbit/s ${w.sent.codec || ''} ${w.sent.encoder || ''} (limited: ${w.sent.limitation})` : '-';
    console.log(`| ${w.window}${w.invalid ? ' (share/grid gone at the end: invalid)' : ''} | ${w.share ? '1920x1080 screen' : 'none'} | ${w.switchMs ?? '-'} | ${f(w.plenumdCpu)} % | ${f(w.browsersCpu)} % | ` +
      `${f(Math.max(0, w.restCpu))} %${w.restCpu > 25 ? ' (!)' : ''} | ${sent} | ${received(w.received)} | ` +
      `${Object.entries(w.pagesLate).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
  }
}
if (results.windows.length === 2 * PAIRS && !results.windows.some((w) => w.invalid)) {
  results.cpu = {
    noShare: mean(off.map((w) => w.plenumdCpu)),
    share: mean(on.map((w) => w.plenumdCpu)),
  };
  results.cpu.ratio = results.cpu.share / results.cpu.noShare;
  console.log(`\nmean: no share ${f(results.cpu.noShare)} %, share ${f(results.cpu.share)} %, share/no share ${f(results.cpu.ratio, 2)}x ` +
    `(+${f(results.cpu.share - results.cpu.noShare)} % of a core)`);
}
if (results.documents.length) {
  console.log('\n| PDF | upload→201 (ms) | upload→page 1 seen (ms) | turn→seen median / max (ms) | each turn (ms) | pages 2–6 rendered before the turn | plenumd: checked / page 1 / all pages (ms) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const d of results.documents) {
    console.log(`| ${d.pages} pages (${Math.round(d.bytes / 1024)} kB) | ${d.answerMs} | ${d.page1Ms} | ${d.turnMedianMs} / ${d.turnMaxMs} | ` +
      `${d.turns.map((t) => t.ms).join(', ')} | ${d.turns.map((t) => (t.renderedBefore ? 'y' : 'n')).join(' ')} | ` +
      `${d.serverCheckedMs ?? '-'} / ${d.serverPage1Ms ?? '-'} / ${d.serverAllPagesMs ?? 'not all'} |`);
  }
  console.log('\nturn signalled (key press → Gruen got `presentation` with the page): ' +
    results.documents.map((d) => `${d.pages} pages ${d.turns.map((t) => t.signalledMs ?? '-').join(', ')} ms`).join('; '));
  console.log('composite at Gruen from the upload to the last turn: ' +
    results.documents.map((d) => `${d.pages} pages ${received(d.received)}`).join('; '));
}
if (results.logProblems && results.logProblems.length) console.log(`\nplenumd logged:\n${results.logProblems.join('\n')}`);
if (failure) results.failure = String(failure.message || failure);
if (OUT) {
  fs.writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten: ${OUT}`);
}
process.exit(failure ? 1 : 0);
