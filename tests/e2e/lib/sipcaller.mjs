// SPDX-License-Identifier: EUPL-1.2
// Synthetic SIP callers for load and abuse tests: many calls from one Node process, without a
// real phone (lib/baresip.mjs is the real one). Each caller is a minimal UAC over UDP with a SIP
// socket and an RTP socket of its own; it offers one codec (PCMA, PCMU or G722) plus
// telephone-event, sends RFC 4733 keys and pre-encoded 20 ms frames, and counts (optionally
// records) the RTP it receives.
//
//   const frames = encodeFrames('PCMA', tonePcm(8000, 440, 1));  // once per process (ffmpeg)
//   const c = await SipCaller.open({ codec: 'PCMA', number: '+4930123456' });
//   const r = await c.invite({ host: '127.0.0.1', port: sipPort, user: '4711' }); // { status, remote }
//   c.startAudio(frames);  await c.sendDigits('1234#');
//   c.received; c.recording;  await c.bye();  c.close();
//   c.on('ended', ({ reason }) => ...)   // the server's BYE
//
// Audio of all callers is paced by ONE timer per process: 200 callers with a timer each would
// cost more event-loop time than the sending itself and drift apart.
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { execFileSync } from 'node:child_process';

export const CODECS = {
  PCMA: { pt: 8, rtpmap: 'PCMA/8000', sampleRate: 8000, ffmpeg: ['-c:a', 'pcm_alaw', '-f', 'alaw'] },
  PCMU: { pt: 0, rtpmap: 'PCMU/8000', sampleRate: 8000, ffmpeg: ['-c:a', 'pcm_mulaw', '-f', 'mulaw'] },
  // G.722 samples at 16 kHz but its RTP clock is 8000 (RFC 3551); 64 kbit/s: 160 bytes per 20 ms.
  G722: { pt: 9, rtpmap: 'G722/8000', sampleRate: 16000, ffmpeg: ['-c:a', 'g722', '-f', 'g722'] },
};
const DTMF_PT = 101;
const FRAME_MS = 20;
const TICKS_PER_FRAME = 160; // all three codecs: an 8 kHz RTP clock
const KEYS = '0123456789*#';

const rand = (n = 8) => crypto.randomBytes(n).toString('hex');

/** 16-bit mono PCM of a sine, `seconds` long (amplitude 0.25 of full scale). */
export function tonePcm(rate, freq, seconds, amplitude = 0.25) {
  const pcm = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * freq * i) / rate));
  return pcm;
}

/**
 * 16-bit mono PCM with a click (a 10 ms 1 kHz burst) at the start of every `periodMs`, silence
 * between: the onset of each click lies on a 20 ms frame boundary, so a sender knows which frame
 * carries it.
 */
export function clickPcm(rate, periodMs, seconds) {
  const pcm = new Int16Array(Math.round(rate * seconds));
  const period = Math.round((rate * periodMs) / 1000);
  const burst = Math.round(rate / 100);
  for (let start = 0; start < pcm.length; start += period) {
    for (let i = 0; i < burst && start + i < pcm.length; i++) {
      pcm[start + i] = Math.round(0.5 * 32767 * Math.sin((2 * Math.PI * 1000 * i) / rate));
    }
  }
  return pcm;
}

/** Encodes PCM (at the codec's sample rate) with ffmpeg, once; returns the 20 ms payloads. */
export function encodeFrames(codec, pcm) {
  const c = CODECS[codec];
  if (!c) throw new Error(`unknown codec ${codec}`);
  const input = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const out = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 's16le', '-ar', String(c.sampleRate),
    '-ac', '1', '-i', 'pipe:0', ...c.ffmpeg, 'pipe:1'], { input, maxBuffer: 64 << 20 });
  const frames = [];
  for (let off = 0; off + 160 <= out.length; off += 160) frames.push(out.subarray(off, off + 160));
  return frames;
}

