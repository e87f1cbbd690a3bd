// SPDX-License-Identifier: EUPL-1.2
// What an anonymous attacker can do to a plenumd (issue 11's probes), for one or two builds side
// by side in one run:
//   node bench/attack.mjs [PLENUMD ...]      (default: build/appliance/plenumd)
// For each binary, on a fresh plenumd with the shipped defaults:
//   (The attacker is 127.0.0.1; /healthz and the right login come from 127.0.0.2.)
//   1. idle WebSockets: 1000 opened and 500 slow HTTP clients (a header byte every 5 s; they reconnect when cut off), the
//      limits per client address lifted (as from a botnet), then again from one address with the
//      default limits; /healthz latency every 3 s for 30 s;
//   2. logins: 60 parallel wrong passwords for the admin, then the right one from another address;
//   3. rooms: one address sends joins to 40 new ad-hoc room names.
// Prints one table. No retries: a request that gets no 200 within 10 s (a timeout, a refused or
// reset connection, another status) counts as "no answer".
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import WebSocket from '../tests/e2e/node_modules/ws/wrapper.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const binaries = process.argv.slice(2);
if (!binaries.length) binaries.push('build/appliance/plenumd');

async function start(binary, config) {
  process.env.PLENUMD = path.resolve(binary);
  process.env.PLENUM_BASE_CONFIG = new URL('attack.ini', import.meta.url).pathname;
  // plenumd.mjs reads PLENUMD when it is first imported: one import per binary.
  const { startPlenumd, ADMIN } = await import(`../tests/api/lib/plenumd.mjs?${encodeURIComponent(binary)}`);
  const server = await startPlenumd({
    admin: true,
    // The shipped defaults (bench/attack.ini), ad-hoc rooms on although an admin exists (as on a
    // fresh install).
    config: `rooms.ad-hoc = true\n${config}`,
  });
  return { server, admin: ADMIN };
}

function openSocket(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => resolve({ ws, ok: false, status: 'timeout' }), 10000);
    ws.on('open', () => { clearTimeout(timer); resolve({ ws, ok: true }); });
    ws.on('unexpected-response', (req, res) => { clearTimeout(timer); resolve({ ws, ok: false, status: res.statusCode }); });
    ws.on('error', () => { clearTimeout(timer); resolve({ ws, ok: false, status: 'error' }); });
  });
}

// A client that sends its request header a byte every 5 s, and reconnects when cut off.
function slowHttpClient(port) {
  let stopped = false;
  let socket;
  let timer;
  const connect = () => {
    socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('close', () => { clearInterval(timer); if (!stopped) setTimeout(connect, 100); });
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
    timer = setInterval(() => socket.write('X'), 5000);
  };
  connect();
  return () => { stopped = true; clearInterval(timer); socket.destroy(); };
}

async function timed(fn) {
  const t0 = Date.now();
  try {
    const status = await fn();
    return { ms: Date.now() - t0, status };
  } catch (e) {
    return { ms: Date.now() - t0, status: e.message === 'timeout' ? 'timeout' : `failed (${e.code || e.message})` };
  }
}

// A request from `localAddress` (another loopback address stands for another client than the
// attacker, who uses 127.0.0.1); its status, or a timeout after 10 s.
const request = (server, method, pathname, body, localAddress) => timed(() => new Promise((resolve, reject) => {
  const url = new URL(pathname, server.baseUrl);
  const headers = body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {};
  const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method, localAddress, timeout: 10000, headers },
    (res) => { res.resume(); resolve(res.statusCode); });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', reject);
  req.end(body);
}));
const healthz = (server) => request(server, 'GET', '/healthz', undefined, '127.0.0.2');
const login = (server, username, password, localAddress) =>
  request(server, 'POST', '/api/session', JSON.stringify({ username, password }), localAddress);

// Whether the binary knows a configuration key (older builds refuse unknown keys).
const knows = (binary, key) => fs.readFileSync(binary).includes(Buffer.from(key));

