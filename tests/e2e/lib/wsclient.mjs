// SPDX-License-Identifier: EUPL-1.2
// A raw signaling client (npm `ws`) for protocol tests: send anything, wait for messages/close.
import WebSocket from 'ws';
import { waitFor } from './util.mjs';

export class RawClient {
  constructor(url, { label = 'raw', autoPing = false } = {}) {
    this.url = url;
    this.label = label;
    this.messages = []; // every parsed (or unparseable, as {unparsed}) message, in order
    this.cursor = 0; // index of the first message not yet consumed by next()
    this.closed = null; // { code, reason } once closed
    this.autoPing = autoPing;
  }

  async connect(timeout = 10000) {
    this.ws = new WebSocket(this.url, { maxPayload: 1 << 20, handshakeTimeout: timeout });
    this.ws.on('message', (data, isBinary) => {
      let m;
      try { m = JSON.parse(isBinary ? Buffer.from(data).toString('utf8') : data.toString()); } catch { m = { unparsed: String(data), isBinary }; }
      this.messages.push(m);
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      clearInterval(this.pinger);
    });
    this.ws.on('error', (e) => { this.error = e; });
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
      this.ws.once('close', (code) => reject(new Error(`${this.label}: closed before open (${code})`)));
    });
    if (this.autoPing) this.pinger = setInterval(() => this.isOpen && this.ws.send('{"type":"ping"}'), 2000);
    return this;
  }

  get isOpen() { return this.ws && this.ws.readyState === WebSocket.OPEN; }

  /** Sends an object as JSON, or a string / Buffer verbatim (Buffer => binary frame). */
  send(msg, opts) {
    if (Buffer.isBuffer(msg)) this.ws.send(msg, { binary: true, ...opts });
    else this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg), opts);
  }

  /**
   * Resolves with the next not-yet-consumed message matching `pred` (messages before it that
   * do not match are skipped if `skip` is true, e.g. candidates/participant events).
   */
  async next(pred = () => true, { timeout = 10000, what = 'message' } = {}) {
    return waitFor(() => {
      while (this.cursor < this.messages.length) {
        const m = this.messages[this.cursor++];
        if (pred(m)) return m;
      }
      if (this.closed) throw Object.assign(new Error(`${this.label}: connection closed (${JSON.stringify(this.closed)}) while waiting for ${what}`), { fatal: true });
      return null;
    }, { timeout, interval: 20, message: `${this.label}: ${what}`, describe: () => JSON.stringify(this.messages.slice(-5)) });
  }

  /** Next message of one of `types` (skipping the other message types in between). */
  nextOfType(types, opts = {}) {
    const set = new Set([].concat(types));
    return this.next((m) => set.has(m.type), { what: `message of type ${[...set].join('|')}`, ...opts });
  }

  /** The next `error` message (skipping offers, candidates, participant events, pongs). */
  nextError(opts = {}) { return this.nextOfType('error', opts); }

  /** Resolves once the server closed the connection. */
  async waitClose(timeout = 10000) {
    await waitFor(() => this.closed, { timeout, interval: 20, message: `${this.label}: server closes the connection` });
    return this.closed;
  }

  /** A ping/pong round trip: proves the connection is alive and in sync. */
  async roundTrip(timeout = 10000) {
    this.send({ type: 'ping' });
    return this.nextOfType('pong', { timeout });
  }

  /** join + wait for `joined` (and returns it). */
  async join(room, name, extra = {}, timeout = 15000) {
    this.cursor = this.messages.length; // answers to earlier messages are not the join's
    this.send({ type: 'join', room, name, ...extra });
    const m = await this.nextOfType(['joined', 'error'], { timeout });
    if (m.type === 'error') throw new Error(`${this.label}: join refused: ${JSON.stringify(m)}`);
    this.participantId = m.participantId;
    this.room = m.room;
    return m;
  }

  close() {
    clearInterval(this.pinger);
    try { this.ws.close(); } catch { /* ignore */ }
  }

  terminate() {
    clearInterval(this.pinger);
    try { this.ws.terminate(); } catch { /* ignore */ }
  }
}
