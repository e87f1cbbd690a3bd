// SPDX-License-Identifier: EUPL-1.2
// Hostile SIP against plenumd's phone dial-in (issue 15): "malformed SIP, unknown methods, INVITE
// without SDP or with no common codec (488), SDP with absurd ports, re-INVITEs, RTP from a
// different address than negotiated ...: a clean SIP response, a log line, no crash, the rooms
// carry on."
//
// plenumd with sip.enabled and sip.trusted-peers = 127.0.0.1; a staff room made over /api/.
// 1. A baresip caller (a 700 Hz tone) dials in, hears the greeting, types the PIN: in the room.
// 2. The corpus tests/fuzz/corpus/sip/*.sip (hostile messages, one per file) is sent over UDP and
//    over TCP, 8 at a time, while /healthz is asked every 500 ms. Each answer is pinned in
//    EXPECTED (what sofia-sip and SipService/PhoneCalls answer; "none": nothing within 3 s);
//    an INVITE that is answered 2xx is ACKed and ended with a BYE (lib/sipraw.mjs). Every 488
//    carries the phrase "Not Acceptable Here" (it once carried heap garbage: the phrase pointer
//    of nua_respond outlived its string) and has its log line.
// 3. plenumd runs, /healthz was ok throughout, the first caller is still in its call and the
//    room; a second caller dials in, hears the greeting, types the PIN and hears the first.
// 4. re-INVITEs: baresip puts its call on hold and resumes it (the call goes on, the second
//    caller still hears the first); a raw dialog re-INVITEs with another port and without an
//    offer: 200 with the SDP as first answered, both times (plenumd does not follow; pinned).
// 5. RTP from another address than negotiated (127.0.0.2) is dropped with a log line; RTP from
//    the negotiated address but another port moves plenumd's sending there (symmetric RTP).
//    100 keys by SIP INFO as fast as they are answered: all 200, the excess over 20 a second
//    dropped with one log line, the call goes on.
// Privacy: sofia-sip's own messages (debug level here) name no caller in full. A call held
// (sendonly re-INVITE) for longer than sip.rtp-timeout-s stays up.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { adminClient, createRoom } from './lib/staffapi.mjs';
import { HealthWatch, getHealth } from './lib/health.mjs';
import { Baresip, writeToneWav } from './lib/baresip.mjs';
import { rmsLevel, toneLevels } from './lib/mp4.mjs';
import { RawDialog, parseMessage, prepare, rawOffer, sendSip } from './lib/sipraw.mjs';
import { REPO_DIR, freePort, log, mkTmp, rmTmp, sleep, waitFor } from './lib/util.mjs';

const CORPUS = path.join(REPO_DIR, 'tests', 'fuzz', 'corpus', 'sip');
const CONCURRENCY = 8;
const NONE_WINDOW_MS = 3000;
const A_TONE = 700;
const SPEECH_DBFS = Number(process.env.E2E_PROMPT_MIN_DBFS || -45);
// Short, for the hold case (the callers send their tones all the time).
const RTP_TIMEOUT_S = 8;

