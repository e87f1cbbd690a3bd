// SPDX-License-Identifier: EUPL-1.2
// Three real browsers in one room: each sees the others in the composite and hears the others
// (mix-minus: not itself); when one leaves, it disappears from picture, sound and lists.
// Before that, phones held upright (PROTOCOL.md "Phones held upright"): the three Chromiums at
// 1000x700 see the 16:9 composite (the tests' 640x360). Blau's window becomes a phone held
// upright (360x740): its page says `view` portrait and receives the portrait composite (the tests'
// 360x640) with the three tiles stacked, red at the top, green in the middle, blue at the bottom,
// each much wider on Blau's screen than a 16:9 tile would be; Rot keeps the 16:9 composite
// meanwhile. Turned (740x360), Blau gets the 16:9 composite again, on the same video track.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session, colorAbsent, colorPresent, toneAbsent } from './lib/session.mjs';
import { colors, measure, palette, summarize, plenumState } from './lib/browser.mjs';
import { waitFor, log } from './lib/util.mjs';

const [ROT, GRUEN, BLAU] = PARTICIPANTS;
const others = (me, list = PARTICIPANTS) => list.filter((p) => p !== me);
const FREQS = PARTICIPANTS.map((p) => p.tone);
const LEAVE_LIMIT_MS = Number(process.env.E2E_LEAVE_LIMIT_MS || 10000);
// gridLayout(3, 360, 640): one column of 344x192 tiles at y 24, 224, 424 (of 640); the rows
// checked are inside each tile, clear of its edges and of the name written at its bottom.
const ROWS = {
  red: { x0: 0.1, x1: 0.9, y0: 0.06, y1: 0.27 },
  green: { x0: 0.1, x1: 0.9, y0: 0.37, y1: 0.58 },
  blue: { x0: 0.1, x1: 0.9, y0: 0.68, y1: 0.89 },
};
const SWITCH_TIMEOUT_MS = 30000; // generous for a loaded 2-core machine; the time taken is reported

/** The composite as Blau's screen shows it: the frame's size, and its width on the page (object-fit: contain). */
const shown = (b) => b.page.evaluate(() => {
  const v = document.getElementById('composite');
  const box = v.getBoundingClientRect();
  const scale = v.videoWidth ? Math.min(box.width / v.videoWidth, box.height / v.videoHeight) : 0;
  return { width: v.videoWidth, height: v.videoHeight, scale, portrait: window.plenum.portrait,
    tracks: window.plenum.remoteStream ? window.plenum.remoteStream.getVideoTracks().map((t) => t.id) : [] };
});

