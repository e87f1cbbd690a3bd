// SPDX-License-Identifier: EUPL-1.2
// Breakout rooms (signaling/PROTOCOL.md, "Breakout rooms") as the page shows them: the
// moderators' planner, the rooms with their members, the bar with the room's name and the time
// left that everyone sees, the closing countdown, the message to all rooms and the call for
// help. The server moves people (the page keeps its one connection: `moved` says where one is
// now) and keeps the time; this shows what it says and sends what the user asks for.

import { t } from './i18n.js';
import { $ } from './ui.js';
import { formatElapsed } from './recording.js';

const CLOSED = Object.freeze({ state: 'closed', rooms: [], assignment: 'automatic', allowReturn: false, yourRoom: null,
  remainingMs: 0, closingSeconds: 0 });

/** A `breakouts-updated` message as plain data; anything odd → closed. */
export function normBreakouts(msg) {
  if (!msg || (msg.state !== 'open' && msg.state !== 'closing') || !Array.isArray(msg.rooms)) return { ...CLOSED };
  const rooms = msg.rooms
    .filter((r) => r && typeof r.id === 'string')
    .map((r) => ({
      id: r.id,
      name: typeof r.name === 'string' ? r.name : r.id,
      members: (Array.isArray(r.members) ? r.members : [])
        .filter((m) => m && m.id != null)
        .map((m) => ({ id: String(m.id), name: typeof m.name === 'string' ? m.name : '', role: m.role === 'moderator' ? 'moderator' : 'guest' })),
    }));
  return {
    state: msg.state,
    rooms,
    assignment: ['automatic', 'manual', 'free'].includes(msg.assignment) ? msg.assignment : 'automatic',
    allowReturn: msg.allowReturn === true,
    yourRoom: typeof msg.yourRoom === 'string' ? msg.yourRoom : null,
    remainingMs: Number.isFinite(msg.remainingMs) ? Math.max(0, msg.remainingMs) : 0,
    closingSeconds: Number.isFinite(msg.closingSeconds) ? msg.closingSeconds : 0,
  };
}

/** The room names of a plan: the lines typed, then "Room n" for the rest. */
export function planNames(count, typed) {
  const lines = String(typed || '').split('\n').map((l) => l.trim()).filter(Boolean);
  const names = [];
  for (let i = 0; i < count; i += 1) names.push((lines[i] || t('bo.defaultName', { n: i + 1 })).slice(0, 64));
  return names;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const c of children) node.append(c);
  return node;
}

/**
 * `send(msg)` sends a meeting request; `confirm(text, ok)` asks (resolves to a boolean);
 * `notify(text, urgent)` shows a message; `alarm()` plays the attention sound;
 * `participants()` lists those in one's current room ([{id, name, role}]); `selfId()` is one's
 * own id; `onChange(this)` is called when anything shown changed.
 */
export class Breakouts {
  constructor({ send, confirm, notify, alarm, participants, selfId, onChange }) {
    Object.assign(this, { send, confirm, notify, alarm, participants, selfId, onChange });
    this.current = { ...CLOSED };
    this.deadline = 0;        // performance.now() when the shown time runs out
    this.moderator = false;
    this.room = null;         // {id, name} of the breakout room one is in, null in the plenum
    this.ticker = null;
    this.broadcasts = [];     // [{from, text}] received
    this.helpCalls = [];      // moderators: [{room, name}] received
    this.bind();
    this.render();
  }

  get open() { return this.current.state !== 'closed'; }

