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
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { launchBrowser, joinRoom } from './lib/browser.mjs';
import { makeCertificate } from './lib/tls.mjs';
import { netnsAvailable, createClientNetwork, startSquid } from './lib/netns.mjs';
import { turnSession, turnRestCredentials } from './lib/turnclient.mjs';
import { mkTmp, rmTmp, log, waitFor } from './lib/util.mjs';

const [ROT, GRUEN] = PARTICIPANTS;
const TWO = [ROT, GRUEN];
const SERVER_IP = '10.77.0.1';
const available = netnsAvailable();

// The pair ICE selected for the page's peer connection, with its local candidate.
const selectedPair = (b) => b.page.evaluate(async () => {
  const stats = await window.plenum.pc.getStats();
  let pair = null;
  stats.forEach((r) => {
    if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
  });
  if (!pair) stats.forEach((r) => { if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pair = r; });
  if (!pair) return null;
  const local = stats.get(pair.localCandidateId);
  const remote = stats.get(pair.remoteCandidateId);
  return {
    rttMs: pair.currentRoundTripTime * 1000,
    local: { type: local.candidateType, protocol: local.protocol, relayProtocol: local.relayProtocol, address: local.address },
    remote: { type: remote.candidateType, address: remote.address, port: remote.port },
  };
});

describe('through firewalls (TURN on port 443)', { timeout: 420000, skip: available.ok ? false : available.reason }, () => {
  let certDir;
  let cert;

  before(() => {
    certDir = mkTmp('tls');
    cert = makeCertificate(certDir, { ips: [SERVER_IP] });
  });
  after(() => rmTmp(certDir));

  /**
   * A server (HTTPS on 443, media on SERVER_IP only), Rot outside and Gruen inside a client
   * network with `allow` (and a proxy if `proxy`), both in one room until both see and hear
   * the other. Returns what the test checks; `close()` ends all of it.
   */
  async function meeting({ allow, proxy = false }) {
    const parts = { close: async () => {} };
    const net = await createClientNetwork({ allow: proxy ? { tcp: [3128] } : allow });
    let squid = null;
    let s = null;
    parts.close = async () => {
      if (s) await s.stop();
      if (squid) await squid.close();
      await net.close();
    };
    try {
      if (proxy) squid = await startSquid({ listenIp: SERVER_IP });
      s = new Session(TWO, {
        roomPrefix: 'fw',
        server: { https: { ...cert, port: 443 }, config: `ice.local-addresses = ${SERVER_IP}\nice.allow-loopback-candidates = false\n` },
      });
      await s.start();
      const base = `https://${SERVER_IP}`;
      const outside = await launchBrowser({ name: ROT.name, ...s.media[ROT.name], spki: cert.spki });
      outside.participant = ROT;
      s.browsers.set(ROT.name, outside);
      await joinRoom(outside, base, s.room);
      const inside = await launchBrowser({
        name: GRUEN.name, ...s.media[GRUEN.name], spki: cert.spki, executablePath: net.chromiumWrapper,
        extraArgs: squid ? [`--proxy-server=${squid.url}`] : [],
      });
      inside.participant = GRUEN;
      s.browsers.set(GRUEN.name, inside);
      const t0 = Date.now();
      await joinRoom(inside, base, s.room);
      await s.waitParticipants(undefined, { timeout: 60000 });
      const media = await s.waitMedia({
        visible: (me) => TWO.filter((p) => p !== me),
        audible: (me) => TWO.filter((p) => p !== me),
        inaudible: (me) => [me],
        timeout: 90000,
        label: `firewall ${proxy ? 'proxy only' : JSON.stringify(allow)}`,
      });
      const firstMediaMs = Date.now() - t0;
      const insidePair = await selectedPair(inside);
      const outsidePair = await selectedPair(outside);
      log(`inside: ${JSON.stringify(insidePair)}; outside: ${JSON.stringify(outsidePair)}; ` +
        `inside joined to both media in ${firstMediaMs} ms (${media[GRUEN.name].ms} ms after the room was entered)`);
      return Object.assign(parts, { net, squid, s, inside, outside, insidePair, outsidePair, firstMediaMs });
    } catch (e) {
      if (s) await s.report(`firewall meeting failed: ${e.message}`);
      await parts.close();
      throw e;
    }
  }

  it('only TCP to 443 allowed: both see and hear each other over a TURN/TLS relay', async () => {
    const m = await meeting({ allow: { tcp: [443] } });
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
    const m = await meeting({ proxy: true });
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
    const m = await meeting({ allow: 'all' });
    try {
      assert.notEqual(m.insidePair.local.type, 'relay', JSON.stringify(m.insidePair));
      assert.equal(m.insidePair.local.protocol, 'udp', JSON.stringify(m.insidePair));
    } finally {
      await m.close();
    }
  });

  it('the relay serves the appliance only, and only with valid, current credentials', async () => {
    const net = await createClientNetwork({ allow: 'all' });
    const s = new Session([], {
      server: { https: { ...cert, port: 443 }, config: `ice.local-addresses = ${SERVER_IP}\n` },
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
