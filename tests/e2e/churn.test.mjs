// SPDX-License-Identifier: EUPL-1.2
// Join/leave churn with raw WebSocket clients only (no browsers), none of which ever answers the
// server's SDP offer (issue "one client that never answers the offer freezes the whole server").
//
// 10 rounds (E2E_CHURN_ROUNDS); in each, 4 rooms × 6 clients (the same 4 room names every round,
// so rooms close and open again) send `join` in the same instant. Every client's way out is drawn
// (seeded: E2E_CHURN_SEED) from a mix:
//   - on its offer: `leave`, WebSocket close, TCP reset (terminate);
//   - 0.3–2 s after its offer (pinging meanwhile): the same three;
//   - mute: after `join` it sends nothing at all (no ping, no leave), so the server drops it
//     after signaling.timeout-ms (8 s), while the next rounds join the same rooms;
//   - before its offer (right after sending `join`): `leave`, close, reset. These are not counted
//     for the offer timing.
// Asserted: every counted join gets its `offer` within 20 s (the time from sending `join` to
// the offer's arrival is recorded); /healthz (asked every 500 ms in the background) always
// answers 200 {"status":"ok"} (plenumd says unhealthy when its conference thread has not
// answered within 5 s); at the end /healthz counts no room and no participant,
// the mute clients were dropped by the server, and a fresh client in each of the 4 rooms is
// alone there (`joined` lists only itself) and gets its offer.
// Prints one line "churn: ..." with the offer latency p50/p95/max (0.6-2.3 s p95 measured on 2
// cores); E2E_CHURN_P95_MS=N also asserts p95 < N ms: not by default, since a loaded machine
// cannot keep such a margin.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { startServer } from './lib/server.mjs';
import { RawClient } from './lib/wsclient.mjs';
import { HealthWatch } from './lib/health.mjs';
import { log, randomId, sleep, waitFor } from './lib/util.mjs';

const ROUNDS = Number(process.env.E2E_CHURN_ROUNDS || 10);
const ROOMS = 4;
const PER_ROOM = 6;
const OFFER_HARD_MS = 20000;
const P95_LIMIT_MS = process.env.E2E_CHURN_P95_MS ? Number(process.env.E2E_CHURN_P95_MS) : null;
const CLOSE_LIMIT_MS = 10000; // the server closes after `leave` / after the client's close frame
const MUTE_DROP_LIMIT_MS = 8000 + 12000; // signaling.timeout-ms (8 s) plus slack
const SEED = Number(process.env.E2E_CHURN_SEED || Math.floor(Math.random() * 2 ** 31));

// One round's 24 ways out (shuffled per round): 17 counted (9 on the offer, 6 late, 2 mute), 7 early.
const POOL = [
  'leave', 'leave', 'leave', 'close', 'close', 'close', 'reset', 'reset', 'reset',
  'late-leave', 'late-leave', 'late-close', 'late-close', 'late-reset', 'late-reset',
  'mute', 'mute',
  'early-leave', 'early-leave', 'early-close', 'early-close', 'early-reset', 'early-reset', 'early-reset',
];
if (POOL.length !== ROOMS * PER_ROOM) throw new Error('POOL must hold one entry per client of a round');

/** mulberry32: a small seeded PRNG, so that a failing mix can be run again (E2E_CHURN_SEED). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(list, rnd) {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Nearest-rank percentile of a sorted array. */
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN);

