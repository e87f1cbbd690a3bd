// SPDX-License-Identifier: EUPL-1.2
// The staff pages' new actions in a real browser: on /rooms, "new link" and "new PIN" ask first
// and then show the new values (the old link stops working), co-hosts are named by username; on
// /admin, deleting an account
// names it and, when it owns rooms, asks who takes them over. The server is the API tests'
// (tests/api/lib: an admin made by plenumd --create-admin); the browser logs in by cookie.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenumd, ADMIN } from '../api/lib/plenumd.mjs';
import { loggedIn } from '../api/lib/api.mjs';
import { launchBrowser } from './lib/browser.mjs';

describe('staff pages: new link and PIN, deleting an account', { timeout: 180000 }, () => {
  let server;
  let admin;
  let anna;
  let bertId;
  let room;
  let browser;

  // Opens `path` in the browser as the account whose API client is `who`.
  async function openAs(who, path) {
    const { hostname } = new URL(server.baseUrl);
    await browser.context.clearCookies();
    await browser.context.addCookies([{ name: 'plenum_session', value: who.cookies.get('plenum_session'), domain: hostname, path: '/' }]);
    await browser.page.goto(server.baseUrl + path);
  }

  before(async () => {
    server = await startPlenumd();
    admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    for (const name of ['anna', 'bert']) {
      const r = await admin.request('POST', '/api/accounts', { body: { username: name, displayName: `${name.toUpperCase()} Muster`, password: `${name}-password` } });
      assert.equal(r.status, 201, r.text);
      if (name === 'bert') bertId = r.json.id;
    }
    anna = await loggedIn(server, 'anna', 'anna-password');
    room = (await anna.request('POST', '/api/rooms', { body: { title: 'Sprechstunde' } })).json;
    browser = await launchBrowser({ name: 'staff' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('/rooms: a new link after a confirmation; the page shows it, the old one is gone', async (t) => {
    try {
      const page = browser.page;
      await openAs(anna, '/rooms?lang=en');
      const card = page.locator(`[data-room-id="${room.id}"]`);
      await card.locator('.renew-link').click();
      const dialog = page.locator('#confirm-dialog');
      await dialog.waitFor({ state: 'visible' });
      assert.match(await dialog.locator('#confirm-text').textContent(), /old link stops working/);
      // Cancel changes nothing.
      await page.locator('#confirm-no').click();
      assert.equal((await anna.request('GET', `/api/rooms/${room.id}`)).json.inviteToken, room.inviteToken);

      await card.locator('.renew-link').click();
      await page.locator('#confirm-yes').click();
      await page.waitForFunction((old) => !document.querySelector('.invite-link').value.endsWith(old), room.inviteToken);
      const now = (await anna.request('GET', `/api/rooms/${room.id}`)).json;
      assert.notEqual(now.inviteToken, room.inviteToken);
      assert.equal(await card.locator('.invite-link').inputValue(), `${server.baseUrl}/j/${now.inviteToken}`);

      await card.locator('.renew-pin').click();
      assert.match(await page.locator('#confirm-text').textContent(), /old PIN stops working/);
      await page.locator('#confirm-yes').click();
      await page.waitForFunction((old) => document.querySelector('.pin').textContent.replace(/ /g, '') !== old, now.pin);
      const after = (await anna.request('GET', `/api/rooms/${room.id}`)).json;
      assert.notEqual(after.pin, now.pin);
      assert.equal((await card.locator('.pin').textContent()).replace(/ /g, ''), after.pin);
      room = after;
    } catch (e) {
      t.diagnostic(browser.consoleTail());
      throw e;
    }
  });

  it('/rooms: the owner names a co-host by username; a wrong name is shown at the field', async (t) => {
    try {
      const page = browser.page;
      await openAs(anna, '/rooms?lang=en');
      const card = page.locator(`[data-room-id="${room.id}"]`);
      await card.locator('.edit').click();
      await page.locator('#room-dialog').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#room-cohosts').inputValue(), '');
      await page.locator('#room-cohosts').fill('nobody');
      await page.locator('#room-save').click();
      await page.locator('#room-cohosts-error').waitFor({ state: 'visible' });
      assert.deepEqual((await anna.request('GET', `/api/rooms/${room.id}`)).json.coHosts, []);
      await page.locator('#room-cohosts').fill('Bert');
      await page.locator('#room-save').click();
      await page.locator('#room-dialog').waitFor({ state: 'hidden' });
      assert.deepEqual((await anna.request('GET', `/api/rooms/${room.id}`)).json.coHosts, ['bert']);
      await page.waitForFunction((id) => /Co-hosts: bert/.test(document.querySelector(`[data-room-id="${id}"] .tags`).textContent), room.id);
      // Unchanged when saved again without touching the field.
      await card.locator('.edit').click();
      assert.equal(await page.locator('#room-cohosts').inputValue(), 'bert');
      await page.locator('#room-cancel').click();
    } catch (e) {
      t.diagnostic(browser.consoleTail());
      throw e;
    }
  });

  it('/admin (German): deleting an account that owns a room asks who takes it over', async (t) => {
    try {
      const page = browser.page;
      await openAs(admin, '/admin?lang=de');
      const annaCard = page.locator('.account-card', { hasText: 'ANNA Muster' });
      await annaCard.locator('.delete').click();
      const dialog = page.locator('#delete-dialog');
      await dialog.waitFor({ state: 'visible' });
      assert.match(await page.locator('#delete-title').textContent(), /ANNA Muster.*löschen/);
      assert.match(await page.locator('#delete-rooms').textContent(), /1 Raum/);
      await page.locator('#delete-heir').selectOption(String(bertId));
      await page.locator('#delete-confirm').click();
      await annaCard.waitFor({ state: 'detached' });
      const accounts = (await admin.request('GET', '/api/accounts')).json.map((a) => a.username);
      assert.deepEqual(accounts.sort(), ['admin', 'bert']);
      assert.equal((await admin.request('GET', `/api/rooms/${room.id}`)).json.ownerId, bertId);
      assert.equal((await anna.request('GET', '/api/session')).status, 401, 'her session ended');
      // The admin's own card has no delete button.
      assert.equal(await page.locator('.account-card', { hasText: 'admin' }).locator('.delete').count(), 0);
    } catch (e) {
      t.diagnostic(browser.consoleTail());
      throw e;
    }
  });
});