describe('three participants', { timeout: 420000 }, () => {
  const s = new Session(PARTICIPANTS);
  let trackBefore = null;  // Blau's video track in the 16:9 composite

  before(async () => {
    await s.start();
    await s.joinAll();
  }, { timeout: 120000 });

  after(async () => { await s.stop(); }, { timeout: 60000 });

  it('all three join and see three participants', { timeout: 90000 }, async (t) => {
    await s.step(t, 'join', async () => {
      const ms = await s.waitParticipants(PARTICIPANTS.map((p) => p.name), { timeout: 60000 });
      log(`all three joined and list 3 participants (${ms} ms after the last page opened)`);
      for (const b of s.active) {
        const st = await plenumState(b);
        log(`${b.name}: participantId=${st.participantId} participants=${JSON.stringify(st.participants.map((p) => p.name))}`);
      }
    });
  });

  it('each sees the other two colours and hears the other two tones, not its own', { timeout: 120000 }, async (t) => {
    await s.step(t, 'media', async () => {
      const r = await s.waitMedia({
        label: 'media',
        visible: (me) => others(me),
        audible: (me) => others(me),
        inaudible: (me) => [me],
        timeout: 90000,
      });
      for (const [name, { ms, m }] of Object.entries(r)) {
        t.diagnostic(`${name}: media OK after ${ms} ms: ${summarize(m)}`);
      }
      // At 1000x700, the 16:9 composite.
      const blau = await shown(s.browser(BLAU.name));
      assert.equal(blau.portrait, false);
      assert.deepEqual([blau.width, blau.height], [640, 360]);
      trackBefore = blau.tracks[0];
    });
  });

  it('held upright (360x740), Blau gets the portrait composite, tiles stacked and large', { timeout: 120000 }, async (t) => {
    await s.step(t, 'upright', async () => {
      const b = s.browser(BLAU.name);
      const t0 = Date.now();
      await b.page.setViewportSize({ width: 360, height: 740 });
      const seen = await waitFor(async () => {
        const v = await shown(b);
        b.lastShown = v;
        if (!v.portrait || v.width !== 360 || v.height !== 640) return null;
        const rows = await Promise.all(Object.entries(ROWS).map(async ([c, region]) => [c, await palette(b, region)]));
        b.lastRows = rows;
        return rows.every(([c, p]) => !p.error && p.region[c] > 0.6) && { v, rows };
      }, { timeout: SWITCH_TIMEOUT_MS, interval: 200, message: 'Blau sees red, green and blue stacked in a 360x640 composite',
        describe: () => JSON.stringify({ shown: b.lastShown, rows: (b.lastRows || []).map(([c, p]) => [c, p.region && p.region[c]]) }) });
      const ms = Date.now() - t0;
      // A tile is 344 of the portrait frame's 360 pixels; the 16:9 composite's two-column grid
      // of three would give it 308 of 640, shown at 360/640 of that on the same screen.
      const onScreen = Math.round(344 * seen.v.scale);
      const landscapeOnScreen = Math.round(308 * (360 / 640));
      const line = `portrait: Blau sees the stacked tiles ${ms} ms after turning upright; a tile is ${onScreen} px wide ` +
        `on its 360 px screen (the 16:9 composite's: ${landscapeOnScreen} px)`;
      log(line);
      t.diagnostic(line);
      assert.ok(onScreen > landscapeOnScreen * 1.4, line);
      assert.equal(seen.v.tracks[0], trackBefore, 'the same video track');
      // Rot, at 1000x700, keeps the 16:9 composite and sees the others.
      const rot = s.browser(ROT.name);
      const r = await shown(rot);
      assert.deepEqual([r.width, r.height, r.portrait], [640, 360, false]);
      const c = await colors(rot);
      assert.ok(colorPresent(c, 'green') && colorPresent(c, 'blue'), `Rot sees green and blue: ${JSON.stringify(c)}`);
    });
  });

  it('turned (740x360), Blau gets the 16:9 composite again', { timeout: 120000 }, async (t) => {
    await s.step(t, 'turned', async () => {
      const b = s.browser(BLAU.name);
      const t0 = Date.now();
      await b.page.setViewportSize({ width: 740, height: 360 });
      await waitFor(async () => {
        const v = await shown(b);
        b.lastShown = v;
        if (v.portrait || v.width !== 640 || v.height !== 360) return false;
        const c = await colors(b);
        return colorPresent(c, 'red') && colorPresent(c, 'green');
      }, { timeout: SWITCH_TIMEOUT_MS, interval: 200, message: 'Blau sees red and green in a 640x360 composite',
        describe: () => JSON.stringify(b.lastShown) });
      const line = `portrait: Blau is back on the 16:9 composite ${Date.now() - t0} ms after turning`;
      log(line);
      t.diagnostic(line);
    });
  });
  it('when Blau leaves, the others lose blue, tone C and the list entry within 10 s', { timeout: 90000 }, async (t) => {
    await s.step(t, 'leave', async () => {
      const remaining = [s.browser(ROT.name), s.browser(GRUEN.name)];
      const t0 = Date.now();
      await s.closeBrowser(BLAU.name);
      const closeMs = Date.now() - t0;
      const deadline = t0 + LEAVE_LIMIT_MS;
      const results = await Promise.all(remaining.map(async (b) => {
        const first = {};
        let last;
        // Poll until all three conditions hold at once; a probe counts if it started in time.
        for (;;) {
          const started = Date.now();
          if (started > deadline) break;
          const [m, st] = await Promise.all([measure(b, FREQS), plenumState(b).catch(() => null)]);
          const el = started - t0;
          last = { m, st };
          b.lastMeasure = m;
          const ok = {
            list: !!st && st.participants.length === 2 && !st.participants.some((p) => p.name === BLAU.name),
            blue: colorAbsent(m.colors, BLAU.color),
            tone: toneAbsent(m.tones, BLAU.tone),
          };
          for (const k of Object.keys(ok)) if (ok[k] && first[k] === undefined) first[k] = el;
          if (ok.list && ok.blue && ok.tone) return { name: b.name, ok: true, first, at: el, m, st };
          await new Promise((r) => setTimeout(r, 200));
        }
        return { name: b.name, ok: false, first, m: last?.m, st: last?.st };
      }));
      t.diagnostic(`closing Blau's browser took ${closeMs} ms`);
      for (const r of results) {
        t.diagnostic(`${r.name}: ${r.ok ? `all gone within ${r.at} ms` : 'NOT all gone'}; first seen gone (ms after close): ` +
          `list=${r.first.list ?? 'never'} blue=${r.first.blue ?? 'never'} tone${BLAU.tone}=${r.first.tone ?? 'never'}; ` +
          `${r.m ? summarize(r.m) : ''}; participants=${JSON.stringify(r.st?.participants?.map((p) => p.name))}`);
      }
      for (const r of results) assert.ok(r.ok, `${r.name}: Blau not gone from list/picture/sound within ${LEAVE_LIMIT_MS} ms (${JSON.stringify(r.first)})`);
    });
  });

  it('Rot and Gruen still see and hear each other', { timeout: 90000 }, async (t) => {
    await s.step(t, 'after-leave', async () => {
      const r = await s.waitMedia({
        label: 'after leave',
        visible: (me) => others(me, [ROT, GRUEN]),
        hidden: () => [BLAU],
        audible: (me) => others(me, [ROT, GRUEN]),
        inaudible: (me) => [me, BLAU],
        timeout: 60000,
      });
      for (const [name, { ms, m }] of Object.entries(r)) t.diagnostic(`${name}: after leave OK (${ms} ms): ${summarize(m)}`);
    });
  });
});
