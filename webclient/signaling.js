// SPDX-License-Identifier: EUPL-1.2
// One WebSocket to plenumd's /ws (signaling/PROTOCOL.md): JSON text frames, ping every 2 s.

export const PING_INTERVAL_MS = 2000;

export function signalingUrl(loc = location) {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export class Signaling {
  // handlers: { onOpen(), onMessage(msg), onClose(event) }. onClose is called once, and
  // not at all after close() was called by us.
  constructor(url, handlers) {
    this.handlers = handlers;
    this.pingTimer = null;
    this.lastRequest = 0;
    this.ws = new WebSocket(url);
    this.ws.onopen = () => {
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_INTERVAL_MS);
      this.handlers.onOpen();
    };
    this.ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') return;
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.type !== 'string') return;
      this.handlers.onMessage(msg);
    };
    this.ws.onerror = () => {}; // a close event always follows
    this.ws.onclose = (ev) => {
      this.stopPing();
      const h = this.handlers;
      this.handlers = NOOP;
      h.onClose(ev);
    };
  }

  get open() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  // Sends `msg` with a fresh `requestId` (PROTOCOL.md "Request ids": the server echoes it in its
  // answer and in an error that refuses it) and returns that id; false when the message could
  // not be sent (socket not open).
  send(msg) {
    if (!this.open) return false;
    this.lastRequest += 1;
    const requestId = `r${this.lastRequest}`;
    this.ws.send(JSON.stringify({ ...msg, requestId }));
    return requestId;
  }

  // Closes without calling onClose. Queued messages (e.g. `leave`) are still sent first.
  close() {
    this.handlers = NOOP;
    this.stopPing();
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      try { this.ws.close(1000); } catch { /* ignore */ }
    }
  }

  stopPing() {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}

const NOOP = { onOpen() {}, onMessage() {}, onClose() {} };
