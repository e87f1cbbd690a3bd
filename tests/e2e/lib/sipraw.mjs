// SPDX-License-Identifier: EUPL-1.2
// A raw SIP sender for the bad-input tests: sends bytes as they are (a corpus file, a hand-made
// message) over UDP or TCP and collects what comes back, parsed just enough to read status
// lines and the few headers a UAC needs. When an INVITE is answered with a 2xx, it ACKs and
// ends the call with a BYE (a fuzz message must not leave a call behind).
//
//   const r = await sendSip({ port, transport: 'udp', message: prepare(fs.readFileSync(file), 'udp') });
//   r.responses  // [{ status, reason, headers: { 'call-id': ['...'], ... }, raw }]
//
// Corpus files (tests/fuzz/corpus/sip/) are literal messages. `prepare` makes each send unique
// and routable: every "0000RAND" becomes 8 fresh characters (Call-ID, tags, branch: no send is
// a retransmission of another), and the Via transport is set to the one used.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomId } from './util.mjs';

/** The message of a corpus file ready to send over `transport` ('udp' or 'tcp'). */
export function prepare(bytes, transport) {
  const text = Buffer.from(bytes).toString('latin1');
  const rand = randomId(8);
  const out = text.split('0000RAND').join(rand)
    .replace(/SIP\/2\.0\/(UDP|TCP) /g, `SIP/2.0/${transport.toUpperCase()} `);
  return Buffer.from(out, 'latin1');
}

/**
 * Splits a byte stream into SIP messages (start line + headers, then Content-Length bytes of
 * body); `rest` is what is left of an incomplete one. Stray CRLFs (keep-alive pongs) are skipped.
 */
export function splitMessages(buf) {
  const messages = [];
  let rest = buf;
  for (;;) {
    while (rest.length >= 2 && rest[0] === 0x0d && rest[1] === 0x0a) rest = rest.subarray(2);
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.toString('latin1', 0, end);
    const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(`\r\n${head}`);
    const bodyLength = m ? Number(m[1]) : 0;
    if (rest.length < end + 4 + bodyLength) break;
    messages.push(parseMessage(rest.subarray(0, end + 4 + bodyLength)));
    rest = rest.subarray(end + 4 + bodyLength);
  }
  return { messages, rest };
}

const COMPACT = { i: 'call-id', f: 'from', t: 'to', v: 'via', m: 'contact', l: 'content-length', c: 'content-type' };

/** { status (responses), method (requests), reason, headers (lower-case names, arrays), body, raw }. */
export function parseMessage(buf) {
  const text = buf.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const lines = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const start = lines.shift();
  const headers = {};
  for (const l of lines) {
    const colon = l.indexOf(':');
    if (colon < 0) continue;
    let name = l.slice(0, colon).trim().toLowerCase();
    name = COMPACT[name] || name;
    (headers[name] ||= []).push(l.slice(colon + 1).trim());
  }
  const resp = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(start);
  const req = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  return {
    start, headers, raw: text, body: end < 0 ? '' : text.slice(end + 4),
    status: resp ? Number(resp[1]) : null, reason: resp ? resp[2] : null,
    method: req ? req[1] : null, uri: req ? req[2] : null,
  };
}

const header = (msg, name) => (msg.headers[name] || [])[0];

/** The URI of a Contact/To value ("<sip:a@b:5060>;tag=x" -> "sip:a@b:5060"). */
const uriOf = (value) => {
  const m = /<([^>]*)>/.exec(value || '');
  return m ? m[1] : (value || '').split(';')[0].trim();
};

/** ACK and BYE for a 2xx to an INVITE (built from the response, which echoes From/To/Call-ID/CSeq). */
function ackAndBye(resp, { transport, localPort }) {
  const seq = Number((header(resp, 'cseq') || '1').split(/\s+/)[0]) || 1;
  const target = uriOf(header(resp, 'contact')) || 'sip:127.0.0.1';
  const common = (method, n) => [
    `${method} ${target} SIP/2.0`,
    `Via: SIP/2.0/${transport.toUpperCase()} 127.0.0.1:${localPort};rport;branch=z9hG4bK-${randomId(10)}`,
    'Max-Forwards: 70',
    `From: ${header(resp, 'from')}`,
    `To: ${header(resp, 'to')}`,
    `Call-ID: ${header(resp, 'call-id')}`,
    `CSeq: ${n} ${method}`,
    'Content-Length: 0', '', '',
  ].join('\r\n');
  return [common('ACK', seq), common('BYE', seq + 1)];
}

