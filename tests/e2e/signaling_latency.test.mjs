// SPDX-License-Identifier: EUPL-1.2
// The signaling path alone, without browsers (raw WebSocket clients), over HTTP and HTTPS:
// - how long a message takes through plenumd: ping → pong round trips, and one client's
//   `media` change → the other client's `participant-updated` (logged as median/max; the
//   connection threads write when a message is queued, not on a poll timer);
// - request ids (PROTOCOL.md, "Request ids"): echoed in the pong, in the sender's own copy of
//   participant-updated (not in the other's), refused when invalid;
// - a burst of frames that arrives at once (over TLS: several frames decrypted into OpenSSL's
//   buffer by one read, which poll() on the socket does not see) is answered at once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer } from './lib/server.mjs';
import { makeCertificate } from './lib/tls.mjs';
import { log, mkTmp, randomId, rmTmp, sleep, waitFor } from './lib/util.mjs';

const SAMPLES = Number(process.env.E2E_LATENCY_SAMPLES || 60);
const SPACING_MS = 60; // below the 20 messages/s a connection may send

class Client {
  constructor(url) { this.url = url; this.messages = []; }
  async open() {
    this.ws = new WebSocket(this.url, { rejectUnauthorized: false });
    this.ws.on('message', (data) => {
      this.messages.push({ at: performance.now(), msg: JSON.parse(data.toString()) });
    });
    await new Promise((resolve, reject) => { this.ws.once('open', resolve); this.ws.once('error', reject); });
    return this;
  }
  send(msg) {
    const at = performance.now();
    this.ws.send(JSON.stringify(msg));
    return at;
  }
  find(pred, from = 0) { return this.messages.slice(from).find((m) => pred(m.msg)); }
  async wait(pred, what, from = 0, timeout = 5000) {
    return waitFor(() => this.find(pred, from) || null, { timeout, interval: 2, message: what });
  }
  close() { try { this.ws.close(); } catch { /* ignore */ } }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const figures = (xs) => `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (${xs.length} samples)`;

for (const scheme of ['http', 'https']) {
  describe(`signaling latency and request ids over ${scheme}`, { timeout: 120000 }, () => {
    let server;
    let certDir;
    let a;
    let b;

    before(async () => {
      let https = null;
      if (scheme === 'https') {
        certDir = mkTmp('tls');
        https = makeCertificate(certDir);
      }
      server = await startServer({ https });
      const room = `latency-${randomId()}`;
      a = await new Client(server.wsUrl).open();
      b = await new Client(server.wsUrl).open();
      a.send({ type: 'join', room, name: 'A', requestId: 'join-a' });
      const joined = await a.wait((m) => m.type === 'joined' || m.type === 'error', 'A joined');
      assert.equal(joined.msg.type, 'joined', JSON.stringify(joined.msg));
      assert.equal(joined.msg.requestId, 'join-a');
      a.id = joined.msg.participantId;
      b.send({ type: 'join', room, name: 'B' });
      const joinedB = await b.wait((m) => m.type === 'joined', 'B joined');
      assert.equal(joinedB.msg.requestId, undefined, 'no requestId sent, none echoed');
      // B only listens: it pings like a browser, or the server would drop it (signaling.timeout-ms).
      b.pinger = setInterval(() => b.send({ type: 'ping' }), 2000);
    });

    after(async () => {
      clearInterval(b?.pinger);
      a?.close();
      b?.close();
      if (server) await server.stop();
      if (certDir) rmTmp(certDir);
    });

    it('ping → pong: the pong names the ping', async () => {
      const rtt = [];
      for (let i = 0; i < SAMPLES; i++) {
        const requestId = `p${i}`;
        const from = a.messages.length;
        const sent = a.send({ type: 'ping', requestId });
        const pong = await a.wait((m) => m.type === 'pong' && m.requestId === requestId, `pong ${requestId}`, from);
        rtt.push(pong.at - sent);
        await sleep(SPACING_MS);
      }
      log(`${scheme}: ping → pong round trip: ${figures(rtt)}`);
    });

    it("one client's change reaches the other; only the sender's copy names its request", async () => {
      const delay = [];
      for (let i = 0; i < SAMPLES; i++) {
        const audio = i % 2 === 1;
        const requestId = `m${i}`;
        const fromA = a.messages.length;
        const fromB = b.messages.length;
        const sent = a.send({ type: 'media', audio, video: true, requestId });
        const isUpdate = (m) => m.type === 'participant-updated' && m.participant.id === a.id && m.participant.audio === audio;
        const got = await b.wait(isUpdate, `B hears of A's change ${i}`, fromB);
        delay.push(got.at - sent);
        assert.equal(got.msg.requestId, undefined);
        const own = await a.wait(isUpdate, `A's own copy ${i}`, fromA);
        assert.equal(own.msg.requestId, requestId);
        await sleep(SPACING_MS);
      }
      log(`${scheme}: media change → other client's participant-updated: ${figures(delay)}`);
    });

    it('a burst of frames sent at once is answered at once, each answer naming its request', async () => {
      const from = a.messages.length;
      const sent = performance.now();
      // One write: the frames arrive together (over TLS, likely in one record read).
      const frames = [];
      for (let i = 0; i < 10; i++) frames.push(JSON.stringify({ type: 'ping', requestId: `burst${i}` }));
      for (const f of frames) a.ws.send(f);
      await a.wait((m) => m.type === 'pong' && m.requestId === 'burst9', 'the last pong of the burst', from, 2000);
      const ids = a.messages.slice(from).filter((m) => m.msg.type === 'pong').map((m) => m.msg.requestId);
      assert.deepEqual(ids, frames.map((f) => JSON.parse(f).requestId));
      log(`${scheme}: 10 pings at once answered within ${(performance.now() - sent).toFixed(1)} ms`);
      await sleep(1000); // the connection's message budget refills
    });

    it('an invalid requestId is refused with bad-field, not echoed', async () => {
      const from = a.messages.length;
      a.send({ type: 'ping', requestId: '' });
      const error = await a.wait((m) => m.type === 'error', 'the refusal', from);
      assert.equal(error.msg.code, 'bad-field');
      assert.equal(error.msg.requestId, undefined);
      assert.equal(error.msg.fatal, false);
    });
  });
}