// A-law and mu-law to linear, for callers that want to look at what they heard.
export function decodeG711(codec, payload) {
  const pcm = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) {
    if (codec === 'PCMA') {
      let a = payload[i] ^ 0x55;
      const seg = (a & 0x70) >> 4;
      let t = (a & 0x0f) << 4;
      t = seg === 0 ? t + 8 : ((t + 0x108) << (seg - 1));
      pcm[i] = a & 0x80 ? t : -t;
    } else {
      const u = ~payload[i] & 0xff;
      let t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
      pcm[i] = u & 0x80 ? 0x84 - t : t - 0x84;
    }
  }
  return pcm;
}

// ---- one shared 20 ms clock for every sender of the process ----
const senders = new Set();
let clock = null;

function tick() {
  const now = performance.now();
  for (const s of senders) s.sendDue(now);
  if (!senders.size) { clock = null; return; }
  // Scheduled against the ideal grid, so that lateness does not accumulate.
  const next = FRAME_MS - ((now - clock.t0) % FRAME_MS);
  clock.timer = setTimeout(tick, next);
}

function addSender(s) {
  senders.add(s);
  if (!clock) {
    clock = { t0: performance.now(), timer: null };
    clock.timer = setTimeout(tick, FRAME_MS);
  }
}

// ---- SIP message text ----
function parseSip(text) {
  const split = text.indexOf('\r\n\r\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const lines = head.split('\r\n');
  const first = lines.shift();
  const headers = new Map();
  const compact = { v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type' };
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    let name = line.slice(0, colon).trim().toLowerCase();
    name = compact[name] || name;
    const value = line.slice(colon + 1).trim();
    if (!headers.has(name)) headers.set(name, []);
    headers.get(name).push(value);
  }
  const body = split >= 0 ? text.slice(split + 4) : '';
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(first);
  const get = (n) => (headers.get(n) || [])[0];
  return m ? { status: Number(m[1]), phrase: m[2], headers, get, body }
    : { method: first.split(' ')[0], uri: first.split(' ')[1], headers, get, body };
}

function parseSdpAnswer(sdp) {
  const address = /^c=IN IP[46] (\S+)/m.exec(sdp)?.[1];
  const m = /^m=audio (\d+) RTP\/AVP ([\d ]+)/m.exec(sdp);
  if (!address || !m) return null;
  const dtmf = /^a=rtpmap:(\d+) telephone-event\//mi.exec(sdp);
  return { address, port: Number(m[1]), payloadType: Number(m[2].trim().split(' ')[0]), dtmfPayloadType: dtmf ? Number(dtmf[1]) : null };
}

const uriOf = (nameAddr) => /<([^>]+)>/.exec(nameAddr)?.[1] || nameAddr.split(';')[0];

export class SipCaller extends EventEmitter {
  /** Binds the SIP and RTP sockets on `host` (loopback). `record`: keep what arrives (payload, time). */
  static async open(options = {}) {
    const c = new SipCaller(options);
    await c.bind();
    return c;
  }

  constructor({ codec = 'PCMA', number = '+4930123456', host = '127.0.0.1', record = false } = {}) {
    super();
    if (!CODECS[codec]) throw new Error(`unknown codec ${codec}`);
    this.codec = codec;
    this.number = number;
    this.host = host;
    this.record = record;
    this.callId = `${rand()}@${host}`;
    this.fromTag = rand(4);
    this.cseq = 1;
    this.received = 0;      // RTP packets that arrived
    this.receivedDtmf = 0;
    this.recording = [];    // { at (performance.now() ms), seq, payload } when `record`
    this.state = 'idle';    // idle, calling, confirmed, ended
    this.endReason = null;
    this.ended = new Promise((resolve) => this.once('ended', resolve));
    // RTP sending state
    this.ssrc = crypto.randomBytes(4).readUInt32BE(0);
    this.seq = crypto.randomBytes(2).readUInt16BE(0);
    this.rtpT0 = performance.now();
    this.tsBase = crypto.randomBytes(4).readUInt32BE(0);
    this.frames = null;
    this.sentFrames = 0;
    this.audioStart = 0;
    this.sendLog = null;    // frame index -> performance.now() of its sending, when `record`
  }

  async bind() {
    const bindOne = (onMessage) => new Promise((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.on('message', onMessage);
      s.bind(0, this.host, () => { s.removeListener('error', reject); s.on('error', () => {}); resolve(s); });
    });
    this.sip = await bindOne((msg, rinfo) => this.onSip(msg.toString('latin1'), rinfo));
    this.rtp = await bindOne((msg) => this.onRtp(msg));
    this.sipPort = this.sip.address().port;
    this.rtpPort = this.rtp.address().port;
  }

  sdpOffer() {
    const c = CODECS[this.codec];
    return ['v=0', `o=- ${Date.now()} 1 IN IP4 ${this.host}`, 's=-', `c=IN IP4 ${this.host}`, 't=0 0',
      `m=audio ${this.rtpPort} RTP/AVP ${c.pt} ${DTMF_PT}`, `a=rtpmap:${c.pt} ${c.rtpmap}`,
      `a=rtpmap:${DTMF_PT} telephone-event/8000`, `a=fmtp:${DTMF_PT} 0-15`, 'a=ptime:20', 'a=sendrecv', ''].join('\r\n');
  }

  request(method, uri, { branch = `z9hG4bK${rand()}`, cseq = this.cseq, extra = [], body = '' } = {}) {
    const lines = [`${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.host}:${this.sipPort};branch=${branch};rport`, 'Max-Forwards: 70',
      `From: <sip:${this.number}@${this.host}>;tag=${this.fromTag}`, `To: ${this.to}`, `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`, `Contact: <sip:caller@${this.host}:${this.sipPort}>`, ...extra,
      `Content-Length: ${Buffer.byteLength(body)}`, '', body];
    return lines.join('\r\n');
  }

  sendSip(text) {
    if (this.closed) return;
    this.sip.send(Buffer.from(text, 'latin1'), this.target.port, this.target.host);
  }

  /**
   * INVITE sip:user@host:port. Resolves at the final answer: { status, remote } (remote: the
   * answer's RTP address, port, payload types; only for 2xx). UDP may lose a datagram even on
   * loopback under load: the INVITE is retransmitted as RFC 3261 says (T1 = 500 ms, doubling).
   */
  invite(target, { timeout = 32000 } = {}) {
    this.target = target;
    this.to = `<sip:${target.user}@${target.host}:${target.port}>`;
    this.requestUri = `sip:${target.user}@${target.host}:${target.port}`;
    this.inviteBranch = `z9hG4bK${rand()}`;
    this.inviteCseq = this.cseq;
    const text = this.request('INVITE', this.requestUri, {
      branch: this.inviteBranch, extra: ['Allow: INVITE, ACK, BYE, CANCEL, INFO', 'Content-Type: application/sdp'],
      body: this.sdpOffer(),
    });
    this.state = 'calling';
    this.provisional = [];
    return new Promise((resolve, reject) => {
      let interval = 500;
      let resend;
      const again = () => {
        if (this.state !== 'calling' || this.provisional.length) return; // a 1xx stops retransmission
        this.sendSip(text);
        resend = setTimeout(again, interval);
        interval = Math.min(interval * 2, 4000);
      };
      const deadline = setTimeout(() => {
        clearTimeout(resend);
        this.inviteDone = null;
        reject(new Error(`no final answer to the INVITE within ${timeout} ms (provisional: ${this.provisional.join(',') || 'none'})`));
      }, timeout);
      this.inviteDone = (result) => {
        clearTimeout(resend);
        clearTimeout(deadline);
        this.inviteDone = null;
        resolve(result);
      };
      again();
    });
  }

  /**
   * Plain RTP without SIP (a bridge that was told our RTP address some other way, as Janus's
   * AudioBridge is over its API): from now on RTP goes to `remote` ({ address, port, payloadType }).
   */
  usePlainRtp(remote) {
    this.remote = { dtmfPayloadType: null, ...remote };
    this.state = 'confirmed';
  }

  onSip(text, rinfo) {
    let m;
    try { m = parseSip(text); } catch { return; }
    if (m.status) this.onResponse(m);
    else this.onRequest(m, rinfo);
  }

  onResponse(m) {
    const [cseqNo, method] = (m.get('cseq') || '').split(/\s+/);
    if (method === 'INVITE' && Number(cseqNo) === this.inviteCseq) {
      if (m.status < 200) { this.provisional.push(m.status); return; }
      this.to = m.get('to');
      if (m.status >= 300) {
        // A non-2xx is ACKed in the INVITE's transaction (same branch).
        this.sendSip(this.request('ACK', this.requestUri, { branch: this.inviteBranch, cseq: this.inviteCseq }));
        if (this.state === 'calling') this.finish(`refused ${m.status}`);
        this.inviteDone?.({ status: m.status, remote: null, provisional: this.provisional });
        return;
      }
      // Every 2xx (also a retransmitted one) gets its ACK, to the answer's Contact.
      this.remoteUri = uriOf(m.get('contact') || '') || this.requestUri;
      this.sendSip(this.request('ACK', this.remoteUri, { cseq: this.inviteCseq }));
      if (this.state !== 'calling') return;
      this.state = 'confirmed';
      this.remote = parseSdpAnswer(m.body);
      this.inviteDone?.({ status: m.status, remote: this.remote, provisional: this.provisional });
    } else if (method === 'BYE' && this.byeDone) {
      this.byeDone(m.status);
    }
  }

  onRequest(m, rinfo) {
    if (m.method === 'ACK') return;
    // Our answer echoes the request's Via (with rport/received, for the server's transaction).
    const via = m.headers.get('via') || [];
    const reply = ['SIP/2.0 200 OK', ...via.map((v) => `Via: ${v}`), `From: ${m.get('from')}`, `To: ${m.get('to')}`,
      `Call-ID: ${m.get('call-id')}`, `CSeq: ${m.get('cseq')}`, 'Content-Length: 0', '', ''].join('\r\n');
    this.sip.send(Buffer.from(reply, 'latin1'), rinfo.port, rinfo.address);
    if (m.method === 'BYE' && m.get('call-id') === this.callId) {
      const reason = m.get('reason') || 'BYE';
      this.finish(`server BYE${reason !== 'BYE' ? ` (${reason})` : ''}`, true);
    }
  }

  finish(reason, byServer = false) {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endReason = reason;
    this.endedAt = performance.now();
    this.stopAudio();
    this.emit('ended', { reason, byServer });
  }

  onRtp(msg) {
    if (msg.length < 12) return;
    const pt = msg[1] & 0x7f;
    if (this.remote && pt === this.remote.dtmfPayloadType) { this.receivedDtmf++; return; }
    this.received++;
    if (this.record) {
      const cc = msg[0] & 0x0f;
      this.recording.push({ at: performance.now(), seq: msg.readUInt16BE(2), payload: msg.subarray(12 + 4 * cc) });
    }
  }

  // The RTP timestamp of "now" on the 8 kHz clock: audio and keys share one timeline.
  rtpTimestamp(at = performance.now()) {
    return (this.tsBase + Math.round(((at - this.rtpT0) * 8000) / 1000)) >>> 0;
  }

  sendRtp(pt, payload, timestamp, marker = false) {
    if (this.closed || !this.remote) return;
    const h = Buffer.alloc(12);
    h[0] = 0x80;
    h[1] = (marker ? 0x80 : 0) | pt;
    h.writeUInt16BE(this.seq, 2);
    this.seq = (this.seq + 1) & 0xffff;
    h.writeUInt32BE(timestamp >>> 0, 4);
    h.writeUInt32BE(this.ssrc, 8);
    this.rtp.send([h, payload], this.remote.port, this.remote.address);
  }

  /** Sends `frames` (20 ms payloads of our codec) in a loop from the next tick of the shared clock. */
  startAudio(frames) {
    if (!this.remote) throw new Error('startAudio before the call is answered');
    this.frames = frames;
    this.sentFrames = 0;
    this.audioStart = null;
    if (this.record) this.sendLog = [];
    addSender(this);
  }

  stopAudio() { senders.delete(this); }

  // Called by the shared clock: sends every frame that is due (at most a few after a stall).
  sendDue(now) {
    if (this.audioStart === null) this.audioStart = now - FRAME_MS;
    const due = Math.floor((now - this.audioStart) / FRAME_MS);
    if (due - this.sentFrames > 5) this.sentFrames = due - 5;
    const pt = CODECS[this.codec].pt;
    while (this.sentFrames < due) {
      const i = this.sentFrames++;
      const ts = (this.tsBase + i * TICKS_PER_FRAME) >>> 0;
      if (this.sendLog) this.sendLog[i] = now;
      this.sendRtp(pt, this.frames[i % this.frames.length], ts, i === 0);
    }
  }

  /**
   * Types `keys` as RFC 4733 events: per key 3 updates and 3 end packets 20 ms apart (the end
   * repeated, as senders do against loss), `gapMs` from one key to the next. Each key has its own
   * timestamp (a receiver tells presses apart by it).
   */
  async sendDigits(keys, { gapMs = 200 } = {}) {
    const pt = this.remote?.dtmfPayloadType ?? DTMF_PT;
    for (const key of keys) {
      if (KEYS.indexOf(key) < 0) throw new Error(`not a key: ${key}`);
      const event = KEYS.indexOf(key) < 10 ? Number(key) : (key === '*' ? 10 : 11);
      const ts = this.rtpTimestamp();
      for (let i = 0; i < 6; i++) {
        const end = i >= 3;
        const duration = Math.min(i + 1, 3) * TICKS_PER_FRAME;
        const p = Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
        this.sendRtp(pt, p, ts, i === 0);
        await sleepMs(FRAME_MS);
      }
      await sleepMs(Math.max(0, gapMs - 6 * FRAME_MS));
    }
  }

  /**
   * A keypad flood: `count` distinct key presses (one start and one end packet each, a new
   * timestamp each) of `key`, `perSecond` of them a second.
   */
  async floodDigits(key, count, perSecond) {
    const pt = this.remote?.dtmfPayloadType ?? DTMF_PT;
    const event = key === '*' ? 10 : key === '#' ? 11 : Number(key);
    const batch = Math.max(1, Math.round(perSecond / 50)); // per 20 ms
    let ts = this.rtpTimestamp();
    for (let sent = 0; sent < count && !this.closed;) {
      for (let j = 0; j < batch && sent < count; j++, sent++) {
        ts = (ts + 8) >>> 0; // 1 ms apart on the RTP clock: every press is new
        this.sendRtp(pt, Buffer.from([event, 10, 0, 160]), ts, true);
        this.sendRtp(pt, Buffer.from([event, 0x80 | 10, 0, 160]), ts);
      }
      await sleepMs(FRAME_MS);
    }
  }

  /** Hangs up (BYE, retransmitted until answered); resolves with the answer's status or null. */
  async bye({ timeout = 8000 } = {}) {
    if (this.state !== 'confirmed') return null;
    this.finish('our BYE');
    this.cseq = this.inviteCseq + 1;
    const text = this.request('BYE', this.remoteUri || this.requestUri, { cseq: this.cseq });
    const status = await new Promise((resolve) => {
      let interval = 500;
      let resend;
      const again = () => { this.sendSip(text); resend = setTimeout(again, interval); interval *= 2; };
      const deadline = setTimeout(() => { clearTimeout(resend); this.byeDone = null; resolve(null); }, timeout);
      this.byeDone = (s) => { clearTimeout(resend); clearTimeout(deadline); this.byeDone = null; resolve(s); };
      again();
    });
    return status;
  }

  close() {
    this.stopAudio();
    this.closed = true;
    try { this.sip?.close(); } catch { /* closed */ }
    try { this.rtp?.close(); } catch { /* closed */ }
  }
}

const sleepMs = (ms) => new Promise((r) => setTimeout(r, ms));
