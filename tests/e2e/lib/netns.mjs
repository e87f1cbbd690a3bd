// SPDX-License-Identifier: EUPL-1.2
// A restricted client network on this machine, for the firewall tests: a network namespace joined
// to the root namespace by a veth pair, with an nftables firewall inside (only some TCP ports to
// the server, or everything), a wrapper script that starts Chromium in it, and a Squid that
// allows only CONNECT to port 443 (a corporate proxy). Needs root, `ip` and `nft`; tests call
// netnsAvailable() and skip with its reason.
import fs from 'node:fs';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { CHROMIUM } from './browser.mjs';
import { mkTmp, rmTmp, randomId, spawnTracked, tailFile, waitFor, log } from './util.mjs';

const TABLE = 'plenum_fw';

// Networks still up when the process exits (a test that threw before its close()).
const networks = new Set();
process.on('exit', () => {
  for (const n of networks) n.closeSync();
});

/** Runs `cmd args`; resolves { code, signal, stdout, stderr } (a non-zero exit does not reject). */
function run(cmd, args, { timeout = 30000, input } = {}) {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, signal: err ? err.signal || null : null, stdout, stderr: stderr || (err && code === null ? err.message : '') });
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** Like run(), but rejects with the command line and its stderr unless it exits 0. */
async function must(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.code ?? r.signal}: ${r.stderr.trim()}`);
  return r;
}

let available;

/** { ok: true } when this process may create namespaces and firewalls, else { ok: false, reason }. */
export function netnsAvailable() {
  if (available) return available;
  available = (() => {
    if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { ok: false, reason: 'needs root (network namespaces, nftables)' };
    for (const [cmd, args] of [['ip', ['-V']], ['nft', ['--version']]]) {
      try { execFileSync(cmd, args, { stdio: 'ignore' }); } catch { return { ok: false, reason: `\`${cmd}\` not found (apt install ${cmd === 'ip' ? 'iproute2' : 'nftables'})` }; }
    }
    // A container may forbid namespaces even to root: try one.
    const probe = `plnprobe${randomId(6)}`;
    try {
      execFileSync('ip', ['netns', 'add', probe], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      return { ok: false, reason: `ip netns add fails: ${String(e.stderr || e.message).trim()}` };
    }
    try {
      execFileSync('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      return { ok: false, reason: `nft in a namespace fails: ${String(e.stderr || e.message).trim()}` };
    } finally {
      try { execFileSync('ip', ['netns', 'del', probe], { stdio: 'ignore' }); } catch { /* ignore */ }
    }
    return { ok: true };
  })();
  return available;
}

/**
 * The namespace's ruleset: policy drop both ways; loopback, replies (established/related) and new
 * connections from clientIp to serverIp on the allowed ports pass. Named counters count what is
 * dropped (all of it, and UDP of it), so a test can show that its UDP really was dropped.
 * A drop in the output hook makes the sender's sendto() fail with EPERM, which a firewall on the
 * path would not do (and WebRTC reacts to); so outgoing UDP is dropped silently by a netdev egress
 * chain on the veth instead (Linux 5.16+), unless `egress` is false.
 */
