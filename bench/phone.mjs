// SPDX-License-Identifier: EUPL-1.2
// What phone callers cost (issue 15), plenumd against Janus's AudioBridge in the same run:
//   node bench/phone.mjs [--n 50,100,200] [--rooms 1,10] [--window 15] [--settle 5] [--no-janus] [--out FILE.md]
// N synthetic callers (tests/e2e/lib/sipcaller.mjs, one Node process, one shared 20 ms clock)
// per configuration: plenumd with G.711 (PCMA) and G.722 callers over SIP, in one room and spread
// over 10; Janus 1.1's AudioBridge (Debian's janus) with the same N as plain-RTP participants
// (PCMA: the AudioBridge takes only opus, pcma or pcmu over plain RTP). In every room the first
// caller sends a tone and the others encoded silence (a meeting: one speaks, all send). Measured
// over --window s after --settle s: the server's CPU (utime+stime of /proc/PID/stat), what each
// caller received (packets/s), and the delay the server adds: in an extra room caller A sends a
// click every second, caller B records what arrives; per click, arrival (with the onset's
// place in the packet) minus sending. Rooms: staff rooms with known slugs, entered through
// sip.direct-rooms (no PIN). plenumd: build/appliance/plenumd (PLENUMD=...), with
// bench/plenum-bench.ini (the default 1280x720 25 fps composite, which a room runs for phones too).
// Installs nothing: says what is missing. No retries: a call that is refused fails the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.PLENUMD ||= path.resolve(here, '..', 'build', 'appliance', 'plenumd');
process.env.PLENUM_TEST_CONFIG ||= path.join(here, 'plenum-bench.ini');
const { startServer } = await import('../tests/e2e/lib/server.mjs');
const { adminClient, createRoom } = await import('../tests/e2e/lib/staffapi.mjs');
const { SipCaller, encodeFrames, tonePcm, clickPcm, decodeG711 } = await import('../tests/e2e/lib/sipcaller.mjs');
const { cpuSeconds, freePort, sleep, waitFor, spawnTracked, mkTmp, rmTmp, fmt } = await import('../tests/e2e/lib/util.mjs');
const { getHealth } = await import('../tests/e2e/lib/health.mjs');

// ---- arguments ----
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const NS = opt('n', '50,100,200').split(',').map(Number);
const LAYOUTS = opt('rooms', '1,10').split(',').map(Number);
const WINDOW_S = Number(opt('window', '15'));
const SETTLE_S = Number(opt('settle', '5'));
const WITH_JANUS = !args.includes('--no-janus');
const OUT = opt('out', null);
// --video WxH@FPS: the composite every room runs (also for phones only); the default is the
// bench's 1280x720@25. A tiny one (160x90@1) leaves what the audio costs.
const VIDEO = opt('video', null);
const MAX_PER_ROOM = 100; // rooms.max-participants cannot be set higher
const JANUS = '/usr/bin/janus';
const JANUS_LIB = '/usr/lib/x86_64-linux-gnu/janus';

const missing = [];
if (!fs.existsSync(process.env.PLENUMD)) missing.push(`plenumd (${process.env.PLENUMD}: build it or set PLENUMD)`);
if (!fs.existsSync('/usr/bin/ffmpeg')) missing.push('ffmpeg (apt-get install ffmpeg)');
if (WITH_JANUS && !fs.existsSync(JANUS)) missing.push('janus (apt-get install janus; or --no-janus)');
if (missing.length) {
  console.error(`bench/phone: missing: ${missing.join('; ')}`);
  process.exit(2);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN; };