/** The ACK for a non-2xx final response to an INVITE (RFC 3261 17.1.1.3: the INVITE's Via and URI, the response's To). */
function ackForFailure(resp, sent) {
  const via = header(sent, 'via');
  if (!sent.uri || !via) return null;
  const seq = Number((header(resp, 'cseq') || '1').split(/\s+/)[0]) || 1;
  return [
    `ACK ${sent.uri} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: ${header(resp, 'from')}`,
    `To: ${header(resp, 'to')}`,
    `Call-ID: ${header(resp, 'call-id')}`,
    `CSeq: ${seq} ACK`,
    'Content-Length: 0', '', '',
  ].join('\r\n');
}

/**
 * Sends `message` to 127.0.0.1:`port` over `transport` and collects responses until `done(responses)`
 * (default: a final response to the request) or `timeoutMs`. A 2xx to an INVITE is ACKed and the
 * call ended with a BYE (its answer awaited too). Resolves with { responses, requests (what the
 * server sent us unasked), byeStatus, closed (TCP: the server closed the connection) }.
 */
export function sendSip({ port, transport = 'udp', message, timeoutMs = 10000, done = null }) {
  const responses = [];
  const requests = [];
  let sent = null;
  try { sent = parseMessage(Buffer.from(message)); } catch { /* not even that */ }
  let byeStatus = null;
  let byeSent = false;
  let closed = false;
  let localPort = 0;
  let sendRaw;
  const finalSeen = () => responses.some((r) => r.status >= 200);
  const isDone = () => (done ? done(responses) : finalSeen()) && (!byeSent || byeStatus !== null);

  return new Promise((resolve) => {
    let finish;
    const onMessage = (msg) => {
      if (msg.status === null) {
        requests.push(msg);
        return;
      }
      const cseq = header(msg, 'cseq') || '';
      if (byeSent && /\bBYE\b/.test(cseq)) {
        if (msg.status >= 200) byeStatus = msg.status;
      } else {
        responses.push(msg);
        if (/\bINVITE\b/.test(cseq) && msg.status >= 200 && msg.status < 300) {
          // Acknowledge every 2xx (retransmissions too); end the call once.
          const [ack, bye] = ackAndBye(msg, { transport, localPort });
          sendRaw(Buffer.from(ack, 'latin1'));
          if (!byeSent) {
            byeSent = true;
            sendRaw(Buffer.from(bye, 'latin1'));
          }
        } else if (/\bINVITE\b/.test(cseq) && msg.status >= 300 && sent?.method === 'INVITE') {
          // A refusal is acknowledged too, or the server repeats it for 32 s.
          const ack = ackForFailure(msg, sent);
          if (ack) sendRaw(Buffer.from(ack, 'latin1'));
        }
      }
      if (isDone()) finish();
    };

    const timer = setTimeout(() => finish(), timeoutMs);
    if (transport === 'udp') {
      const sock = dgram.createSocket('udp4');
      // An ACK sent just before the end must leave before the socket closes (a send is asynchronous).
      let pending = 0;
      let finished = false;
      const closeWhenSent = () => {
        if (finished && pending === 0) {
          try { sock.close(); } catch { /* closed */ }
        }
      };
      finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        closeWhenSent();
        resolve({ responses, requests, byeStatus, closed });
      };
      sock.on('error', () => {});
      sock.on('message', (d) => { if (!finished) for (const m of splitMessages(d).messages) onMessage(m); });
      sendRaw = (b) => {
        pending++;
        sock.send(b, port, '127.0.0.1', () => { pending--; closeWhenSent(); });
      };
      sock.bind(0, '127.0.0.1', () => {
        localPort = sock.address().port;
        sock.send(message, port, '127.0.0.1', (err) => { if (err) finish(); });
      });
    } else {
      const sock = net.connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      let finished = false;
      finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        sock.destroy();
        resolve({ responses, requests, byeStatus, closed });
      };
      sock.on('error', () => { closed = true; finish(); });
      sock.on('close', () => { closed = true; finish(); });
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        const { messages, rest } = splitMessages(buf);
        buf = rest;
        for (const m of messages) onMessage(m);
      });
      sendRaw = (b) => sock.write(b);
      sock.on('connect', () => {
        localPort = sock.localPort;
        sock.write(message);
      });
    }
  });
}

