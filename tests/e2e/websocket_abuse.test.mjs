// SPDX-License-Identifier: EUPL-1.2
// Bad input on the signaling WebSocket (/ws) must be refused with the documented error codes
// (signaling/PROTOCOL.md, "Errors") and must not disturb a running call between two browsers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { plenumState, summarize } from './lib/browser.mjs';
import { RawClient } from './lib/wsclient.mjs';
import { log, randomId, sleep, waitFor } from './lib/util.mjs';

const [ROT, GRUEN] = PARTICIPANTS;
const PAIR = [ROT, GRUEN];
const others = (me) => PAIR.filter((p) => p !== me);
const IGNORED = new Set(['offer', 'candidate', 'participant-joined', 'participant-updated', 'participant-left', 'joined']);

/**
 * Sends `payload`; unless `fatal`, follows it with a ping; waits for an error and the pong (or,
 * if `fatal`, the close) and reports what arrived.
 * Returns { errors: [...error messages], closed, other: [unexpected message types] }.
 */
async function exchange(c, payload, { fatal = false, timeout = 10000 } = {}) {
  const from = c.messages.length;
  const got = () => c.messages.slice(from);
  c.send(payload);
  if (!fatal) c.send({ type: 'ping' });
  // The answer may come before or after the pong (the protocol does not promise an order).
  try {
    await waitFor(() => got().some((m) => m.type === 'error') && (fatal ? c.closed : got().some((m) => m.type === 'pong')),
      { timeout, interval: 20, message: 'error + pong/close' });
    await sleep(150); // catch a duplicate answer
  } catch { /* reported by the caller from what arrived */ }
  const all = got();
  return {
    errors: all.filter((m) => m.type === 'error'),
    pong: all.some((m) => m.type === 'pong'),
    other: all.filter((m) => m.type !== 'error' && m.type !== 'pong' && !IGNORED.has(m.type)).map((m) => m.type || m),
    closed: c.closed,
  };
}