const say = (...a) => process.stderr.write(`[phone ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);

// ---- the audio, encoded once ----
const FRAMES = {
  PCMA: { tone: encodeFrames('PCMA', tonePcm(8000, 440, 1)), silence: encodeFrames('PCMA', new Int16Array(8000)) },
  G722: { tone: encodeFrames('G722', tonePcm(16000, 440, 1)), silence: encodeFrames('G722', new Int16Array(16000)) },
};
const CLICKS = encodeFrames('PCMA', clickPcm(8000, 1000, 1)); // a click at frame 0 of every 50

/**
 * The delay of each click sent by `a` (frame i % 50 == 0, sent at a.sendLog[i]) in what `b`
 * recorded between `from` and `to` (performance.now() ms): the first packet after the sending
 * whose samples rise above the threshold; delay = its arrival + the onset's place in it - the
 * sending (both packets' onsets measured from their first sample; see bench/README.md).
 */
function clickDelays(a, b, from, to) {
  const delays = [];
  const rec = b.recording.filter((p) => p.at >= from - 1000 && p.at <= to + 1000);
  for (let i = 0; i < a.sendLog.length; i += 50) {
    const sent = a.sendLog[i];
    if (sent === undefined || sent < from || sent > to) continue;
    for (const p of rec) {
      if (p.at < sent) continue;
      if (p.at > sent + 600) break;
      const pcm = decodeG711('PCMA', p.payload);
      const k = pcm.findIndex((x) => Math.abs(x) > 3000);
      if (k >= 0) { delays.push(p.at + k / 8 - sent); break; }
    }
  }
  return delays;
}

// ---- plenumd ----
async function startPlenumd(sipPort, maxRooms) {
  const slugs = Array.from({ length: maxRooms }, (_, i) => `bench-${i}`);
  const direct = [...slugs.map((s, i) => `r${i}=${s}`), 'delay=bench-delay'].join(',');
  const server = await startServer({
    config: ['sip.enabled = true', 'sip.address = 127.0.0.1', `sip.port = ${sipPort}`, 'sip.trusted-peers = 127.0.0.1',
      `sip.direct-rooms = ${direct}`, 'sip.max-calls = 1000', 'sip.max-calls-per-peer = 1000',
      // The server-wide limits default to what the CPU count suggests for browsers (on 2 cores
      // 8 rooms and 30 participants): lifted, or most callers would be refused (server-full).
      'rooms.max-rooms = 1000', 'rooms.max-total-participants = 10000',
      `rooms.max-participants = ${MAX_PER_ROOM}`, 'sip.rtp-min-port = 42000', 'sip.rtp-max-port = 43999',
      ...(VIDEO ? (() => {
        const [, w, h, fps] = /^(\d+)x(\d+)@(\d+)$/.exec(VIDEO);
        return [`video.width = ${w}`, `video.height = ${h}`, `video.framerate = ${fps}`];
      })() : [])].join('\n'),
  });
  const request = await adminClient(server);
  for (const slug of [...slugs, 'bench-delay']) await createRoom(request, { title: slug, slug });
  return server;
}

// Runs `fn` over `items`, `limit` at a time.
async function pool(items, limit, fn) {
  const out = [];
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); }
  }));
  return out;
}

async function plenumdCallers(sipPort, n, rooms, codec) {
  const callers = await pool(Array.from({ length: n }, (_, i) => i), 20, async (i) => {
    const c = await SipCaller.open({ codec, number: `+49301000${String(i).padStart(4, '0')}` });
    const r = await c.invite({ host: '127.0.0.1', port: sipPort, user: `r${i % rooms}` });
    if (r.status !== 200) throw new Error(`caller ${i} refused: ${r.status}`);
    c.startAudio(i < rooms ? FRAMES[codec].tone : FRAMES[codec].silence);
    return c;
  });
  const a = await SipCaller.open({ codec: 'PCMA', record: true, number: '+4930999000001' });
  const b = await SipCaller.open({ codec: 'PCMA', record: true, number: '+4930999000002' });
  for (const c of [a, b]) {
    const r = await c.invite({ host: '127.0.0.1', port: sipPort, user: 'delay' });
    if (r.status !== 200) throw new Error(`delay caller refused: ${r.status}`);
  }
  a.startAudio(CLICKS);
  b.startAudio(FRAMES.PCMA.silence);
  return { callers, a, b, async close() {
    await pool([...callers, a, b], 50, (c) => c.bye());
    for (const c of [...callers, a, b]) c.close();
  } };
}

// ---- Janus ----
async function startJanus() {
  const dir = mkTmp('janus');
  for (const sub of ['plugins', 'transports', 'events', 'loggers']) fs.mkdirSync(path.join(dir, sub));
  fs.symlinkSync(`${JANUS_LIB}/plugins/libjanus_audiobridge.so`, path.join(dir, 'plugins', 'libjanus_audiobridge.so'));
  fs.symlinkSync(`${JANUS_LIB}/transports/libjanus_http.so`, path.join(dir, 'transports', 'libjanus_http.so'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'janus.jcfg'), `general: {
  configs_folder = "${dir}"
  plugins_folder = "${dir}/plugins"
  transports_folder = "${dir}/transports"
  events_folder = "${dir}/events"
  loggers_folder = "${dir}/loggers"
  debug_level = 3
  session_timeout = 0
}
media: {
  rtp_port_range = "44000-44999"
}
nat: {
  ice_enforce_list = "127.0.0.1"
}
`);
  fs.writeFileSync(path.join(dir, 'janus.transport.http.jcfg'), `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = ${port}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
}
`);
  fs.writeFileSync(path.join(dir, 'janus.plugin.audiobridge.jcfg'), `general: {
  rtp_port_range = "45000-47999"
  local_ip = "127.0.0.1"
  events = false
}
`);
  const proc = spawnTracked(JANUS, ['-C', path.join(dir, 'janus.jcfg'), '-F', dir, '-i', '127.0.0.1'],
    { outFile: path.join(dir, 'janus.log'), cwd: dir });
  const url = `http://127.0.0.1:${port}/janus`;
  await waitFor(async () => {
    if (proc.exited()) throw Object.assign(new Error(`janus exited: ${fs.readFileSync(path.join(dir, 'janus.log'), 'utf8').slice(-2000)}`), { fatal: true });
    const r = await fetch(`${url}/info`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  }, { timeout: 20000, interval: 250, message: 'janus /janus/info' });
  return { dir, url, pid: proc.child.pid, stop: async () => { await proc.terminate(); rmTmp(dir); } };
}

