// SPDX-License-Identifier: EUPL-1.2
// The staff pages' new actions in a real browser: on /rooms, "new link" and "new PIN" ask first
// and then show the new values (the old link stops working), co-hosts are named by username, the
// PIN line and the copied invitation follow the server's phone dial-in (off; on with a number, on
// a 360 px phone; on without a number); on /admin, deleting an account
// names it and, when it owns rooms, asks who takes them over. The server is the API tests'
// (tests/api/lib: an admin made by plenumd --create-admin); the browser logs in by cookie.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPlenumd, ADMIN } from '../api/lib/plenumd.mjs';
import { loggedIn } from '../api/lib/api.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { freePort } from './lib/util.mjs';

// Makes "Copy invitation" keep its text in window.copiedText (the headless clipboard is not
// readable without permissions); call after the page loaded.
const catchCopies = (page) => page.evaluate(() => {
  Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text) => { window.copiedText = text; } } });
});
async function copiedInvitation(page, card) {
  await page.evaluate(() => { window.copiedText = null; });
  await card.locator('.copy-invitation').click();
  await page.waitForFunction(() => typeof window.copiedText === 'string');
  return page.evaluate(() => window.copiedText);
}
// The PIN line as the reader sees it (hidden parts left out), on one line.
const pinLineText = async (card) => (await card.locator('.pin-line').innerText()).replace(/\s+/g, ' ').trim();

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

  it('/rooms without phone dial-in: the PIN with a hint; the copied invitation has no PIN', async (t) => {
    try {
      const page = browser.page;
      await openAs(anna, '/rooms?lang=en');
      const card = page.locator(`.room-card[data-room-id="${room.id}"]`);
      await card.waitFor();
      assert.equal(room.dialIn, false);
      const line = await pinLineText(card);
      assert.match(line, /^Phone PIN: \d{4} \d{4} \(phone dial-in is not set up on this server\)/, line);
      assert.doesNotMatch(line, /Dial-in/);
      await catchCopies(page);
      const text = await copiedInvitation(page, card);
      assert.ok(text.includes(`/j/${room.inviteToken}`), text);
      assert.doesNotMatch(text, /PIN|phone/i);
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

describe('staff pages: the phone dial-in number on /rooms and in the invitation', { timeout: 180000 }, () => {
  let server;
  let admin;
  let room;
  let browser;

  before(async () => {
    const sipPort = await freePort();
    server = await startPlenumd({
      config: ['sip.enabled = true', 'sip.address = 127.0.0.1', `sip.port = ${sipPort}`, 'sip.trusted-peers = 127.0.0.1',
        'sip.dial-in-number = +49 30 1234-5678'].join('\n'),
    });
    admin = await loggedIn(server, ADMIN.username, ADMIN.password);
    room = (await admin.request('POST', '/api/rooms', { body: { title: 'Bürgersprechstunde Bauamt', lobby: true } })).json;
    browser = await launchBrowser({ name: 'staff-dialin' });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(path) {
    const { hostname } = new URL(server.baseUrl);
    await browser.context.clearCookies();
    await browser.context.addCookies([{ name: 'plenum_session', value: admin.cookies.get('plenum_session'), domain: hostname, path: '/' }]);
    await browser.page.goto(server.baseUrl + path);
    const card = browser.page.locator(`.room-card[data-room-id="${room.id}"]`);
    await card.waitFor();
    await catchCopies(browser.page);
    return card;
  }
  const grouped = () => room.pin.replace(/^(\d{4})(\d{4})$/, '$1 $2');  // rooms.pin-length 8

  it('German, on a 360 px phone: PIN and number, nothing sticks out; the invitation says how to dial in', async (t) => {
    try {
      const page = browser.page;
      await page.setViewportSize({ width: 360, height: 740 });
      const card = await open('/rooms?lang=de');
      assert.equal(room.dialIn, true);
      assert.equal(room.dialInNumber, '+49 30 1234-5678');
      const line = await pinLineText(card);
      // On a phone the number has a line of its own (no "·" before it).
      assert.ok(line.startsWith(`Telefon-PIN: ${grouped()} Einwahl: +49 30 1234-5678`), line);
      assert.doesNotMatch(line, /nicht eingerichtet/);
      const overflow = await page.evaluate((id) => {
        const pinLine = document.querySelector(`.room-card[data-room-id="${id}"] .pin-line`);
        return { doc: document.documentElement.scrollWidth, win: innerWidth,
          right: Math.max(...[...pinLine.querySelectorAll('*')].map((e) => e.getBoundingClientRect().right)),
          lineRight: pinLine.getBoundingClientRect().right };
      }, room.id);
      t.diagnostic(`at 360 px: ${JSON.stringify(overflow)}`);
      assert.ok(overflow.doc <= 360 && overflow.right <= overflow.lineRight, `wider than 360 px: ${JSON.stringify(overflow)}`);
      const text = await copiedInvitation(page, card);
      assert.ok(text.includes(`Per Telefon: +49 30 1234-5678, dann die PIN ${grouped()} und #`), text);
      assert.doesNotMatch(text, /Telefon-PIN/);
    } catch (e) {
      t.diagnostic(browser.consoleTail());
      throw e;
    } finally {
      await browser.page.setViewportSize({ width: 1000, height: 700 });
    }
  });

  it('English, 1000 px: "Phone PIN: … · Dial-in: …" and the number in the copied invitation', async (t) => {
    try {
      const card = await open('/rooms?lang=en');
      const line = await pinLineText(card);
      assert.ok(line.startsWith(`Phone PIN: ${grouped()} · Dial-in: +49 30 1234-5678`), line);
      const text = await copiedInvitation(browser.page, card);
      assert.ok(text.includes(`By phone: +49 30 1234-5678, then the PIN ${grouped()} and #`), text);
    } catch (e) {
      t.diagnostic(browser.consoleTail());
      throw e;
    }
  });

  it('dial-in on without a number (the answer as such a server gives it): just the PIN', async (t) => {
    const page = browser.page;
    // This server has a number; the page is shown the room list of one without.
    await page.route('**/api/rooms', async (route) => {
      const response = await route.fetch();
      const rooms = (await response.json()).map((r) => ({ ...r, dialInNumber: '' }));
      await route.fulfill({ response, json: rooms });
    });
    try {
      const card = await open('/rooms?lang=en');
      const line = await pinLineText(card);
      assert.ok(line.startsWith(`Phone PIN: ${grouped()}`), line);
      assert.doesNotMatch(line, /Dial-in|not set up|·/);
      const text = await copiedInvitation(page, card);
      assert.ok(text.includes(`Phone PIN: ${grouped()}`), text);
      assert.doesNotMatch(text, /By phone/);
    } catch (e) {
      t.diagnostic(browser.consoleTail());
      throw e;
    } finally {
      await page.unroute('**/api/rooms');
    }
  });
});
