// SPDX-License-Identifier: EUPL-1.2
// The speaker queue ("Redeliste") and the floor (signaling/PROTOCOL.md, "Speaker queue"):
// raising and lowering hands, points of order, the moderators' queue tools, the floor bar with
// its countdown and the time-up warning. The server owns the order; this only shows it.

import { t } from './i18n.js';
import { $, smallIconButton } from './ui.js';

function normEntry(e) {
  if (!e || typeof e !== 'object' || e.entryId == null || e.participantId == null) return null;
  return {
    entryId: String(e.entryId),
    participantId: String(e.participantId),
    name: typeof e.name === 'string' ? e.name : '',
    kind: e.kind === 'point-of-order' ? 'point-of-order' : 'speak',
    raisedAt: typeof e.raisedAt === 'string' ? e.raisedAt : '',
  };
}

function normFloor(f) {
  if (!f || typeof f !== 'object' || f.participantId == null) return null;
  const limited = Number.isFinite(f.limitSeconds) && f.limitSeconds > 0;
  return {
    participantId: String(f.participantId),
    name: typeof f.name === 'string' ? f.name : '',
    since: typeof f.since === 'string' ? f.since : '',
    limitSeconds: limited ? f.limitSeconds : null,
    remainingMs: limited && Number.isFinite(f.remainingMs) ? Math.max(0, f.remainingMs) : null,
    autoEnd: f.autoEnd === true,
  };
}

