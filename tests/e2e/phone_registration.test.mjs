// SPDX-License-Identifier: EUPL-1.2
// Phone dial-in through a PBX (issue 15, registration mode), against a real registrar: Debian's
// kamailio (lib/kamailio.mjs; digest auth with one password, locations in memory, forwards calls
// to the registered contact with Record-Route).
//
// plenumd registers as extension 4711 (sip.registrar, sip.user, sip.password). Its trusted peers
// are 192.0.2.1 only: a call to 4711 must come "through the registration", which plenumd decides
// as SipService::Impl::fromRegistrar does: the INVITE comes from an address of the registrar
// (looked up at start) and the request URI's or To's user is sip.user. Here the registrar is
// 127.0.0.1, so a caller on loopback that dials plenumd directly for another user is refused
// (403), one that goes through kamailio for 4711 is taken.
//
// 1. plenumd registers: kamailio challenges the first REGISTER (401), accepts the second;
//    plenumd logs "registered with the PBX".
// 2. A baresip caller dials sip:4711@kamailio: kamailio forwards to plenumd, the call is
//    established and the caller hears the greeting (speech: the RMS level of its recording).
//    The caller hangs up: the BYE goes through kamailio and plenumd ends the call.
// 3. The same caller dials plenumd directly for user 999: 403 (not trusted, not our user).
// 4. A second plenumd with a wrong password: "registration failed", and no REGISTER loop (at most
//    challenge + one answer within the next 5 s; plenumd retries after 30 s).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import { Kamailio } from './lib/kamailio.mjs';
import { Baresip, writeToneWav } from './lib/baresip.mjs';
import { rmsLevel } from './lib/mp4.mjs';
import { freePort, log, mkTmp, rmTmp, sleep, waitFor } from './lib/util.mjs';

const PASSWORD = 'geheim-4711';
const USER = '4711';
// A greeting prompt (espeak-ng speech, normalised) reads about -20..-30 dBFS RMS over a few
// seconds; comfort silence or a dead RTP stream reads below -60.
const SPEECH_DBFS = Number(process.env.E2E_PROMPT_MIN_DBFS || -45);

function sipConfig({ sipPort, registrar, user = USER, password = PASSWORD, rtpBase }) {
  return [
    'sip.enabled = true',
    'sip.address = 127.0.0.1',
    `sip.port = ${sipPort}`,
    // Not loopback: the calls must come through the registration.
    'sip.trusted-peers = 192.0.2.1',
    `sip.registrar = ${registrar}`,
    `sip.user = ${user}`,
    `sip.password = ${password}`,
    'sip.register-expires-s = 120',
    'sip.language = en',
    `sip.rtp-min-port = ${rtpBase}`,
    `sip.rtp-max-port = ${rtpBase + 49}`,
    'log.level = debug',
  ].join('\n');
}

const grepLog = (server, re) => (server.logTail(100000).match(new RegExp(re.source, `${re.flags.replace('g', '')}g`)) || []);

