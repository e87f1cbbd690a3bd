// SPDX-License-Identifier: EUPL-1.2
// Behind a reverse proxy (http.trusted-proxies), the limits per client address count the
// address the proxy names in X-Forwarded-For; without it, the header is ignored.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenumd, ADMIN } from './lib/plenumd.mjs';

const LIMITS = 'auth.attempts-per-address = 3\nauth.attempts-per-account = 1000';

async function wrongLogin(server, forwardedFor) {
  const r = await fetch(`${server.baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
    body: JSON.stringify({ username: ADMIN.username, password: 'not-the-password' }),
    signal: AbortSignal.timeout(15000),
  });
  return r.status;
}

describe('behind a trusted proxy', () => {
  let server;
  before(async () => { server = await startPlenumd({ config: `${LIMITS}\nhttp.trusted-proxies = 127.0.0.1` }); });
  after(async () => { await server?.stop(); });

  it('each forwarded client has its own login limit', async () => {
    for (let i = 0; i < 3; ++i) assert.equal(await wrongLogin(server, '203.0.113.1'), 401);
    assert.equal(await wrongLogin(server, '203.0.113.1'), 429);
    // Another client behind the same proxy is not affected, whatever the first wrote itself.
    assert.equal(await wrongLogin(server, '203.0.113.2'), 401);
    assert.equal(await wrongLogin(server, '203.0.113.1, 203.0.113.3'), 401);
  });
});

describe('without trusted proxies', () => {
  let server;
  before(async () => { server = await startPlenumd({ config: LIMITS }); });
  after(async () => { await server?.stop(); });

  it('X-Forwarded-For changes nothing: the connection counts', async () => {
    for (let i = 0; i < 3; ++i) assert.equal(await wrongLogin(server, `203.0.113.${i + 1}`), 401);
    assert.equal(await wrongLogin(server, '203.0.113.9'), 429);
  });
});
