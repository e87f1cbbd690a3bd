// SPDX-License-Identifier: EUPL-1.2
// A browser whose WebRTC stack refuses to apply its own answer (Chromium does, seldom, e.g. with
// "Failed to setup RTCP mux") is not left with a dead page: the client reconnects, as after a
// lost connection, and the user sees and hears the meeting. Two Chromiums: Rot joins normally;
// in Gruen's page the first setLocalDescription rejects.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { waitFor } from './lib/util.mjs';

const [ROT, GRUEN] = PARTICIPANTS;
const PAIR = [ROT, GRUEN];
const others = (me) => PAIR.filter((p) => p !== me);

describe('a refused answer', { timeout: 240000 }, () => {
  const s = new Session(PAIR, { roomPrefix: 'answer' });

  before(async () => {
    await s.start();
    await s.openPage(ROT, 'en');
    await s.openPage(GRUEN, 'de', {
      onPage: (b) => b.page.addInitScript(() => {
        const original = RTCPeerConnection.prototype.setLocalDescription;
        let refused = 0;
        RTCPeerConnection.prototype.setLocalDescription = function (...args) {
          if (refused++ === 0) return Promise.reject(new DOMException('Failed to setup RTCP mux. (e2e)', 'InvalidAccessError'));
          return original.apply(this, args);
        };
      }),
    });
  }, { timeout: 120000 });

  after(async () => { await s.stop(); }, { timeout: 60000 });

  it('reconnects once, and both see and hear each other', { timeout: 150000 }, async (t) => {
    await s.step(t, 'media', async () => {
      // Exactly Rot and Gruen: the refused first attempt left no participant behind.
      await s.waitParticipants([ROT.name, GRUEN.name], { timeout: 90000 });
      await s.waitMedia({ visible: others, audible: others, inaudible: (me) => [me], timeout: 60000, label: 'after the refused answer' });
      const gruen = s.browser(GRUEN.name);
      const v = await waitFor(async () => {
        const x = await gruen.page.evaluate(() => ({ errors: window.plenum.mediaSetupErrors, attempt: window.plenum.reconnectAttempt, state: window.plenum.state }));
        return x.attempt === 0 && x;
      }, { timeout: 30000, message: 'Gruen connected again (reconnect attempts back to 0)' });
      assert.equal(v.state, 'joined');
      assert.equal(v.errors.length, 1, `one refused answer: ${JSON.stringify(v.errors)}`);
      assert.match(v.errors[0], /RTCP mux/);
      await s.waitParticipants([ROT.name, GRUEN.name], { timeout: 10000 });
    });
  });
});
