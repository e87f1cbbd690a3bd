// SPDX-License-Identifier: EUPL-1.2
// /ws and the Origin header: a browser page of another site must not open a WebSocket with the
// visitor's cookies (cross-site WebSocket hijacking). Refused before the upgrade with 403 and a
// JSON reason: another site, another port or scheme, "null". Accepted: no Origin (not a browser),
// this server's own origin (the connection's scheme with the Host header), and the origin of
// http.public-url (a proxy in front).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from '../e2e/node_modules/ws/wrapper.mjs';
import { startPlenumd } from './lib/plenumd.mjs';

/** Opens /ws with `headers`; resolves { opened: true, joined } or { status, json } (refused upgrade). */
function openWs(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, contentType: res.headers['content-type'], json, text });
        req.destroy();
      });
    });
    ws.on('error', reject);
    ws.on('open', () => {
      // A join proves the connection is served, not only upgraded.
      ws.send(JSON.stringify({ type: 'join', room: 'origin-test', name: 'Tester' }));
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.type === 'joined' || m.type === 'error') {
          ws.close();
          resolve({ opened: true, answer: m });
        }
      });
    });
  });
}

describe('WebSocket Origin check', () => {
  let server;
  let port;
  before(async () => {
    server = await startPlenumd({ admin: false });  // ad-hoc rooms on: a join answers "joined"
    port = new URL(server.baseUrl).port;
  });
  after(async () => { await server?.stop(); });

  const expectRefused = (r, label) => {
    assert.equal(r.status, 403, `${label}: ${JSON.stringify(r)}`);
    assert.match(r.contentType, /^application\/json/);
    assert.equal(r.json.code, 'foreign-origin');
    assert.match(r.json.message, /another site/);
  };

  it('a page of another site is refused before the upgrade (403, JSON reason)', async () => {
    for (const origin of ['https://evil.example', 'http://evil.example', `http://127.0.0.1:${Number(port) + 1}`,
      `https://127.0.0.1:${port}`, `http://127.0.0.1.evil.example:${port}`, 'null', `http://127.0.0.1:${port}/`]) {
      expectRefused(await openWs(server.wsUrl, { Origin: origin }), origin);
    }
    const health = await fetch(`${server.baseUrl}/healthz`);
    assert.equal((await health.json()).participants, 0, 'nobody joined');
  });

  it('the same origin is accepted (as the Host header says)', async () => {
    const same = await openWs(server.wsUrl, { Origin: `http://127.0.0.1:${port}` });
    assert.equal(same.answer?.type, 'joined', JSON.stringify(same));
    const byName = await openWs(`ws://localhost:${port}/ws`, { Origin: `http://LOCALHOST:${port}` });
    assert.equal(byName.answer?.type, 'joined', JSON.stringify(byName));
    // The Host header decides, not the address connected to.
    expectRefused(await openWs(`ws://localhost:${port}/ws`, { Origin: `http://127.0.0.1:${port}` }), 'other host name');
  });

  it('no Origin header (not a browser) is accepted', async () => {
    const r = await openWs(server.wsUrl);
    assert.equal(r.answer?.type, 'joined', JSON.stringify(r));
  });
});

describe('WebSocket Origin check with http.public-url', () => {
  let server;
  before(async () => {
    server = await startPlenumd({ admin: false, config: 'http.public-url = https://meet.example.org/' });
  });
  after(async () => { await server?.stop(); });

  it("the public URL's origin is accepted besides the Host header's; others are not", async () => {
    const proxied = await openWs(server.wsUrl, { Origin: 'https://meet.example.org' });
    assert.equal(proxied.answer?.type, 'joined', JSON.stringify(proxied));
    const direct = await openWs(server.wsUrl, { Origin: `http://127.0.0.1:${new URL(server.baseUrl).port}` });
    assert.equal(direct.answer?.type, 'joined', JSON.stringify(direct));
    for (const origin of ['http://meet.example.org', 'https://evil.example', 'https://meet.example.org:8443']) {
      const r = await openWs(server.wsUrl, { Origin: origin });
      assert.equal(r.status, 403, `${origin}: ${JSON.stringify(r)}`);
      assert.equal(r.json.code, 'foreign-origin');
    }
  });
});
