// SPDX-License-Identifier: EUPL-1.2
// Send what is shown (PROTOCOL.md "Send what is shown"): four Chromiums with 320x240 cameras and
// the tests' 640x360 composite, whose cameras are brought to 320x180 before they are scaled
// into their tiles. In the 2x2 grid (tiles about 300x170) each is asked for 180 lines and sends
// that; in the speaker layout the three strip tiles (160x90) drop to 90 lines and the large tile
// keeps 180; when the floor goes to another, that camera rises again and the old one drops. The composite shows every colour
// throughout; a camera turned off sends no frames at all, and comes back when turned on.
// The outbound sizes are read from each browser's getStats (outbound-rtp of the camera).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS, SILENT_GREY } from './lib/fixtures.mjs';
import { Session, colorPresent } from './lib/session.mjs';
import { measure, summarize, plenumState, showPanelTab } from './lib/browser.mjs';
import { waitFor, log } from './lib/util.mjs';

const [ROT, GRUEN, BLAU] = PARTICIPANTS;
// The moderator (first to join) is grey and silent; the other three show their colours.
const FOUR = [SILENT_GREY, ROT, GRUEN, BLAU];
const FREQS = PARTICIPANTS.map((p) => p.tone);
// Generous: a loaded 2-core machine runs four Chromiums here. The time each change took is
// reported (the product's aim is 2 s).
const CHANGE_TIMEOUT_MS = 20000;

/** The camera sender's outbound-rtp figures and the last send-video the page received. */
const cameraStats = (b) => b.page.evaluate(async () => {
  const pc = window.plenum.pc;
  if (!pc) return null;
  // The server's offer makes the transceivers in m-line order: 1 is the camera.
  const sender = pc.getTransceivers()[1]?.sender;
  if (!sender || !sender.track) return null;
  let out = null;
  (await sender.getStats()).forEach((r) => { if (r.type === 'outbound-rtp') out = r; });
  if (!out) return null;
  const enc = sender.getParameters().encodings[0] || {};
  return {
    width: out.frameWidth || 0, height: out.frameHeight || 0, framesEncoded: out.framesEncoded || 0,
    bytesSent: out.bytesSent || 0, at: performance.now(),
    scale: enc.scaleResolutionDownBy, maxBitrate: enc.maxBitrate, active: enc.active,
    request: window.plenum.videoRequest,
  };
});

/** Polls every browser until its camera is sent `height` lines high; returns ms per browser. */
async function waitHeights(s, want, label) {
  const t0 = Date.now();
  const out = {};
  await Promise.all(Object.entries(want).map(async ([name, height]) => {
    const b = s.browser(name);
    await waitFor(async () => {
      b.lastStats = await cameraStats(b);
      return b.lastStats && b.lastStats.height === height && b.lastStats.request?.height === height;
    }, { timeout: CHANGE_TIMEOUT_MS, interval: 100, message: `${name} sends ${height} lines (${label})`,
      describe: () => JSON.stringify(b.lastStats) });
    out[name] = Date.now() - t0;
  }));
  log(`${label}: ${Object.entries(out).map(([n, ms]) => `${n} ${want[n]} lines after ${ms} ms`).join(', ')}`);
  return out;
}