// One Janus session: requests, and a long poll that hands each event to its transaction.
async function janusSession(url) {
  let tx = 0;
  const waiting = new Map();
  const post = async (p, body) => {
    const transaction = `t${++tx}`;
    const r = await fetch(`${url}${p}`, { method: 'POST', body: JSON.stringify({ ...body, transaction }) });
    return { transaction, reply: await r.json() };
  };
  const { reply } = await post('', { janus: 'create' });
  const sid = reply.data.id;
  let polling = true;
  const stopPoll = new AbortController();
  const poll = (async () => {
    while (polling) {
      try {
        const r = await fetch(`${url}/${sid}?maxev=100`, { signal: stopPoll.signal });
        const events = [].concat(await r.json());
        for (const e of events) {
          const w = e.transaction && waiting.get(e.transaction);
          if (w && e.janus === 'event') { waiting.delete(e.transaction); w(e); }
        }
      } catch { await sleep(100); }
    }
  })();
  return {
    async handle() {
      const { reply: a } = await post(`/${sid}`, { janus: 'attach', plugin: 'janus.plugin.audiobridge' });
      const hid = a.data.id;
      return {
        // Synchronous requests (create) answer at once; join answers with an event.
        async request(body) {
          const { reply: m } = await post(`/${sid}/${hid}`, { janus: 'message', body });
          return m.plugindata?.data;
        },
        async join(body) {
          const transaction = `t${tx + 1}`;
          const event = new Promise((resolve) => waiting.set(transaction, resolve));
          const { reply: m } = await post(`/${sid}/${hid}`, { janus: 'message', body });
          if (m.janus !== 'ack') throw new Error(`janus join: ${JSON.stringify(m)}`);
          const e = await Promise.race([event, sleep(15000).then(() => null)]);
          if (!e) throw new Error('janus join: no event within 15 s');
          return e.plugindata.data;
        },
      };
    },
    async destroy() {
      polling = false;
      stopPoll.abort();
      await post(`/${sid}`, { janus: 'destroy' });
      await poll;
    },
  };
}

let janusRoomId = 1000;
async function janusCallers(janus, n, rooms) {
  const session = await janusSession(janus.url);
  const admin = await session.handle();
  const ids = [];
  for (let r = 0; r <= rooms; r++) {
    const room = ++janusRoomId;
    const d = await admin.request({ request: 'create', room, sampling_rate: 16000, allow_rtp_participants: true, audiolevel_ext: false });
    if (d?.audiobridge !== 'created') throw new Error(`janus create room: ${JSON.stringify(d)}`);
    ids.push(room);
  }
  const join = async (room, codecFrames, record, i) => {
    const c = await SipCaller.open({ codec: 'PCMA', record });
    const h = await session.handle();
    const d = await h.join({ request: 'join', room, display: `caller ${i}`, codec: 'pcma',
      rtp: { ip: '127.0.0.1', port: c.rtpPort, payload_type: 8 } });
    if (d?.audiobridge !== 'joined' || !d.rtp) throw new Error(`janus join: ${JSON.stringify(d)}`);
    c.usePlainRtp({ address: d.rtp.ip, port: d.rtp.port, payloadType: 8 });
    c.startAudio(codecFrames);
    return c;
  };
  const callers = await pool(Array.from({ length: n }, (_, i) => i), 20,
    (i) => join(ids[i % rooms], i < rooms ? FRAMES.PCMA.tone : FRAMES.PCMA.silence, false, i));
  const a = await join(ids[rooms], CLICKS, true, 'A');
  const b = await join(ids[rooms], FRAMES.PCMA.silence, true, 'B');
  return { callers, a, b, async close() {
    for (const c of [...callers, a, b]) c.close();
    await session.destroy();
  } };
}

