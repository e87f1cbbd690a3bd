// SPDX-License-Identifier: EUPL-1.2
// Recording in real browsers (signaling/PROTOCOL.md, "Recording"; issue 14's tests).
//
// A staff member creates a room; the owner (Rot, moderator) and a guest (Gruen) join, see and
// hear each other; Rot starts recording from the meeting's controls; both pages show the
// indicator and the guest a notice; a third participant (Blau) opening the invitation is told
// before entering (consent screen, with since when) and joins anyway; Rot stops after about
// 15 s; the file is ready on the owner's list within seconds, downloaded through the API and
// checked with ffprobe/ffmpeg: H.264 + AAC, the duration within 2 s of what was recorded, moov
// before mdat, a frame from the middle with both colours, audio with both tones.
// Then a second recording, plenumd killed with SIGKILL 10 s into it, restarted on the same
// data: the recording is listed as recovered, plays, and lasts at least (time before the
// kill - 2 s). Last, a recording running when plenumd is stopped cleanly (SIGTERM, as systemd
// does) is finished: ready, not merely recovered at the next start.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { startServer } from './lib/server.mjs';
import { api, loginAsNewStaff } from './lib/staff.mjs';
import { probe, topLevelBoxes, frameColors, toneLevels } from './lib/mp4.mjs';
import { waitFor, sleep, log } from './lib/util.mjs';
import { sql } from '../api/lib/recordings.mjs';

const [ROT, GRUEN, BLAU] = PARTICIPANTS;
const PAIR = [ROT, GRUEN];
const RECORD_SECONDS = 15;
const KILL_AFTER_SECONDS = 10;
const TONE_REL_DB = 25; // as the page probe's "present" (tests/e2e/lib/browser.mjs)
const COLOR_FRACTION = 0.02;

const roomUrl = (baseUrl, pathPart, name) =>
  `${baseUrl}${pathPart}?name=${encodeURIComponent(name)}&autojoin=1&audioProcessing=0&lang=en`;

/** What the page shows of the recording, for assertions and failure reports. */
const recState = (b) => b.page.evaluate(() => {
  const p = window.plenum;
  if (!p) return null;
  const shown = (id) => { const el = document.getElementById(id); return !!el && !el.hidden && el.getClientRects().length > 0; };
  return {
    state: p.state, role: p.role, recording: p.recording, consent: p.recordingConsent,
    screen: [...document.querySelectorAll('.screen')].filter((el) => !el.hidden).map((el) => el.id).join(','),
    indicator: shown('rec-indicator'), recordButton: shown('btn-record'),
    toasts: [...document.querySelectorAll('#toasts .toast')].map((el) => el.textContent),
    consentSince: document.getElementById('consent-since').textContent,
  };
});

async function waitRec(b, pred, message, timeout = 30000) {
  return waitFor(async () => {
    const st = await recState(b);
    b.lastState = st;
    return !!st && pred(st) && st;
  }, { timeout, interval: 250, message: `${b.name}: ${message}`, describe: () => JSON.stringify(b.lastState) });
}