describe('send what is shown', { timeout: 420000 }, () => {
  const s = new Session(FOUR, { roomPrefix: 'sendvideo' });
  const ids = {};
  const names = FOUR.map((p) => p.name);

  before(async () => {
    await s.start();
    await s.joinAll();
    await s.waitParticipants(names, { timeout: 90000 });
    for (const p of (await plenumState(s.browser(SILENT_GREY.name))).participants) ids[p.name] = p.id;
  }, { timeout: 180000 });

  after(async () => { await s.stop(); }, { timeout: 60000 });

  const seesColours = async (label) => {
    const mod = s.browser(SILENT_GREY.name);
    const m = await waitFor(async () => {
      const m = await measure(mod, FREQS);
      mod.lastMeasure = m;
      return [ROT, GRUEN, BLAU].every((p) => colorPresent(m.colors, p.color)) && m;
    }, { timeout: 60000, interval: 300, message: `the moderator sees red, green and blue (${label})`,
      describe: () => summarize(mod.lastMeasure) });
    log(`${label}: ${summarize(m)}`);
  };

  it('in the 2x2 grid every camera is asked for and sends 180 lines', { timeout: 120000 }, async (t) => {
    await s.step(t, 'grid', async () => {
      await waitHeights(s, Object.fromEntries(names.map((n) => [n, 180])), 'grid of 4');
      await seesColours('grid');
    });
  });

  it('in the speaker layout the strip tiles drop to 90 lines and the large one stays', { timeout: 120000 }, async (t) => {
    await s.step(t, 'speaker', async () => {
      const mod = s.browser(SILENT_GREY.name);
      await showPanelTab(mod, 'participants');
      // The floor holder is the large tile whoever speaks (the three send tones).
      await mod.page.click(`#participant-list li[data-id="${ids.Gruen}"] button[data-action="give-floor"]`);
      await waitFor(async () => mod.page.evaluate((id) => window.plenum.floor?.participantId === id, ids.Gruen),
        { timeout: 20000, message: 'Gruen has the floor' });
      await mod.page.click('#btn-layout-speaker');
      const ms = await waitHeights(s, { [SILENT_GREY.name]: 90, Rot: 90, Gruen: 180, Blau: 90 }, 'speaker view, Gruen large');
      t.diagnostic(`after the layout change (ms): ${JSON.stringify(ms)}`);
      await seesColours('speaker view');
      // The test cameras are solid colours (a few kbit/s whatever the size), so the ceiling the
      // browser applied is checked rather than what it sent; bench/upload.mjs measures that.
      const strip = await cameraStats(s.browser(ROT.name));
      const large = await cameraStats(s.browser(GRUEN.name));
      t.diagnostic(`encoder ceilings: a strip tile ${strip.maxBitrate} bit/s at ${strip.request.fps} fps, ` +
        `the large tile ${large.maxBitrate} bit/s at ${large.request.fps} fps`);
      assert.equal(strip.maxBitrate, strip.request.maxKbps * 1000);
      assert.equal(large.maxBitrate, large.request.maxKbps * 1000);
      assert.ok(strip.maxBitrate <= large.maxBitrate, 'a strip tile may send no more than the large one');
    });
  });

  it('giving Blau the floor makes Blau\'s camera rise and Gruen\'s drop', { timeout: 120000 }, async (t) => {
    await s.step(t, 'floor', async () => {
      const mod = s.browser(SILENT_GREY.name);
      await mod.page.click(`#participant-list li[data-id="${ids.Blau}"] button[data-action="give-floor"]`);
      const ms = await waitHeights(s, { Gruen: 90, Blau: 180 }, 'Blau large');
      t.diagnostic(`after the floor went to Blau (ms): ${JSON.stringify(ms)}`);
      await seesColours('Blau large');
    });
  });

  it('a camera turned off sends no frames, and sends again when turned on', { timeout: 120000 }, async (t) => {
    await s.step(t, 'camera off', async () => {
      const rot = s.browser(ROT.name);
      await rot.page.click('#btn-cam');
      await waitFor(async () => (await cameraStats(rot))?.active === false, { timeout: 20000, message: 'Rot\'s encoding inactive' });
      const a = await cameraStats(rot);
      await new Promise((r) => setTimeout(r, 3000));
      const z = await cameraStats(rot);
      t.diagnostic(`camera off: ${z.framesEncoded - a.framesEncoded} frames, ${z.bytesSent - a.bytesSent} bytes in 3 s`);
      assert.equal(z.framesEncoded - a.framesEncoded, 0, 'no frames while the camera is off');
      await rot.page.click('#btn-cam');
      await waitFor(async () => {
        const now = await cameraStats(rot);
        return now.active && now.framesEncoded > z.framesEncoded + 10;
      }, { timeout: 20000, message: 'Rot\'s camera sends again' });
      await seesColours('camera back on');
    });
  });
});