// Busy CPU seconds of the whole machine so far (/proc/stat: all but idle and iowait).
function machineBusySeconds() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, x) => a + x, 0) - f[3] - f[4]) / 100;
}

// ---- one configuration ----
async function measure({ server, label, pid, n, rooms, codec, connect, baseline = false }) {
  say(`${label}: ${n} ${codec} callers in ${rooms} room(s)`);
  const t0 = Date.now();
  const set = await connect();
  const setupS = (Date.now() - t0) / 1000;
  await sleep(SETTLE_S * 1000);
  const all = set.callers;
  const before = { cpu: cpuSeconds(pid), node: process.cpuUsage(), busy: machineBusySeconds(), at: performance.now(), rx: all.map((c) => c.received) };
  await sleep(WINDOW_S * 1000);
  const at = performance.now();
  const seconds = (at - before.at) / 1000;
  const cpu = cpuSeconds(pid) - before.cpu;
  const nodeUse = process.cpuUsage(before.node);
  const busy = machineBusySeconds() - before.busy;
  const rates = all.map((c, i) => (c.received - before.rx[i]) / seconds);
  const delays = clickDelays(set.a, set.b, before.at, at);
  // A call the server ended (refused by the room, a timeout) makes the figures meaningless.
  const ended = [...all, set.a, set.b].filter((c) => c.state !== 'confirmed').map((c) => c.endReason);
  const alive = server ? (await getHealth(server)).status === 200 : true;
  await set.close();
  if (server) {
    await waitFor(async () => (await getHealth(server)).body?.participants === 0, { timeout: 60000, interval: 500, message: 'plenumd empty again' });
  }
  await sleep(2000);
  const r = {
    label, n, rooms, codec, setupS, baseline,
    cpuPct: (100 * cpu) / seconds,
    perCallerPct: (100 * cpu) / seconds / n,
    callersPerCore: cpu > 0 ? (n * seconds) / cpu : Infinity,
    rxMean: rates.reduce((s, x) => s + x, 0) / rates.length,
    rxMin: Math.min(...rates),
    delayMedian: median(delays), delayP95: pct(delays, 0.95), clicks: delays.length,
    loadGenPct: (100 * (nodeUse.user + nodeUse.system)) / 1e6 / seconds,
    healthy: alive, ended: ended.length, endReasons: [...new Set(ended)],
  };
  // What everything else on the machine used meanwhile (other processes disturb the figures).
  r.othersPct = (100 * (busy - cpu)) / seconds - r.loadGenPct;
  // Each caller should receive ~50 packets/s (one 20 ms frame of the mix-minus).
  r.keepsUp = r.rxMin >= 45 && ended.length === 0;
  say(JSON.stringify(r));
  return r;
}

// ---- the run ----
const results = [];
// Ctrl-C or SIGTERM: the servers go too (util.mjs kills its children on exit).
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
const sipPort = await freePort();
const maxRooms = Math.max(...LAYOUTS);
const server = await startPlenumd(sipPort, maxRooms);
const janus = WITH_JANUS ? await startJanus() : null;
const skipped = [];
const baselines = new Map();
try {
  for (const n of NS) {
    for (const rooms of LAYOUTS) {
      if (n / rooms > MAX_PER_ROOM) { skipped.push(`N=${n} in ${rooms} room(s): more than ${MAX_PER_ROOM} in a room (rooms.max-participants at most 100)`); continue; }
      if (!baselines.has(rooms)) {
        // What the rooms cost with one caller each: the per-room part (the mixing loop, the
        // composite), so that the per-caller part can be told apart.
        baselines.set(rooms, {
          plenumd: await measure({ server, label: 'plenumd', pid: server.pid, n: rooms, rooms, codec: 'PCMA', baseline: true,
            connect: () => plenumdCallers(sipPort, rooms, rooms, 'PCMA') }),
          janus: janus ? await measure({ server: null, label: 'janus', pid: janus.pid, n: rooms, rooms, codec: 'PCMA', baseline: true,
            connect: () => janusCallers(janus, rooms, rooms) }) : null,
        });
      }
      for (const codec of ['PCMA', 'G722']) {
        results.push(await measure({ server, label: 'plenumd', pid: server.pid, n, rooms, codec,
          connect: () => plenumdCallers(sipPort, n, rooms, codec) }));
      }
      if (janus) {
        results.push(await measure({ server: null, label: 'janus', pid: janus.pid, n, rooms, codec: 'PCMA',
          connect: () => janusCallers(janus, n, rooms) }));
      }
    }
  }
} finally {
  await server.stop();
  if (janus) await janus.stop();
}

