// SPDX-License-Identifier: EUPL-1.2
// Phone dial-in under bad input (issue 15), with synthetic SIP callers (lib/sipcaller.mjs), no
// browser:
//
// - 100 callers at once guess PINs ("2468013#": 7 digits, never a room's PIN of 8) until the
//   server ends their call. sip.pin-failures-per-minute stays at its default (30): after 30 wrong
//   PINs in a minute every further entry is refused ("PIN entry refused", the throttle prompt and
//   BYE). Every call is answered (200) and later ended by the server (BYE), none hangs, /healthz
//   stays 200, and the log names no caller's full number and no guessed PIN.
// - The rooms carry on: while the PIN budget is still used up (a caller with the right PIN would
//   be refused now, by design), two callers enter a staff room by sip.direct-rooms (no PIN); the
//   second receives the room's mix-minus and in it the first one's tone.
// - A keypad flood (500 RFC 4733 key presses a second for 2 s) from the first caller: the server
//   logs the rate limit once for that call, stays healthy, and the second caller still hears the
//   first.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer } from './lib/server.mjs';
import { HealthWatch, getHealth } from './lib/health.mjs';
import { adminClient, createRoom } from './lib/staffapi.mjs';
import { SipCaller, encodeFrames, tonePcm, decodeG711 } from './lib/sipcaller.mjs';
import { freePort, log, sleep, waitFor } from './lib/util.mjs';

const CALLERS = 100;
const GUESS = '2468013';
const DIRECT_USER = '4711';
const TONE = 700;
// Distinct, full numbers: none of them may appear in the log (only "…NNNN").
// A wait that does not keep the test process alive once everything else is done.
const grace = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());
const numberOf = (i) => `+4930555${String(1000 + i).padStart(4, '0')}`;

