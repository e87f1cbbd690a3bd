// SPDX-License-Identifier: EUPL-1.2
// Background /healthz watcher: asks plenumd's /healthz every `interval` ms (one request at a
// time) for as long as a test runs, and remembers every answer that was not
// 200 + {"status":"ok"} or took longer than `limitMs` (or did not come at all).
// The body carries the conference's counts too ({"rooms": n, "participants": n}: participants
// including those waiting in a lobby), which tests use to check that nobody is left behind.
import { sleep, waitFor, log } from './util.mjs';

/** One GET /healthz: { ok, status, body, ms, error }. Never throws. */
export async function getHealth(server, limitMs = 8000) {
  const t0 = Date.now();
  try {
    const r = await fetch(`${server.httpUrl}/healthz`, { signal: AbortSignal.timeout(limitMs), cache: 'no-store' });
    const text = await r.text();
    let body = null;
    try { body = JSON.parse(text); } catch { body = { unparsed: text.slice(0, 200) }; }
    const ms = Date.now() - t0;
    return { ok: r.status === 200 && !!body && body.status === 'ok' && ms <= limitMs, status: r.status, body, ms };
  } catch (e) {
    return { ok: false, status: null, body: null, ms: Date.now() - t0, error: e.name === 'TimeoutError' ? `no answer within ${limitMs} ms` : String(e.message || e) };
  }
}

export class HealthWatch {
  constructor(server, { interval = 500, limitMs = 8000, label = 'healthz' } = {}) {
    this.server = server;
    this.interval = interval;
    this.limitMs = limitMs;
    this.label = label;
    this.polls = 0;
    this.maxMs = 0;
    this.failures = []; // { at (ISO time), status, body, ms, error }
    this.last = null;
    this.running = false;
    this.paused = 0; // > 0: answers are not judged (e.g. while gdb holds plenumd for a backtrace)
    this.pauseGen = 0;
  }

  /** Stops judging answers until resume() (answers in flight when it is called are dropped too). */
  pause() { this.paused++; this.pauseGen++; }

  resume() { this.paused = Math.max(0, this.paused - 1); }

  /** Runs `fn` (e.g. a gdb backtrace, which stops plenumd for seconds) with judging paused. */
  async whilePaused(fn) {
    this.pause();
    try { return await fn(); } finally { this.resume(); }
  }

  start() {
    if (this.running) return this;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        if (this.paused) { await sleep(this.interval); continue; }
        const gen = this.pauseGen;
        const r = await getHealth(this.server, this.limitMs);
        if (!this.running) break;
        if (this.paused || gen !== this.pauseGen) continue;
        this.polls++;
        this.maxMs = Math.max(this.maxMs, r.ms);
        this.last = r;
        if (!r.ok) {
          const f = { at: new Date().toISOString().slice(11, 23), status: r.status, body: r.body, ms: r.ms, error: r.error };
          this.failures.push(f);
          if (this.failures.length <= 5) log(`${this.label}: NOT ok: ${JSON.stringify(f)}`);
        }
        await sleep(this.interval);
      }
    })();
    return this;
  }

  async stop() {
    this.running = false;
    await this.loop;
  }

  get failed() { return this.failures.length > 0; }

  summary() {
    const f = this.failures;
    return `${this.polls} polls, slowest ${this.maxMs} ms, ${f.length} not ok` +
      (f.length ? ` (first at ${f[0].at}: ${JSON.stringify(f[0])}; last at ${f[f.length - 1].at}: ${JSON.stringify(f[f.length - 1])})` : '');
  }

  /** Throws (with `fatal: true`, which ends a waitFor at once) if any answer so far was not ok. */
  check(what = '') {
    if (!this.failed) return;
    throw Object.assign(new Error(`/healthz failed${what ? ` (${what})` : ''}: ${this.summary()}`), { fatal: true });
  }

  /**
   * Waits until /healthz reports exactly `rooms` rooms and `participants` participants (asked
   * directly, not from the background loop); returns the body.
   */
  async waitCounts({ rooms, participants }, { timeout = 30000, interval = 300 } = {}) {
    let last;
    return waitFor(async () => {
      this.check(`while waiting for rooms=${rooms} participants=${participants}`);
      const r = await getHealth(this.server, this.limitMs);
      last = r;
      return r.ok && r.body.rooms === rooms && r.body.participants === participants && r.body;
    }, {
      timeout, interval, message: `/healthz to report rooms=${rooms} participants=${participants}`,
      describe: () => JSON.stringify(last),
    });
  }
}