describe('recording a meeting', { timeout: 600000 }, () => {
  const s = new Session(PARTICIPANTS, { roomPrefix: 'rec' });
  let rot, gruen, blau, room, csrf, cookie, restarted;
  const recordings = {}; // label -> { startedMs, stoppedMs, id }

  const listed = async (server) => {
    const r = await fetch(`${server.httpUrl}/api/rooms/${room.id}/recordings`, { headers: { Cookie: cookie } });
    assert.equal(r.status, 200, `list: ${r.status}`);
    return (await r.json()).recordings;
  };
  const download = async (server, id, file) => {
    const r = await fetch(`${server.httpUrl}/api/recordings/${id}/file`, { headers: { Cookie: cookie } });
    assert.equal(r.status, 200);
    fs.writeFileSync(file, Buffer.from(await r.arrayBuffer()));
    return r.headers;
  };
  const mediaOf = (file, seconds) => {
    const colors = frameColors(file, seconds);
    const tones = toneLevels(file, Math.max(0, seconds - 2), 4, PARTICIPANTS.map((p) => p.tone));
    return { colors, tones, text: `colours ${JSON.stringify(colors)}; tones ${JSON.stringify(tones)}` };
  };

  before(async () => {
    await s.start();
    for (const p of PAIR) { // Blau comes later
      const b = await launchBrowser({ name: p.name, ...s.media[p.name] });
      b.participant = p;
      s.browsers.set(p.name, b);
    }
    rot = s.browser(ROT.name);
    gruen = s.browser(GRUEN.name);
  }, { timeout: 180000 });

  after(async () => {
    await restarted?.stop({ keepTmp: s.anyFailed });
    await s.stop();
  }, { timeout: 60000 });

  it('staff create a room; its owner and a guest join, see and hear each other', { timeout: 180000 }, async (t) => {
    await s.step(t, 'setup', async () => {
      csrf = await loginAsNewStaff(rot, s.server);
      const created = await api(rot, 'POST', '/api/rooms', { title: 'Gemeinderat' }, csrf);
      assert.equal(created.status, 201, JSON.stringify(created));
      room = created.body;
      const session = (await rot.context.cookies()).find((c) => c.name === 'plenum_session');
      cookie = `plenum_session=${session.value}`;

      await rot.page.goto(roomUrl(s.server.baseUrl, `/r/${room.slug}`, ROT.name), { waitUntil: 'domcontentloaded' });
      const r = await waitRec(rot, (st) => st.state === 'joined', 'joined', 60000);
      assert.equal(r.role, 'moderator');
      assert.equal(r.recordButton, true, 'the owner has the record button');
      await gruen.page.goto(roomUrl(s.server.baseUrl, room.inviteUrl, GRUEN.name), { waitUntil: 'domcontentloaded' });
      const g = await waitRec(gruen, (st) => st.state === 'joined', 'joined', 60000);
      assert.equal(g.role, 'guest');
      assert.equal(g.recordButton, false, 'a guest has no record button');
      assert.equal(g.indicator, false);
      await s.waitMedia({
        label: 'media', visible: (me) => PAIR.filter((p) => p !== me), audible: (me) => PAIR.filter((p) => p !== me),
        inaudible: (me) => [me], timeout: 90000,
      });
    });
  });

  it('the owner starts recording: both pages show the indicator, the guest a notice', { timeout: 60000 }, async (t) => {
    await s.step(t, 'start', async () => {
      await rot.page.click('#btn-record');
      const r = await waitRec(rot, (st) => st.recording.state === 'recording' && st.indicator, 'shows the recording');
      recordings.first = { startedMs: Date.now() };
      assert.equal(r.recording.startedBy, 'Rot');
      const g = await waitRec(gruen, (st) => st.recording.state === 'recording' && st.indicator, 'shows the recording');
      assert.ok(g.toasts.some((x) => /Rot has started recording/.test(x)), JSON.stringify(g.toasts));
      t.diagnostic(`guest's notice: ${JSON.stringify(g.toasts)}`);
    });
  });

  it('a third participant is told before entering, and joins anyway', { timeout: 120000 }, async (t) => {
    await s.step(t, 'consent', async () => {
      blau = await launchBrowser({ name: BLAU.name, ...s.media[BLAU.name] });
      blau.participant = BLAU;
      s.browsers.set(BLAU.name, blau);
      await blau.page.goto(roomUrl(s.server.baseUrl, room.inviteUrl, BLAU.name), { waitUntil: 'domcontentloaded' });
      const b = await waitRec(blau, (st) => st.state === 'consent', 'asked for consent', 60000);
      assert.equal(b.screen, 'screen-consent');
      assert.match(b.consentSince, /^Recording since \d/, 'says since when');
      await blau.page.click('#btn-consent-join');
      const joined = await waitRec(blau, (st) => st.state === 'joined' && st.indicator, 'joined, indicator shown', 60000);
      assert.equal(joined.recording.state, 'recording');
      assert.equal(joined.consent, true);
      await s.waitParticipants([ROT.name, GRUEN.name, BLAU.name]);
      await s.waitMedia({
        label: 'three', visible: (me) => PARTICIPANTS.filter((p) => p !== me),
        audible: (me) => PARTICIPANTS.filter((p) => p !== me), inaudible: (me) => [me], timeout: 90000,
      });
    });
  });

  it(`the owner stops after ${RECORD_SECONDS} s; the file is on the owner's list within seconds`, { timeout: 120000 }, async (t) => {
    await s.step(t, 'stop', async () => {
      const rest = recordings.first.startedMs + RECORD_SECONDS * 1000 - Date.now();
      if (rest > 0) await sleep(rest);
      await rot.page.click('#btn-record');
      await rot.page.click('#confirm-ok');
      await waitRec(rot, (st) => st.recording.state === 'stopped' && !st.indicator, 'shows the recording stopped');
      recordings.first.stoppedMs = Date.now();
      for (const b of [gruen, blau]) {
        const st = await waitRec(b, (x) => x.recording.state === 'stopped' && !x.indicator, 'shows the recording stopped');
        assert.equal(st.recording.reason, 'stopped');
      }
      const ready = await waitFor(async () => {
        const list = await listed(s.server);
        return list.length === 1 && list[0].state === 'ready' && list[0];
      }, { timeout: 60000, interval: 100, message: 'the recording listed as ready' });
      const readyMs = Date.now() - recordings.first.stoppedMs;
      recordings.first.id = ready.id;
      t.diagnostic(`ready ${readyMs} ms after the page showed the stop: ${JSON.stringify(ready)}`);
      log(`recording ready ${readyMs} ms after stop: ${JSON.stringify(ready)}`);
      assert.ok(readyMs < 15000, `ready after ${readyMs} ms`);
      assert.ok(ready.bytes > 10000);
      assert.ok(ready.expiresAt, 'an expiry date');
    });
  });

  it('the downloaded file: H.264 + AAC, the recorded length, index first, both colours and tones', { timeout: 120000 }, async (t) => {
    await s.step(t, 'file', async () => {
      const file = path.join(s.server.tmp, 'first.mp4');
      const headers = await download(s.server, recordings.first.id, file);
      assert.equal(headers.get('content-type'), 'video/mp4');
      assert.match(headers.get('content-disposition'), new RegExp(`${room.slug}.*\\d{4}-\\d\\d-\\d\\d.*\\.mp4`));
      const info = probe(file);
      const expected = (recordings.first.stoppedMs - recordings.first.startedMs) / 1000;
      t.diagnostic(`ffprobe: ${JSON.stringify(info)}; expected about ${expected.toFixed(1)} s`);
      assert.equal(info.video, 'h264');
      assert.equal(info.audio, 'aac');
      assert.ok(Math.abs(info.duration - expected) <= 2, `duration ${info.duration} s, expected ${expected} s`);
      const boxes = topLevelBoxes(file);
      assert.ok(boxes.includes('mdat') && boxes.indexOf('moov') >= 0 && boxes.indexOf('moov') < boxes.indexOf('mdat'),
        `moov before mdat: ${boxes.join(',')}`);
      const m = mediaOf(file, info.duration / 2);
      t.diagnostic(`middle of the recording: ${m.text}`);
      assert.ok(m.colors.red > COLOR_FRACTION && m.colors.green > COLOR_FRACTION, `both colours: ${m.text}`);
      for (const p of PAIR) assert.ok(m.tones[p.tone].rel > TONE_REL_DB, `tone ${p.tone} Hz: ${m.text}`);
    });
  });

  it(`kill -9 ${KILL_AFTER_SECONDS} s into a recording: after a restart it is listed as recovered and plays`, { timeout: 180000 }, async (t) => {
    await s.step(t, 'crash', async () => {
      await rot.page.click('#btn-record');
      await waitRec(rot, (st) => st.recording.state === 'recording', 'shows the recording');
      const startedMs = Date.now();
      await sleep(KILL_AFTER_SECONDS * 1000);
      const beforeKill = (Date.now() - startedMs) / 1000;
      const exit = await s.server.crash();
      t.diagnostic(`plenumd killed ${beforeKill.toFixed(1)} s into the recording: ${JSON.stringify(exit)}`);
      restarted = await startServer({ dataDir: s.server.dataDir });
      const found = await waitFor(async () => {
        const list = await listed(restarted);
        return list.find((x) => x.id !== recordings.first.id && x.state === 'recovered');
      }, { timeout: 60000, interval: 250, message: 'the interrupted recording listed as recovered' });
      t.diagnostic(`after the restart: ${JSON.stringify(found)}`);
      assert.ok(found.durationSeconds >= beforeKill - 2, `${found.durationSeconds} s listed, ${beforeKill} s before the kill`);
      const file = path.join(restarted.tmp, 'recovered.mp4');
      await download(restarted, found.id, file);
      const info = probe(file);
      t.diagnostic(`ffprobe: ${JSON.stringify(info)}`);
      assert.equal(info.video, 'h264');
      assert.equal(info.audio, 'aac');
      assert.ok(info.duration >= beforeKill - 2, `plays ${info.duration} s, ${beforeKill} s before the kill`);
      const m = mediaOf(file, info.duration / 2);
      t.diagnostic(`middle of the recovered recording: ${m.text}`);
      assert.ok(m.colors.red > COLOR_FRACTION && m.colors.green > COLOR_FRACTION && m.colors.blue > COLOR_FRACTION,
        `all three colours: ${m.text}`);
      // The first recording is still there, untouched.
      assert.ok((await listed(restarted)).some((x) => x.id === recordings.first.id && x.state === 'ready'));
    });
  });

  it('a clean shutdown (SIGTERM) finishes a running recording: ready, not merely recovered', { timeout: 120000 }, async (t) => {
    await s.step(t, 'shutdown', async () => {
      await rot.page.goto(roomUrl(restarted.baseUrl, `/r/${room.slug}`, ROT.name), { waitUntil: 'domcontentloaded' });
      await waitRec(rot, (st) => st.state === 'joined' && st.role === 'moderator', 'joined the restarted server', 60000);
      await rot.page.click('#btn-record');
      await waitRec(rot, (st) => st.recording.state === 'recording', 'shows the recording');
      const startedMs = Date.now();
      await sleep(5000);
      const running = (await listed(restarted)).find((x) => x.state === 'recording');
      assert.ok(running, 'listed as running');
      const seconds = (Date.now() - startedMs) / 1000;
      const exit = await restarted.stop({ keepTmp: true });
      t.diagnostic(`plenumd stopped ${seconds.toFixed(1)} s into the recording: ${JSON.stringify(exit)}`);
      assert.equal(exit.code, 0, JSON.stringify(exit));
      const row = sql(restarted, `SELECT state || ' ' || duration_ms FROM recordings WHERE id = '${running.id}'`).trim().split(' ');
      assert.equal(row[0], 'ready', `state after the shutdown: ${row}`);
      const info = probe(path.join(s.server.dataDir, 'recordings', `${running.id}.mp4`));
      t.diagnostic(`ffprobe: ${JSON.stringify(info)}`);
      assert.ok(info.duration >= seconds - 2, `plays ${info.duration} s of ${seconds} s`);
    });
  });
});
