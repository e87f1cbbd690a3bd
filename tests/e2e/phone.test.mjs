// SPDX-License-Identifier: EUPL-1.2
// Phone dial-in (issue 15) with a real SIP phone: Debian's baresip (lib/baresip.mjs) calls
// plenumd's SIP port from a trusted peer (loopback), types the room's PIN and takes part by
// keypad; Rot (red, 560 Hz) is in the room with Chromium.
//
// - A call before any browser: the caller types the PIN of a staff room, is in the room alone,
//   and hears nothing but prompts; Rot comes later and sees the caller in the list
//   ("Telefon …3456", phone: true) and as a second tile in the composite; each hears the other's
//   tone, the caller not its own.
// - `*9`: the caller's entry appears in Rot's speaker queue; again: it is gone. `*6`: the
//   caller's tone leaves Rot's audio and the list shows it muted; again: back. Rot's "mute all"
//   mutes the caller too.
// - A caller that hangs up (BYE) leaves Rot's list; one whose phone dies without a BYE (baresip
//   killed) leaves after sip.rtp-timeout-s.
// - Three wrong PINs: the server ends the call.
// - A room with lobby: the caller waits; Rot (its moderator) sees the knock with the masked
//   number, admits, and they hear each other.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session, autojoinUrl } from './lib/session.mjs';
import { colors, measure, summarize, plenumState, tonePresent, toneAbsent, colorPresent } from './lib/browser.mjs';
import { Baresip, writeToneWav } from './lib/baresip.mjs';
import { toneLevels } from './lib/mp4.mjs';
import { api, loginAsNewStaff } from './lib/staff.mjs';
import { freePort, log, waitFor } from './lib/util.mjs';

const [ROT] = PARTICIPANTS;
// The caller's tone: far from Rot's 560 Hz and from the prompts' speech band's strongest parts
// does not matter (prompts are short and stop while the meeting runs).
const CALLER_TONE = 1340;
const FREQS = [ROT.tone, CALLER_TONE];
const NUMBER = '+4930123456';
const CAPTION = 'Telefon \u20263456';
const RTP_TIMEOUT_S = 5;

/** What Rot's page knows about participants, the queue and the lobby. */
const rotState = (b) => b.page.evaluate(() => {
  const p = window.plenum;
  if (!p) return null;
  return {
    state: p.state, role: p.role,
    participants: (p.participants || []).map((x) => ({ id: x.id, name: x.name, audio: x.audio, phone: !!x.phone })),
    queue: (p.queue || []).map((e) => ({ name: e.name, kind: e.kind })),
    lobby: (p.lobby || []).map((x) => ({ id: x.id, name: x.name })),
  };
});

async function waitRot(b, pred, message, timeout = 60000) {
  return waitFor(async () => {
    const st = await rotState(b);
    b.lastState = st;
    return st && pred(st) && st;
  }, { timeout, interval: 250, message: `Rot: ${message}`, describe: () => JSON.stringify(b.lastState) });
}

/** Polls Rot's received audio until `ok(tones)`. */
async function waitRotHears(b, ok, message, timeout = 60000) {
  return waitFor(async () => {
    const m = await measure(b, FREQS);
    b.lastMeasure = m;
    return ok(m.tones) && m;
  }, { timeout, interval: 300, message: `Rot: ${message}`, describe: () => summarize(b.lastMeasure) });
}

/** The caller's recording over the last `seconds` (what it heard), as levels of FREQS. */
function callerHears(phone, seconds = 2) {
  const file = phone.recording();
  if (!file) return null;
  // The WAV header's length is written at the end; the data so far is 16 kHz mono S16.
  const bytes = fs.statSync(file).size - 44;
  const total = bytes / 2 / 16000;
  if (total < seconds + 0.5) return null;
  return toneLevels(file, total - seconds - 0.3, seconds, FREQS);
}

async function waitCallerHears(phone, ok, message, timeout = 60000) {
  let last = null;
  return waitFor(() => {
    last = callerHears(phone);
    return last && ok(last) && last;
  }, { timeout, interval: 500, message: `caller: ${message}`, describe: () => JSON.stringify(last) });
}

const loud = (levels, f) => levels[f].rel > 25 && levels[f].dbfs > -50;
const quiet = (levels, f) => levels[f].rel < 10 || levels[f].dbfs < -60;

