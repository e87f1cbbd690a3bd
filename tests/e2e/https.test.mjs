// SPDX-License-Identifier: EUPL-1.2
// plenumd over HTTPS with a self-signed certificate made for the test: plain HTTP redirects to
// HTTPS (except /healthz), TLS 1.2+ only, HSTS only with tls.hsts = true, the cookies carry the
// __Host- prefix (Secure, Path=/, no Domain) and only those names are read, and two real browsers
// that trust exactly this certificate join a room over https:// (and wss://) and see each other.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { startServer } from './lib/server.mjs';
import { summarize } from './lib/browser.mjs';
import { makeCertificate, httpsGet, httpsRequest } from './lib/tls.mjs';
import { createAdmin } from '../api/lib/plenumd.mjs';
import { mkTmp, rmTmp, log } from './lib/util.mjs';

const [ROT, GRUEN] = PARTICIPANTS;
const TWO = [ROT, GRUEN];

describe('HTTPS', { timeout: 90000 }, () => {
  let certDir;
  let cert;
  let s;

  before(async () => {
    certDir = mkTmp('tls');
    cert = makeCertificate(certDir);
    s = new Session(TWO, { roomPrefix: 'https', server: { https: cert }, spki: cert.spki });
    await s.start();
  }, { timeout: 40000 });

  after(async () => {
    if (s) await s.stop();
    rmTmp(certDir);
  }, { timeout: 30000 });

  it('plain HTTP answers 301 to the same path and query over HTTPS, with no content', async () => {
    const { port, httpsPort, httpUrl } = s.server;
    for (const [host, uri] of [['127.0.0.1', '/r/some-room?name=A&autojoin=1'], ['localhost', '/'],
      ['localhost', '/api/session']]) {
      const r = await fetch(`http://${host}:${port}${uri}`, { redirect: 'manual' });
      assert.equal(r.status, 301, uri);
      assert.equal(r.headers.get('location'), `https://${host}:${httpsPort}${uri}`);
      assert.equal(await r.text(), '');
      assert.equal(r.headers.get('strict-transport-security'), null);
    }
    const post = await fetch(`${httpUrl}/api/session`, { method: 'POST', redirect: 'manual', body: '{}' });
    assert.equal(post.status, 301);
    // The health check stays on plain HTTP for monitoring.
    const health = await fetch(`${httpUrl}/healthz`, { redirect: 'manual' });
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
  });

  it('HTTPS serves the client and API with TLS 1.2+, and no HSTS by default', async () => {
    const page = await httpsGet(`${s.server.baseUrl}/r/some-room`, { ca: cert.pem });
    assert.equal(page.status, 200);
    assert.match(page.body, /<html/i);
    assert.equal(page.headers['strict-transport-security'], undefined);
    assert.equal(page.protocol, 'TLSv1.3');
    const health = await httpsGet(`${s.server.baseUrl}/healthz`, { ca: cert.pem });
    assert.equal(health.status, 200);
    const api = await httpsGet(`${s.server.baseUrl}/api/session`, { ca: cert.pem });
    assert.equal(api.status, 401);
    // The guest cookie of the room page is __Host- prefixed and Secure over HTTPS.
    assert.ok(page.headers['set-cookie'].some((c) => /^__Host-plenum_guest=.*;\s*secure/i.test(c)), String(page.headers['set-cookie']));
    assert.ok(!page.headers['set-cookie'].some((c) => /^plenum_guest=/.test(c)), String(page.headers['set-cookie']));
    const tls12 = await httpsGet(`${s.server.baseUrl}/healthz`, { ca: cert.pem, maxVersion: 'TLSv1.2' });
    assert.equal(tls12.protocol, 'TLSv1.2');
    await assert.rejects(httpsGet(`${s.server.baseUrl}/healthz`, { ca: cert.pem, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }));
    await assert.rejects(httpsGet(`${s.server.baseUrl}/healthz`,
      { ca: cert.pem, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:AES128-GCM-SHA256' }));
  });

  it('with tls.hsts = true, HTTPS responses carry Strict-Transport-Security', async () => {
    const server = await startServer({ https: { ...cert, hsts: true } });
    try {
      const r = await httpsGet(`${server.baseUrl}/`, { ca: cert.pem });
      assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
      const redirect = await fetch(`${server.httpUrl}/x`, { redirect: 'manual' });
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.get('strict-transport-security'), null);  // never over plain HTTP
    } finally {
      const exit = await server.stop();
      assert.equal(exit?.code, 0, `plenumd exit on SIGTERM: ${JSON.stringify(exit)}`);
    }
  });

  it('the session cookie is __Host-plenum_session over HTTPS, and only that name is read', async () => {
    // A server of its own: an account turns ad-hoc rooms off, which the browsers below need.
    const server = await startServer({ https: cert });
    try {
      const made = createAdmin(server.dataDir, server.configFile, 'admin', 'admin-password-1');
      assert.equal(made.status, 0, made.stderr);
      const login = await httpsRequest(`${server.baseUrl}/api/session`, {
        ca: cert.pem, method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin-password-1' }),
      });
      assert.equal(login.status, 200, login.body);
      const cookie = login.headers['set-cookie'].find((c) => c.startsWith('__Host-plenum_session='));
      assert.ok(cookie, String(login.headers['set-cookie']));
      assert.ok(!login.headers['set-cookie'].some((c) => c.startsWith('plenum_session=')));
      for (const attribute of [/;\s*secure(;|$)/i, /;\s*path=\/(;|$)/i, /;\s*httponly(;|$)/i, /;\s*samesite=strict(;|$)/i]) {
        assert.match(cookie, attribute);
      }
      assert.doesNotMatch(cookie, /domain=/i);
      const id = cookie.split(';')[0].slice('__Host-plenum_session='.length);
      const get = (name) => httpsRequest(`${server.baseUrl}/api/session`, { ca: cert.pem, headers: { Cookie: `${name}=${id}` } });
      assert.equal((await get('__Host-plenum_session')).status, 200);
      // The plain name may have been set by a sibling host or over plain HTTP: not read over HTTPS.
      assert.equal((await get('plenum_session')).status, 401);
      const logout = await httpsRequest(`${server.baseUrl}/api/session`, {
        ca: cert.pem, method: 'DELETE', headers: { Cookie: `__Host-plenum_session=${id}`, 'X-CSRF-Token': login.json.csrfToken },
      });
      assert.equal(logout.status, 204, logout.body);
      assert.ok(logout.headers['set-cookie'].some((c) => /^__Host-plenum_session=;/.test(c) && /;\s*secure/i.test(c)),
        String(logout.headers['set-cookie']));
      assert.equal((await get('__Host-plenum_session')).status, 401);
    } finally {
      await server.stop();
    }
  });

  it('two browsers join a room over https:// and see each other', { timeout: 60000 }, async (t) => {
    await s.step(t, 'join', async () => {
      await s.joinAll();
      for (const b of s.active) assert.ok(b.page.url().startsWith(`https://localhost:${s.server.httpsPort}/`), b.page.url());
      await s.waitParticipants(TWO.map((p) => p.name), { timeout: 30000 });
    });
    await s.step(t, 'media', async () => {
      const r = await s.waitMedia({
        label: 'https media',
        visible: (me) => TWO.filter((p) => p !== me),
        audible: () => [],
        inaudible: () => [],
        timeout: 40000,
      });
      for (const [name, { ms, m }] of Object.entries(r)) t.diagnostic(`${name}: sees the other after ${ms} ms: ${summarize(m)}`);
    });
  });

  it('plenumd stops cleanly on SIGTERM with HTTPS on', { timeout: 20000 }, async () => {
    await Promise.all([...s.browsers.values()].map((b) => b.close()));
    const exit = await s.server.stop({ keepTmp: true });
    log(`plenumd exit: ${JSON.stringify(exit)}`);
    assert.equal(exit?.code, 0);
    assert.match(s.server.logTail(5), /stopped/);
  });
});
