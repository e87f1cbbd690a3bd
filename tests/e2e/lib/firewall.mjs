// SPDX-License-Identifier: EUPL-1.2
// A meeting across a firewall, for tests/e2e/firewall.test.mjs and bench/firewall.mjs: plenumd
// with HTTPS on port 443 and its media on SERVER_IP only, one Chromium outside and one inside a
// client network (lib/netns.mjs) that allows only what the caller says (or only an HTTP proxy).
import fs from 'node:fs';
import { PARTICIPANTS } from './fixtures.mjs';
import { Session } from './session.mjs';
import { launchBrowser, joinRoom } from './browser.mjs';
import { createClientNetwork, startSquid } from './netns.mjs';
import { log, freePort } from './util.mjs';

const [ROT, GRUEN] = PARTICIPANTS;
const TWO = [ROT, GRUEN];
export const SERVER_IP = '10.77.0.1';

// The pid of the coturn that plenumd (pid `parent`) runs, or null.
export function coturnOf(parent) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (stat.includes('(turnserver)') && ppid === parent) return Number(entry);
    } catch { /* gone */ }
  }
  return null;
}

// The pair ICE selected for the page's peer connection, with its local candidate.
export const selectedPair = (b) => b.page.evaluate(async () => {
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

/**
 * A server (HTTPS on 443, media on SERVER_IP only), Rot outside and Gruen inside a client
 * network with `allow` (and a proxy if `proxy`), both in one room until both see and hear
 * the other. Returns what the test checks; `close()` ends all of it.
 */
export async function meeting(cert, { allow, proxy = false, label } = {}) {
  const parts = { close: async () => {} };
  // Not squid's usual 3128: a squid service of the machine may hold it on every address.
  const proxyPort = proxy ? await freePort() : null;
  const net = await createClientNetwork({ allow: proxy ? { tcp: [proxyPort] } : allow });
  let squid = null;
  let s = null;
  parts.close = async () => {
    if (s) await s.stop();
    if (squid) await squid.close();
    await net.close();
  };
  try {
    if (proxy) squid = await startSquid({ listenIp: SERVER_IP, port: proxyPort });
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
      label: label || `firewall ${proxy ? 'proxy only' : JSON.stringify(allow)}`,
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
