// SPDX-License-Identifier: EUPL-1.2
// Meeting tools in real browsers (signaling/PROTOCOL.md: "Chat", "Speaker queue", "Active
// speaker and layout"). Three Chromiums in an ad-hoc room: Rot (first, hence moderator, English
// page, 1000 px), Gruen (guest, German page) and Blau (guest, German page, a 360 px wide phone).
//
// Everything is done through the pages' UI and checked in every page's DOM (the window.plenum
// hook only supplies timestamps): hands raised by Gruen and Blau show in the same order
// everywhere; Rot's point of order goes ahead of them; a speaking time of 1 minute; Rot gives
// Gruen the floor from the queue (floor bar with a countdown, mark in the participant list),
// then Blau from the participant list with a short limit that runs out (time-up warning,
// floor taken back automatically); the chat (an HTML payload shown as text, a link, a private
// message to the moderators, the unread badge, the history for a late joiner); the layout; the
// Markdown export as a download.
//
// Each change's propagation (the request leaving the sender → the state message arriving and
// shown at each other client; one machine, one clock: Date.now()) is printed as max/median.
// The issue asks for every change at every client within a second: asserted, since measured
// figures are far below it (max 36-154 ms idle, 91 ms with a second e2e test running beside
// it at load average 7-10); E2E_PROPAGATION_LIMIT_MS overrides the limit.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { PARTICIPANTS } from './lib/fixtures.mjs';
import { Session } from './lib/session.mjs';
import { showPanelTab } from './lib/browser.mjs';
import { RawClient } from './lib/wsclient.mjs';
import { waitFor, log } from './lib/util.mjs';

const [ROT, GRUEN, BLAU] = PARTICIPANTS;
const TARGET_MS = 1000;
const LIMIT_MS = Number(process.env.E2E_PROPAGATION_LIMIT_MS || TARGET_MS);
const XSS = '<img src=x onerror=alert(1)>';
const LINK_TEXT = 'Tagesordnung: https://example.org/top-3?x=1&y=2. Bitte lesen';
const PRIVATE_TEXT = 'Nur für die Moderation: ich muss um 20 Uhr gehen';


// ---- what each page shows (read from its DOM) ---------------------------------------------------

/** The speaker queue as the page lists it: ["Name:kind", ...] in order. */
const domQueue = (b) => b.page.evaluate(() => [...document.querySelectorAll('#queue-list > li')].map((li) => {
  const name = li.querySelector('.q-name').firstChild.textContent;
  const num = li.querySelector('.q-num').textContent;
  const po = !!li.querySelector('.q-kind');
  return `${num}${name}:${li.dataset.kind}${po ? '(marked)' : ''}`;
}));

/** The floor as the page shows it: bar, countdown, and who is marked in the participant list. */
const domFloor = (b) => b.page.evaluate(() => {
  const bar = document.getElementById('floor-bar');
  const time = document.getElementById('floor-time');
  return {
    bar: !bar.hidden, name: document.getElementById('floor-name').textContent,
    time: time.hidden ? null : time.textContent,
    timeUp: !document.getElementById('floor-timeup').hidden, timeUpText: document.getElementById('floor-timeup').textContent,
    barClass: bar.className,
    marked: [...document.querySelectorAll('#participant-list li[data-floor="true"]')].map((li) => li.dataset.id),
    markText: [...document.querySelectorAll('#participant-list li[data-floor="true"] .ptag.floor')].map((e) => e.textContent),
  };
});

const domChat = (b) => b.page.evaluate(() => {
  const list = document.getElementById('chat-list');
  return {
    items: [...list.querySelectorAll('li.chat-msg')].map((li) => ({
      name: li.querySelector('.chat-name').textContent,
      time: li.querySelector('.chat-time').textContent,
      text: li.querySelector('.chat-text').textContent,
      private: !!li.querySelector('.chat-private'),
      links: [...li.querySelectorAll('.chat-text a')].map((a) => ({ href: a.getAttribute('href'), text: a.textContent, target: a.target, rel: a.rel })),
    })),
    elements: [...list.querySelectorAll('.chat-text *')].map((e) => e.tagName),
    imgs: document.querySelectorAll('#chat-list img').length,
    unreadBadge: document.getElementById('chat-unread').hidden ? null : document.getElementById('chat-unread').textContent,
  };
});