describe('phone dial-in through a registrar (kamailio)', { timeout: 240000 }, () => {
  let tmp, pbx, server, caller;
  const others = [];
  let failed = true;

  before(async () => {
    tmp = mkTmp('phone-reg');
    pbx = await Kamailio.start({ tmpDir: tmp, password: PASSWORD });
  });

  after(async () => {
    for (const x of others) await x.stop().catch(() => {});
    await caller?.stop().catch(() => {});
    if (failed) {
      if (server) log(`plenumd log tail:\n${server.logTail(60)}`);
      if (pbx) log(`kamailio log tail:\n${pbx.logTail(60)}`);
      if (caller) log(`baresip log tail:\n${caller.logTail(30)}`);
    }
    await server?.stop({ keepTmp: failed });
    await pbx?.stop();
    if (!failed) rmTmp(tmp);
    else log(`kept ${tmp}`);
  });

  it('registers: 401 first, then accepted', async () => {
    const sipPort = await freePort();
    server = await startServer({ config: sipConfig({ sipPort, registrar: `127.0.0.1:${pbx.port}`, rtpBase: 43000 + (sipPort % 20) * 50 }) });
    server.sipPort = sipPort;
    await waitFor(() => grepLog(server, /registered with the PBX/).length > 0,
      { timeout: 20000, message: 'plenumd logs "registered with the PBX"' });
    // /healthz says so too (monitoring).
    const health = await fetch(`${server.httpUrl}/healthz`).then((r) => r.json());
    assert.equal(health.phone && health.phone.registered, true, JSON.stringify(health));
    const from = new RegExp(`from 127\\.0\\.0\\.1:${sipPort}\\b`);
    const challenged = pbx.lines(/KAM REGISTER-CHALLENGE 4711 /).filter((l) => from.test(l));
    const accepted = pbx.lines(/KAM REGISTER-OK 4711 /).filter((l) => from.test(l));
    const all = pbx.lines(/KAM (REGISTER-CHALLENGE|REGISTER-OK) 4711 /).filter((l) => from.test(l));
    log(`kamailio: ${all.join(' | ')}`);
    assert.ok(challenged.length >= 1, 'kamailio challenged plenumd');
    assert.ok(accepted.length >= 1, 'kamailio accepted plenumd');
    assert.match(all[0], /REGISTER-CHALLENGE/, 'the first REGISTER was challenged (401)');
    assert.match(accepted[0], new RegExp(`contact <sip:4711@127\\.0\\.0\\.1:${sipPort}`), 'the binding is plenumd\'s SIP port');
    assert.equal(grepLog(server, /registration failed/).length, 0, 'no failed registration');
  });

  it('a call to 4711 through kamailio is answered and the caller hears the greeting', async () => {
    caller = await Baresip.start({ tmpDir: tmp, user: '0301234567', codecs: ['G722', 'PCMA'],
      sourceWav: writeToneWav(path.join(tmp, 'silence.wav'), { freq: 0 }), recordWav: path.join(tmp, 'caller-heard.wav') });
    const t0 = Date.now();
    await caller.dial(`sip:${USER}@127.0.0.1:${pbx.port}`, { timeoutMs: 30000 });
    log(`call established after ${Date.now() - t0} ms`);
    assert.ok(pbx.lines(new RegExp(`KAM FORWARD INVITE to sip:${USER}@127\\.0\\.0\\.1:${server.sipPort}`)).length >= 1,
      'kamailio forwarded the INVITE to plenumd\'s contact');
    await waitFor(() => grepLog(server, /incoming call from/).length > 0, { timeout: 10000, message: 'plenumd logs the call' });
    // The caller's number is masked in the log (privacy): never in full.
    assert.equal(grepLog(server, /0301234567/).length, 0, 'the caller\'s number is not in the log in full');
    // The greeting: speech in the first seconds of what the caller heard.
    const level = await waitFor(() => {
      const file = caller.recording();
      if (!file) return null;
      const l = rmsLevel(file, 0.5, 3);
      return l.seconds >= 2.9 ? l : null;
    }, { timeout: 20000, interval: 500, message: '3.5 s of the caller\'s recording' });
    log(`caller hears ${level.dbfs.toFixed(1)} dBFS RMS in 0.5..3.5 s`);
    assert.ok(level.dbfs > SPEECH_DBFS, `the caller hears the greeting (RMS ${level.dbfs.toFixed(1)} dBFS > ${SPEECH_DBFS})`);

    await caller.hangup();
    await caller.waitClosed(10000);
    assert.ok(pbx.lines(/KAM REQ BYE from/).length >= 1, 'the BYE went through kamailio (Record-Route)');
    // plenumd ends the call (the dialog's BYE reached it).
    await waitFor(() => grepLog(server, /call \d+: ended by the caller \(BYE\)/).length > 0,
      { timeout: 10000, message: 'plenumd logs "ended by the caller (BYE)"' });
    assert.equal(server.exited, null, 'plenumd runs');
  });

  it('a direct call from loopback to another user is refused (403): only calls for 4711 count as "through the registration"', async () => {
    const err = await caller.dial(`sip:999@127.0.0.1:${server.sipPort}`, { timeoutMs: 20000 }).then(() => null, (e) => e);
    assert.ok(err, 'the direct call is not established');
    assert.equal(err.status, 403, `refused with 403 (${err.message})`);
    await waitFor(() => grepLog(server, /refused a call from an untrusted address/).length > 0,
      { timeout: 5000, message: 'plenumd logs the refusal' });
  });

  it('a wrong password: "registration failed" and no REGISTER loop', async () => {
    const sipPort = await freePort();
    const wrong = await startServer({ config: sipConfig({ sipPort, registrar: `127.0.0.1:${pbx.port}`, user: '4712',
      password: 'falsch', rtpBase: 44000 + (sipPort % 20) * 50 }) });
    others.push(wrong);
    await waitFor(() => grepLog(wrong, /registration failed/).length > 0,
      { timeout: 20000, message: 'the second plenumd logs "registration failed"' });
    const failedLine = grepLog(wrong, /registration failed[^\n]*/)[0];
    log(`wrong password: ${failedLine}`);
    assert.match(failedLine, /registration failed: 40[13]/, 'the failure names the 401/407');
    const from = new RegExp(`KAM REQ REGISTER from 127\\.0\\.0\\.1:${sipPort}\\b`);
    const atFailure = pbx.lines(from).length;
    // Over the next 5 s: no further REGISTER (the retry comes after 30 s).
    await sleep(5000);
    const after5s = pbx.lines(from).length;
    log(`REGISTERs from the second plenumd: ${atFailure} until the failure, ${after5s} 5 s later`);
    assert.ok(atFailure >= 1 && atFailure <= 3, `the first attempt: the REGISTER and at most two digest answers (${atFailure})`);
    assert.equal(after5s, atFailure, 'no REGISTER loop');
    assert.equal(pbx.lines(/KAM REGISTER-OK 4712 /).length, 0, 'kamailio never accepted 4712');
    assert.equal(grepLog(wrong, /registered with the PBX/).length, 0, 'no "registered" in its log');
    assert.equal(wrong.exited, null, 'the second plenumd runs');
    await wrong.stop();
    others.length = 0;
    failed = false;
  });
});