describe('phone dial-in with a real SIP phone', { timeout: 900000 }, () => {
  let sipPort;
  const s = new Session([ROT], { roomPrefix: 'phone' });
  const phones = [];
  let rot;
  let csrf;
  let room;       // without lobby
  let lobbyRoom;  // with lobby
  let caller;

  const startPhone = async (user, freq = CALLER_TONE) => {
    const p = await Baresip.start({
      tmpDir: path.join(s.tmp, 'phones'), user, codecs: ['G722', 'PCMA'],
      sourceWav: writeToneWav(path.join(s.tmp, `phone-${freq}.wav`), { freq, seconds: 300 }),
    });
    phones.push(p);
    return p;
  };
  const sipUri = () => `sip:plenum@127.0.0.1:${sipPort}`;

  before(async () => {
    sipPort = await freePort();
    s.serverOptions = {
      config: [
        'sip.enabled = true', 'sip.address = 127.0.0.1', `sip.port = ${sipPort}`, 'sip.trusted-peers = 127.0.0.1',
        `sip.rtp-timeout-s = ${RTP_TIMEOUT_S}`,
      ].join('\n'),
    };
    await s.start();
  });

  after(async () => {
    for (const p of phones) {
      if (s.anyFailed) log(`---- baresip ${p.user} log tail\n${p.logTail(30)}`);
      await p.stop().catch(() => {});
    }
    await s.stop();
  });

  it('staff create two rooms, one with lobby', { timeout: 120000 }, async (t) => {
    await s.step(t, 'rooms', async () => {
      rot = await s.openPage(ROT, 'de', {});
      csrf = await loginAsNewStaff(rot, s.server);
      const a = await api(rot, 'POST', '/api/rooms', { title: 'Ratssitzung', lobby: false }, csrf);
      assert.equal(a.status, 201, JSON.stringify(a));
      room = a.body;
      const b = await api(rot, 'POST', '/api/rooms', { title: 'Sprechstunde', lobby: true }, csrf);
      assert.equal(b.status, 201, JSON.stringify(b));
      lobbyRoom = b.body;
      assert.match(room.pin, /^\d+$/);
      log(`rooms ${room.slug} (PIN ${room.pin}) and ${lobbyRoom.slug} (lobby, PIN ${lobbyRoom.pin})`);
    });
  });

  it('a caller dials in before any browser and is alone in the room', { timeout: 120000 }, async (t) => {
    await s.step(t, 'first caller', async () => {
      caller = await startPhone(NUMBER);
      await caller.dial(sipUri());
      // The greeting plays; the caller types while it plays (as people do).
      await caller.sendDtmf(`${room.pin}#`);
      // In the room, alone: /healthz counts the caller.
      const st = await waitFor(async () => {
        const r = await fetch(`${s.server.httpUrl}/healthz`).then((x) => x.json()).catch(() => null);
        return r && r.participants >= 1 && r;
      }, { timeout: 30000, message: 'the caller counted as a participant in /healthz' });
      log(`healthz with the caller alone: ${JSON.stringify(st)}`);
    });
  });

  it('Rot joins later: sees the caller listed and as a tile; each hears the other', { timeout: 180000 }, async (t) => {
    await s.step(t, 'meeting', async () => {
      await rot.page.goto(autojoinUrl(s.server.baseUrl, room.slug, ROT.name, 'de'), { waitUntil: 'domcontentloaded' });
      const st = await waitRot(rot, (x) => x.state === 'joined' && x.participants.length === 2, 'joined with the caller listed');
      const phone = st.participants.find((x) => x.phone);
      assert.ok(phone, `a participant marked phone: ${JSON.stringify(st.participants)}`);
      assert.equal(phone.name, CAPTION);
      assert.equal(rot.page.url().includes(NUMBER), false);
      assert.equal(st.role, 'moderator');
      // The list shows the phone symbol for the caller.
      assert.equal(await rot.page.locator('[data-phone="true"]').count() >= 1, true, 'a list entry with data-phone');
      await waitRotHears(rot, (tn) => tonePresent(tn, CALLER_TONE) && toneAbsent(tn, ROT.tone), 'hears the caller, not itself');
      // The composite: Rot's red tile and the caller's placeholder tile side by side.
      const c = await waitFor(async () => {
        const c = await colors(rot);
        return colorPresent(c, 'red') && c.red < 0.45 && c;
      }, { timeout: 30000, message: 'Rot red tile shares the composite with a second tile' });
      log(`Rot's composite with the caller: ${JSON.stringify(c)}`);
      const heard = await waitCallerHears(caller, (l) => loud(l, ROT.tone) && quiet(l, CALLER_TONE), 'hears Rot, not itself');
      log(`the caller hears ${JSON.stringify(heard)}`);
    });
  });

  it('the keypad: *9 raises and lowers the hand, *6 mutes and unmutes', { timeout: 180000 }, async (t) => {
    await s.step(t, 'keypad', async () => {
      await caller.sendDtmf('*9');
      await waitRot(rot, (x) => x.queue.some((e) => e.name === CAPTION), 'the caller in the speaker queue', 30000);
      await caller.sendDtmf('*9');
      await waitRot(rot, (x) => !x.queue.some((e) => e.name === CAPTION), 'the caller out of the queue', 30000);

      await caller.sendDtmf('*6');
      await waitRot(rot, (x) => x.participants.some((p) => p.phone && p.audio === false), 'the caller listed muted', 30000);
      await waitRotHears(rot, (tn) => toneAbsent(tn, CALLER_TONE), 'the caller\'s tone gone', 30000);
      await caller.sendDtmf('*6');
      await waitRot(rot, (x) => x.participants.some((p) => p.phone && p.audio === true), 'the caller listed unmuted', 30000);
      await waitRotHears(rot, (tn) => tonePresent(tn, CALLER_TONE), 'the caller\'s tone back', 30000);
    });
  });

  it('a second caller hangs up, a third one\'s phone dies without a word', { timeout: 180000 }, async (t) => {
    await s.step(t, 'leaving', async () => {
      const second = await startPhone('+4940999111', 2570);
      await second.dial(sipUri());
      await second.sendDtmf(`${room.pin}#`);
      await waitRot(rot, (x) => x.participants.some((p) => p.name === 'Telefon \u20269111'), 'the second caller listed');
      await second.hangup();
      await waitRot(rot, (x) => !x.participants.some((p) => p.name === 'Telefon \u20269111'), 'the second caller gone after BYE', 20000);

      const third = await startPhone('+4989555222', 2570);
      await third.dial(sipUri());
      await third.sendDtmf(`${room.pin}#`);
      await waitRot(rot, (x) => x.participants.some((p) => p.name === 'Telefon \u20265222'), 'the third caller listed');
      const t0 = Date.now();
      process.kill(third.proc.child.pid, 'SIGKILL');
      await waitRot(rot, (x) => !x.participants.some((p) => p.name === 'Telefon \u20265222'),
        'the dead caller gone after the RTP timeout', (RTP_TIMEOUT_S + 30) * 1000);
      log(`a caller without BYE left the list after ${Date.now() - t0} ms (sip.rtp-timeout-s = ${RTP_TIMEOUT_S})`);
      // The first caller is still there and heard.
      await waitRotHears(rot, (tn) => tonePresent(tn, CALLER_TONE), 'the first caller still heard', 30000);
    });
  });

  it('three wrong PINs end the call', { timeout: 180000 }, async (t) => {
    await s.step(t, 'wrong PINs', async () => {
      const guesser = await startPhone('+4930777888', 2570);
      await guesser.dial(sipUri());
      const wrong = room.pin === '000000' ? '111111' : '000000';
      const t0 = Date.now();
      for (let i = 0; i < 3; i++) await guesser.sendDtmf(`${wrong}#`, { paceMs: 200 });
      const closed = await guesser.waitClosed(60000);
      log(`three wrong PINs: the server hung up after ${Date.now() - t0} ms (${closed.reason})`);
      const st = await rotState(rot);
      assert.equal(st.participants.length, 2, JSON.stringify(st.participants));
      assert.match(s.server.logTail(400), /wrong PIN \(3 of 3\)/);
      assert.equal(s.server.logTail(2000).includes('30777888'), false, 'no full number in the log');
    });
  });

  it('a room with lobby: the caller waits, the moderator admits', { timeout: 240000 }, async (t) => {
    await s.step(t, 'lobby', async () => {
      await caller.hangup();
      await caller.waitClosed(20000);
      await rot.page.goto(autojoinUrl(s.server.baseUrl, lobbyRoom.slug, ROT.name, 'de'), { waitUntil: 'domcontentloaded' });
      await waitRot(rot, (x) => x.state === 'joined' && x.participants.length === 1, 'alone in the lobby room');
      const waiting = await startPhone('+4930123456', CALLER_TONE);
      await waiting.dial(sipUri());
      await waiting.sendDtmf(`${lobbyRoom.pin}#`);
      await waitRot(rot, (x) => x.lobby.some((p) => p.name === CAPTION), 'the caller knocking');
      assert.match(await rot.page.locator('#knock-text').textContent(), /Telefon …3456/);
      await rot.page.click('#btn-knock-admit');
      await waitRot(rot, (x) => x.lobby.length === 0 && x.participants.some((p) => p.phone), 'the caller admitted');
      await waitRotHears(rot, (tn) => tonePresent(tn, CALLER_TONE), 'hears the admitted caller');
      await waitCallerHears(waiting, (l) => loud(l, ROT.tone), 'the admitted caller hears Rot');
      const sessions = await fetch(`${s.server.httpUrl}/healthz`).then((x) => x.json());
      log(`healthz at the end: ${JSON.stringify(sessions)}`);
      await waiting.hangup();
      await waitRot(rot, (x) => x.participants.length === 1, 'the caller gone', 20000);
    });
  });
});
