// SPDX-License-Identifier: EUPL-1.2
// A test session: plenumd + one Chromium per participant in one room, with helpers to wait for
// join/media and to report diagnostics (server log tail, page state, console) when a step fails.
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './server.mjs';
import { makeMedia } from './fixtures.mjs';
import {
  launchBrowser, joinRoom, measure, summarize, plenumState, diagnostics, snapshot,
  colorPresent, colorAbsent, tonePresent, toneAbsent,
} from './browser.mjs';
import { mkTmp, rmTmp, randomId, waitFor, log } from './util.mjs';

/** Like Promise.all, but waits for all and reports every failure in one Error. */
async function allOrThrow(promises) {
  const r = await Promise.allSettled(promises);
  const bad = r.filter((x) => x.status === 'rejected').map((x) => x.reason);
  if (bad.length === 1) throw bad[0];
  if (bad.length) throw new Error(`${bad.length} failures:\n` + bad.map((e) => `  - ${e.message}`).join('\n'));
  return r.map((x) => x.value);
}

/** A room's link that joins at once, as `name`, with the page in `lang` (audio processing off). */
export const autojoinUrl = (baseUrl, room, name, lang) =>
  `${baseUrl}/r/${encodeURIComponent(room)}?name=${encodeURIComponent(name)}&autojoin=1&audioProcessing=0&lang=${lang}`;

export class Session {
  /**
   * `server`: options of startServer (e.g. https); `spki`: the server key the browsers trust;
   * `media`: options of makeMedia (e.g. the camera's size).
   */
  constructor(participants, { roomPrefix = 'e2e', server = {}, spki, media = {} } = {}) {
    this.serverOptions = server;
    this.mediaOptions = media;
    this.spki = spki;
    this.participants = participants;
    this.room = `${roomPrefix}-${randomId(8)}`;
    this.browsers = new Map(); // name -> browser
    this.failed = false;
  }

  async start() {
    this.tmp = mkTmp('media');
    const [server, media] = await Promise.all([
      startServer(this.serverOptions),
      Promise.all(this.participants.map((p) => makeMedia(this.tmp, p, this.mediaOptions))),
    ]);
    this.server = server;
    this.media = Object.fromEntries(this.participants.map((p, i) => [p.name, media[i]]));
    log(`room ${this.room}; media in ${this.tmp}`);
    return this;
  }

  /** Launches the participants' browsers one after another and opens the room in each. */
  async joinAll() {
    for (const p of this.participants) {
      const b = await launchBrowser({ name: p.name, ...this.media[p.name], spki: this.spki });
      b.participant = p;
      this.browsers.set(p.name, b);
      await joinRoom(b, this.server.baseUrl, this.room);
    }
  }

  /**
   * Launches `p`'s browser and opens the room's autojoin link in `lang`; `viewport` (e.g. a 360 px
   * phone), browser dialogs recorded in `dialogs` (and dismissed), `onPage(b)` before the page loads.
   */
  async openPage(p, lang, { viewport, dialogs, onPage } = {}) {
    const b = await launchBrowser({ name: p.name, ...this.media[p.name], spki: this.spki });
    b.participant = p;
    this.browsers.set(p.name, b);
    if (viewport) await b.page.setViewportSize(viewport);
    if (dialogs) b.page.on('dialog', (d) => { dialogs.push(`${p.name}: ${d.type()} ${d.message()}`); d.dismiss().catch(() => {}); });
    if (onPage) onPage(b);
    await b.page.goto(autojoinUrl(this.server.baseUrl, this.room, p.name, lang), { waitUntil: 'domcontentloaded', timeout: 60000 });
    return b;
  }

  browser(name) { return this.browsers.get(name); }
  get active() { return [...this.browsers.values()].filter((b) => !b.gone); }

  /** Waits until each active browser is 'joined' and lists exactly `names` (default: active). */
  async waitParticipants(names = this.active.map((b) => b.name), { timeout = 60000 } = {}) {
    const want = [...names].sort().join(',');
    const t0 = Date.now();
    await allOrThrow(this.active.map((b) => waitFor(async () => {
      const s = await plenumState(b);
      b.lastState = s;
      if (s && s.state === 'error') throw Object.assign(new Error(`${b.name}: client state 'error'`), { fatal: true });
      return s && s.state === 'joined' && s.participants.map((x) => x.name).sort().join(',') === want;
    }, { timeout, interval: 500, message: `${b.name} joined and lists [${want}]`, describe: () => JSON.stringify(b.lastState) })));
    return Date.now() - t0;
  }