  bind() {
    $('bo-plan').addEventListener('submit', (ev) => { ev.preventDefault(); this.openPlan(); });
    $('bo-assignment').addEventListener('change', () => this.renderPlan());
    $('btn-bo-extend').addEventListener('click', () => this.send({ type: 'breakout-extend', seconds: 300 }));
    $('btn-bo-close').addEventListener('click', async () => {
      if (await this.confirm(t('bo.confirmClose'), t('bo.close'))) this.send({ type: 'breakout-close' });
    });
    $('bo-broadcast-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = $('bo-broadcast-input').value.trim();
      if (text && this.send({ type: 'breakout-broadcast', text })) $('bo-broadcast-input').value = '';
    });
    for (const id of ['btn-bo-return', 'btn-bo-return-bar']) $(id).addEventListener('click', () => this.go('plenum'));
    for (const id of ['btn-bo-help', 'btn-bo-help-bar']) {
      $(id).addEventListener('click', () => {
        if (this.send({ type: 'breakout-help' })) this.notify(t('bo.helpSent'), false);
      });
    }
    $('bo-rooms').addEventListener('click', (ev) => {
      const btn = ev.target.closest('button[data-room]');
      if (btn) this.go(btn.dataset.room);
    });
    $('bo-rooms').addEventListener('change', (ev) => {
      const select = ev.target.closest('select[data-participant]');
      if (select && select.value) {
        this.send({ type: 'breakout-move', participantId: select.dataset.participant, to: select.value });
      }
    });
  }

  /** Not in a meeting: nothing is known. */
  reset() {
    this.current = { ...CLOSED };
    this.room = null;
    this.render();
  }

  setModerator(moderator) {
    if (this.moderator === moderator) return;
    this.moderator = moderator;
    this.render();
  }

  /** The participant list of one's room changed (the manual planner lists it). */
  participantsChanged() {
    if (this.moderator && !this.open) this.renderPlan();
  }

  go(to) {
    this.send({ type: 'breakout-move', to });
  }

  openPlan() {
    const count = Math.min(20, Math.max(1, Math.round(Number($('bo-count').value) || 2)));
    const minutes = Math.min(480, Math.max(1, Number($('bo-minutes').value) || 15));
    const assignment = $('bo-assignment').value;
    const msg = {
      type: 'breakout-open',
      rooms: planNames(count, $('bo-names').value),
      assignment,
      durationSeconds: Math.round(minutes * 60),
      allowReturn: $('bo-return').checked,
    };
    if (assignment === 'manual') {
      msg.assign = {};
      for (const select of $('bo-manual').querySelectorAll('select[data-participant]')) {
        const n = Number(select.value);
        if (n > 0 && n <= count) msg.assign[select.dataset.participant] = n;
      }
    }
    this.send(msg);
  }

  // ---- from the server ----

  update(msg) {
    const before = this.current;
    this.current = normBreakouts(msg);
    this.deadline = performance.now() + this.current.remainingMs;
    if (this.current.state === 'closing' && before.state !== 'closing') {
      this.alarm();
      this.notify(t('bo.closingToast', { time: formatElapsed(this.current.remainingMs) }), true);
      $('breakout-live').textContent = t('bo.closingToast', { time: formatElapsed(this.current.remainingMs) });
    }
    this.render();
  }

  /** `moved`: one is in another room of the meeting now. */
  moved(room) {
    this.room = room;
    this.notify(room ? t('bo.movedTo', { room: room.name }) : t('bo.movedBack'), false);
    this.render();
  }

  broadcast(msg) {
    const from = typeof msg.from === 'string' ? msg.from : '';
    const text = typeof msg.text === 'string' ? msg.text : '';
    this.broadcasts.push({ from, text });
    this.alarm();
    this.notify(t('bo.broadcastFrom', { name: from, text }), true);
    this.onChange(this);
  }

  help(msg) {
    const call = { room: typeof msg.breakout === 'string' ? msg.breakout : '',
      name: typeof msg.name === 'string' ? msg.name : '', roomName: typeof msg.breakoutName === 'string' ? msg.breakoutName : '' };
    this.helpCalls.push(call);
    this.alarm();
    this.notify(t('bo.helpFrom', { name: call.name, room: call.roomName }), true);
    this.onChange(this);
  }

  // ---- the page ----

  remainingText() {
    return formatElapsed(Math.max(0, this.deadline - performance.now()) + 999);
  }

  render() {
    const b = this.current;
    const inRoom = this.room && this.open;
    // The bar: everyone sees it while rooms are open.
    $('breakout-bar').hidden = !this.open;
    $('breakout-bar').classList.toggle('closing', b.state === 'closing');
    $('btn-bo-help-bar').hidden = !inRoom || this.moderator;
    $('btn-bo-return-bar').hidden = !inRoom || !(b.allowReturn || this.moderator);
    $('bo-none').hidden = this.open || this.moderator;
    $('bo-plan').hidden = this.open || !this.moderator;
    $('bo-open').hidden = !this.open;
    $('bo-mod').hidden = !this.open || !this.moderator;
    $('btn-bo-return').hidden = !inRoom || !(b.allowReturn || this.moderator);
    $('btn-bo-help').hidden = !inRoom || this.moderator;
    if (!this.open) {
      clearInterval(this.ticker);
      this.ticker = null;
      if (this.moderator) this.renderPlan();
    } else {
      this.renderRooms();
      if (!this.ticker) this.ticker = setInterval(() => this.tick(), 1000);
    }
    this.tick();
    this.onChange(this);
  }

  tick() {
    if (!this.open) return;
    const b = this.current;
    const time = this.remainingText();
    $('breakout-where').textContent = this.room ? this.room.name : t('bo.barOpen');
    $('breakout-time').textContent = b.state === 'closing' ? t('bo.backIn', { time }) : t('bo.left', { time });
    $('bo-state').textContent = b.state === 'closing' ? t('bo.stateClosing', { time }) : t('bo.stateOpen', { time });
  }

  renderPlan() {
    const manual = $('bo-assignment').value === 'manual';
    const list = $('bo-manual');
    list.hidden = !manual;
    if (!manual) return;
    const count = Math.min(20, Math.max(1, Math.round(Number($('bo-count').value) || 2)));
    const chosen = new Map([...list.querySelectorAll('select[data-participant]')].map((s) => [s.dataset.participant, s.value]));
    list.replaceChildren();
    for (const p of this.participants()) {
      const select = el('select', { className: 'bo-select' });
      select.dataset.participant = p.id;
      select.setAttribute('aria-label', t('bo.moveTo', { name: p.name }));
      select.append(el('option', { value: '0', textContent: t('bo.plenum') }));
      for (let i = 1; i <= count; i += 1) select.append(el('option', { value: String(i), textContent: t('bo.defaultName', { n: i }) }));
      select.value = chosen.get(p.id) || '0';
      list.append(el('li', { className: 'bo-row' }, el('span', { className: 'bo-name', textContent: p.name }), select));
    }
  }

  renderRooms() {
    const b = this.current;
    const self = this.selfId();
    const list = $('bo-rooms');
    list.replaceChildren();
    const mayChoose = b.assignment === 'free';
    for (const room of b.rooms) {
      const here = b.yourRoom === room.id;
      const head = el('div', { className: 'bo-room-head' }, el('strong', { textContent: room.name }));
      if (here) head.append(el('span', { className: 'hint', textContent: ` ${t('bo.here')}` }));
      else if (this.moderator || mayChoose) {
        const go = el('button', { className: 'chip', type: 'button', textContent: this.moderator ? t('bo.visit') : t('bo.go') });
        go.dataset.room = room.id;
        head.append(go);
      }
      const members = el('ul', { className: 'bo-members' });
      if (!room.members.length) members.append(el('li', { className: 'muted', textContent: t('bo.nobody') }));
      for (const m of room.members) {
        const row = el('li', { className: 'bo-row' }, el('span', { className: 'bo-name', textContent: m.id === self ? `${m.name} ${t('bo.you')}` : m.name }));
        if (this.moderator && m.id !== self) row.append(this.moveSelect(m, room.id));
        members.append(row);
      }
      const item = el('li', { className: `bo-room${here ? ' here' : ''}` }, head, members);
      item.dataset.room = room.id;
      list.append(item);
    }
    // Moderators also place those in the plenum (seen only from there: one's own room's list).
    if (this.moderator && !b.yourRoom) {
      const rows = this.participants().filter((p) => p.id !== self);
      if (rows.length) {
        const members = el('ul', { className: 'bo-members' });
        for (const p of rows) {
          members.append(el('li', { className: 'bo-row' }, el('span', { className: 'bo-name', textContent: p.name }), this.moveSelect(p, 'plenum')));
        }
        list.append(el('li', { className: 'bo-room here' }, el('div', { className: 'bo-room-head' }, el('strong', { textContent: t('bo.plenum') })), members));
      }
    }
  }

  moveSelect(person, where) {
    const select = el('select', { className: 'bo-select' });
    select.dataset.participant = person.id;
    select.setAttribute('aria-label', t('bo.moveTo', { name: person.name }));
    select.append(el('option', { value: '', textContent: '…' }));
    if (where !== 'plenum') select.append(el('option', { value: 'plenum', textContent: t('bo.plenum') }));
    for (const r of this.current.rooms) {
      if (r.id !== where) select.append(el('option', { value: r.id, textContent: r.name }));
    }
    return select;
  }
}
