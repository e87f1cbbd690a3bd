// SPDX-License-Identifier: EUPL-1.2
// Self-test of the e2e harness, without plenumd: fixtures, Chromium launch with fake media,
// and the colour/tone probes on a local page that sends the fake camera+microphone through a
// loopback RTCPeerConnection (so the media goes through real WebRTC codecs) and exposes the
// received stream as window.plenum.remoteStream, like the Plenum web client does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { PARTICIPANTS, TONES, makeAllMedia } from './lib/fixtures.mjs';
import { launchBrowser, measure, summarize, colorPresent, colorAbsent, tonePresent, toneAbsent } from './lib/browser.mjs';
import { mkTmp, rmTmp, waitFor, log } from './lib/util.mjs';

const PAGE = `<!doctype html><meta charset=utf-8><title>e2e harness loopback</title>
<video id=composite autoplay playsinline muted></video><audio id=remote-audio autoplay></audio>
<script type=module>
window.plenum = { state: 'connecting', participants: [] };
const local = await navigator.mediaDevices.getUserMedia({ video: true,
  audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
const a = new RTCPeerConnection(), b = new RTCPeerConnection();
a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
const remote = new MediaStream();
b.ontrack = (e) => { remote.addTrack(e.track);
  document.getElementById('composite').srcObject = remote;
  document.getElementById('remote-audio').srcObject = remote; };
for (const t of local.getTracks()) a.addTrack(t, local);
await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription);
await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription);
Object.assign(window.plenum, { state: 'joined', pc: b, remoteStream: remote });
</script>`;

let http_, baseUrl, tmp, media;
const browsers = [];

before(async () => {
  tmp = mkTmp('harness');
  media = await makeAllMedia(tmp, PARTICIPANTS, { audioSeconds: 30 });
  http_ = http.createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end(PAGE); });
  await new Promise((r) => http_.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${http_.address().port}/`;
});

after(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  http_?.close();
  rmTmp(tmp);
});

test('probes see each fixture colour and tone through a loopback RTCPeerConnection', { timeout: 120000 }, async () => {
  for (const p of PARTICIPANTS) browsers.push(await launchBrowser({ name: p.name, ...media[p.name] }));
  await Promise.all(browsers.map((b) => b.page.goto(baseUrl)));
  await Promise.all(PARTICIPANTS.map(async (p, i) => {
    const b = browsers[i];
    const others = PARTICIPANTS.filter((q) => q !== p);
    const t0 = Date.now();
    const m = await waitFor(async () => {
      const m = await measure(b, TONES);
      const ok = colorPresent(m.colors, p.color) && m.colors[p.color] > 0.5 &&
        others.every((q) => colorAbsent(m.colors, q.color)) &&
        tonePresent(m.tones, p.tone) && others.every((q) => toneAbsent(m.tones, q.tone));
      b.last = m;
      return ok && m;
    }, { timeout: 60000, interval: 500, message: `${p.name} loopback sees ${p.color} and hears ${p.tone} Hz`,
      describe: () => summarize(b.last) + '\n' + b.consoleTail() });
    log(`${p.name} (${p.color}, ${p.tone} Hz) after ${Date.now() - t0} ms: ${summarize(m)}`);
    assert.ok(m.colors[p.color] > 0.5);
  }));
});
