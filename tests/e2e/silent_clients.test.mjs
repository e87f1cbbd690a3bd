// SPDX-License-Identifier: EUPL-1.2
// Clients that join and never answer the server's SDP offer (a tab closed while connecting, a
// script) must not disturb anybody (issue "one client that never answers the offer freezes the
// whole server": such clients stalled the room's shared encoders, and when one of them closed,
// the conference thread blocked for good and /healthz answered "unhealthy").
//
// Two real browsers, Rot and Gruen, hold a call in an ad-hoc room throughout. Beside them, raw
// WebSocket clients join (the browsers' room and a second room of their own) and never answer
// the offer. They go away
//   - at different times: right after sending `join` (before the offer), on `joined` (while the
//     offer is being made), on `offer`, or some seconds after the offer (pinging meanwhile);
//   - in different ways: `{"type":"leave"}`, a normal WebSocket close, a TCP reset (terminate);
//   - 1, 2 or 10 at once.
// /healthz is asked every 500 ms in the background for the whole file: every answer must be 200
// {"status":"ok"} within 5 s. A silent client that waits for its offer must get it within 15 s
// (one client's unanswered offer must not hold up the next joiner's). After each variant: the
// silent clients are gone (/healthz counts one room with the two browsers; the browsers'
// participant lists name only Rot and Gruen), a fresh client joining a new room gets its `offer`
// within 15 s, and the browsers still see each other's colour and hear each other's tone (with
// the composite's layout as before). While the "after the offer" clients wait, the browsers must
// see and hear each other too, and neither their picture nor their sound may stop for more than
// 2.5 s at any time (E2E_FREEZE_LIMIT_MS; frames and audio packets counted in the pages every
// 200 ms). A failed variant does not stop the next ones, a failed /healthz does.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { summarize } from './lib/browser.mjs';
import { RawClient } from './lib/wsclient.mjs';
import { HealthWatch } from './lib/health.mjs';
import { log, randomId, sleep, waitFor } from './lib/util.mjs';

const [ROT, GRUEN] = PARTICIPANTS;
const PAIR = [ROT, GRUEN];
const others = (me) => PAIR.filter((p) => p !== me);

const OFFER_LIMIT_MS = 15000; // a silent or fresh client's `joined`/`offer` must come within this
const AFTER_OFFER_MS = 3000; // "some seconds after the offer" (the repro: 3 s)
const CLOSE_LIMIT_MS = 10000; // the server closes the connection after `leave` / answers a close
const GONE_LIMIT_MS = 20000; // silent clients gone from /healthz and the browsers' lists
const MEDIA_LIMIT_MS = 30000;
const STAGGER_MS = 150; // silent clients of one variant start this far apart
// The browsers' picture and sound must not freeze: the longest time without a new composite frame
// (video element) or a new audio packet (getStats), sampled every 200 ms in each page.
const FREEZE_LIMIT_MS = Number(process.env.E2E_FREEZE_LIMIT_MS || 2500);

/**
 * In-page: counts the composite's decoded frames and the received audio packets every 200 ms and
 * keeps the longest stretch without a new one. cmd 'start' (once), 'reset' (a new stretch starts
 * now), 'read'. Returns { video: {maxGap, gaps}, audio: {maxGap, gaps} } (gaps over 1 s, with their
 * end time).
 */
function pageFlowMonitor(cmd) {
  const st = (window.__e2eFlow ||= {});
  const fresh = () => ({ last: null, at: performance.now(), maxGap: 0, gaps: [] });
  if (cmd === 'start' && !st.timer) {
    st.video = fresh();
    st.audio = fresh();
    const note = (o, value, now) => {
      if (value === null || value === o.last) return;
      const gap = now - o.at;
      if (o.last !== null) {
        o.maxGap = Math.max(o.maxGap, gap);
        if (gap > 1000) o.gaps.push({ ms: Math.round(gap), until: new Date().toISOString().slice(11, 23) });
      }
      o.last = value;
      o.at = now;
    };
    st.timer = setInterval(async () => {
      const v = document.getElementById('composite');
      const q = v && v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : null;
      note(st.video, q, performance.now());
      const pc = window.plenum && window.plenum.pc;
      if (!pc) return;
      try {
        const stats = await pc.getStats();
        let packets = null;
        stats.forEach((x) => { if (x.type === 'inbound-rtp' && x.kind === 'audio') packets = x.packetsReceived; });
        note(st.audio, packets, performance.now());
      } catch { /* closed */ }
    }, 200);
  }
  if (!st.timer) return { error: 'monitor not started' };
  const now = performance.now();
  const view = (o) => ({ maxGap: Math.round(Math.max(o.maxGap, o.last === null ? 0 : now - o.at)), gaps: o.gaps.slice(-5) });
  const out = { video: view(st.video), audio: view(st.audio) };
  if (cmd === 'reset') {
    for (const o of [st.video, st.audio]) { o.maxGap = 0; o.gaps = []; o.at = now; }
  }
  return out;
}

