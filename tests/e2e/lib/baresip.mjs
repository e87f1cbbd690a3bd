// SPDX-License-Identifier: EUPL-1.2
// A real SIP phone for the phone tests: Debian's baresip 1.0, headless, driven over its ctrl_tcp
// module (netstring-framed JSON: commands in, responses and call events out). It sends a WAV
// (a test tone) as its microphone and records what it hears (the sndfile module's dump of the
// decoded audio); no sound device is involved (the aubridge player just drains the audio).
//
//   const call = await Baresip.start({ tmpDir, sourceWav, recordWav, codecs: ['G722', 'PCMA'] });
//   await call.dial('sip:4711@127.0.0.1:5062');   // established, or throws with err.status 403/488/...
//   await call.sendDtmf('123456#');                // RFC 4733 events, one key every 250 ms
//   toneLevels(call.recording(), 2, 3, [700]);     // lib/mp4.mjs reads the live WAV with ffmpeg
//   await call.hangup(); await call.waitClosed(10000); // -> { reason }
//   await call.stop();                             // also in a finally
//
// baresip hangs up by itself when its source WAV ends ("audio error (end of file)"): the source
// must outlast the call (writeToneWav's default is 120 s).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, log, sleep, spawnTracked, tailFile, waitFor } from './util.mjs';

// A wait that does not keep the test process alive (for races against a process's exit).
const grace = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

const MODULES = '/usr/lib/baresip/modules';
// The rate of the source and the player: baresip resamples to and from the codec's rate, so
// one source WAV serves G.711 (8 kHz), G.722 (16 kHz) and Opus.
const DEVICE_RATE = 16000;
// The codec names of the accounts line (baresip 1.0 takes a bare "G722" as G722/8000/1 and
// finds no such codec).
const CODECS = {
  G722: { account: 'G722/16000/1', module: 'g722.so' },
  PCMA: { account: 'PCMA/8000/1', module: 'g711.so' },
  PCMU: { account: 'PCMU/8000/1', module: 'g711.so' },
  opus: { account: 'opus/48000/2', module: 'opus.so' },
};

/**
 * Writes a 16-bit mono WAV of a sine: `freq` Hz (0: silence), `seconds` long, at `rate` Hz,
 * `amplitude` of full scale (0.25: -12 dBFS, as the browser fixtures).
 */
export function writeToneWav(file, { freq, seconds = 120, rate = DEVICE_RATE, amplitude = 0.25 }) {
  const n = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(n * 2, 40);
  const a = amplitude * 32767;
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.round(a * Math.sin((2 * Math.PI * freq * i) / rate)), 44 + i * 2);
  fs.writeFileSync(file, buf);
  return file;
}