describe('join/leave churn of clients that never answer the offer', { timeout: 600000 }, () => {
  let server;
  let health;
  let failed = false;
  const tag = randomId(6);
  const roomNames = Array.from({ length: ROOMS }, (_, i) => `churn-${tag}-${i}`);
  const all = []; // every client of the run
  const mutes = []; // { c, joinedAt (ms, performance.now) }
  const latencies = []; // counted joins: join sent -> offer arrived (ms)
  const problems = []; // everything that went wrong, one line each
  const perRound = []; // { round, ms, counted, early, p50, max }
  let roundsDone = 0;

  async function report(headline) {
    const lines = [`==== ${headline}`];
    if (server) {
      lines.push(`---- plenumd log tail (${server.logFile})`, server.logTail(80));
      // gdb stops plenumd for seconds: /healthz answers meanwhile say nothing about the server.
      const stacks = await (health ? health.whilePaused(() => server.dumpStacks()) : server.dumpStacks());
      if (stacks) lines.push(`---- plenumd threads' backtraces written to ${stacks}`);
    }
    log(lines.join('\n'));
  }

  /** A connected raw client; records when its (first) offer arrives. */
  async function connect(label, autoPing) {
    const c = new RawClient(server.wsUrl, { label, autoPing });
    all.push(c);
    await c.connect(15000);
    c.ws.on('message', (data) => {
      if (c.offerAt !== undefined) return;
      try {
        if (JSON.parse(data.toString()).type === 'offer') c.offerAt = performance.now();
      } catch { /* not JSON: RawClient keeps it as unparsed */ }
    });
    return c;
  }

  /** Waits (≤ `timeout`) until `c` is closed; false if it is not. */
  const closedWithin = (c, timeout) => waitFor(() => c.closed, { timeout, interval: 25, message: `${c.label} closed` }).then(() => true, () => false);

  /** Leaves the way `how` says ('leave' | 'close' | 'reset'). */
  async function goAway(c, how) {
    if (how === 'reset') { c.terminate(); return; }
    if (how === 'leave') {
      if (c.isOpen) c.send({ type: 'leave' });
    } else {
      c.close();
    }
    if (!(await closedWithin(c, CLOSE_LIMIT_MS))) problems.push(`${c.label}: connection still open ${CLOSE_LIMIT_MS} ms after ${how}`);
    c.terminate();
  }

  /** Waits for `c`'s offer (≤ OFFER_HARD_MS from its join); returns the latency or null (a problem is recorded). */
  async function offerOf(c) {
    try {
      await waitFor(() => {
        if (c.offerAt !== undefined) return true;
        health.check(`${c.label} waiting for its offer`);
        const err = c.messages.find((m) => m.type === 'error');
        if (err) throw Object.assign(new Error(`error ${JSON.stringify(err)}`), { fatal: true });
        if (c.closed) throw Object.assign(new Error(`connection closed ${JSON.stringify(c.closed)}`), { fatal: true });
        return false;
      }, { timeout: Math.max(1, OFFER_HARD_MS - (performance.now() - c.joinAt)), interval: 10, message: `${c.label}: offer`,
        describe: () => JSON.stringify(c.messages.map((m) => m.type)) });
    } catch (e) {
      problems.push(`${c.label}: no offer ${Math.round(performance.now() - c.joinAt)} ms after join: ${e.message}`);
      return null;
    }
    return c.offerAt - c.joinAt;
  }

  async function runClient(c, how, rnd) {
    if (how.startsWith('early-')) {
      await goAway(c, how.slice('early-'.length));
      return;
    }
    const ms = await offerOf(c);
    if (ms !== null) {
      latencies.push(ms);
      c.latency = ms;
      if (!c.messages.some((m) => m.type === 'joined')) problems.push(`${c.label}: offer without joined`);
    }
    if (how === 'mute') {
      mutes.push(c);
      return; // never sends anything again; the server must drop it (signaling.timeout-ms)
    }
    if (how.startsWith('late-')) {
      await sleep(300 + Math.floor(rnd() * 1700));
      how = how.slice('late-'.length);
    }
    await goAway(c, how);
  }

  before(async () => {
    server = await startServer();
    health = new HealthWatch(server, { interval: 500, limitMs: 8000 }).start();
    log(`churn: seed ${SEED} (E2E_CHURN_SEED=${SEED} repeats this mix), rooms ${roomNames.join(', ')}`);
  }, { timeout: 60000 });

  after(async () => {
    for (const c of all) c.terminate();
    if (health) {
      await health.stop();
      log(`/healthz: ${health.summary()}`);
    }
    if (server) {
      const keep = failed || process.env.E2E_KEEP_TMP === '1';
      const exit = server.exited;
      if (exit) log(`plenumd had already exited: ${JSON.stringify(exit)}\n${server.logTail(80)}`);
      await server.stop({ keepTmp: keep });
      if (keep) log(`plenumd log kept at ${server.logFile}`);
    }
  }, { timeout: 150000 });

  it(`${ROUNDS} rounds of ${ROOMS} rooms × ${PER_ROOM} clients: every join gets its offer, /healthz stays ok`, { timeout: 480000 }, async (t) => {
    const rnd = prng(SEED);
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const t0 = performance.now();
        const ways = shuffle(POOL, rnd);
        const before = { problems: problems.length, latencies: latencies.length };
        const cs = await Promise.all(ways.map((how, k) => connect(`r${r}-${roomNames[k % ROOMS].slice(-1)}-${k}-${how}`, how !== 'mute')));
        // All joins in the same instant; each one's clock starts when its frame is handed over.
        const sent = cs.map((c, k) => new Promise((resolve) => {
          c.joinAt = performance.now();
          c.ws.send(JSON.stringify({ type: 'join', room: roomNames[k % ROOMS], name: `c${r}-${k}` }), () => resolve());
        }));
        await Promise.all(sent);
        await Promise.all(cs.map((c, k) => runClient(c, ways[k], rnd)));
        const mine = latencies.slice(before.latencies).sort((a, b) => a - b);
        const ms = Math.round(performance.now() - t0);
        perRound.push({ round: r, ms, counted: mine.length, p50: Math.round(pct(mine, 50)), max: Math.round(pct(mine, 100)) });
        t.diagnostic(`round ${r}: ${ms} ms; ${mine.length} offers, p50 ${Math.round(pct(mine, 50))} ms, max ${Math.round(pct(mine, 100))} ms; ` +
          `${problems.length - before.problems} problems; /healthz ${health.last ? `${health.last.status} ${JSON.stringify(health.last.body)}` : '-'}`);
        roundsDone = r + 1;
        // Stop at the first bad round: a stuck server would make each further round wait 20 s per client.
        if (problems.length > before.problems || health.failed) break;
      }
    } catch (e) {
      problems.push(`round ${roundsDone}: ${e.message}`);
    }
    if (problems.length || health.failed) {
      failed = true;
      await report(`churn failed in round ${roundsDone}: ${problems.length} problems, /healthz ${health.summary()}`);
    }
    for (const p of problems.slice(0, 30)) t.diagnostic(`PROBLEM: ${p}`);
    assert.equal(health.failures.length, 0, `/healthz not ok during the churn: ${health.summary()}`);
    assert.deepEqual(problems, [], `${problems.length} problems:\n${problems.slice(0, 30).join('\n')}`);
    assert.equal(roundsDone, ROUNDS, 'rounds done');
  });

  it('at the end no room and no participant is left', { timeout: 120000 }, async (t) => {
    if (failed) { t.skip('the churn failed'); return; }
    try {
      // The mute clients are dropped by the server (no message for signaling.timeout-ms).
      const dropped = await Promise.all(mutes.map((c) => closedWithin(c, MUTE_DROP_LIMIT_MS)));
      const notDropped = mutes.filter((_, i) => !dropped[i]).map((c) => c.label);
      assert.deepEqual(notDropped, [], 'mute clients the server never dropped');
      t.diagnostic(`${mutes.length} mute clients were dropped by the server`);
      const t0 = Date.now();
      const counts = await health.waitCounts({ rooms: 0, participants: 0 }, { timeout: 20000 });
      t.diagnostic(`/healthz ${JSON.stringify(counts)} (${Date.now() - t0} ms after the mute clients were gone)`);
      // A fresh client in each of the 4 rooms is alone there and gets its offer.
      await Promise.all(roomNames.map(async (room, i) => {
        const c = await connect(`fresh-${i}`, true);
        c.joinAt = performance.now();
        c.send({ type: 'join', room, name: `fresh-${i}` });
        const j = await c.nextOfType(['joined', 'error'], { timeout: OFFER_HARD_MS });
        assert.equal(j.type, 'joined', `fresh client in ${room}: ${JSON.stringify(j)}`);
        assert.deepEqual(j.participants.map((p) => p.id), [j.participantId], `fresh client in ${room} is alone: ${JSON.stringify(j.participants)}`);
        const ms = await offerOf(c);
        assert.notEqual(ms, null, `fresh client in ${room}: offer (${problems.join('; ')})`);
        t.diagnostic(`fresh client in ${room}: alone in joined, offer after ${Math.round(ms)} ms`);
        await goAway(c, 'leave');
      }));
      const end = await health.waitCounts({ rooms: 0, participants: 0 }, { timeout: 20000 });
      t.diagnostic(`/healthz at the end: ${JSON.stringify(end)}`);
      assert.deepEqual(problems, [], problems.join('\n'));
      assert.equal(health.failures.length, 0, `/healthz not ok: ${health.summary()}`);
    } catch (e) {
      failed = true;
      await report(`end check failed: ${e.message}`);
      throw e;
    }
  });

  it('offer latency', (t) => {
    const sorted = [...latencies].sort((a, b) => a - b);
    const f = (x) => (Number.isFinite(x) ? Math.round(x) : 'n/a');
    const line = `churn: rounds=${roundsDone}/${ROUNDS} offers=${sorted.length} p50=${f(pct(sorted, 50))}ms p95=${f(pct(sorted, 95))}ms ` +
      `max=${f(pct(sorted, 100))}ms over3s=${sorted.filter((x) => x > 3000).length} problems=${problems.length} healthz: ${health ? health.summary() : '-'} seed=${SEED}`;
    console.log(line);
    t.diagnostic(line);
    if (P95_LIMIT_MS !== null) {
      assert.ok(sorted.length > 0, 'no offer measured');
      assert.ok(pct(sorted, 95) < P95_LIMIT_MS, `offer latency p95 ${Math.round(pct(sorted, 95))} ms >= E2E_CHURN_P95_MS ${P95_LIMIT_MS}`);
    }
  });
});