// ---- the table ----
// Per caller beyond the rooms' own cost: (CPU - the layout's baseline) / (N - rooms).
for (const r of results) {
  const base = baselines.get(r.rooms)?.[r.label];
  if (!base || r.baseline) continue;
  r.marginalPct = (r.cpuPct - base.cpuPct) / (r.n - r.rooms);
  r.marginalPerCore = r.marginalPct > 0 ? 100 / r.marginalPct : Infinity;
}
const all = [...[...baselines.values()].flatMap((b) => [b.plenumd, b.janus].filter(Boolean)), ...results];
const f = (x, d = 1) => fmt(x, d);
const lines = [];
lines.push(`${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model || '?'}), ` +
  `window ${WINDOW_S} s after ${SETTLE_S} s; plenumd with bench/plenum-bench.ini, composite ${VIDEO || '1280x720@25'} (every room runs one, ` +
  `phones only too); Janus ${WITH_JANUS ? '1.1 AudioBridge, 16 kHz rooms, plain RTP' : 'not run'}; in each room 1 caller sends a 440 Hz tone, ` +
  `the others silence; +2 callers in an extra room (also in the baseline) for the delay (clicks, PCMA). ` +
  `"beyond base": (CPU - the baseline of the same number of rooms with 1 caller each) / (N - rooms).`);
lines.push('');
lines.push('| server | N | rooms | codec | CPU (% of a core) | per caller | callers per core | per caller beyond base | callers per core beyond base | rx pkt/s per caller (mean / min) | added delay ms (median / p95, clicks) | load generator CPU | other processes CPU | keeps up |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of all) {
  lines.push(`| ${r.label}${r.baseline ? ' (baseline)' : ''} | ${r.n} | ${r.rooms} | ${r.codec} | ${f(r.cpuPct)} | ${f(r.perCallerPct, 2)} % | ${f(r.callersPerCore, 0)} | ` +
    `${r.marginalPct === undefined ? '-' : `${f(r.marginalPct, 3)} %`} | ${r.marginalPerCore === undefined ? '-' : f(r.marginalPerCore, 0)} | ` +
    `${f(r.rxMean)} / ${f(r.rxMin)} | ${f(r.delayMedian)} / ${f(r.delayP95)} (${r.clicks}) | ${f(r.loadGenPct)} % | ${f(r.othersPct, 0)} % | ${r.keepsUp && r.healthy ? 'yes' : '**no**'} |`);
}
if (janus) {
  lines.push('');
  lines.push('| N | rooms | plenumd PCMA per caller (all / beyond base) | janus PCMA per caller (all / beyond base) | plenumd cheaper by (all / beyond base) |');
  lines.push('|---|---|---|---|---|');
  for (const j of results.filter((r) => r.label === 'janus' && !r.baseline)) {
    const p = results.find((r) => r.label === 'plenumd' && r.codec === 'PCMA' && r.n === j.n && r.rooms === j.rooms);
    if (p) {
      lines.push(`| ${j.n} | ${j.rooms} | ${f(p.perCallerPct, 3)} / ${f(p.marginalPct, 3)} % | ${f(j.perCallerPct, 3)} / ${f(j.marginalPct, 3)} % | ` +
        `${f(j.perCallerPct / p.perCallerPct, 2)}x / ${f(j.marginalPct / p.marginalPct, 2)}x |`);
    }
  }
}
for (const s of skipped) lines.push(`\nskipped: ${s}`);
const table = lines.join('\n');
console.log(`\n${table}\n`);
if (OUT) fs.writeFileSync(OUT, `${table}\n\n<details><summary>raw</summary>\n\n\`\`\`json\n${JSON.stringify(all, null, 1)}\n\`\`\`\n</details>\n`);
