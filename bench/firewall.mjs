// SPDX-License-Identifier: EUPL-1.2
// What the TURN relay costs (issue 12), the direct UDP path and the relayed one side by side in
// one run, alternating:
//   node bench/firewall.mjs [ROUNDS]     (default 3 rounds of each; root: network namespaces)
// Each round: a fresh plenumd (build/appliance/plenumd, or PLENUMD) with HTTPS on 443, one
// Chromium outside and one in a client network that allows everything ("udp") or nothing but
// TCP to 443 ("turn/tls"), as in tests/e2e/firewall.test.mjs. Measured: the inside browser's
// time from opening the link to seeing and hearing the other; the selected pair's round-trip
// time (getStats, median of samples every 2 s) over a 20 s window after 5 s to settle; plenumd's
// and coturn's CPU over that window (utime+stime from /proc). No retries.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { meeting, selectedPair, coturnOf } from '../tests/e2e/lib/firewall.mjs';
import { makeCertificate } from '../tests/e2e/lib/tls.mjs';
import { netnsAvailable } from '../tests/e2e/lib/netns.mjs';
import { cpuSeconds as cpuSecondsOf, mkTmp, rmTmp, sleep } from '../tests/e2e/lib/util.mjs';

const rounds = Number(process.argv[2] || 3);
const SETTLE_MS = 5000;
const WINDOW_MS = 20000;
process.env.PLENUMD ||= path.resolve('build/appliance/plenumd');

const available = netnsAvailable();
if (!available.ok) {
  console.error(`bench/firewall: ${available.reason}`);
  process.exit(2);
}

const cpuSeconds = (pid) => cpuSecondsOf(pid, 0);

// TURN connections open to coturn now (the gateway's side of each).
function relayConnections(dataDir) {
  const conf = fs.readFileSync(path.join(dataDir, 'turn', 'turnserver.conf'), 'utf8');
  const port = /^listening-port=(\d+)$/m.exec(conf)[1];
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]).toString();
  return out.split('\n').filter((l) => l.trim()).length;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

async function round(cert, condition) {
  const m = await meeting(cert, { allow: condition === 'udp' ? 'all' : { tcp: [443] }, label: `bench ${condition}` });
  try {
    const pair = await selectedPair(m.inside);
    await sleep(SETTLE_MS);
    const plenumd = m.s.server.pid;
    const coturn = coturnOf(plenumd);
    const before = { plenumd: cpuSeconds(plenumd), coturn: coturn ? cpuSeconds(coturn) : 0, at: Date.now() };
    const rtts = [];
    while (Date.now() - before.at < WINDOW_MS) {
      const p = await selectedPair(m.inside);
      if (p && Number.isFinite(p.rttMs)) rtts.push(p.rttMs);
      await sleep(2000);
    }
    const seconds = (Date.now() - before.at) / 1000;
    return {
      condition,
      relayConnections: relayConnections(m.s.server.dataDir),
      path: `${pair.local.type}/${pair.local.relayProtocol || pair.local.protocol}`,
      joinMs: m.firstMediaMs,
      rttMs: median(rtts),
      plenumdCpu: (100 * (cpuSeconds(plenumd) - before.plenumd)) / seconds,
      coturnCpu: coturn ? (100 * (cpuSeconds(coturn) - before.coturn)) / seconds : 0,
    };
  } finally {
    await m.close();
  }
}

const certDir = mkTmp('bench-tls');
const cert = makeCertificate(certDir, { ips: ['10.77.0.1'] });
const results = [];
try {
  for (let i = 0; i < rounds; i++) {
    for (const condition of ['udp', 'turn/tls']) {
      const r = await round(cert, condition);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  }
} finally {
  rmTmp(certDir);
}

const summary = (condition) => {
  const rs = results.filter((r) => r.condition === condition);
  return {
    path: [...new Set(rs.map((r) => r.path))].join(','),
    joinMs: median(rs.map((r) => r.joinMs)),
    rttMs: median(rs.map((r) => r.rttMs)),
    plenumdCpu: median(rs.map((r) => r.plenumdCpu)),
    coturnCpu: median(rs.map((r) => r.coturnCpu)),
    relayConnections: median(rs.map((r) => r.relayConnections)),
  };
};
const udp = summary('udp');
const tls = summary('turn/tls');
const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');
console.log(`\n${rounds} rounds each, medians; CPU in % of one core over ${WINDOW_MS / 1000} s, 2 participants (1 relayed)\n`);
console.log('| condition | path | open link -> sees and hears (ms) | RTT (ms) | plenumd CPU | coturn CPU | TURN connections held |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, s] of [['udp', udp], ['turn/tls', tls]]) {
  console.log(`| ${name} | ${s.path} | ${f(s.joinMs, 0)} | ${f(s.rttMs)} | ${f(s.plenumdCpu)} % | ${f(s.coturnCpu)} % | ${s.relayConnections} |`);
}
console.log(`\nrelayed vs direct: join ${f(tls.joinMs / udp.joinMs, 2)}x, RTT +${f(tls.rttMs - udp.rttMs)} ms, ` +
  `relay CPU for the one relayed participant: plenumd +${f(tls.plenumdCpu - udp.plenumdCpu)} % + coturn ${f(tls.coturnCpu)} % of a core ` +
  `(plenumd ${f(tls.plenumdCpu / udp.plenumdCpu, 2)}x)`);