/**
 * One INVITE dialog over UDP, by hand (for what a phone library will not send: a re-INVITE with
 * another port, one without an offer):
 *   const d = await RawDialog.open(port);
 *   const ok = await d.invite(sdp);          // the final response; a 2xx is ACKed
 *   await d.invite(otherSdp);                // a re-INVITE in the dialog (CSeq + 1)
 *   await d.bye(); d.close();
 */
export class RawDialog {
  static open(port, { user = '0309876543' } = {}) {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket('udp4');
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve(new RawDialog(sock, port, user)));
    });
  }

  constructor(sock, port, user) {
    this.sock = sock;
    this.port = port;
    this.localPort = sock.address().port;
    this.callId = `${randomId(12)}@raw`;
    this.fromTag = randomId(8);
    this.toTag = null;
    this.user = user;
    this.target = `sip:plenum@127.0.0.1:${port}`;
    this.cseq = 0;
    this.waiters = [];
    /** Requests the server sent us (its BYE, say): answered 200. */
    this.requests = [];
    sock.on('message', (d) => {
      for (const m of splitMessages(d).messages) {
        if (m.status === null) {
          this.requests.push(m);
          this.answer(m, 200, 'OK');
          continue;
        }
        for (const w of [...this.waiters]) w(m);
      }
    });
  }

  send(text) {
    return new Promise((resolve) => this.sock.send(Buffer.from(text, 'latin1'), this.port, '127.0.0.1', resolve));
  }

  answer(req, status, reason) {
    const h = (n) => (req.headers[n] || []);
    return this.send([`SIP/2.0 ${status} ${reason}`, ...h('via').map((v) => `Via: ${v}`), `From: ${h('from')[0]}`,
      `To: ${h('to')[0]}`, `Call-ID: ${h('call-id')[0]}`, `CSeq: ${h('cseq')[0]}`, 'Content-Length: 0', '', ''].join('\r\n'));
  }

  build(method, { cseq, branch, body = '', ctype = 'application/sdp' }) {
    const to = `<sip:plenum@127.0.0.1:${this.port}>${this.toTag ? `;tag=${this.toTag}` : ''}`;
    const lines = [
      `${method} ${this.target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.localPort};rport;branch=${branch}`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@127.0.0.1>;tag=${this.fromTag}`,
      `To: ${to}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:${this.user}@127.0.0.1:${this.localPort}>`,
    ];
    if (body) lines.push(`Content-Type: ${ctype}`);
    lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', '');
    return lines.join('\r\n') + body;
  }

  /** Sends a request in the dialog and resolves with its final response (rejects after timeoutMs). */
  async request(method, { body = '', ctype, timeoutMs = 10000 } = {}) {
    const cseq = ++this.cseq;
    const branch = `z9hG4bK-${randomId(10)}`;
    const text = this.build(method, { cseq, branch, body, ctype });
    const resp = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.waiters = this.waiters.filter((x) => x !== w); reject(new Error(`no final answer to ${method} within ${timeoutMs} ms`)); }, timeoutMs);
      const w = (m) => {
        if ((m.headers.cseq || [])[0] !== `${cseq} ${method}` || m.status < 200) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(m);
      };
      this.waiters.push(w);
      this.send(text);
    });
    if (method === 'INVITE') {
      const tag = /;tag=([^;>\s]+)/.exec((resp.headers.to || [])[0] || '');
      if (resp.status < 300 && tag) this.toTag = tag[1];
      // ACK: for a 2xx a new transaction (new branch), for a refusal the INVITE's.
      const ackBranch = resp.status < 300 ? `z9hG4bK-${randomId(10)}` : branch;
      const saved = this.toTag;
      if (resp.status >= 300 && tag) this.toTag = tag[1];
      await this.send(this.build('ACK', { cseq, branch: ackBranch }));
      this.toTag = saved;
    }
    return resp;
  }

  invite(sdp, opts) { return this.request('INVITE', { body: sdp, ...opts }); }

  bye(opts) { return this.request('BYE', opts); }

  close() { try { this.sock.close(); } catch { /* closed */ } }
}

/** An SDP offer for a raw call: PCMA (and telephone-event) to 127.0.0.1:`port`. */
export function rawOffer(port, { version = 1, address = '127.0.0.1' } = {}) {
  return ['v=0', `o=raw 42 ${version} IN IP4 ${address}`, 's=-', `c=IN IP4 ${address}`, 't=0 0',
    `m=audio ${port} RTP/AVP 8 101`, 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15',
    'a=sendrecv', ''].join('\r\n');
}
