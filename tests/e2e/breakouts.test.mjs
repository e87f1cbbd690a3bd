// SPDX-License-Identifier: EUPL-1.2
// Breakout rooms in real browsers (signaling/PROTOCOL.md, "Breakout rooms"; issue 17's tests).
//
// Four Chromiums in an ad-hoc room: Mod (grey, silent; first in, so moderator), Rot, Gruen and
// Blau (a phone-sized page, German). Mod opens two breakout rooms from the planner (automatic:
// Rot and Blau in the first, Gruen in the second, Mod stays). Each page then sees and hears only
// its own room: Rot and Blau each other, Gruen nobody but itself, Mod nobody. Every page shows
// the bar with the room and the time left. Mod's message to all rooms reaches everyone; Mod
// extends the time; Mod closes the rooms: every page shows the countdown
// (breakout.closing-seconds = 6 here), then everyone is back in the plenum and sees and hears
// everyone again, with the same RTCPeerConnection and without a page load.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS, SILENT_GREY } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { showPanelTab } from './lib/browser.mjs';
import { waitFor, log } from './lib/util.mjs';

const [ROT, GRUEN, BLAU] = PARTICIPANTS;
const MOD = SILENT_GREY;
const CLOSING_SECONDS = 6;


/** What a page shows of the breakout rooms. */
const boState = (b) => b.page.evaluate(() => {
  const p = window.plenum;
  const shown = (id) => { const el = document.getElementById(id); return !!el && !el.hidden && el.getClientRects().length > 0; };
  return {
    state: p.state, role: p.role, breakouts: p.breakouts.state, yourRoom: p.breakouts.yourRoom,
    room: p.breakoutRoom && p.breakoutRoom.id, moves: p.moves, remainingMs: p.breakouts.remainingMs,
    participants: p.participants.map((x) => x.name).sort(),
    bar: shown('breakout-bar'), barText: document.getElementById('breakout-bar').textContent.replace(/\s+/g, ' ').trim(),
    closingBar: document.getElementById('breakout-bar').classList.contains('closing'),
    broadcasts: p.broadcasts.map((x) => x.text), samePc: window.__firstPc === p.pc, marker: window.__pageMarker === 1,
    width: document.documentElement.scrollWidth,
  };
});