// Timings: 'before' = leave right after sending join; 'joined' = on `joined` (the offer is being
// made); 'offer' = right on `offer`; 'after' = AFTER_OFFER_MS after `offer`.
// Ways: 'leave' = {"type":"leave"}; 'close' = WebSocket close; 'reset' = TCP reset (terminate).
// Rooms: 'call' = the browsers' room; 'other' = a second room with silent clients only.
const TIMINGS = ['before', 'joined', 'offer', 'after'];
const HOWS = ['leave', 'close', 'reset'];
const spec = (timing, how, room) => ({ timing, how, room });
const VARIANTS = [
  { name: '1 before the offer, TCP reset, call room', clients: [spec('before', 'reset', 'call')] },
  { name: '2 before the offer, leave + close, other room', clients: [spec('before', 'leave', 'other'), spec('before', 'close', 'other')] },
  { name: '1 while the offer is made, close, other room', clients: [spec('joined', 'close', 'other')] },
  { name: '1 right on the offer, leave, call room', clients: [spec('offer', 'leave', 'call')] },
  { name: '2 right on the offer, reset + close, other room', clients: [spec('offer', 'reset', 'other'), spec('offer', 'close', 'other')] },
  { name: '1 after the offer, close, call room', clients: [spec('after', 'close', 'call')] },
  // The repro: two clients 300 ms apart in a room of their own, gone 3 s after the offer.
  { name: '2 after the offer, close + close, other room (the repro)', stagger: 300, clients: [spec('after', 'close', 'other'), spec('after', 'close', 'other')] },
  // The second joins 300 ms after the first got its offer: it meets a client that has an
  // unanswered offer for sure (above, on a busy machine, both offers may still be in the making).
  { name: '2 after the offer, the second joins once the first has its offer, leave + reset, other room', sequential: true, stagger: 300, clients: [spec('after', 'leave', 'other'), spec('after', 'reset', 'other')] },
  { name: '2 after the offer, the second joins once the first has its offer, reset + leave, call room', sequential: true, stagger: 300, clients: [spec('after', 'reset', 'call'), spec('after', 'leave', 'call')] },
  { name: '10 mixed: all timings, ways and both rooms', clients: Array.from({ length: 10 }, (_, i) => spec(TIMINGS[i % 4], HOWS[i % 3], i % 2 ? 'other' : 'call')) },
  { name: '10 after the offer, all ways, both rooms', clients: Array.from({ length: 10 }, (_, i) => spec('after', HOWS[i % 3], i % 2 ? 'other' : 'call')) },
];

