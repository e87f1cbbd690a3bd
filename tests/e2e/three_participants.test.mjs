// SPDX-License-Identifier: EUPL-1.2
// Three real browsers in one room: each sees the others in the composite and hears the others
// (mix-minus: not itself); when one leaves, it disappears from picture, sound and lists.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session, colorAbsent, toneAbsent } from './lib/session.mjs';
import { measure, summarize, plenumState } from './lib/browser.mjs';
import { log } from './lib/util.mjs';

const [ROT, GRUEN, BLAU] = PARTICIPANTS;
const others = (me, list = PARTICIPANTS) => list.filter((p) => p !== me);
const FREQS = PARTICIPANTS.map((p) => p.tone);
const LEAVE_LIMIT_MS = Number(process.env.E2E_LEAVE_LIMIT_MS || 10000);

describe('three participants', { timeout: 420000 }, () => {
  const s = new Session(PARTICIPANTS);

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