async function idleConnections(binary, manyAddresses) {
  // As from many addresses: the limits per address lifted, so only the server-wide ones count.
  const perHttp = 'http.max-http-connections-per-address';
  const lifted = `http.max-connections-per-address = 10000\n${knows(binary, perHttp) ? `${perHttp} = 100000` : ''}`;
  const { server } = await start(binary, manyAddresses ? lifted : '');
  const port = Number(new URL(server.baseUrl).port);
  const sockets = [];
  for (let i = 0; i < 1000; i += 50) {
    sockets.push(...await Promise.all(Array.from({ length: 50 }, () => openSocket(server.wsUrl))));
  }
  progress(`${sockets.filter((x) => x.ok).length} WebSockets open`);
  const slow = Array.from({ length: 500 }, () => slowHttpClient(port));
  // Over 30 s, so that cut-off slow clients have come back.
  const probes = [];
  for (let i = 0; i < 10; ++i) {
    await sleep(3000);
    probes.push(await healthz(server));
    progress(`/healthz: ${probes.at(-1).status} in ${probes.at(-1).ms} ms`);
  }
  const result = {
    accepted: sockets.filter((s) => s.ok).length,
    health: probes,
  };
  slow.forEach((stop) => stop());
  sockets.forEach((s) => s.ws.terminate());
  await server.stop();
  return result;
}

async function guesses(binary) {
  const { server, admin } = await start(binary, '');
  const wrong = await Promise.all(Array.from({ length: 60 }, () => login(server, admin.username, 'wrong-password-123', '127.0.0.1')));
  const right = await login(server, admin.username, admin.password, '127.0.0.2');
  await server.stop();
  const count = (status) => wrong.filter((w) => w.status === status).length;
  return { checked: count(401), limited: count(429), other: wrong.length - count(401) - count(429), right };
}

async function rooms(binary) {
  const { server } = await start(binary, '');
  let joined = 0;
  const refusals = {};
  const sockets = [];
  for (let i = 0; i < 40; ++i) {
    const s = await openSocket(server.wsUrl);
    sockets.push(s.ws);
    if (!s.ok) { refusals[`http-${s.status}`] = (refusals[`http-${s.status}`] || 0) + 1; continue; }
    const answer = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ type: 'timeout' }), 10000);
      s.ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (['joined', 'error', 'lobby'].includes(m.type)) { clearTimeout(timer); resolve(m); }
      });
      s.ws.send(JSON.stringify({ type: 'join', room: `attack-${i}`, name: 'Bot' }));
    });
    if (answer.type === 'joined') ++joined;
    else refusals[answer.code || answer.type] = (refusals[answer.code || answer.type] || 0) + 1;
  }
  const health = await healthz(server);
  sockets.forEach((ws) => ws.terminate());
  await server.stop();
  return { joined, refusals, health };
}

const summary = (probes) => {
  const ms = probes.map((p) => (p.status === 200 ? p.ms : Infinity)).sort((a, b) => a - b);
  const fmt = (v) => (v === Infinity ? 'no answer' : `${v} ms`);
  return `median ${fmt(ms[Math.floor(ms.length / 2)])}, worst ${fmt(ms.at(-1))}, ${probes.filter((p) => p.status === 200).length}/${probes.length} answered`;
};

const progress = (text) => process.stderr.write(`[attack ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const rows = [];
for (const binary of binaries) {
  progress(`${binary}: idle connections`);
  const idle = await idleConnections(binary, true);
  progress(`${binary}: idle connections from one address`);
  const idleOne = await idleConnections(binary, false);
  progress(`${binary}: logins`);
  const login60 = await guesses(binary);
  progress(`${binary}: rooms`);
  const roomRun = await rooms(binary);
  rows.push({ binary, idle, idleOne, login60, roomRun });
}
console.log('\n| probe | ' + rows.map((r) => r.binary).join(' | ') + ' |');
console.log('|---|' + rows.map(() => '---').join('|') + '|');
console.log('| WebSockets accepted of 1000 (limits per address lifted) | ' + rows.map((r) => r.idle.accepted).join(' | ') + ' |');
console.log('| /healthz with those + 500 slow HTTP clients | ' + rows.map((r) => summary(r.idle.health)).join(' | ') + ' |');
console.log('| the same from one address, default limits: WebSockets accepted | ' + rows.map((r) => r.idleOne.accepted).join(' | ') + ' |');
console.log('| /healthz then | ' + rows.map((r) => summary(r.idleOne.health)).join(' | ') + ' |');
console.log('| 60 parallel wrong logins: checked / limited (429) / other | ' + rows.map((r) => `${r.login60.checked} / ${r.login60.limited} / ${r.login60.other}`).join(' | ') + ' |');
console.log('| then the right password, from another address | ' + rows.map((r) => `${r.login60.right.status} in ${r.login60.right.ms} ms`).join(' | ') + ' |');
console.log('| rooms opened by 40 joins from one address | ' + rows.map((r) => `${r.roomRun.joined} (${JSON.stringify(r.roomRun.refusals)})`).join(' | ') + ' |');
console.log('| /healthz after that | ' + rows.map((r) => `${r.roomRun.health.status} in ${r.roomRun.health.ms} ms`).join(' | ') + ' |');
process.exit(0);