const domLayout = (b) => b.page.evaluate(() => document.getElementById('layout-name').dataset.layout);

/** Polls `read(b)` in every browser until `ok(value, b)`; returns the values by name. */
async function allShow(browsers, read, ok, message, timeout = 30000) {
  const out = {};
  await Promise.all(browsers.map(async (b) => {
    out[b.name] = await waitFor(async () => {
      const v = await read(b);
      b.lastSeen = v;
      return ok(v, b) ? { v } : null;
    }, { timeout, interval: 150, message: `${b.name}: ${message}`, describe: () => JSON.stringify(b.lastSeen) });
  }));
  return Object.fromEntries(Object.entries(out).map(([k, x]) => [k, x.v]));
}

// ---- propagation --------------------------------------------------------------------------------

const hook = (b) => b.page.evaluate(() => ({ sent: window.plenum.sent, arrivals: window.plenum.arrivals }));
// Date.now() in the pages: the one clock all browsers on this machine share (see app.js).
const epochNow = (b) => b.page.evaluate(() => Date.now());

const delays = []; // {change, to, ms}

/**
 * The time from `sender` sending `sentType` (first after `since`) to each receiver's first
 * arrival of `type` after it that satisfies `match(arrival)`. Recorded in `delays`.
 */
async function propagation(change, sender, sentType, since, receivers, type, match) {
  const { sent } = await hook(sender);
  const req = sent.find((x) => x.type === sentType && x.wall >= since);
  assert.ok(req, `${sender.name} sent no ${sentType} (sent: ${JSON.stringify(sent.slice(-5))})`);
  const out = [];
  for (const r of receivers) {
    const { arrivals } = await hook(r);
    const a = arrivals.find((x) => x.type === type && x.wall >= req.wall && match(x));
    assert.ok(a, `${r.name}: no matching ${type} after ${sender.name}'s ${sentType} (${JSON.stringify(arrivals.slice(-6))})`);
    const ms = a.wall - req.wall;
    delays.push({ change, to: r.name, ms });
    out.push(`${r.name} ${ms.toFixed(0)} ms`);
  }
  log(`propagation of "${change}" from ${sender.name}: ${out.join(', ')}`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

// ---- the test -----------------------------------------------------------------------------------

describe('meeting tools: chat, speaker queue, floor, layout', { timeout: 600000 }, () => {
  const s = new Session(PARTICIPANTS, { roomPrefix: 'tools' });
  let rot, gruen, blau, all;
  const ids = {};
  const dialogs = [];   // alert() etc. in any page: must stay empty
  const badRequests = []; // requests for the payload's "x": must stay empty
  const raws = [];

  const open = (p, lang, viewport) => s.openPage(p, lang, {
    viewport,
    dialogs,
    onPage: (b) => b.page.on('request', (r) => { if (/\/x(\?|$)/.test(new URL(r.url()).pathname + new URL(r.url()).search)) badRequests.push(`${p.name}: ${r.url()}`); }),
  });
  const state = (b) => b.page.evaluate(() => ({ state: window.plenum.state, role: window.plenum.role, id: window.plenum.participantId }));

  before(async () => {
    await s.start();
    // Rot first and joined: the room's first participant moderates.
    rot = await open(ROT, 'en');
    await waitFor(async () => (await state(rot)).state === 'joined', { timeout: 60000, message: 'Rot joined' });
    gruen = await open(GRUEN, 'de');
    blau = await open(BLAU, 'de', { width: 360, height: 740 });
    all = [rot, gruen, blau];
  }, { timeout: 180000 });

  after(async () => {
    for (const c of raws) c.close();
    if (delays.length) {
      const ms = delays.map((d) => d.ms);
      log(`PROPAGATION over ${delays.length} deliveries: max ${Math.max(...ms).toFixed(0)} ms, median ${median(ms).toFixed(0)} ms ` +
        `(the issue's target ${TARGET_MS} ms; asserted < ${LIMIT_MS} ms)`);
      const by = {};
      for (const d of delays) (by[d.change] ||= []).push(d.ms);
      for (const [change, xs] of Object.entries(by)) log(`  ${change}: max ${Math.max(...xs).toFixed(0)} ms, median ${median(xs).toFixed(0)} ms`);
    }
    await s.stop();
  }, { timeout: 60000 });

  it('all three are in the meeting; Rot moderates', { timeout: 120000 }, async (t) => {
    await s.step(t, 'join', async () => {
      await s.waitParticipants([ROT.name, GRUEN.name, BLAU.name], { timeout: 90000 });
      // Each page's media is up before its id is taken: an answer Chromium refuses (now and then
      // "Failed to setup RTCP mux") makes the page join again, as a new participant.
      for (const b of all) {
        await waitFor(async () => (await b.page.evaluate(() => window.plenum.connectionState)) === 'connected',
          { timeout: 60000, message: `${b.name}'s media connected` });
      }
      await s.waitParticipants([ROT.name, GRUEN.name, BLAU.name], { timeout: 90000 });
      for (const b of all) {
        const st = await state(b);
        ids[b.name] = st.id;
        assert.equal(st.role, b === rot ? 'moderator' : 'guest', `${b.name}'s role`);
      }
      // The moderators' tools are not on a guest's page.
      for (const b of [gruen, blau]) {
        assert.equal(await b.page.evaluate(() => document.getElementById('queue-mod').hidden), true);
        assert.equal(await b.page.evaluate(() => document.getElementById('chat-export').hidden), true);
        assert.equal(await b.page.evaluate(() => document.getElementById('mod-tools').hidden), true);
      }
      // How far each browser's timeOrigin-based clock is from the system clock (why the
      // propagation figures use Date.now()).
      const skew = {};
      for (const b of all) skew[b.name] = (await b.page.evaluate(() => performance.timeOrigin + performance.now() - Date.now())).toFixed(1);
      t.diagnostic(`timeOrigin+now() minus Date.now() per page (ms): ${JSON.stringify(skew)}`);
      for (const b of all) await showPanelTab(b, 'speakers');
      // The 360 px page: the panel covers the width and nothing sticks out sideways.
      const overflow = await blau.page.evaluate(() => ({ doc: document.documentElement.scrollWidth, win: innerWidth,
        panel: document.getElementById('participants-panel').getBoundingClientRect().width,
        toolbar: document.querySelector('.controls').scrollWidth }));
      t.diagnostic(`Blau at 360 px: ${JSON.stringify(overflow)}`);
      assert.ok(overflow.doc <= 360 && overflow.toolbar <= 360, `Blau's page is wider than 360 px: ${JSON.stringify(overflow)}`);
    });
  });

  it('Gruen and Blau raise their hands: the same order on every page', { timeout: 90000 }, async (t) => {
    await s.step(t, 'hands', async () => {
      let since = await epochNow(gruen);
      await gruen.page.click('#btn-hand');
      await allShow(all, domQueue, (q) => q.length === 1 && q[0] === '1.Gruen:speak', 'queue [Gruen]');
      await propagation('raise hand', gruen, 'raise-hand', since, [rot, blau], 'queue-updated', (a) => a.order.join() === 'Gruen:speak');
      assert.equal(await gruen.page.getAttribute('#btn-hand', 'aria-pressed'), 'true');

      since = await epochNow(blau);
      await blau.page.click('#btn-hand');
      const seen = await allShow(all, domQueue, (q) => q.length === 2, 'queue of two');
      for (const b of all) assert.deepEqual(seen[b.name], ['1.Gruen:speak', '2.Blau:speak'], `${b.name}'s queue`);
      await propagation('raise hand', blau, 'raise-hand', since, [rot, gruen], 'queue-updated', (a) => a.order.length === 2);
      // The hands are marked in every participant list, with their place.
      const hands = await allShow(all, (b) => b.page.evaluate(() => Object.fromEntries(
        [...document.querySelectorAll('#participant-list li')].map((li) => [li.dataset.id, li.dataset.hand]))),
      (h) => h[ids.Gruen] === '1' && h[ids.Blau] === '2' && h[ids.Rot] === '0', 'hands in the participant list');
      t.diagnostic(`participant list hand marks: ${JSON.stringify(hands.Rot)}`);
    });
  });

  it("Rot's point of order goes ahead of both, on every page", { timeout: 60000 }, async (t) => {
    await s.step(t, 'point of order', async () => {
      const since = await epochNow(rot);
      await rot.page.click('#btn-point-of-order');
      const seen = await allShow(all, domQueue, (q) => q.length === 3, 'queue of three');
      for (const b of all) {
        assert.deepEqual(seen[b.name], ['1.Rot:point-of-order(marked)', '2.Gruen:speak', '3.Blau:speak'], `${b.name}'s queue`);
      }
      await propagation('point of order', rot, 'raise-hand', since, [gruen, blau], 'queue-updated', (a) => a.order[0] === 'Rot:point-of-order');
    });
  });

  it('Rot sets 1 minute and gives Gruen the floor: floor bar, countdown and mark everywhere', { timeout: 90000 }, async (t) => {
    await s.step(t, 'floor', async () => {
      let since = await epochNow(rot);
      await rot.page.fill('#speaking-minutes', '1');
      await rot.page.click('#btn-speaking-set');
      await waitFor(async () => (await hook(rot)).arrivals.some((a) => a.type === 'floor-updated' && a.wall >= since && a.limitSeconds === 60),
        { timeout: 20000, message: 'Rot: speaking time 60 s confirmed' });
      await propagation('speaking time', rot, 'speaking-time', since, [gruen, blau], 'floor-updated', (a) => a.limitSeconds === 60);

      since = await epochNow(rot);
      await rot.page.click(`#queue-list li[data-participant-id="${ids.Gruen}"] button[data-qaction="floor"]`);
      const seen = await allShow(all, domFloor,
        (f) => f.bar && f.name.startsWith('Gruen') && f.marked.length === 1 && f.marked[0] === ids.Gruen && /^0[01]:\d\d$/.test(f.time || ''),
        'Gruen has the floor (bar with countdown, list mark)');
      for (const [name, f] of Object.entries(seen)) t.diagnostic(`${name}: ${JSON.stringify(f)}`);
      await propagation('give floor (queue)', rot, 'give-floor', since, [gruen, blau], 'floor-updated', (a) => a.floor === 'Gruen');
      // Gruen's entry left the queue.
      await allShow(all, domQueue, (q) => q.join() === '1.Rot:point-of-order(marked),2.Blau:speak', 'queue without Gruen');
      // The countdown runs on every page: at most 1:00 and going down.
      const secs = (x) => { const [m, sec] = x.split(':').map(Number); return m * 60 + sec; };
      const first = Object.fromEntries(Object.entries(seen).map(([k, f]) => [k, secs(f.time)]));
      for (const [k, v] of Object.entries(first)) assert.ok(v <= 60 && v >= 40, `${k}: countdown starts at ${v} s`);
      const later = await allShow(all, domFloor, (f, b) => f.time && secs(f.time) <= first[b.name] - 2, 'the countdown goes down', 20000);
      t.diagnostic(`countdown: first ${JSON.stringify(first)}, later ${JSON.stringify(Object.fromEntries(Object.entries(later).map(([k, f]) => [k, f.time])))}`);
    });
  });

  it('Rot takes the floor back, then gives Blau the floor from the participant list; a short limit runs out', { timeout: 90000 }, async (t) => {
    await s.step(t, 'time up', async () => {
      // Rot takes the floor back from Gruen (the button in the floor bar) ...
      let since = await epochNow(rot);
      await rot.page.click('#btn-floor-take-bar');
      await allShow(all, domFloor, (f) => !f.bar && f.marked.length === 0, 'nobody has the floor');
      await propagation('take floor', rot, 'take-floor', since, [gruen, blau], 'floor-updated', (a) => a.floor === null);
      // ... and sets 0.1 minutes = 6 s, taken back automatically.
      await rot.page.fill('#speaking-minutes', '0.1');
      await rot.page.check('#speaking-autoend');
      since = await epochNow(rot);
      await rot.page.click('#btn-speaking-set');
      await waitFor(async () => (await hook(rot)).arrivals.some((a) => a.type === 'floor-updated' && a.wall >= since && a.limitSeconds === 6),
        { timeout: 20000, message: 'Rot: speaking time 6 s confirmed' });
      since = await epochNow(rot);
      await showPanelTab(rot, 'participants');
      await rot.page.click(`#participant-list li[data-id="${ids.Blau}"] button[data-action="give-floor"]`);
      await allShow(all, domFloor, (f) => f.bar && f.name.startsWith('Blau') && f.marked.join() === ids.Blau, 'Blau has the floor');
      await propagation('give floor (participant list)', rot, 'give-floor', since, [gruen, blau], 'floor-updated', (a) => a.floor === 'Blau');
      // Time up: everyone is told, Blau more urgently (an alert); then the floor is taken back
      // and every page says why.
      const up = await allShow(all, (b) => b.page.evaluate(() => ({
        arrived: window.plenum.arrivals.some((a) => a.type === 'floor-time-up'),
        warnings: window.plenum.timeUps,
      })), (v) => v.arrived && v.warnings.length === 1, 'floor-time-up arrived and shown', 30000);
      for (const b of all) {
        assert.deepEqual(up[b.name].warnings, [{ participantId: ids.Blau, self: b === blau }], `${b.name}'s time-up warning`);
      }
      const ended = await allShow(all, (b) => b.page.evaluate(() => ({
        bar: !document.getElementById('floor-bar').hidden,
        marked: document.querySelectorAll('#participant-list li[data-floor="true"]').length,
        toasts: [...document.querySelectorAll('#toasts .toast')].map((e) => ({ text: e.textContent, alert: e.getAttribute('role') === 'alert' })),
      })), (v) => !v.bar && v.marked === 0 && v.toasts.some((x) => /Redezeit|speaking time/i.test(x.text)),
      'floor taken back automatically, with a notice', 30000);
      t.diagnostic(`after the time ran out: ${JSON.stringify(ended)}`);
      assert.ok(ended.Blau.toasts.some((x) => x.alert && /Ihre Redezeit/.test(x.text)), "Blau's notice is an alert about its own time");
      // Back to no limit for what follows.
      await showPanelTab(rot, 'speakers');
      await rot.page.fill('#speaking-minutes', '0');
      await rot.page.uncheck('#speaking-autoend');
      await rot.page.click('#btn-speaking-set');
    });
  });

  it('chat: an HTML payload stays text on every page; links; private messages; unread badge', { timeout: 90000 }, async (t) => {
    await s.step(t, 'chat', async () => {
      // Rot looks at the speakers tab: its chat badge must count what arrives.
      await showPanelTab(gruen, 'chat');
      await showPanelTab(blau, 'chat');
      let since = await epochNow(blau);
      await blau.page.fill('#chat-input', XSS);
      await blau.page.press('#chat-input', 'Enter');
      const seen = await allShow(all, domChat, (c) => c.items.some((m) => m.text === XSS), 'the payload as text');
      await propagation('chat message', blau, 'chat', since, [rot, gruen], 'chat', (a) => a.text === XSS);
      for (const [name, c] of Object.entries(seen)) {
        const m = c.items.find((x) => x.text === XSS);
        assert.equal(m.name, 'Blau', `${name}: sender name`);
        assert.match(m.time, /^\d\d:\d\d$/, `${name}: time`);
        assert.equal(c.imgs, 0, `${name}: an <img> in the chat`);
        assert.deepEqual(c.elements, [], `${name}: elements inside message texts`);
      }
      assert.equal(await blau.page.inputValue('#chat-input'), '', 'Enter sent and emptied the input');

      // A link (http/https) becomes clickable, opening elsewhere without referrer or opener.
      since = await epochNow(gruen);
      await gruen.page.fill('#chat-input', LINK_TEXT);
      await gruen.page.click('#btn-chat-send');
      const links = await allShow(all, domChat, (c) => c.items.some((m) => m.text === LINK_TEXT), 'the link message');
      for (const [name, c] of Object.entries(links)) {
        const m = c.items.find((x) => x.text === LINK_TEXT);
        assert.deepEqual(m.links, [{ href: 'https://example.org/top-3?x=1&y=2', text: 'https://example.org/top-3?x=1&y=2', target: '_blank', rel: 'noopener noreferrer' }], `${name}: link`);
      }
      await propagation('chat message', gruen, 'chat', since, [rot, blau], 'chat', (a) => a.text === LINK_TEXT);

      // Shift+Enter makes a new line; a private message reaches the moderator and its sender only.
      await gruen.page.selectOption('#chat-to', 'moderators');
      const [line1, line2] = PRIVATE_TEXT.split(': ');
      await gruen.page.fill('#chat-input', `${line1}:`);
      await gruen.page.press('#chat-input', 'Shift+Enter');
      await gruen.page.type('#chat-input', line2);
      await gruen.page.press('#chat-input', 'Enter');
      const priv = await allShow([rot, gruen], domChat, (c) => c.items.some((m) => m.text.startsWith(line1)), 'the private message');
      for (const [name, c] of Object.entries(priv)) {
        const m = c.items.find((x) => x.text.startsWith(line1));
        assert.equal(m.text, `${line1}:\n${line2}`, `${name}: two lines`);
        assert.equal(m.private, true, `${name}: marked private`);
      }
      // Blau got what came after it (a round trip through the server) but not the private one.
      await blau.page.fill('#chat-input', 'Danke');
      await blau.page.press('#chat-input', 'Enter');
      const b = await allShow([blau], domChat, (c) => c.items.some((m) => m.text === 'Danke'), 'Blau: own later message');
      assert.equal(b.Blau.items.some((m) => m.text.startsWith(line1)), false, 'Blau sees the private message');

      // Rot has the chat out of view: the unread badge counts.
      const r = await domChat(rot);
      t.diagnostic(`Rot's unread badge: ${r.unreadBadge}`);
      assert.ok(Number(r.unreadBadge) >= 3, `Rot's unread badge: ${r.unreadBadge}`);
      await showPanelTab(rot, 'chat');
      await waitFor(async () => (await domChat(rot)).unreadBadge === null, { timeout: 10000, message: 'Rot: badge gone once the chat shows' });
    });
  });

  it('a late joiner gets the chat history (without the private message)', { timeout: 60000 }, async (t) => {
    await s.step(t, 'history', async () => {
      const late = new RawClient(s.server.wsUrl, { label: 'spaet', autoPing: true });
      raws.push(late);
      await late.connect();
      await late.join(s.room, 'Spaet', { audio: false, video: false });
      const h = await late.nextOfType('chat-history', { timeout: 15000 });
      const texts = h.messages.map((m) => m.text);
      t.diagnostic(`history for a late guest: ${JSON.stringify(texts)}`);
      assert.ok(texts.includes(XSS) && texts.includes(LINK_TEXT), 'history has the public messages');
      assert.ok(!texts.some((x) => x.startsWith(PRIVATE_TEXT.split(': ')[0])), 'history has no private message');
      late.send({ type: 'leave' });
      late.close();
      await s.waitParticipants([ROT.name, GRUEN.name, BLAU.name], { timeout: 30000 });
    });
  });

  it('Rot switches the layout; every page shows it', { timeout: 60000 }, async (t) => {
    await s.step(t, 'layout', async () => {
      const initial = await allShow(all, domLayout, (l) => l === 'grid' || l === 'speaker', 'a layout shown');
      t.diagnostic(`layout at first: ${JSON.stringify(initial)}`);
      await showPanelTab(rot, 'participants');
      for (const layout of ['speaker', 'grid']) {
        const since = await epochNow(rot);
        await rot.page.click(`#btn-layout-${layout}`);
        await allShow(all, domLayout, (l) => l === layout, `layout ${layout}`);
        assert.equal(await rot.page.getAttribute(`#btn-layout-${layout}`, 'aria-pressed'), 'true');
        await propagation(`layout ${layout}`, rot, 'layout', since, [gruen, blau], 'layout-updated', (a) => a.layout === layout);
      }
    });
  });

  it('the active speaker is marked alike in every participant list', { timeout: 60000 }, async (t) => {
    await s.step(t, 'active speaker', async () => {
      // Everyone sends a tone, so someone is the active speaker; all pages must agree.
      const seen = await allShow(all, (b) => b.page.evaluate(() => ({
        id: window.plenum.activeSpeaker,
        marked: [...document.querySelectorAll('#participant-list li[data-speaking="true"]')].map((li) => li.dataset.id),
      })), (v) => v.id && v.marked.join() === v.id, 'an active speaker marked', 30000);
      t.diagnostic(`active speaker: ${JSON.stringify(seen)}`);
    });
  });

  it('Rot downloads the chat as Markdown', { timeout: 60000 }, async (t) => {
    await s.step(t, 'export', async () => {
      await showPanelTab(rot, 'chat');
      assert.equal(await rot.page.locator('#chat-export').isVisible(), true);
      const [download] = await Promise.all([
        rot.page.waitForEvent('download', { timeout: 20000 }),
        rot.page.click('#btn-export-md'),
      ]);
      const file = await download.path();
      const text = fs.readFileSync(file, 'utf8');
      t.diagnostic(`download ${download.suggestedFilename()} (${text.length} chars):\n${text.slice(0, 600)}`);
      assert.match(download.suggestedFilename(), /\.md$/);
      for (const needle of ['Blau', 'Gruen', 'https://example.org/top-3', 'Danke']) {
        assert.ok(text.includes(needle), `the export lacks ${needle}`);
      }
      // The payload is in there as text (the server may escape Markdown, so look for its core).
      assert.ok(text.includes('onerror=alert(1)'), 'the export lacks the payload text');
    });
  });

  it('too many chat messages at once: refused by the server, and the page says so politely', { timeout: 60000 }, async (t) => {
    await s.step(t, 'too fast', async () => {
      await showPanelTab(gruen, 'chat');
      await gruen.page.selectOption('#chat-to', 'everyone');
      // 5 in a burst are allowed, then 1 per second (PROTOCOL.md, "Limits").
      // Each one answered before the next is typed: echoed, or refused with its text back in
      // the (then empty) input. Typing into the field while a refusal puts its text back would
      // mix the two.
      for (let i = 1; i <= 8; i++) {
        const text = `Schnell ${i}`;
        await gruen.page.fill('#chat-input', text);
        await gruen.page.press('#chat-input', 'Enter');
        await waitFor(async () => gruen.frames.some((f) => f.includes(' << ') && f.includes(`"text":"${text}"`)) ||
          (await gruen.page.inputValue('#chat-input')) === text,
        { timeout: 10000, interval: 20, message: `Gruen: "${text}" echoed or back in the input` });
      }
      const notice = await waitFor(async () => {
        const texts = await gruen.page.$$eval('#toasts .toast', (els) => els.map((e) => e.textContent));
        return texts.find((x) => /nicht so schnell/.test(x));
      }, { timeout: 20000, interval: 100, message: 'Gruen: a "too fast" notice' });
      t.diagnostic(`Gruen's notice: ${notice}`);
      const st = await state(gruen);
      assert.equal(st.state, 'joined', 'Gruen is still in the meeting');
      const c = await domChat(rot);
      t.diagnostic(`Rot got ${c.items.filter((m) => m.text.startsWith('Schnell')).length} of the 8 quick messages`);
      // The last one is either delivered or refused; refused, its text is back in the input
      // (the refusal names its requestId), and only then.
      const last = await waitFor(async () => {
        const input = await gruen.page.inputValue('#chat-input');
        const delivered = (await domChat(rot)).items.some((m) => m.text === 'Schnell 8');
        return input === 'Schnell 8' || delivered ? { input, delivered } : null;
      }, { timeout: 10000, interval: 100, message: 'Gruen: "Schnell 8" delivered or back in the input' });
      t.diagnostic(`"Schnell 8": ${last.delivered ? 'delivered' : 'refused, back in the input'}`);
      assert.equal(last.input, last.delivered ? '' : 'Schnell 8');
    });
  });

  it('no dialog opened and nothing fetched the payload in any page; every change arrived in time', { timeout: 30000 }, async (t) => {
    await s.step(t, 'verdict', async () => {
      assert.deepEqual(dialogs, [], 'dialogs');
      assert.deepEqual(badRequests, [], 'requests for /x');
      const pageErrors = all.flatMap((b) => b.console.filter((l) => l.includes('[pageerror]')).map((l) => `${b.name}: ${l}`));
      assert.deepEqual(pageErrors, [], 'script errors in the pages');
      const ms = delays.map((d) => d.ms);
      assert.ok(ms.length >= 10, `only ${ms.length} propagation figures`);
      const max = Math.max(...ms);
      t.diagnostic(`propagation: ${ms.length} deliveries, max ${max.toFixed(0)} ms, median ${median(ms).toFixed(0)} ms; ` +
        `${ms.filter((x) => x >= TARGET_MS).length} at or above the ${TARGET_MS} ms target`);
      for (const d of delays) assert.ok(d.ms < LIMIT_MS, `"${d.change}" reached ${d.to} after ${d.ms.toFixed(0)} ms (limit ${LIMIT_MS})`);
    }, { always: true });
  });
});