function ruleset({ serverIp, clientIp, nsIf, tcp = [], udp = [], egress = true }) {
  const allowUdp = udp.length ? `ip saddr ${clientIp} ip daddr ${serverIp} udp dport { ${udp.join(', ')} }` : null;
  const lines = [
    `table inet ${TABLE} {`,
    '  counter dropped { }',
    '  counter dropped_udp { }',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif "lo" accept',
    '    ct state established,related accept',
    '    meta l4proto udp counter name "dropped_udp"',
    '    counter name "dropped" drop',
    '  }',
    '  chain output {',
    '    type filter hook output priority filter; policy drop;',
    '    oif "lo" accept',
    '    ct state established,related accept',
  ];
  if (tcp.length) lines.push(`    ip saddr ${clientIp} ip daddr ${serverIp} tcp dport { ${tcp.join(', ')} } ct state new accept`);
  if (allowUdp) lines.push(`    ${allowUdp} ct state new accept`);
  if (egress) lines.push(`    oif "${nsIf}" meta l4proto udp accept`);
  lines.push(
    '    meta l4proto udp counter name "dropped_udp"',
    '    counter name "dropped" drop',
    '  }',
    '}',
  );
  if (egress) {
    lines.push(
      `table netdev ${TABLE} {`,
      '  counter dropped_udp { }',
      '  chain egress {',
      `    type filter hook egress device "${nsIf}" priority filter; policy accept;`,
    );
    if (allowUdp) lines.push(`    ${allowUdp} accept`);
    lines.push(
      '    meta l4proto udp counter name "dropped_udp" drop',
      '  }',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A network namespace `name` joined to this one by a veth pair: serverIp/24 on this side, clientIp/24
 * inside. `allow`: 'all' (no firewall), or { tcp: [ports], udp: [ports] }: only new connections to
 * serverIp on these ports (no other UDP, no ICMP). Returns { ns, serverIp, clientIp, hostIf, nsIf,
 * ruleset, udpDropSilent, chromiumWrapper, exec(cmd, args, opts), counters(), close() }.
 * Two networks with the same serverIp must not be up at once (same subnet on two interfaces).
 */
export async function createClientNetwork({ name, serverIp = '10.77.0.1', clientIp = '10.77.0.2', allow } = {}) {
  if (allow !== 'all' && !(allow && typeof allow === 'object')) throw new Error("createClientNetwork: allow must be 'all' or { tcp: [ports], udp: [ports] }");
  const id = randomId(8);
  const ns = name || `plnfw${id}`;
  // Interface names are at most 15 characters (IFNAMSIZ).
  const hostIf = `plh${id}`;
  const nsIf = `pln${id}`;
  const tmp = mkTmp('netns');
  const rules = (egress) => (allow === 'all' ? null : ruleset({ serverIp, clientIp, nsIf, tcp: allow.tcp || [], udp: allow.udp || [], egress }));
  const nsExec = (cmd, args) => must('ip', ['netns', 'exec', ns, cmd, ...args]);

  let closed = false;
  const network = {
    ns, serverIp, clientIp, hostIf, nsIf, ruleset: rules(true), udpDropSilent: allow !== 'all', tmp,
    chromiumWrapper: path.join(tmp, 'chromium-in-netns'),
    /** Runs `cmd args` inside the namespace; resolves { code, signal, stdout, stderr }. */
    exec: (cmd, args = [], opts) => run('ip', ['netns', 'exec', ns, cmd, ...args], opts),
    /** Packets the firewall dropped so far (both directions): { droppedPackets, droppedUdpPackets }. */
    async counters() {
      if (!network.ruleset) return { droppedPackets: 0, droppedUdpPackets: 0 };
      const c = { inet: {}, netdev: {} };
      const r = await nsExec('nft', ['-j', 'list', 'counters']);
      for (const { counter: o } of JSON.parse(r.stdout).nftables) if (o && o.table === TABLE) c[o.family][o.name] = o.packets;
      const egressUdp = c.netdev.dropped_udp || 0;
      return { droppedPackets: c.inet.dropped + egressUdp, droppedUdpPackets: c.inet.dropped_udp + egressUdp };
    },
    // Processes still inside would keep the namespace (and the veth) alive after `ip netns del`.
    closeSync() {
      if (closed) return;
      closed = true;
      networks.delete(network);
      try {
        const pids = execFileSync('ip', ['netns', 'pids', ns], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().split(/\s+/).filter(Boolean);
        for (const pid of pids) {
          try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
        }
      } catch { /* no such namespace */ }
      for (const args of [['netns', 'del', ns], ['link', 'del', hostIf]]) {
        try { execFileSync('ip', args, { stdio: 'ignore' }); } catch { /* already gone */ }
      }
      rmTmp(tmp);
    },
    async close() { network.closeSync(); },
  };

  networks.add(network);
  try {
    await must('ip', ['netns', 'add', ns]);
    // No IPv6 inside: its router solicitations and MLD reports would only add noise to the counters.
    await network.exec('sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    await must('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', ns]);
    await must('ip', ['addr', 'add', `${serverIp}/24`, 'dev', hostIf]);
    await must('ip', ['link', 'set', hostIf, 'up']);
    await nsExec('ip', ['addr', 'add', `${clientIp}/24`, 'dev', nsIf]);
    await nsExec('ip', ['link', 'set', nsIf, 'up']);
    await nsExec('ip', ['link', 'set', 'lo', 'up']);
    if (network.ruleset) {
      const r = await run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: network.ruleset });
      if (r.code !== 0) {
        // An older kernel without the egress hook: drop UDP in the output chain (sendto() gets EPERM).
        log(`nft egress chain refused (${r.stderr.trim().split('\n')[0]}); dropping UDP in the output hook instead`);
        Object.assign(network, { ruleset: rules(false), udpDropSilent: false });
        await must('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: network.ruleset });
      }
    }
    // Playwright starts this instead of Chromium; exec keeps its pipes (fds 3 and 4) and its PID.
    fs.writeFileSync(network.chromiumWrapper, `#!/bin/sh\nexec ip netns exec ${ns} '${CHROMIUM}' "$@"\n`, { mode: 0o755 });
    // The carrier comes up a moment after `link set up`; packets sent before that are lost.
    await waitFor(() => fs.readFileSync(`/sys/class/net/${hostIf}/operstate`, 'utf8').trim() === 'up',
      { timeout: 5000, interval: 50, message: `${hostIf} operstate up` });
  } catch (e) {
    network.closeSync();
    throw e;
  }
  log(`client network ${ns}: ${clientIp} (${nsIf}) -> ${serverIp} (${hostIf}), allow ${JSON.stringify(allow)}`);
  return network;
}

/**
 * Debian's Squid in the foreground on listenIp:port, configured in `dir` (a new temporary folder
 * if not given): only CONNECT to port 443 from 10.77.0.0/24, no cache. Resolves once the port
 * accepts connections: { url, dir, pid, accessLog(), cacheLog(n), close() }. Squid writes an
 * access.log line when the request ends: for a CONNECT, when the tunnel closes.
 */
export async function startSquid({ listenIp, port = 3128, dir, clients = '10.77.0.0/24' }) {
  const ownDir = !dir;
  if (ownDir) dir = mkTmp('squid');
  // Squid drops root for cache_effective_user (proxy) before it opens its logs and pid file.
  const { uid, gid } = proxyUser();
  fs.chownSync(dir, uid, gid);
  fs.chmodSync(dir, 0o755);
  const conf = path.join(dir, 'squid.conf');
  const cacheLog = path.join(dir, 'cache.log');
  const accessLogFile = path.join(dir, 'access.log');
  fs.writeFileSync(conf, [
    `http_port ${listenIp}:${port}`,
    'visible_hostname plenum-e2e-proxy',
    `acl clients src ${clients}`,
    'acl tls_port port 443',
    'acl CONNECT method CONNECT',
    'http_access allow CONNECT tls_port clients',
    'http_access deny all',
    'cache deny all',
    'cache_mem 8 MB',
    'cache_effective_user proxy',
    `pid_filename ${path.join(dir, 'squid.pid')}`,
    // stdio: Squid writes the lines itself (no log daemon), so they are there when the request is done.
    `access_log stdio:${accessLogFile}`,
    `cache_log ${cacheLog}`,
    'cache_store_log none',
    'logfile_rotate 0',
    `coredump_dir ${dir}`,
    'shutdown_lifetime 0 seconds',
    '',
  ].join('\n'));
  log(`starting squid -N -f ${conf}`);
  const proc = spawnTracked('squid', ['-N', '-f', conf], { outFile: path.join(dir, 'squid.out'), cwd: dir });
  const { child } = proc;
  const stop = () => proc.terminate();
  let closed = false;
  const squid = {
    url: `http://${listenIp}:${port}`, dir, pid: child.pid,
    accessLog: () => { try { return fs.readFileSync(accessLogFile, 'utf8'); } catch { return ''; } },
    cacheLog: (n = 40) => tailFile(cacheLog, n),
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      if (ownDir) rmTmp(dir);
    },
  };
  try {
    await waitFor(async () => {
      if (proc.exited()) throw Object.assign(new Error(`squid exited early: ${JSON.stringify(proc.exited())}`), { fatal: true });
      return listening(listenIp, port);
    }, { timeout: 30000, interval: 200, message: `squid accepting on ${listenIp}:${port}` });
  } catch (e) {
    // The folder stays for the post-mortem.
    await stop();
    throw new Error(`${e.message}\n--- squid cache.log tail (${cacheLog}) ---\n${tailFile(cacheLog, 30)}` +
      `\n--- squid stdout/stderr ---\n${tailFile(path.join(dir, 'squid.out'), 20)}`);
  }
  log(`squid pid ${child.pid} accepting on ${squid.url}`);
  return squid;
}

function proxyUser() {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('proxy:'));
  if (!line) throw new Error('no user `proxy` (is Debian\'s squid installed?)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

// The kernel completes handshakes for a listening socket, so LISTEN means it accepts connections;
// asking `ss` rather than connecting keeps a probe's error line out of the access log.
async function listening(ip, port) {
  const r = await run('ss', ['-Hltn', 'src', `${ip}:${port}`]);
  return r.code === 0 && r.stdout.includes('LISTEN');
}
