// SPDX-License-Identifier: EUPL-1.2
// Participants behind strict firewalls: a headless Chromium in a network namespace whose
// firewall (nftables) lets nothing out but TCP to the server's port 443 (or only to an HTTP
// proxy, Debian's squid) joins a room over HTTPS with a Chromium outside it; both see and hear
// each other through the TURN relay that plenumd runs (coturn) and carries on port 443 itself,
// and getStats shows a relayed pair over TLS. With UDP open, the direct path is chosen. The
// relay refuses peers other than the appliance and forged or expired credentials.
// Needs root (network namespaces); skips with the reason where they cannot be made.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Session } from './lib/session.mjs';
import { makeCertificate } from './lib/tls.mjs';
import { netnsAvailable, createClientNetwork } from './lib/netns.mjs';
import { meeting, coturnOf, SERVER_IP } from './lib/firewall.mjs';
import { turnSession, turnRestCredentials } from './lib/turnclient.mjs';
import { mkTmp, rmTmp, log, waitFor } from './lib/util.mjs';

const available = netnsAvailable();

describe('through firewalls (TURN on port 443)', { timeout: 420000, skip: available.ok ? false : available.reason }, () => {
  let certDir;
  let cert;

  before(() => {
    certDir = mkTmp('tls');
    cert = makeCertificate(certDir, { ips: [SERVER_IP] });
  });
  after(() => rmTmp(certDir));

  it('only TCP to 443 allowed: both see and hear each other over a TURN/TLS relay', async () => {
    const m = await meeting(cert, { allow: { tcp: [443] } });
    try {
      assert.equal(m.insidePair.local.type, 'relay', JSON.stringify(m.insidePair));
      assert.equal(m.insidePair.local.relayProtocol, 'tls', JSON.stringify(m.insidePair));
      // The browser tried UDP first; the firewall dropped it.
      const dropped = await m.net.counters();
      assert.ok(dropped.droppedUdpPackets > 0, JSON.stringify(dropped));
      // Outside, nothing is relayed.
      assert.notEqual(m.outsidePair.local.type, 'relay', JSON.stringify(m.outsidePair));
      log(`dropped by the client firewall: ${JSON.stringify(dropped)}`);
    } finally {
      await m.close();
    }
  });

  it('only an HTTP proxy allowed: the page, the WebSocket and the relay go through it', async () => {
    const m = await meeting(cert, { proxy: true });
    try {
      assert.equal(m.insidePair.local.type, 'relay', JSON.stringify(m.insidePair));
      assert.ok(['tls', 'tcp'].includes(m.insidePair.local.relayProtocol), JSON.stringify(m.insidePair));
      // squid logs a tunnel when it closes: after the browser has gone.
      await m.inside.close();
      const tunnel = new RegExp(`CONNECT ${SERVER_IP.replace(/\./g, '\\.')}:443`);
      await waitFor(() => tunnel.test(m.squid.accessLog()), { timeout: 20000, message: 'squid logged the CONNECT', describe: () => m.squid.accessLog() });
    } finally {
      await m.close();
    }
  });

  it('with UDP open, the direct path is chosen (no relay)', async () => {
    const m = await meeting(cert, { allow: 'all' });
    try {
      assert.notEqual(m.insidePair.local.type, 'relay', JSON.stringify(m.insidePair));
      assert.equal(m.insidePair.local.protocol, 'udp', JSON.stringify(m.insidePair));
    } finally {
      await m.close();
    }
  });

  it('the relay serves the appliance only, only with valid, current credentials, and only so many connections', async () => {
    const net = await createClientNetwork({ allow: 'all' });
    const s = new Session([], {
      server: { https: { ...cert, port: 443 }, config: `ice.local-addresses = ${SERVER_IP}\nturn.max-connections-per-address = 3\n` },
    });
    try {
      await s.start();
      const conf = fs.readFileSync(path.join(s.server.dataDir, 'turn', 'turnserver.conf'), 'utf8');
      assert.equal((fs.statSync(path.join(s.server.dataDir, 'turn', 'turnserver.conf')).mode & 0o777), 0o600);
      const secret = /^static-auth-secret=(.*)$/m.exec(conf)[1];
      const at = { host: '127.0.0.1', port: 443, tls: true };
      const good = await turnSession({ ...at, ...turnRestCredentials(secret, 600, 'probe') });
      try {
        const allocation = await good.allocate();
        assert.equal(allocation.ok, true, JSON.stringify(allocation));
        assert.deepEqual(await good.createPermission(SERVER_IP), { ok: true });
        for (const internal of ['10.77.0.2', '127.0.0.1', '192.168.1.1', '169.254.169.254', '8.8.8.8']) {
          const refused = await good.createPermission(internal);
          assert.equal(refused.code, 403, `${internal}: ${JSON.stringify(refused)}`);
        }
      } finally {
        good.close();
      }
      const cases = {
        forged: { username: turnRestCredentials(secret, 600).username, password: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
        expired: turnRestCredentials(secret, -60, 'late'),
        'other secret': turnRestCredentials('not-the-secret', 600),
      };
      for (const [name, credentials] of Object.entries(cases)) {
        const session = await turnSession({ ...at, ...credentials });
        try {
          const refused = await session.allocate();
          assert.equal(refused.code, 401, `${name}: ${JSON.stringify(refused)}`);
        } finally {
          session.close();
        }
      }
      // Three TURN connections from one address at once, not a fourth; HTTP is not affected.
      // (Polled: the server notices the ones closed above a moment after they closed.)
      const connect = async (name) => {
        let session = null;
        try {
          session = await turnSession({ ...at, ...turnRestCredentials(secret, 600, name) });
          if ((await session.allocate()).ok) return session;
        } catch { /* refused: closed at once */ }
        if (session) session.close();
        return null;
      };
      const holdThree = async () => {
        const sessions = [];
        for (let i = 0; i < 3; i++) sessions.push(await connect(`held${i}`));
        if (sessions.every(Boolean)) return sessions;
        for (const session of sessions) if (session) session.close();
        return null;
      };
      const open = await waitFor(holdThree, { timeout: 10000, message: 'three TURN connections from one address' });
      try {
        assert.equal(await connect('fourth'), null);
        assert.equal(await s.server.healthz(), 200);
      } finally {
        for (const session of open) session.close();
      }
      await waitFor(async () => {
        const again = await connect('again');
        if (again) again.close();
        return !!again;
      }, { timeout: 10000, message: 'a TURN connection is accepted again after the others closed' });
      // coturn killed: plenumd starts it again (with a new port), and the relay works again.
      const coturn = coturnOf(s.server.pid);
      assert.ok(coturn, 'coturn runs as a child of plenumd');
      process.kill(coturn, 'SIGKILL');
      await waitFor(async () => {
        const again = await connect('restarted');
        if (again) again.close();
        return !!again && coturnOf(s.server.pid) !== coturn;
      }, { timeout: 20000, message: 'the relay works again after coturn was killed' });
      // The page and the API on the same port are untouched by all this.
      assert.equal(await s.server.healthz(), 200);
      // No client address in the log (privacy by default), also from the relay.
      assert.doesNotMatch(fs.readFileSync(s.server.logFile, 'utf8'), /127\.0\.0\.1:\d+|10\.77\.0\.2/);
    } finally {
      await s.stop();
      await net.close();
    }
  });
});