// What each corpus file gets, over UDP and TCP: a status, or 'none' (no answer within 3 s).
// `{ udp, tcp }` where they differ. Pinned from what sofia-sip 1.12 (Debian 12) and our code answer.
const REFUSED_488 = [
  'invite-no-sdp', 'invite-no-common-codec', 'invite-port-0', 'invite-port-99999', 'invite-port-negative',
  'invite-port-huge-number', 'invite-c-hostname', 'invite-c-garbage', 'invite-c-missing', 'invite-m-lines-600',
  'invite-m-lines-2500', 'invite-65-formats', 'invite-sdp-17k', 'invite-sdp-no-version', 'invite-sdp-nul',
  'invite-sdp-rtpmap-malformed', 'invite-srtp-only', 'invite-video-only', 'invite-content-type-json', 'invite-multipart',
  // Content-Length 40 cuts the SDP after "v=0 o=...": no audio stream.
  'content-length-too-small',
];
const EXPECTED = {
  ...Object.fromEntries(REFUSED_488.map((f) => [f, 488])),
  // Accepted and answered (then ACKed and ended by BYE): odd but valid messages.
  'invite-compact-headers': 200,
  'invite-folded-headers': 200,
  'invite-utf8-display-name': 200,
  'invite-rtp-to-discard-port': 200,
  'invite-max-forwards-0': 200,  // Max-Forwards 0 is a proxy's business; we are the UAS
  'uri-tel': 200,
  'invite-require-unknown': 420,
  options: 200,
  'header-60k': 200,
  'uri-10k': 200,
  'via-200-hops': 200,
  'headers-4000': 200,
  // Methods we do not take: 405 with Allow; methods nobody knows: 501.
  subscribe: 405,
  message: 405,
  'notify-unknown': 405,
  publish: 405,
  'refer-outside-dialog': 405,
  'register-to-plenum': 405,
  'update-unknown': 405,
  'method-foo': 501,
  'method-lowercase-invite': 501,
  // Requests for dialogs or transactions that do not exist.
  'bye-unknown': 481,
  'cancel-unknown': 481,
  'prack-unknown': 481,
  'info-unknown-dialog': 481,
  'info-dtmf-outside-dialog': 481,
  'reinvite-unknown-dialog': 481,
  'ack-unknown': 'none',
  // Broken messages: 400 where sofia can still find where to answer, else nothing.
  'missing-call-id': 400,
  'missing-cseq': 400,
  'missing-from-to': 400,
  'missing-via': 'none',
  'cseq-method-mismatch': 400,
  'cseq-garbage': 400,
  'nested-angle-brackets': 400,
  'content-length-negative': 400,
  'content-length-garbage': 400,
  // Over TCP the stream waits for the 5000 bytes promised (RFC 3261 18.3), over UDP it is a bad datagram.
  'content-length-too-big': { udp: 400, tcp: 'none' },
  'nul-bytes-in-headers': { udp: 400, tcp: 'none' },
  'start-line-sip3': { udp: 'none', tcp: 505 },
  'start-line-garbage': 'none',
  'start-line-no-uri': 'none',
  'start-line-stray-response': 'none',
  'uri-ipv6-broken': 'none',
  'binary-junk': 'none',
  'crlf-keepalive': 'none',
};

const expectedFor = (name, transport) => {
  const e = EXPECTED[name];
  return e !== null && typeof e === 'object' ? e[transport] : e;
};

/** A staff room with a PIN, made over REST (lib/staffapi.mjs). */
async function staffRoom(server) {
  const room = await createRoom(await adminClient(server), { title: 'Bauausschuss' });
  assert.match(room.pin, /^\d+$/);
  return room;
}

/** Runs `fn` over `items`, `n` at a time. */
async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

/** A UDP socket on `address` that counts what arrives and can send RTP (PCMA, 20 ms of silence). */
function rtpSocket(address = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const s = { sock, received: 0, port: 0, seq: Math.floor(Math.random() * 1000), ts: 0, ssrc: 0x5eed0000 + Math.floor(Math.random() * 0xffff) };
    sock.on('message', () => { s.received++; });
    sock.once('error', reject);
    sock.bind(0, address, () => {
      s.port = sock.address().port;
      s.send = (toPort, count = 10) => {
        for (let i = 0; i < count; i++) {
          const b = Buffer.alloc(12 + 160, 0xd5);  // PCMA silence
          b[0] = 0x80; b[1] = 8;
          b.writeUInt16BE(s.seq++ & 0xffff, 2);
          b.writeUInt32BE((s.ts += 160) >>> 0, 4);
          b.writeUInt32BE(s.ssrc >>> 0, 8);
          sock.send(b, toPort, '127.0.0.1');
        }
      };
      s.close = () => { try { sock.close(); } catch { /* closed */ } };
      resolve(s);
    });
  });
}

const sdpPort = (sdp) => Number((/^m=audio (\d+)/m.exec(sdp) || [])[1]);