  /**
   * Polls until in every active browser: the colours of `visible` are present and those of
   * `hidden` absent; the tones of `audible` present and of `inaudible` absent (each a function of
   * the browser's own participant, returning participant lists), and `extra(me, measurement)` if
   * given. Returns per-browser
   * { ms, m } (time to the first full success and the measurement).
   */
  async waitMedia({ visible, hidden = () => [], audible, inaudible, extra, timeout = 60000, label = 'media' }) {
    const freqs = this.participants.map((p) => p.tone);
    const t0 = Date.now();
    const results = {};
    await allOrThrow(this.active.map(async (b) => {
      const me = b.participant;
      const vis = visible(me), hid = hidden(me), aud = audible(me), inaud = inaudible(me);
      const m = await waitFor(async () => {
        const m = await measure(b, freqs);
        b.lastMeasure = m;
        const ok = vis.every((q) => colorPresent(m.colors, q.color)) &&
          hid.every((q) => colorAbsent(m.colors, q.color)) &&
          aud.every((q) => tonePresent(m.tones, q.tone)) &&
          inaud.every((q) => toneAbsent(m.tones, q.tone)) &&
          (!extra || extra(me, m));
        return ok && m;
      }, {
        timeout, interval: 300,
        message: `${label} in ${me.name}: sees [${vis.map((q) => q.color)}] not [${hid.map((q) => q.color)}], ` +
          `hears [${aud.map((q) => q.tone)}] not [${inaud.map((q) => q.tone)}]`,
        describe: () => summarize(b.lastMeasure),
      });
      results[me.name] = { ms: Date.now() - t0, m };
      log(`${label}: ${me.name} OK after ${Date.now() - t0} ms: ${summarize(m)}`);
    }));
    return results;
  }

  /**
   * Runs a test step; on failure prints diagnostics and marks the session failed, which skips the
   * later steps, except those run with { always: true }.
   */
  async step(t, name, fn, { always = false } = {}) {
    if (this.failed && !always) { t.skip('an earlier step failed'); return undefined; }
    try {
      return await fn();
    } catch (e) {
      this.failed = true;
      this.anyFailed = true;
      await this.report(`step "${name}" failed: ${e.message}`);
      throw e;
    }
  }

  async report(headline) {
    const lines = [`==== ${headline}`];
    const dir = this.server ? this.server.tmp : this.tmp;
    for (const b of this.browsers.values()) {
      if (b.gone) continue;
      lines.push(`---- ${b.name}: diagnostics`, JSON.stringify(await diagnostics(b)));
      if (b.lastMeasure) lines.push(`last measurement: ${summarize(b.lastMeasure)}`);
      const png = await snapshot(b, path.join(dir, `composite-${b.name}-${Date.now()}.png`)).catch(() => null);
      if (png) lines.push(`composite frame saved: ${png}`);
      lines.push(`---- ${b.name}: signaling frames (tail)`, b.framesTail(25));
      lines.push(`---- ${b.name}: console tail`, b.consoleTail(30));
    }
    if (this.server) {
      lines.push(`---- plenumd log tail (${this.server.logFile})`, this.server.logTail(80));
      const stacks = await this.server.dumpStacks();
      if (stacks) lines.push(`---- plenumd threads' backtraces written to ${stacks}`);
    }
    log(lines.join('\n'));
  }

  /** Closes one participant's browser (the whole context) and marks it gone. */
  async closeBrowser(name) {
    const b = this.browsers.get(name);
    b.gone = true;
    await b.close();
  }

  async stop() {
    await Promise.all([...this.browsers.values()].map((b) => b.close()));
    if (this.server) {
      const exit = this.server.exited;
      if (exit) log(`plenumd had already exited: ${JSON.stringify(exit)}\n${this.server.logTail(80)}`);
      const keep = this.anyFailed || process.env.E2E_KEEP_TMP === '1';
      await this.server.stop({ keepTmp: keep });
      if (keep && fs.existsSync(this.server.logFile)) log(`plenumd log kept at ${this.server.logFile}`);
    }
    rmTmp(this.tmp);
  }
}

export { colorPresent, colorAbsent, tonePresent, toneAbsent };
