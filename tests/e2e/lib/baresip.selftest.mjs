// SPDX-License-Identifier: EUPL-1.2
// Self-test of lib/baresip.mjs without plenumd (not part of the suite: node lib/baresip.selftest.mjs).
// Phone A (auto-answer, 700 Hz) is called by phone B (1100 Hz) over loopback: each records the
// other's tone and not its own; B's keys reach A as RFC 4733 events; B hangs up and both see the
// call closed. Then a phone that offers only µ-law refuses B's G.722/A-law offer with 488.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Baresip, writeToneWav } from './baresip.mjs';
import { toneLevels } from './mp4.mjs';
import { log, mkTmp, rmTmp, sleep, waitFor } from './util.mjs';

const tmp = mkTmp('baresip');
const phones = [];
let ok = false;
try {
  const a = await Baresip.start({ tmpDir: tmp, user: 'a', answer: 'auto', codecs: ['G722', 'PCMA'],
    sourceWav: writeToneWav(path.join(tmp, 'a.wav'), { freq: 700, seconds: 60 }) });
  phones.push(a);
  const b = await Baresip.start({ tmpDir: tmp, user: 'b', codecs: ['G722', 'PCMA'],
    sourceWav: writeToneWav(path.join(tmp, 'b.wav'), { freq: 1100, seconds: 60 }), recordWav: path.join(tmp, 'b-heard.wav') });
  phones.push(b);

  await b.dial(a.uri);
  await a.waitEstablished();
  log('baresip selftest: call established');
  await b.sendDtmf('123*#');
  await waitFor(() => a.dtmfReceived() === '123*#', { timeout: 10000, message: 'A receives 123*#', describe: () => a.dtmfReceived() });
  await sleep(1000);
  for (const [phone, heard, own] of [[b, 700, 1100], [a, 1100, 700]]) {
    const levels = toneLevels(phone.recording(), 1, 2, [heard, own]);
    log(`baresip selftest: ${phone.user} hears ${JSON.stringify(levels)}`);
    assert.ok(levels[heard].rel > 25 && levels[heard].dbfs > -50, `${phone.user} hears ${heard} Hz`);
    assert.ok(levels[own].rel < 10 || levels[own].dbfs < -60, `${phone.user} does not hear its own ${own} Hz`);
  }
  await b.hangup();
  log('baresip selftest: closed', await b.waitClosed(10000), await a.waitClosed(10000));

  const c = await Baresip.start({ tmpDir: tmp, user: 'c', answer: 'auto', codecs: ['PCMU'],
    sourceWav: path.join(tmp, 'a.wav') });
  phones.push(c);
  const err = await b.dial(c.uri).then(() => null, (e) => e);
  assert.ok(err, 'a call without a common codec fails');
  log(`baresip selftest: no common codec -> ${err.status} ${err.reason}`);
  assert.equal(err.status, 488);
  ok = true;
  log('baresip selftest: ok');
} finally {
  for (const p of phones) {
    if (!ok) log(`baresip ${p.user} log:\n${p.logTail(30)}`);
    const t0 = Date.now();
    await p.stop();
    log(`baresip selftest: stopped ${p.user} in ${Date.now() - t0} ms`);
  }
  if (ok) rmTmp(tmp);
  else log(`baresip selftest: failed; kept ${tmp}`);
}