describe('phone dial-in: hostile SIP', { timeout: 420000 }, () => {
  let tmp, server, sipPort, room, watch, a, b;
  let failed = true;
  const logText = () => fs.readFileSync(server.logFile, 'utf8');
  const count = (re) => (logText().match(new RegExp(re.source, 'g')) || []).length;

  const startPhone = async (user, freq) => Baresip.start({ tmpDir: path.join(tmp, 'phones'), user, codecs: ['G722', 'PCMA'],
    sourceWav: writeToneWav(path.join(tmp, `tone-${freq}.wav`), { freq, seconds: 400 }) });

  /** Dials in, checks the greeting is heard, types the PIN; resolves when /healthz counts `participants`. */
  const dialIn = async (phone, participants) => {
    await phone.dial(`sip:plenum@127.0.0.1:${sipPort}`, { timeoutMs: 30000 });
    const level = await waitFor(() => {
      const file = phone.recording();
      if (!file) return null;
      const l = rmsLevel(file, 0.5, 2.5);
      return l.seconds >= 2.4 ? l : null;
    }, { timeout: 20000, interval: 500, message: `3 s of what ${phone.user} heard` });
    log(`${phone.user} hears ${level.dbfs.toFixed(1)} dBFS RMS in 0.5..3 s (the greeting)`);
    assert.ok(level.dbfs > SPEECH_DBFS, `${phone.user} hears the greeting (RMS ${level.dbfs.toFixed(1)} dBFS > ${SPEECH_DBFS})`);
    await phone.sendDtmf(`${room.pin}#`);
    await watch.waitCounts({ rooms: 1, participants }, { timeout: 30000 });
  };

  before(async () => {
    tmp = mkTmp('phone-bad');
    sipPort = await freePort();
    const rtpBase = 45000 + (sipPort % 40) * 100;
    server = await startServer({
      config: ['sip.enabled = true', 'sip.address = 127.0.0.1', `sip.port = ${sipPort}`, 'sip.trusted-peers = 127.0.0.1',
        'sip.language = en', `sip.rtp-timeout-s = ${RTP_TIMEOUT_S}`, `sip.rtp-min-port = ${rtpBase}`, `sip.rtp-max-port = ${rtpBase + 99}`, 'log.level = debug'].join('\n'),
    });
    watch = new HealthWatch(server).start();
    room = await staffRoom(server);
    log(`room ${room.slug} (PIN ${room.pin})`);
  });

  after(async () => {
    await watch?.stop();
    for (const p of [a, b]) {
      if (p && failed) log(`---- baresip ${p.user} log tail\n${p.logTail(30)}`);
      await p?.stop().catch(() => {});
    }
    if (failed && server) log(`plenumd log tail:\n${server.logTail(80)}`);
    await server?.stop({ keepTmp: failed });
    if (!failed) rmTmp(tmp);
    else log(`kept ${tmp}`);
  });

  it('a caller dials in and joins the room', async () => {
    a = await startPhone('0301111111', A_TONE);
    await dialIn(a, 1);
  });

  it('the corpus over UDP and TCP: pinned answers, log lines, no crash', async () => {
    const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.sip')).sort();
    const names = files.map((f) => f.slice(0, -4));
    assert.deepEqual(names.filter((n) => !(n in EXPECTED)), [], 'every corpus file has its expected answer here');
    assert.deepEqual(Object.keys(EXPECTED).filter((n) => !names.includes(n)), [], 'every expected answer has its corpus file');
    const refusedBefore = count(/call refused \(488\)/);
    const jobs = names.flatMap((name) => ['udp', 'tcp'].map((transport) => ({ name, transport })));
    const t0 = Date.now();
    const results = await pool(jobs, CONCURRENCY, async ({ name, transport }) => {
      const expected = expectedFor(name, transport);
      const message = prepare(fs.readFileSync(path.join(CORPUS, `${name}.sip`)), transport);
      const r = await sendSip({ port: sipPort, transport, message, timeoutMs: expected === 'none' ? NONE_WINDOW_MS : 15000 });
      return { name, transport, expected, ...r };
    });
    log(`corpus: ${jobs.length} sends in ${Date.now() - t0} ms`);
    const problems = [];
    for (const r of results) {
      const finals = r.responses.filter((x) => x.status >= 200);
      const got = finals.length ? finals[0].status : 'none';
      const line = `${r.name} over ${r.transport}: ${r.responses.map((x) => x.start).join(', ') || 'no answer'}`;
      if (got !== r.expected) problems.push(`${line} (expected ${r.expected})`);
      // Every answer is a well-formed status line with a readable phrase.
      for (const x of r.responses) {
        if (!/^SIP\/2\.0 [1-6]\d\d [\x20-\x7e]+$/.test(x.start)) problems.push(`${line}: not a clean status line: ${JSON.stringify(x.start)}`);
      }
      if (got === 488 && finals[0].reason !== 'Not Acceptable Here') problems.push(`${line}: 488 with the phrase ${JSON.stringify(finals[0].reason)}`);
      if (got === 405 && !(finals[0].headers.allow || []).join(',').includes('INVITE')) problems.push(`${line}: 405 without Allow`);
      if (got === 200 && /^INVITE/.test(parseMessage(prepare(fs.readFileSync(path.join(CORPUS, `${r.name}.sip`)), r.transport)).start) &&
          r.byeStatus !== 200) {
        problems.push(`${line}: the BYE after the 200 got ${r.byeStatus}`);
      }
    }
    assert.deepEqual(problems, [], `answers differ from the pinned ones:\n${problems.join('\n')}`);
    // Each 488 has its log line (with the reason).
    const refused = results.filter((r) => r.expected === 488).length;
    await waitFor(() => count(/call refused \(488\)/) - refusedBefore >= refused,
      { timeout: 10000, message: `${refused} log lines "call refused (488)"`, describe: () => count(/call refused \(488\)/) - refusedBefore });
    assert.ok(count(/call refused \(488\): the INVITE has no SDP offer/) >= 2, 'the reason is logged');
    assert.ok(count(/call refused \(488\): no common codec/) >= 2, 'no common codec is logged');
    // Privacy: the corpus's caller number is not in plenumd's own log lines in full.
    const own = logText().split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
    assert.deepEqual(own.filter((l) => l.includes('0301234567')), [], 'no caller number in full in plenumd\'s log lines');
  });

  it('privacy: sofia-sip\'s own messages (debug level here) name no caller in full', () => {
    const leaks = logText().split('\n').filter((l) => l.includes('0301234567'));
    assert.deepEqual(leaks, [], 'no caller number in full anywhere in plenumd\'s output');
  });

  it('plenumd runs, /healthz was ok throughout, the first caller is still in the room', async () => {
    assert.equal(server.exited, null, 'plenumd runs');
    assert.equal(await server.healthz(), 200);
    watch.check('during the corpus');
    log(`healthz: ${watch.summary()}`);
    assert.equal(a.events.some((e) => e.type === 'CALL_CLOSED'), false, 'the first caller\'s call is up');
    // The corpus's answered calls have all ended: only the first caller is in a room.
    await watch.waitCounts({ rooms: 1, participants: 1 }, { timeout: 30000 });
  });

  it('a second caller joins and hears the first', async () => {
    b = await startPhone('0302222222', 1300);
    await dialIn(b, 2);
    const levels = await waitFor(() => {
      const file = b.recording();
      const total = file ? rmsLevel(file, 0, 1e6).seconds : 0;
      const l = total > 3 ? toneLevels(file, total - 2.3, 2, [A_TONE, 1300]) : null;
      return l && l[A_TONE].rel > 25 && l[A_TONE].dbfs > -50 ? l : null;
    }, { timeout: 60000, interval: 1000, message: `the second caller hears the first (${A_TONE} Hz)` });
    log(`the second caller hears ${JSON.stringify(levels)}`);
  });

  it('baresip puts the call on hold and resumes it (re-INVITEs): the call goes on', async () => {
    const held = count(/: on hold/);
    const resumed = count(/: taken off hold/);
    const hold = await a.command('hold');
    assert.ok(hold.ok, `hold: ${JSON.stringify(hold)}`);
    await waitFor(() => count(/: on hold/) > held,
      { timeout: 15000, message: 'plenumd answers the hold re-INVITE and holds the call' });
    const resume = await a.command('resume');
    assert.ok(resume.ok, `resume: ${JSON.stringify(resume)}`);
    await waitFor(() => count(/: taken off hold/) > resumed,
      { timeout: 15000, message: 'plenumd answers the resume re-INVITE' });
    assert.equal(a.events.some((e) => e.type === 'CALL_CLOSED'), false, 'the first caller\'s call is up');
    // The second caller still hears the first after the resume.
    await sleep(500);
    const levels = await waitFor(() => {
      const file = b.recording();
      const total = rmsLevel(file, 0, 1e6).seconds;
      const l = toneLevels(file, total - 2.3, 2, [A_TONE]);
      return l[A_TONE].rel > 25 && l[A_TONE].dbfs > -50 ? l : null;
    }, { timeout: 30000, interval: 1000, message: 'the second caller hears the first after hold and resume' });
    log(`after hold/resume the second caller hears ${JSON.stringify(levels)}`);
    await watch.waitCounts({ rooms: 1, participants: 2 }, { timeout: 10000 });
  });

  it('a raw dialog: re-INVITEs with another port and without an offer; RTP from another address and port', async () => {
    const media = await rtpSocket();
    const other = await rtpSocket();          // same address, another port than the SDP says
    const stranger = await rtpSocket('127.0.0.2');  // another address than negotiated
    const d = await RawDialog.open(sipPort);
    try {
      const ok = await d.invite(rawOffer(media.port));
      assert.equal(ok.status, 200, ok.start);
      const answer = ok.body;
      const ourPort = sdpPort(answer);
      assert.ok(ourPort > 0, `an m=audio port in the answer: ${answer}`);
      assert.match(answer, /a=rtpmap:8 PCMA\/8000/);
      // The greeting goes to the port of the offer.
      await waitFor(() => media.received > 20, { timeout: 10000, message: 'RTP from plenumd at the offered port' });

      // A stranger's RTP (another address) is dropped, logged once; plenumd goes on sending to the offer's port.
      stranger.send(ourPort, 25);
      await waitFor(() => count(/RTP from another address than negotiated, dropped/) >= 1,
        { timeout: 10000, message: 'the log line about RTP from another address' });
      const atStranger = media.received;
      await waitFor(() => media.received > atStranger + 20, { timeout: 10000, message: 'RTP still to the offered port' });
      assert.equal(stranger.received, 0, 'nothing sent to the stranger');

      // The caller's RTP from another port than its SDP (a PBX behind NAT): plenumd sends there (symmetric RTP).
      other.send(ourPort, 25);
      await waitFor(() => count(/sends from another port than its SDP says; sending there/) >= 1,
        { timeout: 10000, message: 'the log line about the latched port' });
      await waitFor(() => other.received > 20, { timeout: 10000, message: 'RTP from plenumd at the port the caller sends from' });

      // re-INVITE with another port: 200 with the answer as before (plenumd does not follow).
      const moved = await rtpSocket();
      const re1 = await d.invite(rawOffer(moved.port, { version: 2 }));
      assert.equal(re1.status, 200, re1.start);
      assert.equal(sdpPort(re1.body), ourPort, 'the same port in the answer');
      assert.equal(re1.body, answer, 'the answer as before');
      // re-INVITE without an offer: 200 with the SDP as before (our ACK carries no answer; plenumd does not mind).
      const re2 = await d.invite('');
      assert.equal(re2.status, 200, re2.start);
      assert.equal(re2.body, answer, 'the offer in the 200 is the answer as before');
      const before = other.received;
      await waitFor(() => other.received > before + 20, { timeout: 10000, message: 'RTP still to the latched port after the re-INVITEs' });
      moved.close();
      // A flood of keys by SIP INFO (100 as fast as they are answered): every INFO gets 200, the
      // excess over 20 a second is dropped with one log line for the call, and the call goes on.
      // Four bursts of 25 at once (a slow machine still sends well over 20 a second).
      for (let burst = 0; burst < 4; burst++) {
        const answers = await Promise.all(Array.from({ length: 25 }, () =>
          d.request('INFO', { body: 'Signal=5\r\nDuration=160\r\n', ctype: 'application/dtmf-relay' })));
        for (const info of answers) assert.equal(info.status, 200, `INFO: ${info.start}`);
      }
      await waitFor(() => count(/SIP INFO keys faster than 20 a second/) === 1,
        { timeout: 10000, message: 'one log line about the keys dropped' });
      const afterFlood = other.received;
      await waitFor(() => other.received > afterFlood + 20, { timeout: 10000, message: 'RTP still flowing after the INFO flood' });
      const ended = count(/ended by the caller \(BYE\)/);
      const bye = await d.bye();
      assert.equal(bye.status, 200, bye.start);
      await waitFor(() => count(/ended by the caller \(BYE\)/) > ended, { timeout: 10000, message: 'the BYE ends the call' });
    } finally {
      d.close();
      for (const s of [media, other, stranger]) s.close();
    }
  });

  it('a call on hold for longer than sip.rtp-timeout-s stays up', async () => {
    const c = await startPhone('0303333333', 1300);
    try {
      await c.dial(`sip:plenum@127.0.0.1:${sipPort}`, { timeoutMs: 30000 });
      const hold = await c.command('hold');
      assert.ok(hold.ok, `hold: ${JSON.stringify(hold)}`);
      // Held for the RTP timeout and 5 s more.
      const until = Date.now() + (RTP_TIMEOUT_S + 5) * 1000;
      while (Date.now() < until && !c.events.some((e) => e.type === 'CALL_CLOSED')) await sleep(500);
      assert.equal(c.events.some((e) => e.type === 'CALL_CLOSED'), false,
        `the held call is up after ${RTP_TIMEOUT_S + 5} s: ${JSON.stringify(c.events.filter((e) => e.type === 'CALL_CLOSED'))}`);
    } finally {
      await c.stop().catch(() => {});
    }
  });

  it('at the end: plenumd healthy, both callers in the room, /healthz never failed', async () => {
    assert.equal(server.exited, null, 'plenumd runs');
    await watch.waitCounts({ rooms: 1, participants: 2 }, { timeout: 15000 });
    assert.equal(a.events.some((e) => e.type === 'CALL_CLOSED'), false, 'the first caller\'s call is up');
    assert.equal(b.events.some((e) => e.type === 'CALL_CLOSED'), false, 'the second caller\'s call is up');
    const h = await getHealth(server);
    assert.ok(h.ok, JSON.stringify(h));
    watch.check('at the end');
    failed = false;
  });
});