describe('breakout rooms', { timeout: 600000 }, () => {
  const s = new Session([MOD, ...PARTICIPANTS], { roomPrefix: 'bo', server: { config: `breakout.closing-seconds = ${CLOSING_SECONDS}\n` } });
  let mod, rot, gruen, blau, all;
  const dialogs = [];

  const open = (p, lang, viewport) => s.openPage(p, lang, { viewport, dialogs });

  async function allShow(pred, message, timeout = 30000) {
    const seen = {};
    await Promise.all(all.map((b) => waitFor(async () => {
      const st = await boState(b);
      b.lastState = st;
      if (pred(b, st)) { seen[b.name] = st; return true; }
      return false;
    }, { timeout, interval: 250, message: `${b.name}: ${message}`, describe: () => JSON.stringify(b.lastState) })));
    return seen;
  }

  before(async () => {
    await s.start();
    mod = await open(MOD, 'en');
    await waitFor(async () => (await boState(mod)).state === 'joined', { timeout: 60000, message: 'Mod joined' });
    rot = await open(ROT, 'en');
    gruen = await open(GRUEN, 'de');
    blau = await open(BLAU, 'de', { width: 360, height: 740 });
    all = [mod, rot, gruen, blau];
  }, { timeout: 180000 });

  after(async () => {
    assert.deepEqual(dialogs, [], 'no page opened a browser dialog');
    await s.stop();
  }, { timeout: 60000 });

  it('all four are in the plenum and see and hear each other', { timeout: 150000 }, async (t) => {
    await s.step(t, 'plenum', async () => {
      await s.waitParticipants([MOD.name, ROT.name, GRUEN.name, BLAU.name], { timeout: 90000 });
      assert.equal((await boState(mod)).role, 'moderator');
      const colourful = PARTICIPANTS;
      await s.waitMedia({
        label: 'plenum', visible: () => colourful, audible: (me) => colourful.filter((q) => q !== me),
        inaudible: () => [], timeout: 90000,
      });
      // Remember each page's connection: it must be the same one at the end.
      for (const b of all) await b.page.evaluate(() => { window.__firstPc = window.plenum.pc; window.__pageMarker = 1; });
    });
  });

  it('Mod opens two rooms: each page sees and hears only its own room, with the bar', { timeout: 150000 }, async (t) => {
    await s.step(t, 'open', async () => {
      await showPanelTab(mod, 'breakouts');
      await mod.page.fill('#bo-count', '2');
      await mod.page.fill('#bo-names', 'Finanzen\nBau');
      await mod.page.selectOption('#bo-assignment', 'automatic');
      await mod.page.fill('#bo-minutes', '10');
      const sentAt = await mod.page.evaluate(() => Date.now());
      await mod.page.click('#btn-bo-open');
      const seen = await allShow((b, st) => st.breakouts === 'open' && st.bar &&
        st.room === ({ Mod: null, Rot: 'b1', Blau: 'b1', Gruen: 'b2' })[b.name], 'in its breakout room with the bar');
      t.diagnostic(`bars: ${JSON.stringify(Object.fromEntries(Object.entries(seen).map(([n, st]) => [n, st.barText])))}`);
      assert.match(seen.Rot.barText, /Finanzen.*\d:\d\d left/);
      assert.match(seen.Gruen.barText, /Bau.*noch \d+:\d\d/);
      assert.match(seen.Mod.barText, /Breakout rooms are open/);
      assert.deepEqual(seen.Rot.participants, ['Blau', 'Rot']);
      assert.deepEqual(seen.Gruen.participants, ['Gruen']);
      assert.deepEqual(seen.Mod.participants, ['Mod']);
      assert.ok(seen.Blau.width <= 360, `Blau's page at 360 px is ${seen.Blau.width} px wide`);
      // When the `moved` arrived at each page (signaling only; the media follows).
      const arrivals = {};
      for (const b of [rot, gruen, blau]) {
        arrivals[b.name] = await b.page.evaluate(() => (window.plenum.arrivals.find((a) => a.type === 'moved') || {}).wall);
      }
      t.diagnostic(`moved arrived after (ms): ${JSON.stringify(Object.fromEntries(Object.entries(arrivals).map(([n, w]) => [n, w - sentAt])))}`);
      const r = await s.waitMedia({
        label: 'breakouts',
        visible: (me) => ({ Mod: [], Rot: [ROT, BLAU], Blau: [ROT, BLAU], Gruen: [GRUEN] })[me.name],
        hidden: (me) => ({ Mod: [ROT, GRUEN, BLAU], Rot: [GRUEN], Blau: [GRUEN], Gruen: [ROT, BLAU] })[me.name],
        audible: (me) => ({ Mod: [], Rot: [BLAU], Blau: [ROT], Gruen: [] })[me.name],
        inaudible: (me) => ({ Mod: [ROT, GRUEN, BLAU], Rot: [GRUEN], Blau: [GRUEN], Gruen: [ROT, BLAU] })[me.name],
        timeout: 60000,
      });
      const ms = Object.fromEntries(Object.entries(r).map(([n, x]) => [n, x.ms]));
      t.diagnostic(`breakout media as expected on each page after (ms, from the check's start): ${JSON.stringify(ms)}`);
    });
  });

  it('a message to all rooms reaches everyone; the time is extended', { timeout: 60000 }, async (t) => {
    await s.step(t, 'broadcast and extend', async () => {
      await mod.page.fill('#bo-broadcast-input', 'Noch fünf Minuten');
      await mod.page.click('#btn-bo-broadcast');
      await allShow((b, st) => st.broadcasts.includes('Noch fünf Minuten'), 'the message to all rooms');
      const before = (await boState(rot)).remainingMs;
      await mod.page.click('#btn-bo-extend');
      const seen = await allShow((b, st) => st.remainingMs > 10 * 60000, 'more than 10 minutes left');
      t.diagnostic(`remaining before ${before} ms, after: ${JSON.stringify(Object.fromEntries(Object.entries(seen).map(([n, st]) => [n, st.remainingMs])))}`);
    });
  });

  it('Mod closes the rooms: a countdown on every page, then everyone is back and sees and hears everyone', { timeout: 150000 }, async (t) => {
    await s.step(t, 'close', async () => {
      await mod.page.click('#btn-bo-close');
      await mod.page.click('#confirm-ok');
      const closing = await allShow((b, st) => st.breakouts === 'closing' && st.bar && st.closingBar, 'the closing countdown');
      t.diagnostic(`countdown: ${JSON.stringify(Object.fromEntries(Object.entries(closing).map(([n, st]) => [n, st.barText])))}`);
      assert.match(closing.Rot.barText, /Back to the plenum in 0:0\d/);
      assert.match(closing.Gruen.barText, /Zurück ins Plenum in 0:0\d/);
      const back = await allShow((b, st) => st.breakouts === 'closed' && !st.bar && st.room === null &&
        st.participants.length === 4, 'back in the plenum', (CLOSING_SECONDS + 30) * 1000);
      for (const [name, st] of Object.entries(back)) {
        assert.ok(st.samePc, `${name}: the same RTCPeerConnection throughout`);
        assert.ok(st.marker, `${name}: the page was not loaded again`);
        assert.equal(st.state, 'joined');
      }
      assert.equal(back.Rot.moves, 2);
      assert.equal(back.Mod.moves, 0);
      await s.waitMedia({
        label: 'plenum again', visible: () => PARTICIPANTS, audible: (me) => PARTICIPANTS.filter((q) => q !== me),
        inaudible: () => [], timeout: 60000,
      });
      const log_ = s.server.logTail(400);
      assert.doesNotMatch(log_, /composite stalled|CRITICAL/);
      log('breakouts: closed and everyone back');
    });
  });
});