describe('websocket abuse', { timeout: 480000 }, () => {
  const s = new Session(PAIR, { roomPrefix: 'e2e' });
  const clients = [];
  const results = []; // { case, expect, got, ok, note }
  let n = 0;
  const client = async (label, opts) => {
    const c = new RawClient(s.server.wsUrl, { label: `${label}#${++n}`, ...opts });
    clients.push(c);
    return c.connect();
  };
  /**
   * A connection that is replaced by a fresh one (made by `make`) when the server closed it, so
   * that one wrongly fatal answer does not spoil the cases after it.
   */
  function conn(make) {
    let c = null;
    return {
      async get(notes) {
        if (!c || c.closed) {
          if (c) notes.push('(previous connection had been closed: reconnected)');
          c = await make();
        }
        return c;
      },
      get current() { return c; },
    };
  }

  /** One bad-input case: records the outcome instead of throwing, so all cases get reported. */
  async function check(h, name, payload, code, { fatal = false } = {}) {
    const notes = [];
    const c = h.get ? await h.get(notes) : h;
    const r = await exchange(c, payload, { fatal });
    const codes = r.errors.map((e) => e.code);
    let ok = codes.length === 1 && codes[0] === code;
    if (fatal) {
      if (!r.closed) { ok = false; notes.push('connection NOT closed'); }
      if (r.errors[0] && r.errors[0].fatal !== true) { ok = false; notes.push('fatal flag not true'); }
    } else {
      if (!r.pong) { ok = false; notes.push('no pong afterwards'); }
      if (r.closed) { ok = false; notes.push(`closed ${JSON.stringify(r.closed)}`); }
      if (r.errors[0] && r.errors[0].fatal === true) { ok = false; notes.push('marked fatal'); }
    }
    if (r.other.length) notes.push(`also got ${JSON.stringify(r.other)}`);
    if (r.errors[0] && typeof r.errors[0].message !== 'string') { ok = false; notes.push('error without message'); }
    results.push({ case: name, expect: code, got: codes.join(',') || '(none)', ok, note: notes.join('; ') });
    return r;
  }

  before(async () => {
    await s.start();
    await s.joinAll();
  }, { timeout: 120000 });

  after(async () => {
    for (const c of clients) c.terminate();
    await s.stop();
  }, { timeout: 60000 });

  let callUp = false;
  const callUpColors = {}; // name -> colour fractions once the call was up (2 tiles)
  it('two browsers see and hear each other', { timeout: 150000 }, async (t) => {
    await s.step(t, 'call up', async () => {
      await s.waitParticipants(PAIR.map((p) => p.name), { timeout: 60000 });
      // Everyone's tile, one's own included, so that the layout baseline below is complete.
      const r = await s.waitMedia({ label: 'call up', visible: () => PAIR, audible: others, inaudible: (me) => [me], timeout: 90000 });
      for (const [name, { m }] of Object.entries(r)) callUpColors[name] = m.colors;
      for (const [name, { ms, m }] of Object.entries(r)) t.diagnostic(`${name}: media OK after ${ms} ms: ${summarize(m)}`);
      callUp = true;
    });
  });

  it('refuses malformed messages before join with the documented codes', { timeout: 120000 }, async (t) => {
    await s.step(t, 'before join', async () => {
      const c = conn(() => client('prejoin'));
      await check(c, 'not JSON', 'this is {not json', 'bad-json');
      await check(c, 'JSON array', '[{"type":"ping"}]', 'bad-json');
      await check(c, 'JSON string', '"ping"', 'bad-json');
      await check(c, 'JSON number', '42', 'bad-json');
      await check(c, 'JSON null', 'null', 'bad-json');
      await check(c, 'empty text frame', '', 'bad-json');
      await check(c, 'unknown type', { type: 'hello' }, 'unknown-type');
      await check(c, 'type missing', { room: 'x' }, 'unknown-type');
      await check(c, 'type not a string', { type: 7 }, 'unknown-type');
      await check(c, 'type in wrong case', { type: 'JOIN', room: 'x', name: 'y' }, 'unknown-type');

      const c2 = await client('badjoin');
      const room = `abuse-${randomId()}`;
      const badJoins = [
        ['join without room', { type: 'join', name: 'A' }],
        ['join without name', { type: 'join', room }],
        ['join room is a number', { type: 'join', room: 5, name: 'A' }],
        ['join name is an object', { type: 'join', room, name: { first: 'A' } }],
        ['join empty room', { type: 'join', room: '', name: 'A' }],
        ['join room with slash', { type: 'join', room: 'a/b', name: 'A' }],
        ['join room with space', { type: 'join', room: 'a b', name: 'A' }],
        ['join room 65 chars', { type: 'join', room: 'r'.repeat(65), name: 'A' }],
        ['join blank name', { type: 'join', room, name: '   ' }],
        ['join name 65 chars', { type: 'join', room, name: 'n'.repeat(65) }],
        ['join name with control char', { type: 'join', room, name: 'A\u0007B' }],
        ['join audio is a string', { type: 'join', room, name: 'A', audio: 'yes' }],
        ['join video is a number', { type: 'join', room, name: 'A', video: 1 }],
        ['join videoCodecs not an array', { type: 'join', room, name: 'A', videoCodecs: 'VP8' }],
        ['join videoCodecs holds a number', { type: 'join', room, name: 'A', videoCodecs: [8] }],
      ];
      for (const [name, msg] of badJoins) await check(c2, name, msg, 'bad-field');
      // Refused joins change nothing: a correct join on the same connection still works,
      // and 64-character room/name are still allowed.
      try {
        const j = await c2.join('r'.repeat(64), 'N'.repeat(64));
        results.push({ case: 'valid join after refused joins (64-char room and name)', expect: 'joined', got: j.type, ok: true, note: '' });
      } catch (e) {
        results.push({ case: 'valid join after refused joins (64-char room and name)', expect: 'joined', got: e.message, ok: false, note: '' });
      }
      c2.close();

      const c3 = conn(() => client('notjoined'));
      await check(c3, 'answer before join', { type: 'answer', sdp: 'v=0\r\n' }, 'not-joined');
      await check(c3, 'candidate before join', { type: 'candidate', candidate: '', sdpMLineIndex: 0 }, 'not-joined');
      await check(c3, 'media before join', { type: 'media', audio: true, video: true }, 'not-joined');
      await check(c3, 'leave before join', { type: 'leave' }, 'not-joined');

      const c4 = await client('toolarge');
      await check(c4, 'text frame of 100 KiB', JSON.stringify({ type: 'ping', pad: 'x'.repeat(100 * 1024) }), 'too-large', { fatal: true });

      const c5 = await client('binary');
      await check(c5, 'binary frame', Buffer.from('{"type":"ping"}'), 'not-binary');

      const c6 = await client('flood');
      const before = c6.messages.length;
      for (let i = 0; i < 25; i++) c6.send(`garbage ${i}`);
      let closed = null;
      try { closed = await c6.waitClose(15000); } catch { /* reported */ }
      const errs = c6.messages.slice(before).filter((m) => m.type === 'error');
      const tooMany = errs.find((e) => e.code === 'too-many-errors');
      const refused = errs.filter((e) => e.code === 'bad-json').length;
      results.push({ case: '25 bad messages in a row (not joined)', expect: 'too-many-errors + close', got: `${refused} x bad-json, ${tooMany ? 'too-many-errors' : 'NO too-many-errors'}, ${closed ? `closed ${closed.code}` : 'NOT closed'}`,
        ok: !!tooMany && !!closed && tooMany.fatal === true && refused >= 20 && refused <= 21, note: '' });
    }, { always: true });
  });

  it('refuses bad messages from a joined client with the documented codes', { timeout: 120000 }, async (t) => {
    await s.step(t, 'joined', async () => {
      const room = `abuse-${randomId()}`;
      let first = true;
      const h = conn(async () => {
        const c = await client('joined', { autoPing: true });
        const j = await c.join(room, 'Mallory');
        const offer = await c.nextOfType('offer', { timeout: 15000 }).catch(() => null);
        if (first) results.push({ case: 'join gets joined + offer', expect: 'joined,offer', got: `${j.type},${offer ? 'offer' : 'NO offer'}`, ok: !!offer, note: '' });
        first = false;
        return c;
      });
      const c = h;
      await check(c, 'garbage SDP answer', { type: 'answer', sdp: 'this is not SDP' }, 'bad-sdp');
      await check(c, 'SDP answer with wrong m-lines', { type: 'answer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n' }, 'bad-sdp');
      await check(c, 'answer sdp not a string', { type: 'answer', sdp: 42 }, 'bad-field');
      // > 60000 characters of SDP, but a frame below the 64 KiB limit (no escaped characters).
      await check(c, 'answer sdp over 60000 chars', { type: 'answer', sdp: 'v=0' + 'x'.repeat(60010) }, 'bad-field');
      await check(c, 'garbage candidate', { type: 'candidate', candidate: 'candidate:garbage here', sdpMLineIndex: 0 }, 'bad-candidate');
      await check(c, 'candidate sdpMLineIndex 99', { type: 'candidate', candidate: '', sdpMLineIndex: 99 }, 'bad-field');
      await check(c, 'candidate sdpMLineIndex a string', { type: 'candidate', candidate: '', sdpMLineIndex: '0' }, 'bad-field');
      await check(c, 'media audio not a bool', { type: 'media', audio: 'off', video: true }, 'bad-field');
      await check(c, 'ping naming another room', { type: 'ping', room: `${room}-other` }, 'wrong-target');
      await check(c, 'media naming another participant', { type: 'media', audio: false, video: false, participantId: 'someone-else' }, 'wrong-target');
      await check(c, 'second join', { type: 'join', room, name: 'Mallory' }, 'already-joined');
      await check(c, 'second join to another room', { type: 'join', room: `${room}-2`, name: 'Mallory' }, 'already-joined');
      const cj = await h.get([]);
      const before = cj.messages.length;
      for (let i = 0; i < 25; i++) cj.send(i % 2 ? '[]' : { type: 'nonsense' });
      let closed = null;
      try { closed = await cj.waitClose(15000); } catch { /* reported */ }
      const errs = cj.messages.slice(before).filter((m) => m.type === 'error');
      const tooMany = errs.find((e) => e.code === 'too-many-errors');
      results.push({ case: '25 bad messages in a row (joined)', expect: 'too-many-errors + close',
        got: `${errs.length - (tooMany ? 1 : 0)} refusals, ${tooMany ? 'too-many-errors' : 'NO too-many-errors'}, ${closed ? `closed ${closed.code}` : 'NOT closed'}`,
        ok: !!tooMany && !!closed && tooMany.fatal === true, note: '' });
    }, { always: true });
  });

  it('abusers in the browsers\' room are refused and leave no trace', { timeout: 150000 }, async (t) => {
    await s.step(t, 'same room', async () => {
      const rot = await plenumState(s.browser(ROT.name));
      const c = await client('sameroom', { autoPing: true });
      await c.join(s.room, 'Abuser');
      const quitter = await client('quitter', { autoPing: true });
      await quitter.join(s.room, 'Quitter');
      const leaver = await client('leaver', { autoPing: true });
      await leaver.join(s.room, 'Leaver');
      await s.waitParticipants([ROT.name, GRUEN.name, 'Abuser', 'Quitter', 'Leaver'], { timeout: 30000 });
      log('browsers list the three raw clients');

      await check(c, 'same room: not JSON', '{{{', 'bad-json');
      await check(c, 'same room: garbage SDP answer', { type: 'answer', sdp: 'garbage' }, 'bad-sdp');
      await check(c, 'same room: garbage candidate', { type: 'candidate', candidate: 'candidate:1 1 udp x y z', sdpMLineIndex: 0 }, 'bad-candidate');
      await check(c, 'same room: media naming Rot', { type: 'media', audio: false, video: false, participantId: rot.participantId }, 'wrong-target');
      await check(c, 'same room: answer naming Rot', { type: 'answer', sdp: 'v=0\r\n', participantId: rot.participantId, room: s.room }, 'wrong-target');
      await check(c, 'same room: second join', { type: 'join', room: s.room, name: 'Rot' }, 'already-joined');
      await check(c, 'same room: binary frame', Buffer.from([0, 1, 2, 3]), 'not-binary');

      // Rot must not have been muted by the abuser's wrong-target message.
      for (const b of s.active) {
        const st = await plenumState(b);
        const r = st.participants.find((p) => p.name === ROT.name);
        results.push({ case: `${b.name} still lists Rot with audio+video on`, expect: 'audio,video true', got: JSON.stringify(r), ok: !!r && r.audio === true && r.video === true, note: '' });
      }

      quitter.terminate(); // abrupt TCP close, no leave
      leaver.send({ type: 'leave' });
      let lc = null;
      try { lc = await leaver.waitClose(10000); } catch { /* reported */ }
      results.push({ case: 'leave closes the connection', expect: 'closed', got: lc ? `closed ${lc.code}` : 'NOT closed', ok: !!lc, note: '' });

      for (let i = 0; i < 25; i++) c.send({ type: 'candidate', candidate: `candidate:junk ${i}`, sdpMLineIndex: 0 });
      let closed = null;
      try { closed = await c.waitClose(15000); } catch { /* reported */ }
      const tooMany = c.messages.find((m) => m.type === 'error' && m.code === 'too-many-errors');
      results.push({ case: 'same room: 25 bad candidates', expect: 'too-many-errors + close', got: `${tooMany ? 'too-many-errors' : 'NO too-many-errors'}, ${closed ? `closed ${closed.code}` : 'NOT closed'}`, ok: !!tooMany && !!closed, note: '' });
    }, { always: true });
  });

  it('all bad input got the documented answer', async (t) => {
    if (!results.length) { t.skip('no case ran'); return; }
    const w = Math.max(...results.map((r) => r.case.length));
    for (const r of results) t.diagnostic(`${r.ok ? 'ok  ' : 'FAIL'} ${r.case.padEnd(w)}  expected ${r.expect}, got ${r.got}${r.note ? ` (${r.note})` : ''}`);
    const bad = results.filter((r) => !r.ok);
    if (bad.length) s.anyFailed = true;
    assert.equal(bad.length, 0, `${bad.length} of ${results.length} cases wrong:\n` + bad.map((r) => `  ${r.case}: expected ${r.expect}, got ${r.got} ${r.note}`).join('\n'));
  });

  it('the call survived: lists clean, colours and tones intact, /healthz OK', { timeout: 150000 }, async (t) => {
    for (const c of clients) c.terminate();
    if (!callUp) { t.skip('the call never came up'); return; }
    s.failed = false; // runs even if a protocol step above threw
    await s.step(t, 'survival', async () => {
      const ms = await s.waitParticipants(PAIR.map((p) => p.name), { timeout: 30000 });
      t.diagnostic(`participant lists back to [Rot, Gruen] within ${ms} ms`);
      for (const [name, c] of Object.entries(callUpColors)) t.diagnostic(`${name}: composite when the call came up: red=${c.red.toFixed(3)} green=${c.green.toFixed(3)} dark=${c.dark.toFixed(3)}`);
      // The abusers' tiles must be gone too: the composite looks as it did before the abuse (same
      // 2-tile layout): each colour covers about as much of it, and so does the dark background
      // (placeholder tiles of leftover participants would cover part of it).
      const sameLayout = (me, m) => {
        const before = callUpColors[me.name];
        return PAIR.every((p) => Math.abs(m.colors[p.color] / before[p.color] - 1) < 0.15) &&
          Math.abs(m.colors.dark - before.dark) < 0.08;
      };
      const r = await s.waitMedia({ label: 'after abuse', visible: others, audible: others, inaudible: (me) => [me],
        extra: sameLayout, timeout: 60000 });
      for (const [name, { ms: m2, m }] of Object.entries(r)) t.diagnostic(`${name}: media OK after abuse (${m2} ms): ${summarize(m)}`);
      const status = await s.server.healthz();
      assert.equal(status, 200, '/healthz');
      assert.equal(s.server.exited, null, 'plenumd still running');
    });
  });
});