/** Share of the signal's power at `freq` (Goertzel), 0..1, over 16-bit samples at `rate`. */
function toneShare(samples, rate, freq) {
  if (!samples.length) return 0;
  const k = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(k);
  let s1 = 0, s2 = 0, total = 0;
  for (const x of samples) {
    const s0 = x + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    total += x * x;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2; // |X(f)|^2
  return total > 0 ? Math.min(1, (2 * power) / (samples.length * total)) : 0;
}

/** What `caller` (PCMA, recording) heard in the last second: { share, rms }. */
function heardLastSecond(caller) {
  const now = performance.now();
  const recent = caller.recording.filter((p) => p.at > now - 1000);
  const pcm = recent.flatMap((p) => Array.from(decodeG711('PCMA', p.payload)));
  const rms = pcm.length ? Math.sqrt(pcm.reduce((a, x) => a + x * x, 0) / pcm.length) : 0;
  return { packets: recent.length, share: toneShare(pcm, 8000, TONE), rms: Math.round(rms) };
}

describe('phone: PIN guessing and keypad floods', { timeout: 240000 }, () => {
  let server;
  let sipPort;
  let watch;
  let room;
  const callers = [];
  const target = (user) => ({ host: '127.0.0.1', port: sipPort, user });

  before(async () => {
    sipPort = await freePort();
    server = await startServer({
      config: ['sip.enabled = true', 'sip.address = 127.0.0.1', `sip.port = ${sipPort}`, 'sip.trusted-peers = 127.0.0.1',
        `sip.direct-rooms = ${DIRECT_USER}=ratssaal`].join('\n'),
    });
    const request = await adminClient(server);
    room = await createRoom(request, { title: 'Ratssaal', slug: 'ratssaal' });
    assert.match(room.pin, /^\d{8}$/, 'the guess must not be a PIN: PINs have 8 digits here');
    watch = new HealthWatch(server, { interval: 500, label: 'healthz' }).start();
  });

  after(async () => {
    for (const c of callers) c.close();
    if (watch) await watch.stop();
    if (server) {
      const failed = !!server.exited;
      log(`plenumd log: ${server.logFile}`);
      await server.stop({ keepTmp: failed });
    }
  });

  it(`${CALLERS} callers guessing PINs at once are all answered and hung up by the server`, { timeout: 150000 }, async () => {
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: CALLERS }, async (_, i) => {
      const c = await SipCaller.open({ codec: i % 2 ? 'PCMA' : 'G722', number: numberOf(i) });
      callers.push(c);
      const answer = await c.invite(target('plenum'));
      if (answer.status !== 200) return { i, status: answer.status };
      // Guess until the server hangs up; a guess every ~2.5 s (7 keys take 1.4 s), at most 6:
      // the third wrong PIN or the throttle ends the call after its goodbye prompt.
      let guesses = 0;
      while (c.state === 'confirmed' && guesses < 6) {
        await c.sendDigits(`${GUESS}#`);
        guesses++;
        await Promise.race([c.ended, grace(1000)]);
      }
      // No call may hang: the server's BYE comes after the goodbye prompt (a few seconds).
      const ended = await Promise.race([c.ended, grace(60000).then(() => null)]);
      return { i, status: 200, guesses, ended, ms: Date.now() - t0 };
    }));
    const refused = results.filter((r) => r.status !== 200);
    assert.deepEqual(refused, [], 'every call is answered with 200');
    const hanging = results.filter((r) => !r.ended);
    assert.deepEqual(hanging.map((r) => r.i), [], `calls the server never ended: ${JSON.stringify(hanging.slice(0, 5))}`);
    const notByServer = results.filter((r) => !r.ended.byServer);
    assert.deepEqual(notByServer, [], 'every call ends with the server\'s BYE');
    const text = fs.readFileSync(server.logFile, 'utf8');
    const wrong = (text.match(/wrong PIN \(\d of 3\)/g) || []).length;
    const throttled = (text.match(/PIN entry refused/g) || []).length;
    log(`${CALLERS} calls ended by the server within ${Math.max(...results.map((r) => r.ms))} ms; ` +
      `${wrong} wrong PINs counted, ${throttled} entries refused by the throttle; guesses per call: ` +
      `${JSON.stringify(results.reduce((h, r) => ({ ...h, [r.guesses]: (h[r.guesses] || 0) + 1 }), {}))}`);
    assert.ok(throttled > 0, 'the log has the throttle line ("PIN entry refused")');
    // The budget is per minute: at most 30 counted per started minute of the flood.
    const minutes = Math.ceil((Date.now() - t0) / 60000);
    assert.ok(wrong <= 30 * minutes, `${wrong} wrong PINs counted in ${minutes} minute(s), budget 30 a minute`);
    assert.ok(wrong >= 30, `${wrong} wrong PINs counted: the throttle should have needed 30`);
    for (let i = 0; i < CALLERS; i++) {
      const n = numberOf(i);
      assert.equal(text.includes(n.slice(1)), false, `caller number ${n} is in the log in full`);
    }
    assert.equal(text.includes(GUESS), false, 'a guessed PIN is in the log');
    watch.check('during the PIN flood');
    for (const c of callers.splice(0)) c.close();
    // Phone calls in the menu are not in the conference; nothing is left behind.
    const h = await getHealth(server);
    assert.equal(h.status, 200, JSON.stringify(h));
    assert.equal(h.body.participants, 0, JSON.stringify(h.body));
    // The same figures as metrics in /healthz (for monitoring): the counted and the refused entries.
    const phone = h.body.phone;
    assert.ok(phone && phone.listening === true, JSON.stringify(h.body));
    assert.equal(phone.calls, 0, JSON.stringify(phone));
    assert.equal(phone.wrongPins, wrong, JSON.stringify(phone));
    assert.ok(phone.pinsThrottled >= CALLERS - 30, JSON.stringify(phone));
    assert.equal('registered' in phone, false, 'no registration configured, no "registered"');
  });

  it('the rooms carry on: direct-room callers hear each other, also through a keypad flood', { timeout: 90000 }, async () => {
    const speaker = await SipCaller.open({ codec: 'G722', number: '+4930777000001' });
    const listener = await SipCaller.open({ codec: 'PCMA', number: '+4930777000002', record: true });
    callers.push(speaker, listener);
    for (const c of [speaker, listener]) {
      const answer = await c.invite(target(DIRECT_USER));
      assert.equal(answer.status, 200, JSON.stringify(answer));
    }
    speaker.startAudio(encodeFrames('G722', tonePcm(16000, TONE, 1)));
    listener.startAudio(encodeFrames('PCMA', new Int16Array(8000))); // silence, so the server keeps the call
    await watch.waitCounts({ rooms: 1, participants: 2 });
    let last;
    const hearsTone = (what) => waitFor(() => {
      last = heardLastSecond(listener);
      return last.packets >= 40 && last.share > 0.5 && last.rms > 300 && last;
    }, { timeout: 30000, interval: 250, message: `the second caller hears the first one's ${TONE} Hz tone ${what}`,
      describe: () => JSON.stringify(last) });
    const before = await hearsTone('(through the mix)');
    log(`the listener hears the speaker: ${JSON.stringify(before)}; ${listener.received} packets so far`);

    const logBefore = fs.readFileSync(server.logFile, 'utf8');
    await speaker.floodDigits('5', 1000, 500);
    await waitFor(() => /more than \d+ keypad events a second/.test(fs.readFileSync(server.logFile, 'utf8').slice(logBefore.length)),
      { timeout: 15000, interval: 250, message: 'the keypad rate limit in the log' });
    // Its messages are "logged once" per call; give a second for any repeat to show up.
    await sleep(1000);
    const lines = fs.readFileSync(server.logFile, 'utf8').split('\n').filter((l) => /keypad events a second/.test(l));
    assert.equal(lines.length, 1, `the rate limit is logged once: ${lines.join('\n')}`);
    assert.equal(speaker.state, 'confirmed', 'the flooding caller is still in the call');
    const after = await hearsTone('after the flood');
    log(`after the keypad flood: ${JSON.stringify(after)}`);
    watch.check('during the keypad flood');
    assert.equal(server.exited, null, 'plenumd is running');

    assert.equal(await speaker.bye(), 200);
    assert.equal(await listener.bye(), 200);
    await watch.waitCounts({ rooms: 0, participants: 0 });
  });
});