describe('silent clients (join, never answer the offer)', { timeout: 420000 }, () => {
  const s = new Session(PAIR, { roomPrefix: 'e2e-silent' });
  const otherRoom = `silent-${randomId(8)}`;
  const clients = [];
  let health;
  let callUp = false;
  const callUpColors = {}; // name -> composite colour fractions once the call was up (2 tiles)
  const offerMs = []; // silent and fresh clients: join -> offer

  // A failed variant does not stop the next ones (each tells something of its own), unless the
  // call never came up or /healthz failed (a stuck server fails everything after it).
  const keepGoing = () => callUp && !!health && !health.failed;

  /** Waits for the first message of `type` on `c`; fails at once if /healthz failed or `c` closed. */
  function waitType(c, type, timeout = OFFER_LIMIT_MS) {
    return waitFor(() => {
      health.check(`${c.label} waiting for ${type}`);
      const m = c.messages.find((x) => x.type === type);
      if (m) return m;
      const err = c.messages.find((x) => x.type === 'error');
      if (err) throw Object.assign(new Error(`${c.label}: error ${JSON.stringify(err)} while waiting for ${type}`), { fatal: true });
      if (c.closed) throw Object.assign(new Error(`${c.label}: closed ${JSON.stringify(c.closed)} while waiting for ${type}`), { fatal: true });
      return null;
    }, { timeout, interval: 25, message: `${c.label}: ${type}`, describe: () => JSON.stringify(c.messages.map((m) => m.type)) });
  }

  async function newClient(label) {
    const c = new RawClient(s.server.wsUrl, { label, autoPing: true });
    clients.push(c);
    await c.connect();
    return c;
  }

  /** Sends `join` and resolves once the frame is handed to the kernel (so a reset after it cannot swallow it). */
  const sendJoin = (c, room) => new Promise((resolve) => {
    c.ws.send(JSON.stringify({ type: 'join', room, name: c.label }), () => resolve(Date.now()));
  });

  /** Leaves the way `how` says; notes a connection the server does not close. */
  async function goAway(c, how, problems) {
    if (how === 'reset') { c.terminate(); return; }
    if (how === 'leave') {
      if (c.isOpen) c.send({ type: 'leave' });
    } else {
      c.close();
    }
    try {
      await waitFor(() => c.closed, { timeout: CLOSE_LIMIT_MS, interval: 25, message: `${c.label}: connection closed after ${how}` });
    } catch (e) {
      problems.push(`${c.label}: connection still open ${CLOSE_LIMIT_MS} ms after ${how}`);
    }
    c.terminate();
  }

  /**
   * One silent client: join, wait as its timing says (never answering), go away. `settled()` is
   * called once its offer came or was given up on (or at once for 'before'/'joined').
   * Returns { problems, notes }.
   */
  async function silent(v, i, { room, timing, how }, { mid, settled }) {
    const label = `silent-v${v}-${i}-${timing}-${how}-${room}`;
    const problems = [];
    const notes = [];
    try {
      const c = await newClient(label);
      const t0 = await sendJoin(c, room === 'call' ? s.room : otherRoom);
      if (timing !== 'before') {
        const want = timing === 'joined' ? 'joined' : 'offer';
        try {
          await waitType(c, want);
          if (want === 'offer') {
            offerMs.push(Date.now() - t0);
            notes.push(`${label}: offer after ${Date.now() - t0} ms`);
          }
        } catch (e) {
          if (health.failed) throw e;
          problems.push(`${label}: no ${want}: ${e.message}`);
        }
        settled();
        if (timing === 'after') await Promise.allSettled([sleep(AFTER_OFFER_MS), mid]);
      }
      settled();
      await goAway(c, how, problems);
    } finally {
      settled();
    }
    return { problems, notes };
  }

  /** A fresh client joins `room`, must get `joined` and `offer` within 15 s; then leaves. Returns { joined, ms }. */
  async function fresh(room, label) {
    const c = await newClient(label);
    const t0 = await sendJoin(c, room);
    const joined = await waitType(c, 'joined');
    await waitType(c, 'offer', Math.max(1, OFFER_LIMIT_MS - (Date.now() - t0)));
    const ms = Date.now() - t0;
    offerMs.push(ms);
    const problems = [];
    await goAway(c, 'leave', problems);
    if (problems.length) throw new Error(problems.join('; '));
    return { joined, ms };
  }

  /** The composite looks as when the call came up (two tiles; no tiles of leftover clients). */
  const sameLayout = (me, m) => {
    health.check('browsers after the variant');
    const base = callUpColors[me.name];
    return PAIR.every((p) => Math.abs(m.colors[p.color] / base[p.color] - 1) < 0.15) && Math.abs(m.colors.dark - base.dark) < 0.08;
  };

  /** Each browser's longest freeze of picture and sound since the last call; starts a new stretch. */
  async function flowCheck(problems, out) {
    for (const b of s.active) {
      const f = await b.page.evaluate(pageFlowMonitor, 'reset').catch((e) => ({ error: String(e) }));
      if (f.error) { problems.push(`${b.name}: flow monitor: ${f.error}`); continue; }
      out.push(`${b.name}: longest stretch without a new composite frame ${f.video.maxGap} ms, without an audio packet ${f.audio.maxGap} ms`);
      if (f.video.maxGap > FREEZE_LIMIT_MS) problems.push(`${b.name}: the picture froze for ${f.video.maxGap} ms (> ${FREEZE_LIMIT_MS}): ${JSON.stringify(f.video.gaps)}`);
      if (f.audio.maxGap > FREEZE_LIMIT_MS) problems.push(`${b.name}: the sound stopped for ${f.audio.maxGap} ms (> ${FREEZE_LIMIT_MS}): ${JSON.stringify(f.audio.gaps)}`);
    }
  }

  /** Checks after a variant; returns lines for t.diagnostic. */
  async function checkAfter(label) {
    const out = [];
    health.check(label);
    const f = await fresh(`fresh-${randomId(6)}`, `fresh-${label}`);
    out.push(`fresh client in a new room: offer after ${f.ms} ms`);
    const t0 = Date.now();
    const counts = await health.waitCounts({ rooms: 1, participants: 2 }, { timeout: GONE_LIMIT_MS });
    out.push(`/healthz back to ${JSON.stringify({ rooms: counts.rooms, participants: counts.participants })} after ${Date.now() - t0} ms`);
    const ms = await s.waitParticipants(PAIR.map((p) => p.name), { timeout: GONE_LIMIT_MS });
    out.push(`browsers list [Rot, Gruen] (${ms} ms)`);
    const r = await s.waitMedia({ label: `after ${label}`, visible: others, audible: others, inaudible: (me) => [me], extra: sameLayout, timeout: MEDIA_LIMIT_MS });
    for (const [name, { ms: m2, m }] of Object.entries(r)) out.push(`${name}: sees and hears the other (${m2} ms): ${summarize(m)}`);
    health.check(label);
    return out;
  }

  before(async () => {
    await s.start();
    health = new HealthWatch(s.server, { interval: 500, limitMs: 8000 }).start();
    // A failed step's report takes plenumd's backtraces with gdb, which stops it for seconds:
    // /healthz answers meanwhile say nothing about the server.
    const report = s.report.bind(s);
    s.report = (headline) => health.whilePaused(() => report(headline));
    await s.joinAll();
  }, { timeout: 120000 });

  after(async () => {
    for (const c of clients) c.terminate();
    if (health) {
      await health.stop();
      log(`/healthz: ${health.summary()}`);
    }
    await s.stop();
  }, { timeout: 150000 });

  it('Rot and Gruen see and hear each other', { timeout: 150000 }, async (t) => {
    await s.step(t, 'call up', async () => {
      await s.waitParticipants(PAIR.map((p) => p.name), { timeout: 60000 });
      const r = await s.waitMedia({ label: 'call up', visible: () => PAIR, audible: others, inaudible: (me) => [me], timeout: 90000 });
      for (const [name, { ms, m }] of Object.entries(r)) {
        callUpColors[name] = m.colors;
        t.diagnostic(`${name}: media OK after ${ms} ms: ${summarize(m)}`);
      }
      await health.waitCounts({ rooms: 1, participants: 2 }, { timeout: 10000 });
      health.check('call up');
      for (const b of s.active) await b.page.evaluate(pageFlowMonitor, 'start');
      callUp = true;
    });
  });

  VARIANTS.forEach((variant, v) => {
    it(`silent clients: ${variant.name}`, { timeout: 120000 }, async (t) => {
      await s.step(t, `variant ${v}: ${variant.name}`, async () => {
        const t0 = Date.now();
        const stagger = variant.stagger ?? STAGGER_MS;
        // A new stretch for the freeze check (a failed step's gdb backtraces stopped plenumd).
        for (const b of s.active) await b.page.evaluate(pageFlowMonitor, 'reset').catch(() => {});
        // Clients that stay past their offer wait (besides AFTER_OFFER_MS) until the browsers
        // were seen to see and hear each other with them in the rooms.
        const anyAfter = variant.clients.some((c) => c.timing === 'after');
        let releaseMid;
        const offersIn = new Promise((r) => { releaseMid = r; });
        const mid = anyAfter ? offersIn.then(() => s.waitMedia({
          label: `during ${variant.name}`, visible: others, audible: others, inaudible: (me) => [me], timeout: MEDIA_LIMIT_MS,
          extra: () => { health.check('browsers during the variant'); return true; },
        })) : Promise.resolve(null);
        mid.catch(() => {}); // awaited below
        // Each client's "offer came or was given up on"; with `sequential` a client joins only
        // once the one before it has its offer (then a joiner meets a silent client for sure).
        const settledFns = [];
        const settledAll = variant.clients.map(() => new Promise((r) => settledFns.push(r)));
        const runs = variant.clients.map(async (cs, i) => {
          if (variant.sequential && i > 0) await settledAll[i - 1];
          await sleep(variant.sequential ? (i ? stagger : 0) : i * stagger);
          return silent(v, i, cs, { mid, settled: settledFns[i] });
        });
        // The browsers' check during the variant starts once every client has its offer (or
        // gave up on it): all the silent clients that stay are in the rooms then.
        Promise.all(settledAll).then(releaseMid);
        const results = await Promise.allSettled(runs);
        const problems = [];
        for (const r of results) {
          if (r.status === 'rejected') problems.push(r.reason.message);
          else {
            problems.push(...r.value.problems);
            for (const n of r.value.notes) t.diagnostic(n);
          }
        }
        const midR = await Promise.allSettled([mid]);
        if (midR[0].status === 'rejected') problems.push(`browsers during the variant: ${midR[0].reason.message}`);
        else if (midR[0].value) {
          for (const [name, { ms, m }] of Object.entries(midR[0].value)) t.diagnostic(`during: ${name} sees and hears the other (${ms} ms): ${summarize(m)}`);
        }
        t.diagnostic(`${variant.clients.length} silent client(s) came and went in ${Date.now() - t0} ms`);
        // The checks afterwards run also when something went wrong above: they tell whether the
        // server recovered once the silent clients were gone.
        try {
          for (const line of await checkAfter(`v${v}`)) t.diagnostic(line);
        } catch (e) {
          problems.push(`after the variant: ${e.message}`);
        }
        const flow = [];
        await flowCheck(problems, flow);
        for (const line of flow) t.diagnostic(line);
        for (const p of problems) t.diagnostic(`PROBLEM: ${p}`);
        assert.deepEqual(problems, [], `variant "${variant.name}":\n${problems.join('\n')}`);
      }, { always: keepGoing() });
    });
  });

  it('no silent client is left; /healthz was ok throughout', { timeout: 90000 }, async (t) => {
    await s.step(t, 'end', async () => {
      for (const b of s.active) await b.page.evaluate(pageFlowMonitor, 'reset').catch(() => {});
      for (const c of clients) {
        assert.ok(c.closed, `${c.label}: connection still open`);
      }
      // A fresh client in the browsers' room sees exactly Rot, Gruen and itself.
      const f = await fresh(s.room, 'fresh-call-room');
      const names = f.joined.participants.map((p) => p.name).sort();
      t.diagnostic(`fresh client in the call room: joined lists ${JSON.stringify(names)}; offer after ${f.ms} ms`);
      assert.deepEqual(names, [GRUEN.name, ROT.name, 'fresh-call-room'].sort(), 'joined.participants of a fresh client in the call room');
      const counts = await health.waitCounts({ rooms: 1, participants: 2 }, { timeout: GONE_LIMIT_MS });
      t.diagnostic(`/healthz: ${JSON.stringify(counts)}`);
      await s.waitParticipants(PAIR.map((p) => p.name), { timeout: GONE_LIMIT_MS });
      const sorted = [...offerMs].sort((a, b) => a - b);
      if (sorted.length) {
        t.diagnostic(`offers to silent/fresh clients: n=${sorted.length} median=${sorted[sorted.length >> 1]} ms max=${sorted[sorted.length - 1]} ms`);
      }
      const flowProblems = [];
      const flow = [];
      await flowCheck(flowProblems, flow);
      for (const line of flow) t.diagnostic(line);
      assert.deepEqual(flowProblems, [], 'picture and sound did not stop');
      t.diagnostic(`/healthz: ${health.summary()}`);
      assert.equal(health.failures.length, 0, `/healthz not ok: ${health.summary()}`);
      assert.equal(s.server.exited, null, 'plenumd still running');
    }, { always: keepGoing() });
  });
});