/** A free port whose successor is free too (baresip listens for SIP over TLS on sip_listen + 1). */
async function freePortPair() {
  for (let i = 0; i < 20; i++) {
    const p = await freePort();
    if (p < 65535 && await portFree(p + 1)) return p;
  }
  throw new Error('no two free consecutive ports');
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A reason of CALL_CLOSED ("403 Forbidden", "Connection reset by peer") split into status and text. */
function parseReason(reason) {
  const m = /^(\d{3}) (.*)$/.exec(reason || '');
  return m ? { status: Number(m[1]), text: m[2] } : { status: null, text: reason || '' };
}

export class Baresip {
  /**
   * Starts baresip in `tmpDir` (its config folder, log and dumps go there). `sourceWav`: what it
   * sends (16-bit mono 16 kHz; writeToneWav); `recordWav`: where stop()/waitClosed() copy what it
   * heard (optional; recording() is the live file); `codecs`: offered, best first (G722, PCMA,
   * PCMU, opus); `answer: 'auto'` answers incoming calls at once; `user`: the user part of its
   * own URI.
   */
  static async start({ tmpDir, sourceWav, recordWav = null, codecs = ['G722', 'PCMA'], answer = null, user = 'test' }) {
    for (const c of codecs) if (!CODECS[c]) throw new Error(`baresip: unknown codec ${c} (${Object.keys(CODECS)})`);
    if (!fs.existsSync(sourceWav)) throw new Error(`baresip: no source WAV ${sourceWav}`);
    fs.mkdirSync(tmpDir, { recursive: true });
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const sipPort = await freePortPair();
      const ctrlPort = await freePort();
      const b = new Baresip({ tmpDir, sourceWav, recordWav, codecs, answer, user, sipPort, ctrlPort });
      try {
        await b.launch();
        return b;
      } catch (e) {
        lastError = e;
        await b.stop();
        log(`baresip: start failed (${e.message}), trying other ports`);
      }
    }
    throw lastError;
  }

  constructor(opts) {
    Object.assign(this, opts);
    this.configDir = path.join(this.tmpDir, `baresip-${this.user}-${this.sipPort}`);
    this.logFile = path.join(this.configDir, 'baresip.log');
    this.uri = `sip:${this.user}@127.0.0.1:${this.sipPort}`;
    /** Everything baresip reported over ctrl_tcp: { type, param, ... } (type e.g. CALL_ESTABLISHED). */
    this.events = [];
    this.proc = null;
    this.socket = null;
    this.waiters = new Set();
    this.pending = new Map();
    this.nextToken = 1;
    this.copied = false;
  }

  /** The config that works with Debian's baresip 1.0 (reported in the phone tests' notes). */
  configText() {
    const modules = [...new Set(this.codecs.map((c) => CODECS[c].module))];
    return [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${this.sipPort}`,
      // Our address in SDP and Contact: loopback (the default is the first interface's).
      'net_interface 127.0.0.1',
      `module_path ${MODULES}`,
      ...modules.map((m) => `module ${m}`),
      'module aufile.so',    // source: the WAV
      'module aubridge.so',  // player: a device that drains the audio, no sound card
      'module sndfile.so',   // records the decoded (and the sent) audio into snd_path
      'module_app account.so',
      'module_app menu.so',  // the commands: dial, hangup, sndcode, quit
      'module_app ctrl_tcp.so',
      `ctrl_tcp_listen 127.0.0.1:${this.ctrlPort}`,
      'audio_path /usr/share/baresip',
      `audio_source aufile,${this.sourceWav}`,
      'audio_player aubridge,nil',
      'audio_alert aubridge,nil',
      `ausrc_srate ${DEVICE_RATE}`,
      `auplay_srate ${DEVICE_RATE}`,
      `snd_path ${this.configDir}`,
      '',
    ].join('\n');
  }

  accountText() {
    const codecs = this.codecs.map((c) => CODECS[c].account).join(',');
    return `<sip:${this.user}@127.0.0.1>;regint=0;audio_codecs=${codecs}${this.answer === 'auto' ? ';answermode=auto' : ''}\n`;
  }

  async launch() {
    fs.mkdirSync(this.configDir, { recursive: true });
    fs.writeFileSync(path.join(this.configDir, 'config'), this.configText());
    fs.writeFileSync(path.join(this.configDir, 'accounts'), this.accountText());
    fs.writeFileSync(path.join(this.configDir, 'contacts'), '');
    this.proc = spawnTracked('baresip', ['-f', this.configDir], { outFile: this.logFile, cwd: this.configDir });
    // ctrl_tcp listens once baresip is up; a failed start (a port taken) exits instead.
    await waitFor(async () => {
      const ex = this.proc.exited();
      if (ex) throw Object.assign(new Error(`baresip exited ${JSON.stringify(ex)}: ${tailFile(this.logFile, 8)}`), { fatal: true });
      return await this.connect();
    }, { timeout: 10000, interval: 200, message: 'baresip ctrl_tcp' });
  }

  connect() {
    return new Promise((resolve, reject) => {
      const s = net.connect(this.ctrlPort, '127.0.0.1');
      s.once('error', reject);
      s.once('connect', () => {
        s.removeListener('error', reject);
        s.on('error', () => {});
        this.socket = s;
        let buf = Buffer.alloc(0);
        s.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          // Netstrings: <length>:<payload>,
          for (;;) {
            const colon = buf.indexOf(0x3a);
            if (colon < 0) break;
            const len = Number(buf.toString('latin1', 0, colon));
            if (!Number.isInteger(len) || buf.length < colon + 1 + len + 1) break;
            const payload = buf.toString('utf8', colon + 1, colon + 1 + len);
            buf = buf.subarray(colon + 1 + len + 1);
            try {
              this.onMessage(JSON.parse(payload));
            } catch (e) {
              log(`baresip: unreadable ctrl_tcp message ${payload}: ${e.message}`);
            }
          }
        });
        resolve(true);
      });
    });
  }

  onMessage(msg) {
    if (msg.response) {
      const p = this.pending.get(msg.token);
      if (p) {
        this.pending.delete(msg.token);
        p(msg);
      }
      return;
    }
    if (!msg.event) return;
    this.events.push({ ...msg, at: Date.now() });
    for (const w of [...this.waiters]) w();
  }

  /** Runs a baresip command (as typed in its menu, long form); resolves with its response. */
  command(command, params) {
    if (!this.socket) throw new Error('baresip: not connected');
    const token = String(this.nextToken++);
    const body = Buffer.from(JSON.stringify(params === undefined ? { command, token } : { command, params, token }));
    this.socket.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip: no response to ${command}`));
      }, 10000);
      timer.unref();  // a command left unanswered by a baresip that quit does not hold the test
      this.pending.set(token, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
    });
  }

  /** Resolves with the first event from index `from` on that `pred` accepts (rejects after timeoutMs). */
  waitEvent(pred, { from = 0, timeoutMs = 20000, what = 'event' } = {}) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const e = this.events.slice(from).find(pred);
        if (!e) {
          const ex = this.proc?.exited();
          if (!ex) return;
          this.waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`baresip exited (${JSON.stringify(ex)}) while waiting for ${what}`));
          return;
        }
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(e);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`baresip: no ${what} within ${timeoutMs} ms; events: ${this.events.slice(from).map((e) => e.type).join(' ')}`));
      }, timeoutMs);
      this.waiters.add(check);
      this.proc?.exitPromise.then(check);
      check();
    });
  }

  /**
   * Calls `uri`; resolves when the call is established. On failure rejects with an Error whose
   * `status` is the SIP status (403, 488, ... or null) and `reason` baresip's text.
   */
  async dial(uri, { timeoutMs = 20000 } = {}) {
    const from = this.events.length;
    const res = await this.command('dial', uri);
    if (!res.ok) throw new Error(`baresip: dial refused: ${res.data}`);
    const e = await this.waitEvent((ev) => ev.type === 'CALL_ESTABLISHED' || ev.type === 'CALL_CLOSED',
      { from, timeoutMs, what: `CALL_ESTABLISHED for ${uri}` });
    if (e.type === 'CALL_CLOSED') {
      const { status, text } = parseReason(e.param);
      throw Object.assign(new Error(`baresip: call to ${uri} failed: ${e.param}`), { status, reason: text });
    }
    return e;
  }

  /** Waits for an incoming call to be established (answer: 'auto'). */
  waitEstablished(timeoutMs = 20000) {
    return this.waitEvent((ev) => ev.type === 'CALL_ESTABLISHED', { timeoutMs, what: 'CALL_ESTABLISHED' });
  }

  /** Sends `keys` ('0'-'9', '*', '#', 'A'-'D') as RFC 4733 events, one every `paceMs`. */
  async sendDtmf(keys, { paceMs = 250 } = {}) {
    for (const k of keys) {
      const res = await this.command('sndcode', k);
      if (!res.ok) throw new Error(`baresip: sndcode ${k} refused: ${res.data}`);
      await sleep(paceMs);
    }
  }

  /** The keys received so far (CALL_DTMF_START events), as a string. */
  dtmfReceived() {
    return this.events.filter((e) => e.type === 'CALL_DTMF_START').map((e) => e.param).join('');
  }

  async hangup() {
    await this.command('hangup');
  }

  /** Resolves with { reason, status } when the call has ended (by either side). */
  async waitClosed(timeoutMs = 20000) {
    const e = await this.waitEvent((ev) => ev.type === 'CALL_CLOSED', { timeoutMs, what: 'CALL_CLOSED' });
    this.copyRecording();
    return { reason: e.param, ...parseReason(e.param) };
  }

  /** The live recording of the audio heard in the latest call (sndfile's "-dec" dump), or null. */
  recording() {
    let files;
    try {
      files = fs.readdirSync(this.configDir).filter((f) => f.startsWith('dump-') && f.endsWith('-dec.wav'));
    } catch {
      return null;
    }
    files.sort();
    return files.length ? path.join(this.configDir, files[files.length - 1]) : null;
  }

  copyRecording() {
    const rec = this.recording();
    if (this.recordWav && rec) {
      try { fs.copyFileSync(rec, this.recordWav); } catch (e) { log(`baresip: cannot copy ${rec}: ${e.message}`); }
    }
  }

  /** What baresip printed (its log), the last `n` lines with its status line taken out. */
  logTail(n = 40) {
    return tailFile(this.logFile, n * 4).replace(/\[\d+:\d\d:\d\d\] audio=\S+ \(bit\/s\) */g, '')
      .split('\n').filter((l) => l.trim()).slice(-n).join('\n');
  }

  /** Ends baresip (quit, then SIGTERM/SIGKILL); copies the recording to recordWav. */
  async stop() {
    if (this.proc && !this.proc.exited()) {
      try {
        if (this.socket) await Promise.race([this.command('quit'), grace(1000)]);
      } catch { /* it goes down anyway */ }
      await Promise.race([this.proc.exitPromise, grace(3000)]);
      await this.proc.terminate();
    }
    this.socket?.destroy();
    this.socket = null;
    this.copyRecording();
  }
}