/** "mm:ss" of a number of milliseconds, rounded up to whole seconds (0 → "00:00"). */
export function formatRemaining(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * `send(msg)` sends a signaling message; `confirm(text, ok)` asks (resolves to a boolean);
 * `onChange()` is called when queue or floor changed (the participant list shows both);
 * `alarm()` is the sound for a speaker whose time ran out; `notify(text, urgent)` shows a short
 * message.
 */
export class SpeakerQueue {
  constructor({ send, confirm, onChange, alarm, notify }) {
    this.send = send;
    this.notify = notify;
    this.confirm = confirm;
    this.onChange = onChange;
    this.alarm = alarm;
    this.selfId = null;
    this.moderator = false;
    this.queue = [];
    this.floor = null;        // normFloor(...) plus receivedAt (performance.now())
    this.speakingTime = { limitSeconds: 0, autoEnd: false };
    this.timeUp = false;      // the current floor's time has run out (server said so)
    this.timeUps = [];        // the time-up warnings shown: [{participantId, self}]
    this.ticker = null;
    this.bind();
  }

  reset(selfId) {
    this.selfId = selfId;
    this.queue = [];
    this.timeUps = [];
    this.setFloor(null);
    this.render();
  }

  setModerator(moderator) {
    if (this.moderator === moderator) return;
    this.moderator = moderator;
    this.render();
  }

  // ---- from the server ----

  update(rawQueue) {
    this.queue = (Array.isArray(rawQueue) ? rawQueue : []).map(normEntry).filter(Boolean);
    this.render();
  }

  floorUpdated(msg) {
    const st = msg.speakingTime && typeof msg.speakingTime === 'object' ? msg.speakingTime : {};
    this.speakingTime = {
      limitSeconds: Number.isInteger(st.limitSeconds) ? st.limitSeconds : 0,
      autoEnd: st.autoEnd === true,
    };
    const before = this.floor;
    const wasUp = this.timeUp;
    const floor = normFloor(msg.floor);
    this.setFloor(floor);
    // Taken back because the time ran out (autoEnd): the bar goes away at once, so say why.
    if (before && !floor && wasUp) {
      const self = this.isSelf(before.participantId);
      this.notify(t(self ? 'floor.endedTimeUpSelf' : 'floor.endedTimeUp', { name: before.name }), self);
    }
    if ((before && before.participantId) !== (floor && floor.participantId)) this.announce(floor);
    this.render();
  }

  floorTimeUp(participantId) {
    if (!this.floor || this.floor.participantId !== String(participantId)) return;
    this.timeUp = true;
    this.timeUps.push({ participantId: this.floor.participantId, self: this.isSelf(this.floor.participantId) });
    if (this.isSelf(this.floor.participantId)) {
      this.alarm();
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    }
    this.render();
  }

  setFloor(floor) {
    // The time is up when the server says so (floor-time-up) or sends a floor with nothing
    // left; a new floor or a new speaking time (remainingMs > 0) starts without the warning.
    this.timeUp = !!floor && floor.remainingMs === 0;
    this.floor = floor ? { ...floor, receivedAt: performance.now() } : null;
    clearInterval(this.ticker);
    this.ticker = null;
    if (this.floor && this.floor.remainingMs !== null) this.ticker = setInterval(() => this.renderTime(), 250);
  }

  // ---- what others ask about ----

  isSelf(id) { return id === this.selfId; }

  /** Remaining speaking time in ms, counted down locally since the floor arrived; null: no limit. */
  remainingMs() {
    const f = this.floor;
    if (!f || f.remainingMs === null) return null;
    return Math.max(0, f.remainingMs - (performance.now() - f.receivedAt));
  }

  /** For the participant list: { floor, position (1-based, of the first entry) | 0, pointOfOrder }. */
  marksFor(participantId) {
    const i = this.queue.findIndex((e) => e.participantId === participantId);
    return {
      floor: !!this.floor && this.floor.participantId === participantId,
      position: i + 1,
      pointOfOrder: this.queue.some((e) => e.participantId === participantId && e.kind === 'point-of-order'),
    };
  }

  ownEntry(kind) {
    return this.queue.find((e) => e.participantId === this.selfId && e.kind === kind) || null;
  }

  // ---- actions ----

  toggle(kind) {
    const own = this.ownEntry(kind);
    if (own) this.send({ type: 'lower-hand', entryId: own.entryId });
    else this.send({ type: 'raise-hand', kind });
  }

  giveFloorTo(participantId) {
    if (this.moderator) this.send({ type: 'give-floor', participantId });
  }

  async entryAction(action, entryId) {
    if (!this.moderator && action !== 'lower') return;
    const i = this.queue.findIndex((e) => e.entryId === entryId);
    if (i < 0) return;
    switch (action) {
      case 'up': if (i > 0) this.send({ type: 'queue-move', entryId, position: i - 1 }); break;
      case 'down': if (i < this.queue.length - 1) this.send({ type: 'queue-move', entryId, position: i + 1 }); break;
      case 'floor': this.send({ type: 'give-floor', entryId }); break;
      case 'remove': this.send({ type: 'queue-remove', entryId }); break;
      case 'lower': this.send({ type: 'lower-hand', entryId }); break;
      default:
    }
  }

  bind() {
    $('btn-hand').addEventListener('click', () => this.toggle('speak'));
    $('btn-hand-panel').addEventListener('click', () => this.toggle('speak'));
    $('btn-point-of-order').addEventListener('click', () => this.toggle('point-of-order'));
    $('btn-floor-next').addEventListener('click', () => this.moderator && this.send({ type: 'give-floor' }));
    for (const id of ['btn-floor-take', 'btn-floor-take-bar']) {
      $(id).addEventListener('click', () => this.moderator && this.send({ type: 'take-floor' }));
    }
    $('btn-queue-clear').addEventListener('click', async () => {
      if (!this.moderator || !this.queue.length) return;
      if (await this.confirm(t('queue.clearConfirm'), t('queue.clear'))) this.send({ type: 'queue-clear' });
    });
    $('queue-list').addEventListener('click', (ev) => {
      const btn = ev.target.closest('button[data-qaction]');
      if (btn) this.entryAction(btn.dataset.qaction, btn.dataset.entry);
    });
    $('speaking-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!this.moderator) return;
      const minutes = Number($('speaking-minutes').value);
      if (!Number.isFinite(minutes) || minutes < 0 || minutes > 60) {
        $('speaking-minutes').setAttribute('aria-invalid', 'true');
        return;
      }
      $('speaking-minutes').setAttribute('aria-invalid', 'false');
      this.send({ type: 'speaking-time', limitSeconds: Math.round(minutes * 60), autoEnd: $('speaking-autoend').checked });
    });
  }

  // ---- rendering ----

  render() {
    this.renderQueue();
    this.renderFloor();
    this.renderOwn();
    this.renderModerator();
    this.onChange();
  }

  renderQueue() {
    const items = this.queue.map((e, i) => this.queueItem(e, i));
    $('queue-list').replaceChildren(...items);
    $('queue-empty').hidden = this.queue.length > 0;
    $('queue-title').textContent = t('queue.title', { n: this.queue.length });
    const badge = $('queue-tab-badge');
    badge.textContent = String(this.queue.length);
    badge.hidden = this.queue.length === 0;
  }

  queueItem(e, i) {
    const li = document.createElement('li');
    li.className = 'queue-entry';
    li.dataset.entryId = e.entryId;
    li.dataset.participantId = e.participantId;
    li.dataset.kind = e.kind;
    const num = document.createElement('span');
    num.className = 'q-num';
    num.textContent = `${i + 1}.`;
    const name = document.createElement('span');
    name.className = 'q-name';
    name.textContent = e.name;
    if (this.isSelf(e.participantId)) {
      const you = document.createElement('span');
      you.className = 'you';
      you.textContent = ` ${t('room.you')}`;
      name.append(you);
    }
    li.append(num, name);
    if (e.kind === 'point-of-order') {
      const mark = document.createElement('span');
      mark.className = 'q-kind';
      mark.title = t('queue.pointOfOrderLong');
      mark.textContent = t('queue.pointOfOrderShort');
      li.append(mark);
    }
    const actions = document.createElement('span');
    actions.className = 'q-actions';
    const who = { name: e.name };
    if (this.moderator) {
      actions.append(
        entryButton('up', e.entryId, 'arrow-up', t('queue.upName', who), i === 0),
        entryButton('down', e.entryId, 'arrow-down', t('queue.downName', who), i === this.queue.length - 1),
        entryButton('floor', e.entryId, 'podium', t('queue.floorName', who), false, 'ok-icon'),
        entryButton('remove', e.entryId, 'close', t('queue.removeName', who), false, 'danger-icon'),
      );
    } else if (this.isSelf(e.participantId)) {
      actions.append(entryButton('lower', e.entryId, 'close', t('queue.withdraw'), false));
    }
    if (actions.childElementCount) li.append(actions);
    return li;
  }

  renderFloor() {
    const f = this.floor;
    const bar = $('floor-bar');
    bar.hidden = !f;
    $('floor-none').hidden = !!f;
    if (!f) return;
    const self = this.isSelf(f.participantId);
    $('floor-name').textContent = self ? `${f.name} ${t('room.you')}` : f.name;
    bar.classList.toggle('self', self);
    bar.classList.toggle('time-up', this.timeUp);
    bar.dataset.participantId = f.participantId;
    $('floor-timeup').hidden = !this.timeUp;
    $('floor-timeup').textContent = this.timeUp ? t(self ? 'floor.timeUpSelf' : 'floor.timeUp') : '';
    // role=alert only for the speaker: a screen reader interrupts for them, not for everyone.
    $('floor-timeup').setAttribute('role', self ? 'alert' : 'status');
    $('btn-floor-take-bar').hidden = !this.moderator;
    this.renderTime();
  }

  renderTime() {
    const el = $('floor-time');
    const ms = this.remainingMs();
    el.hidden = ms === null;
    if (ms === null) return;
    el.textContent = formatRemaining(ms);
    el.classList.toggle('low', ms <= 30000);
  }

  // The toggles keep their label; aria-pressed says whether the hand is up (the title says
  // what a click does).
  renderOwn() {
    const speak = !!this.ownEntry('speak');
    const order = !!this.ownEntry('point-of-order');
    for (const id of ['btn-hand', 'btn-hand-panel']) {
      const b = $(id);
      b.setAttribute('aria-pressed', String(speak));
      b.title = t(speak ? 'queue.lowerHand' : 'queue.raiseHand');
    }
    const po = $('btn-point-of-order');
    po.setAttribute('aria-pressed', String(order));
    po.title = t(order ? 'queue.withdrawPointOfOrder' : 'queue.raisePointOfOrder');
  }

  renderModerator() {
    $('queue-mod').hidden = !this.moderator;
    if (!this.moderator) return;
    $('btn-floor-next').disabled = this.queue.length === 0;
    $('btn-floor-take').disabled = !this.floor;
    $('btn-queue-clear').disabled = this.queue.length === 0;
    // Show the server's current setting unless the moderator is editing it.
    const minutes = $('speaking-minutes');
    if (document.activeElement !== minutes) minutes.value = String(Math.round(this.speakingTime.limitSeconds / 6) / 10);
    const auto = $('speaking-autoend');
    if (document.activeElement !== auto) auto.checked = this.speakingTime.autoEnd;
    $('speaking-current').textContent = this.speakingTime.limitSeconds > 0
      ? t(this.speakingTime.autoEnd ? 'speaking.currentAuto' : 'speaking.current', { time: formatRemaining(this.speakingTime.limitSeconds * 1000) })
      : t('speaking.none');
  }

  // Screen readers hear who has the floor now (not every second of the countdown).
  announce(floor) {
    $('floor-live').textContent = floor ? t('floor.now', { name: floor.name }) : t('floor.ended');
  }
}

function entryButton(action, entryId, iconName, label, disabled, extraClass) {
  const b = smallIconButton(iconName, label, extraClass);
  b.dataset.qaction = action;
  b.dataset.entry = entryId;
  b.disabled = disabled;
  return b;
}
