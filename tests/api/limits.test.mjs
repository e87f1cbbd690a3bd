// SPDX-License-Identifier: EUPL-1.2
// What an anonymous client can make the server hold is limited (signaling/PROTOCOL.md,
// "Limits"): WebSockets per client address, joins per address and minute, messages per
// connection, rooms and participants on the whole server; and nothing waits forever: a
// connection that never joins, a participant that never answers its offer. Each limit is tested
// on a plenumd of its own with small values; /healthz answers throughout.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from '../e2e/node_modules/ws/wrapper.mjs';
import { startPlenumd } from './lib/plenumd.mjs';
import { SignalingSocket } from './lib/api.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(condition, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function health(server) {
  const r = await fetch(`${server.baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200);
  return r.json();
}

async function socket(server) {
  const s = new SignalingSocket(server.wsUrl);
  await s.open();
  return s;
}

/** The HTTP status of a refused WebSocket upgrade (0 if it was accepted). */
function upgradeStatus(server) {
  return new Promise((resolve) => {
    const ws = new WebSocket(server.wsUrl);
    ws.on('open', () => { ws.close(); resolve({ status: 0 }); });
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(body), retryAfter: res.headers['retry-after'] }));
    });
    ws.on('error', () => {});
  });
}

const lastError = (s) => s.messages.filter((m) => m.type === 'error').at(-1);

describe('WebSockets per client address', () => {
  let server;
  before(async () => { server = await startPlenumd({ admin: false, config: 'http.max-connections-per-address = 3' }); });
  after(async () => { await server?.stop(); });

  it('the fourth from one address is refused with 429 until one closes', async () => {
    const open = [await socket(server), await socket(server), await socket(server)];
    const refused = await upgradeStatus(server);
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'too-many-connections');
    assert.ok(Number(refused.retryAfter) > 0);
    await health(server);
    open[0].close();
    await until(async () => (await upgradeStatus(server)).status === 0, 'a connection after one closed');
    open.forEach((s) => s.close());
  });
});

describe('WebSockets on the whole server', () => {
  let server;
  before(async () => {
    server = await startPlenumd({ admin: false, config: 'http.max-connections = 6\nsignaling.max-websockets = 30' });
  });
  after(async () => { await server?.stop(); });

  it('open WebSockets hold no HTTP thread: 30 of them with 6 HTTP threads, /healthz answers; the 31st gets 503', async () => {
    const open = [];
    for (let i = 0; i < 30; ++i) open.push(await socket(server));
    const started = Date.now();
    for (let i = 0; i < 10; ++i) await health(server);
    const refused = await upgradeStatus(server);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'server-full');
    // The sessions still work: one of them joins.
    assert.equal((await open[29].join({ room: 'busy' })).type, 'joined');
    open.forEach((s) => s.close());
    await until(async () => (await upgradeStatus(server)).status === 0, 'a connection after they closed');
    assert.ok(Date.now() - started < 15000);
  });
});

/** A raw TCP connection to the server that sends `text`; collects what comes back. */
function rawConnection(server, text) {
  const socket = net.connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
  const c = { socket, received: '', closed: false };
  socket.on('data', (d) => { c.received += d; });
  socket.on('close', () => { c.closed = true; });
  socket.on('error', () => {});
  if (text) socket.write(text);
  return c;
}

describe('HTTP connections', () => {
  let server;
  before(async () => { server = await startPlenumd({ admin: false, config: 'http.max-http-connections-per-address = 3' }); });
  after(async () => { await server?.stop(); });

  it('a client that sends its request header too slowly is cut off', async () => {
    const slow = rawConnection(server, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const timer = setInterval(() => slow.socket.write('X'), 1000);
    try {
      await until(() => slow.closed, 'the slow connection to be closed', 25000);
    } finally {
      clearInterval(timer);
    }
    await health(server);
  });

  it('the fourth connection from one address gets 429 and is closed; after one closes, it works', async () => {
    const idle = [rawConnection(server), rawConnection(server), rawConnection(server)];
    await sleep(300);
    const fourth = rawConnection(server, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => fourth.closed, 'the fourth connection to be closed');
    assert.match(fourth.received, /^HTTP\/1.1 429/);
    assert.match(fourth.received, /too-many-connections/);
    idle.forEach((c) => c.socket.destroy());
    await until(async () => {
      try { return (await fetch(`${server.baseUrl}/healthz`)).status === 200; } catch { return false; }
    }, '/healthz after the idle connections closed');
  });
});

describe('joins per address and minute', () => {
  let server;
  before(async () => { server = await startPlenumd({ admin: false, config: 'signaling.joins-per-minute = 3' }); });
  after(async () => { await server?.stop(); });

  it('the fourth join within a minute is refused with rate-limited (fatal, retryAfter)', async () => {
    for (let i = 0; i < 3; ++i) {
      const s = await socket(server);
      assert.equal((await s.join({ room: `j${i}` })).type, 'joined');
      s.close();
    }
    const s = await socket(server);
    const answer = await s.join({ room: 'j9' });
    assert.equal(answer.code, 'rate-limited');
    assert.equal(answer.fatal, true);
    assert.equal(answer.retryAfter, 60);
    await until(() => s.closed, 'the refused connection to close');
    await until(async () => (await health(server)).participants === 0, 'no participant left');
  });
});

describe('messages per connection', () => {
  let server;
  before(async () => { server = await startPlenumd({ admin: false }); });
  after(async () => { await server?.stop(); });

  it('a flood of pings gets too-fast, then the connection is closed (too-many-errors)', async () => {
    const s = await socket(server);
    for (let i = 0; i < 200; ++i) s.ws.send('{"type":"ping"}');
    await until(() => s.closed, 'the flooding connection to close');
    const codes = s.messages.filter((m) => m.type === 'error').map((m) => m.code);
    assert.ok(codes.includes('too-fast'), codes.join());
    assert.equal(codes.at(-1), 'too-many-errors');
    // About the first 50 were taken (their pongs may still have been on the way when the
    // connection closed), the rest refused.
    const pongs = s.messages.filter((m) => m.type === 'pong').length;
    assert.ok(pongs < 100, `${pongs} pongs`);
    await health(server);
  });
});

describe('server-wide ceilings', () => {
  let server;
  before(async () => {
    server = await startPlenumd({ admin: false, config: 'rooms.max-rooms = 2\nrooms.max-total-participants = 3' });
  });
  after(async () => { await server?.stop(); });

  it('a third room, then a fourth participant, is refused with server-full; leaving makes room', async () => {
    const a = await socket(server);
    const b = await socket(server);
    assert.equal((await a.join({ room: 'one' })).type, 'joined');
    assert.equal((await b.join({ room: 'two' })).type, 'joined');
    const c = await socket(server);
    const refused = await c.join({ room: 'three' });
    assert.equal(refused.code, 'server-full');
    assert.equal(refused.fatal, true);
    const d = await socket(server);
    assert.equal((await d.join({ room: 'one' })).type, 'joined');
    const e = await socket(server);
    assert.equal((await e.join({ room: 'two' })).code, 'server-full');
    const h = await health(server);
    assert.equal(h.rooms, 2);
    assert.equal(h.participants, 3);
    d.close();
    await until(async () => (await health(server)).participants === 2, 'the leaver to be gone');
    const f = await socket(server);
    assert.equal((await f.join({ room: 'two' })).type, 'joined');
    [a, b, c, d, e, f].forEach((s) => s.close());
  });
});

describe('deadlines', () => {
  let server;
  before(async () => {
    server = await startPlenumd({ admin: false, config: 'signaling.join-timeout-s = 2\nsignaling.answer-timeout-s = 3' });
  });
  after(async () => { await server?.stop(); });

  it('a connection that never joins is closed (not-joined, fatal)', async () => {
    const s = await socket(server);
    await until(() => s.closed, 'the idle connection to close');
    assert.equal(lastError(s)?.code, 'not-joined');
    assert.equal(lastError(s)?.fatal, true);
  });

  it("the offer limits what a browser sends for its camera (b=AS on the video m-line)", async () => {
    const s = await socket(server);
    assert.equal((await s.join({ room: 'bandwidth' })).type, 'joined');
    await until(() => s.messages.some((m) => m.type === 'offer'), 'the offer');
    const { sdp } = s.messages.find((m) => m.type === 'offer');
    const video = sdp.slice(sdp.indexOf('m=video'));
    assert.match(video, /\r\nb=AS:\d+\r\n/);
    s.close();
    await until(async () => (await health(server)).participants === 0, 'nobody left');
  });

  it('participants that never answer their offers are removed (answer-timeout, fatal), and so is the room', async () => {
    const silent = await socket(server);
    const other = await socket(server);
    assert.equal((await silent.join({ room: 'quiet' })).type, 'joined');
    assert.equal((await other.join({ room: 'quiet' })).type, 'joined');
    await until(() => silent.messages.some((m) => m.type === 'offer'), 'the offer');
    // Neither answers: both are removed, each told why; whoever went second saw the first leave.
    await until(() => silent.closed && other.closed, 'both to be closed', 30000);
    for (const s of [silent, other]) {
      assert.equal(lastError(s)?.code, 'answer-timeout');
      assert.equal(lastError(s)?.fatal, true);
    }
    assert.ok([silent, other].some((s) => s.messages.some((m) => m.type === 'participant-left' && m.reason === 'answer-timeout')));
    await until(async () => (await health(server)).participants === 0, 'nobody left');
    assert.equal((await health(server)).rooms, 0);
  });
});
