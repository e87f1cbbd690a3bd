// SPDX-License-Identifier: EUPL-1.2
// The "Recordings" section on /rooms in a real browser, German, 360 px wide: recordings seeded
// with the sqlite3 shell and a real MP4 show their start, length (m:ss), size, state
// (recovered named as such) and expiry; Play opens an in-page player that loads the file
// (range requests), Download links to the file, Delete asks and then deletes file and row; the
// page does not scroll sideways.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startPlenumd, ADMIN } from '../api/lib/plenumd.mjs';
import { loggedIn } from '../api/lib/api.mjs';
import { sql, makeMp4, insertRecording } from '../api/lib/recordings.mjs';
import { launchBrowser } from './lib/browser.mjs';

describe('/rooms: a room\'s recordings', { timeout: 180000 }, () => {
  let server;
  let anna;
  let room;
  let browser;
  const ready = '00000000000000a1';
  const recovered = '00000000000000a2';
  const running = '00000000000000a3';

  before(async () => {
    server = await startPlenumd();
    const admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    assert.equal((await admin.request('POST', '/api/accounts', { body: { username: 'anna', password: 'anna-password' } })).status, 201);
    anna = await loggedIn(server, 'anna', 'anna-password');
    room = (await anna.request('POST', '/api/rooms', { body: { title: 'Gemeinderat', slug: 'gemeinderat' } })).json;
    const sample = makeMp4(server.tmp);
    const bytes = fs.statSync(sample).size;
    const dir = path.join(server.dataDir, 'recordings');
    fs.mkdirSync(dir, { recursive: true });
    const now = Math.floor(Date.now() / 1000);
    insertRecording(server, { id: ready, roomId: room.id, startedAt: now - 7200, stoppedAt: now - 7075, durationMs: 125000, bytes, state: 'ready' });
    insertRecording(server, { id: recovered, roomId: room.id, startedAt: now - 3600, stoppedAt: now - 3000, durationMs: 3725000, bytes: 2500000, state: 'recovered' });
    insertRecording(server, { id: running, roomId: room.id, startedAt: now - 60, stoppedAt: 0, durationMs: 0, bytes: 0, state: 'recording' });
    fs.copyFileSync(sample, path.join(dir, `${ready}.mp4`));
    fs.copyFileSync(sample, path.join(dir, `${recovered}.mp4`));
    browser = await launchBrowser({ name: 'recordings' });
    await browser.page.setViewportSize({ width: 360, height: 740 });
    const { hostname } = new URL(server.baseUrl);
    await browser.context.addCookies([{ name: 'plenum_session', value: anna.cookies.get('plenum_session'), domain: hostname, path: '/' }]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists, plays, links and deletes (German, 360 px)', async (t) => {
    try {
      const page = browser.page;
      await page.goto(`${server.baseUrl}/rooms?lang=de`);
      const section = page.locator(`[data-room-id="${room.id}"] .recordings`);
      await section.locator('summary').click();
      const items = section.locator('.recording');
      await items.first().waitFor();
      assert.equal(await items.count(), 3);
      assert.match(await section.locator('summary').textContent(), /Aufzeichnungen/);
      const texts = await items.allTextContents();
      assert.match(texts[0], /Läuft gerade/, 'newest first: the running one');
      assert.match(texts[1], /1:02:05/);
      assert.match(texts[1], /2,5 MB/);
      assert.match(texts[1], /Wiederhergestellt/);
      assert.match(texts[2], /2:05/);
      assert.match(texts[2], /Wird am .* automatisch gelöscht/);
      // The running one can be neither played nor deleted.
      assert.equal(await items.nth(0).locator('.play').isVisible(), false);
      assert.equal(await items.nth(0).locator('.delete-recording').isVisible(), false);

      const oldest = items.nth(2);
      assert.equal(await oldest.locator('.download').getAttribute('href'), `/api/recordings/${ready}/file`);
      await oldest.locator('.play').click();
      const duration = await page.waitForFunction(() => {
        const v = document.querySelector('.recording-video');
        return v && v.readyState >= 1 && v.duration;
      }, null, { timeout: 20000 });
      assert.ok(Math.abs((await duration.jsonValue()) - 2) < 0.5, 'the player read the file');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');

      await oldest.locator('.delete-recording').click();
      assert.match(await page.locator('#confirm-text').textContent(), /sofort vom Server gelöscht/);
      await page.locator('#confirm-yes').click();
      await page.waitForFunction(() => document.querySelectorAll('.recording').length === 2);
      assert.ok(!fs.existsSync(path.join(server.dataDir, 'recordings', `${ready}.mp4`)));
      assert.equal(sql(server, `SELECT count(*) FROM recordings WHERE id = '${ready}'`).trim(), '0');
    } catch (e) {
      t.diagnostic(browser.consoleTail());
      throw e;
    }
  });
});
