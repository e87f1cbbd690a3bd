// SPDX-License-Identifier: EUPL-1.2
// The room page (/r/<room>, /j/<invite>): pre-join, the room password, the consent to a
// recorded meeting, the lobby, the meeting (with the moderators' tools, the chat, the speaker
// queue, the layout, recording, breakout rooms and presenting), leaving, reconnecting.
//
// Query parameters: name=NAME, autojoin=1, audioProcessing=0, lang=de|en.
// Test hook: window.plenum (see the object below), kept up to date.

import { t, has, lang, applyI18n } from './i18n.js';
import { decorate } from './icons.js';
import { roomFromPath, inviteFromPath, cleanDisplayName, isValidDisplayName } from './names.js';
import { getLocalMedia, stopLocalMedia } from './media.js';
import { Signaling, signalingUrl } from './signaling.js';
import { Call, receiveVideoCodecs } from './call.js';
import * as ui from './ui.js';
import { Chat } from './chat.js';
import { SpeakerQueue } from './queue.js';
import { Recording, renderConsent, consentStartedAt, unavailableKey } from './recording.js';
import { Breakouts } from './breakouts.js';
import { Presentation } from './presentation.js';

const params = new URLSearchParams(location.search);
const AUTOJOIN = params.get('autojoin') === '1';
const AUDIO_PROCESSING = params.get('audioProcessing') !== '0';
const NAME_KEY = 'plenum.name';
const RECONNECT_DELAYS_MS = [1000, 2000, 4000, 8000, 8000];
const JOIN_TIMEOUT_MS = 10000;

const plenum = {
  // 'prejoin' | 'connecting' | 'password' (asked for the room password) | 'consent' (asked
  // whether to join a meeting that is being recorded) | 'declined' (did not join it) | 'lobby'
  // (waiting to be let in) | 'joined' | 'left' | 'ended' (removed, meeting ended, not let in) |
  // 'error'
  state: 'prejoin',
  participantId: null,   // own id from `joined`
  participants: [],      // [{id, name, audio, video, role}], including oneself
  role: null,            // own role once joined: 'guest' | 'moderator'
  lobby: [],             // moderators: [{id, name}] waiting in the lobby, in knock order
  locked: false,         // the room is locked (no new guests)
  knocks: 0,             // knock cues given (sound and flash), moderators only
  remoteStream: null,    // MediaStream with the server's composite video + mix-minus audio
  pc: null,              // the current RTCPeerConnection
  videoCodec: null,      // 'H264' | 'VP8' from `joined`
  portrait: false,       // the server sends the portrait composite (`view`: our stage is taller than wide)
  videoRequest: null,    // {width, height, fps, maxKbps}: what our camera sends (send-video)
  room: null,            // the room's slug (from the path, or from the server for invitations)
  title: null,           // the room's title from the server
  invite: null,          // the token of a /j/<token> path
  name: null,            // own display name once joining
  audio: false,          // own microphone on (what the server is told)
  video: false,          // own camera on
  lang,
  connectionState: 'new', // pc.connectionState, 'closed' when there is none
  reconnectAttempt: 0,
  mediaSetupErrors: [],  // why an offer could not be answered (each time a reconnect followed), the last 10
  error: null,           // {code, message} in states 'error' and 'ended'
  retryAfter: 0,         // seconds left before another password attempt (rate-limited)
  // The meeting tools (kept in step with the page; the e2e tests read them):
  queue: [],             // [{entryId, participantId, name, kind, raisedAt}] in order
  floor: null,           // {participantId, name, since, limitSeconds, remainingMs, autoEnd} as received
  speakingTime: null,    // {limitSeconds, autoEnd}
  timeUp: false,         // the current floor's speaking time has run out
  timeUps: [],           // time-up warnings shown: [{participantId, self}]
  chat: [],              // chat messages [{id, from: {participantId, name, role}, to, text, time}]
  chatUnread: 0,
  layout: null,          // 'grid' | 'speaker'
  activeSpeaker: null,   // participant id or null
  recording: { state: 'stopped', startedAt: null, startedBy: null, reason: null }, // as received (lobby too)
  recordingConsent: false, // joins carry recordingConsent: true (see recording.js)
  // Breakout rooms (see breakouts.js):
  breakouts: { state: 'closed', rooms: [], yourRoom: null }, // the last breakouts-updated, normalised
  breakoutRoom: null,    // {id, name} of the breakout room we are in (from `moved`), null in the plenum
  moves: 0,              // `moved` messages received on this page (the connection stays the same)
  broadcasts: [],        // messages to all rooms received: [{from, text}]
  helpCalls: [],         // moderators: calls for help received: [{room, roomName, name}]
  // Presenting (see presentation.js):
  presentation: { kind: null, participantId: null, name: '', document: null, guestsMayShare: false, documentDownload: false },
                         // the last `presentation`, normalised (document: {id, name, pages, page})
  uploadToken: null,     // joined.uploadToken (the PDF upload's and the download link's secret)
  screenShare: 'off',    // own screen share: 'off' | 'picking' | 'asking' (sent, no answer yet) | 'live'
  upload: null,          // own last PDF upload: {state: 'uploading'|'done'|'refused'|'failed'|'cancelled', name, status, code, id, pages, ms}
  notices: [],           // presenting's messages shown to the user: [{key, text, urgent, wall}], the last 50
  // When each state message had arrived and been shown, and when each request left:
  // [{type, at, wall, ...summary}], the last 300 of each. `at` is performance.timeOrigin +
  // performance.now(); `wall` is Date.now(), which is what to compare across browsers: each
  // browser process fixes its timeOrigin against the system clock once, so `at` of two
  // browsers on one machine can differ by tens of ms.
  arrivals: [],
  sent: [],
};
window.plenum = plenum;

let media = null;          // { mic, cam, problem } while we hold the devices
let wantAudio = true;      // the user's choice; effective only when the device exists
let wantVideo = true;
let conn = null;           // { sig, call, joined, waiting, joinTimer, sentAudio, sentVideo }
let reconnectTimer = null;
let password = null;       // the room password as typed; kept in memory only, for reconnects
let retryTimer = null;     // counts down a rate limit on the password screen
const cued = new Set();    // ids in the lobby we already gave a knock cue for
let attempt = 0;
let videoShowing = false;
const participants = new Map();

function stamp() { return { at: performance.timeOrigin + performance.now(), wall: Date.now() }; }

function remember(list, entry, when = stamp()) {
  list.push({ ...entry, ...when });
  if (list.length > 300) list.splice(0, list.length - 300);
}

// Requests of the meeting tools: only while in the meeting; logged for the tests.
function sendMeeting(msg) {
  const c = conn;
  if (!c || !c.joined) return false;
  // Stamped before sending: the answer may reach other pages before this line runs again.
  const when = stamp();
  const requestId = c.sig.send(msg);
  if (!requestId) return false;
  remember(plenum.sent, { type: msg.type, requestId }, when);
  return requestId;
}

const chat = new Chat({
  send: sendMeeting,
  isVisible: () => ui.tabShowing('chat') && document.visibilityState === 'visible',
  onChange: () => {
    plenum.chat = chat.messages.map((m) => ({ ...m, from: { ...m.from } }));
    plenum.chatUnread = chat.unread;
    ui.setUnread(chat.unread);
  },
});

const speakers = new SpeakerQueue({
  send: sendMeeting,
  confirm: (text, ok) => ui.confirmDialog(text, ok),
  alarm: () => ui.playKnockSound(),
  notify: (text, urgent) => ui.toast(text, urgent ? 10000 : 6000, urgent),
  onChange: () => {
    plenum.queue = speakers.queue.map((e) => ({ ...e }));
    plenum.floor = speakers.floor ? { ...speakers.floor } : null;
    plenum.speakingTime = { ...speakers.speakingTime };
    plenum.timeUp = speakers.timeUp;
    plenum.timeUps = speakers.timeUps.map((x) => ({ ...x }));
    renderParticipantList();
  },
});

const recording = new Recording({
  send: sendMeeting,
  confirm: (text, ok) => ui.confirmDialog(text, ok),
  notify: (text, urgent) => ui.toast(text, urgent ? 10000 : 8000, urgent),
  onChange: (r) => {
    plenum.recording = { ...r.current };
    plenum.recordingConsent = r.consent;
  },
});

const breakouts = new Breakouts({
  send: sendMeeting,
  confirm: (text, ok) => ui.confirmDialog(text, ok),
  notify: (text, urgent) => ui.toast(text, urgent ? 10000 : 5000, urgent),
  alarm: () => ui.playKnockSound(),
  participants: () => plenum.participants,
  selfId: () => plenum.participantId,
  onChange: (b) => {
    plenum.breakouts = { ...b.current, rooms: b.current.rooms.map((r) => ({ ...r, members: r.members.map((m) => ({ ...m })) })) };
    plenum.breakoutRoom = b.room ? { ...b.room } : null;
    plenum.broadcasts = b.broadcasts.map((x) => ({ ...x }));
    plenum.helpCalls = b.helpCalls.map((x) => ({ ...x }));
  },
});
const presentation = new Presentation({
  send: sendMeeting,
  notify: (key, text, urgent) => {
    plenum.notices.push({ key, text, urgent: !!urgent, wall: Date.now() });
    if (plenum.notices.length > 50) plenum.notices.splice(0, plenum.notices.length - 50);
    ui.toast(text, urgent ? 10000 : 6000, urgent);
  },
  setScreenTrack: (track) => { if (conn) conn.call.setScreenTrack(track); },
  selfId: () => plenum.participantId,
  onChange: (p) => {
    const cur = p.current;
    plenum.presentation = { ...cur, document: cur.document ? { ...cur.document } : null };
    plenum.uploadToken = p.token;
    plenum.screenShare = p.share ? p.share.state : 'off';
    plenum.upload = p.lastUpload ? { ...p.lastUpload } : null;
  },
});
// Moves bring many arrivals and departures at once: no toast for each of them for a moment.
let quietUntil = 0;

function setState(state) {
  plenum.state = state;
  document.body.dataset.state = state;
}

// ---- start & pre-join ------------------------------------------------------------------

function main() {
  applyI18n();
  decorate();
  bindUi();
  const invite = inviteFromPath(location.pathname);
  const room = invite ? null : roomFromPath(location.pathname);
  if (!room && !invite) {
    fail(location.pathname.startsWith('/j/') ? 'invalid-invite' : 'invalid-room', '', false);
    return;
  }
  plenum.room = room;
  plenum.invite = invite;
  showTitle(room || t('prejoin.invitation'));
  ui.$('name-input').value = cleanDisplayName(params.has('name') ? params.get('name') : loadName());
  setState('prejoin');
  refreshMediaUi();
  prejoin();
}

async function prejoin() {
  const autojoin = AUTOJOIN && isValidDisplayName(cleanDisplayName(ui.$('name-input').value));
  ui.$('btn-join').disabled = true;
  ui.setNotice(t('prejoin.gettingMedia'));
  if (autojoin) {
    // Skip the pre-join screen and join at once: the WebSocket, the join, the server's offer and
    // ICE run while the devices start (the join says what the user wants; the tracks go onto the
    // senders when they come, and a device that does not come is announced: acquireMedia).
    join();
  } else {
    ui.showScreen('prejoin');
  }
  await acquireMedia();
  ui.$('btn-join').disabled = false;
  if (plenum.state === 'left' || plenum.state === 'ended' || plenum.state === 'error' || plenum.state === 'declined') {
    // Left (autojoin) while the devices were starting.
    stopLocalMedia(media);
    media = null;
    return;
  }
  if (autojoin) {
    if (media && media.problem) ui.toast(t(`media.${media.problem}`), 6000);
  } else if (!ui.$('name-input').value && matchMedia('(pointer: fine)').matches) ui.$('name-input').focus();
}

// One getUserMedia at a time: a rejoin while the first devices still start waits for those.
let mediaPending = null;
function acquireMedia() {
  if (!mediaPending) mediaPending = openMedia().finally(() => { mediaPending = null; });
  return mediaPending;
}

async function openMedia() {
  const got = await getLocalMedia({ audioProcessing: AUDIO_PROCESSING });
  if (media) stopLocalMedia(media);
  media = got;
  for (const track of [media.mic, media.cam]) {
    if (!track) continue;
    track.enabled = track.kind === 'audio' ? wantAudio : wantVideo;
    track.addEventListener('ended', () => deviceLost(got, track));
  }
  ui.setNotice(media.problem ? t(`media.${media.problem}`) : '');
  refreshMediaUi();
  // Joined (or joining) while the devices started: onto the senders, and tell the server.
  if (conn) conn.call.refreshLocalTracks();
  announceMedia();
}

// A device went away (unplugged, revoked): carry on without it.
function deviceLost(owner, track) {
  if (media !== owner) return;
  if (media.mic === track) media.mic = null;
  if (media.cam === track) media.cam = null;
  refreshMediaUi();
  announceMedia();
}

function refreshMediaUi() {
  const hasMic = !!(media && media.mic);
  const hasCam = !!(media && media.cam);
  plenum.audio = hasMic && wantAudio;
  plenum.video = hasCam && wantVideo;
  const mic = { on: wantAudio, available: hasMic, titleOn: t('ctl.mute'), titleOff: t('ctl.unmute'), titleNone: t('ctl.noMic') };
  const cam = { on: wantVideo, available: hasCam, titleOn: t('ctl.camOff'), titleOff: t('ctl.camOn'), titleNone: t('ctl.noCam') };
  ui.setToggle(ui.$('prejoin-mic'), mic);
  ui.setToggle(ui.$('btn-mic'), mic);
  ui.setToggle(ui.$('prejoin-cam'), cam);
  ui.setToggle(ui.$('btn-cam'), cam);
  if (plenum.state === 'prejoin') {
    ui.setPreview(hasCam ? media.cam : null, wantVideo, t(hasCam ? 'preview.camOff' : 'ctl.noCam'));
  }
}

function toggleMic() {
  wantAudio = !wantAudio;
  if (media && media.mic) media.mic.enabled = wantAudio;
  refreshMediaUi();
  announceMedia();
}

function toggleCam() {
  wantVideo = !wantVideo;
  if (media && media.cam) media.cam.enabled = wantVideo;
  if (conn) conn.call.updateCameraEncoding();
  refreshMediaUi();
  announceMedia();
}

// Tells the server (and our own list entry) when mic/camera state differs from what it knows.
function announceMedia() {
  const c = conn;
  if (!c || !c.joined) return;
  const audio = plenum.audio;
  const video = plenum.video;
  if (audio === c.sentAudio && video === c.sentVideo) return;
  if (!c.sig.send({ type: 'media', audio, video })) return;
  c.sentAudio = audio;
  c.sentVideo = video;
  const self = participants.get(plenum.participantId);
  if (self) {
    participants.set(self.id, { ...self, audio, video });
    publishParticipants();
  }
}

// A stage taller than wide (a phone held upright) asks for the server's portrait composite, whose
// tiles are stacked and large; turned, the 16:9 one again. Said once joined on every connection
// and whenever the stage changes shape (a move to a breakout room keeps it: same connection).
function stageIsPortrait() {
  const stage = ui.$('composite').parentElement;
  if (!stage.clientWidth || !stage.clientHeight) return window.innerHeight > window.innerWidth;
  return stage.clientHeight > stage.clientWidth;
}

function announceView() {
  const c = conn;
  if (!c || !c.joined) return;
  const portrait = stageIsPortrait();
  if (portrait === c.sentPortrait) return;
  if (!c.sig.send({ type: 'view', portrait })) return;
  c.sentPortrait = portrait;
  plenum.portrait = portrait;
}

function showTitle(title) {
  document.title = t('room.docTitle', { room: title });
  ui.$('prejoin-room').textContent = title;
  ui.$('room-name').textContent = title;
  ui.$('lobby-room').textContent = title;
  ui.$('consent-room').textContent = title;
}

// ---- joining, connection, reconnecting ---------------------------------------------------

function join() {
  if (plenum.state !== 'prejoin') return;
  const name = cleanDisplayName(ui.$('name-input').value);
  if (!isValidDisplayName(name)) {
    ui.setNameError(t('prejoin.errName'));
    ui.$('name-input').focus();
    return;
  }
  ui.setNameError('');
  plenum.name = name;
  saveName(name);
  ui.clearPreview();
  enterRoom();
}

function enterRoom() {
  // The WebSocket first: its handshake runs while the page switches to the room.
  connect();
  attempt = 0;
  plenum.reconnectAttempt = 0;
  plenum.error = null;
  plenum.participantId = null;
  plenum.videoCodec = null;
  resetMeeting();
  setParticipants([]);
  setState('connecting');
  ui.setBanner('');
  ui.setStageStatus(t('room.connecting'));
  ui.showScreen('room');
  if (media && media.problem) ui.toast(t(`media.${media.problem}`), 6000);
}

function connect() {
  closeConnection();
  const c = { sig: null, call: null, joined: false, waiting: false, joinTimer: null, sentAudio: null, sentVideo: null, sentPortrait: null };
  conn = c;
  c.call = new Call({
    send: (msg) => c.sig.send(msg),
    getLocalTracks: () => ({ mic: media ? media.mic : null, cam: media ? media.cam : null }),
    onPeerConnection: (pc) => { if (conn === c) plenum.pc = pc; },
    onRemoteTrack: (track, stream) => { if (conn === c) attachRemote(stream); },
    onConnectionState: (state) => { if (conn === c) mediaState(state); },
  });
  plenum.pc = null;
  plenum.connectionState = 'new';
  plenum.remoteStream = c.call.remoteStream;
  c.sig = new Signaling(signalingUrl(), {
    onOpen: () => {
      if (conn !== c) return;
      c.sig.send(joinMessage(c));
      c.joinTimer = setTimeout(() => { if (conn === c && !c.joined && !c.waiting) connectionLost(); }, JOIN_TIMEOUT_MS);
    },
    onMessage: (msg) => { if (conn === c) handleMessage(c, msg); },
    onClose: () => { if (conn === c) connectionLost(); },
  });
}

function joinMessage(c) {
  // Devices still starting (autojoin joins at once): what the user wants; a device that does
  // not come is announced by acquireMedia (a camera off at the join and on just after it would
  // reach the composite only at its next key frame).
  const msg = media
    ? { type: 'join', name: plenum.name, audio: plenum.audio, video: plenum.video }
    : { type: 'join', name: plenum.name, audio: wantAudio, video: wantVideo };
  // An invitation names the room; the server tells its slug and title.
  if (plenum.invite) msg.invite = plenum.invite;
  else msg.room = plenum.room;
  if (password !== null) msg.password = password;
  if (recording.consent) msg.recordingConsent = true;
  const codecs = receiveVideoCodecs();
  if (codecs) msg.videoCodecs = codecs;
  c.sentAudio = msg.audio;
  c.sentVideo = msg.video;
  return msg;
}

function closeConnection() {
  const c = conn;
  if (!c) return;
  conn = null;
  clearTimeout(c.joinTimer);
  c.call.close();
  c.sig.close();
  plenum.pc = null;
  plenum.remoteStream = null;
  plenum.connectionState = 'closed';
  ui.$('composite').srcObject = null;
  ui.$('remote-audio').srcObject = null;
  ui.showSoundButton(false);
  videoShowing = false;
}

// The WebSocket closed, the join timed out, or the media connection failed: try again with
// backoff, then give up.
function connectionLost() {
  if (plenum.state !== 'connecting' && plenum.state !== 'joined' && plenum.state !== 'lobby') return;
  const inLobby = plenum.state === 'lobby';
  closeConnection();
  if (attempt >= RECONNECT_DELAYS_MS.length) {
    teardown();
    plenum.error = { code: 'connection-lost', message: '' };
    setState('error');
    ui.showEnded({ title: t('ended.lostTitle'), text: t('ended.lostText'), canRejoin: true });
    return;
  }
  const delay = RECONNECT_DELAYS_MS[attempt];
  attempt += 1;
  plenum.reconnectAttempt = attempt;
  setState('connecting');
  resetMeeting();
  // Someone waiting keeps seeing the lobby; a new join puts them back in it.
  if (inLobby) ui.$('lobby-text').textContent = t('room.reconnecting', { n: attempt, max: RECONNECT_DELAYS_MS.length });
  ui.setBanner(t('room.reconnecting', { n: attempt, max: RECONNECT_DELAYS_MS.length }));
  ui.setStageStatus(t('room.connecting'));
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(() => {
    reconnectTimer = null;
    if (plenum.state === 'connecting') connect();
  }, delay);
}

function mediaState(state) {
  plenum.connectionState = state;
  if (state === 'connected') {
    attempt = 0;
    plenum.reconnectAttempt = 0;
    if (plenum.state === 'joined') ui.setBanner('');
  } else if (state === 'disconnected') {
    if (plenum.state === 'joined') ui.setBanner(t('room.mediaInterrupted'));
  } else if (state === 'failed') {
    connectionLost();
  }
}

function attachRemote(stream) {
  const video = ui.$('composite');
  const audio = ui.$('remote-audio');
  if (video.srcObject !== stream) {
    video.srcObject = stream;
    videoShowing = false;
  }
  video.play().catch(() => {});
  const audioTrack = stream.getAudioTracks()[0];
  if (!audioTrack) return;
  const cur = audio.srcObject;
  if (!cur || cur.getAudioTracks()[0] !== audioTrack) audio.srcObject = new MediaStream([audioTrack]);
  audio.play().then(() => ui.showSoundButton(false)).catch((err) => {
    if (err && err.name === 'NotAllowedError') ui.showSoundButton(true);
  });
}

// ---- server messages ------------------------------------------------------------------------

function handleMessage(c, msg) {
  switch (msg.type) {
    case 'joined': {
      if (c.joined) return;
      clearTimeout(c.joinTimer);
      const admitted = c.waiting;
      c.joined = true;
      c.waiting = false;
      plenum.participantId = msg.participantId == null ? null : String(msg.participantId);
      plenum.videoCodec = typeof msg.videoCodec === 'string' ? msg.videoCodec : null;
      c.call.setIceServers(msg.iceServers);
      roomInfo(msg);
      chat.reset(plenum.participantId);
      speakers.reset(plenum.participantId);
      setParticipants(Array.isArray(msg.participants) ? msg.participants : []);
      breakouts.reset();
      presentation.joined(msg.uploadToken);
      ui.setBanner('');
      setState('joined');
      ui.showScreen('room');
      ui.setStageStatus(videoShowing ? '' : t('room.waitingVideo'));
      if (admitted) ui.toast(t('lobby.admitted'));
      announceMedia(); // the user may have toggled something while we were connecting
      announceView();
      return;
    }
    case 'moved': {
      // Another room of the meeting (a breakout room, or back to the plenum), same connection:
      // its people and tools replace the old room's; its composite arrives on the same track.
      if (!c.joined) return;
      plenum.moves += 1;
      quietUntil = performance.now() + 3000;
      const room = msg.breakout && typeof msg.breakout.id === 'string'
        ? { id: msg.breakout.id, name: typeof msg.breakout.name === 'string' ? msg.breakout.name : msg.breakout.id } : null;
      chat.reset(plenum.participantId);
      speakers.reset(plenum.participantId);
      recording.reset();
      breakouts.moved(room);
      presentation.moved();
      roomInfo(msg);
      setParticipants(Array.isArray(msg.participants) ? msg.participants : []);
      arrived(msg.type, { room: room ? room.id : null });
      return;
    }
    case 'breakouts-updated':
      if (msg.state === 'closed' && breakouts.open) quietUntil = performance.now() + 3000;
      breakouts.update(msg);
      arrived(msg.type, { state: plenum.breakouts.state, yourRoom: plenum.breakouts.yourRoom });
      return;
    case 'breakout-broadcast':
      breakouts.broadcast(msg);
      arrived(msg.type, { text: typeof msg.text === 'string' ? msg.text : '' });
      return;
    case 'breakout-help':
      if (plenum.role === 'moderator') breakouts.help(msg);
      arrived(msg.type, { room: typeof msg.breakout === 'string' ? msg.breakout : '' });
      return;
    case 'lobby':
      if (c.joined) return;
      clearTimeout(c.joinTimer);
      c.waiting = true;
      roomInfo(msg);
      setState('lobby');
      ui.$('lobby-text').textContent = t('lobby.text');
      ui.showScreen('lobby');
      return;
    case 'knock': {
      if (plenum.role !== 'moderator' || msg.participantId == null) return;
      const id = String(msg.participantId);
      if (!cued.has(id)) {
        cued.add(id);
        knockCue();
        ui.toast(t('mod.knockToast', { name: typeof msg.name === 'string' ? msg.name : '' }), 6000);
      }
      return;
    }
    case 'lobby-updated': {
      const list = Array.isArray(msg.waiting) ? msg.waiting : [];
      plenum.lobby = list
        .filter((w) => w && typeof w === 'object' && w.participantId != null)
        .map((w) => ({ id: String(w.participantId), name: typeof w.name === 'string' ? w.name : '' }));
      // Someone we have not cued for yet (e.g. waiting before we came or were promoted).
      const fresh = plenum.lobby.filter((w) => !cued.has(w.id));
      for (const w of fresh) cued.add(w.id);
      if (fresh.length && plenum.role === 'moderator') knockCue();
      ui.renderLobby(plenum.lobby, plenum.role === 'moderator');
      return;
    }
    case 'room-updated': {
      const was = plenum.locked;
      roomInfo(msg);
      if (was !== plenum.locked) ui.toast(t(plenum.locked ? 'room.nowLocked' : 'room.nowUnlocked'));
      return;
    }
    case 'muted-by-moderator':
      mutedByModerator(c, typeof msg.by === 'string' ? msg.by : '');
      return;
    case 'removed':
      finish('removed', { by: typeof msg.by === 'string' ? msg.by : '' });
      return;
    case 'media-failed':
      // The server took us out of the meeting and closes the connection; we may join again
      // (the "Rejoin" button: not automatically, so that a failure that repeats does not loop).
      console.warn(`plenum: media failed (${msg.reason}): ${msg.message}`);
      fail('media-failed', typeof msg.message === 'string' ? msg.message : '', true);
      return;
    case 'offer':
      if (typeof msg.sdp !== 'string') return;
      c.call.handleOffer(msg.sdp).catch((err) => {
        if (conn !== c) return;
        // A fresh connection usually succeeds (the browser's WebRTC stack can refuse an answer
        // for its own reasons, seldom): reconnect, as after a lost connection, a few times with
        // growing pauses; a failure that repeats ends with the "connection lost" page.
        const message = String(err && err.message || err);
        console.error('plenum: could not answer the offer', err);
        plenum.mediaSetupErrors.push(message);
        plenum.mediaSetupErrors.splice(0, plenum.mediaSetupErrors.length - 10);  // the last 10
        connectionLost();
      });
      return;
    case 'candidate':
      if (typeof msg.candidate !== 'string') return;
      c.call.handleCandidate(msg.candidate, Number.isInteger(msg.sdpMLineIndex) ? msg.sdpMLineIndex : 0);
      return;
    case 'participant-joined': {
      const p = normParticipant(msg.participant);
      if (!p) return;
      const isNew = !participants.has(p.id);
      participants.set(p.id, p);
      publishParticipants();
      if (isNew && c.joined && p.id !== plenum.participantId && performance.now() > quietUntil) {
        ui.toast(t('room.joined', { name: p.name }));
      }
      return;
    }
    case 'participant-updated': {
      const p = normParticipant(msg.participant);
      if (!p) return;
      const before = participants.get(p.id);
      participants.set(p.id, p);
      publishParticipants();
      if (before && before.role !== 'moderator' && p.role === 'moderator') {
        ui.toast(p.id === plenum.participantId ? t('mod.youPromoted') : t('mod.promoted', { name: p.name }));
      }
      return;
    }
    case 'participant-left': {
      const id = msg.participantId == null ? '' : String(msg.participantId);
      if (id && id === plenum.participantId) {
        if (msg.reason !== 'left') connectionLost(); // the server dropped us
        return;
      }
      const p = participants.get(id);
      if (!p) return;
      participants.delete(id);
      publishParticipants();
      if (msg.reason === 'moved' || performance.now() < quietUntil) return;
      const key = msg.reason === 'left' ? 'room.left' : msg.reason === 'removed' ? 'room.removed' : 'room.lost';
      ui.toast(t(key, { name: p.name }));
      return;
    }
    case 'chat':
      chat.receive(msg.message, typeof msg.requestId === 'string' ? msg.requestId : null);
      arrived(msg.type, { id: msg.message && msg.message.id, text: msg.message && msg.message.text });
      return;
    case 'chat-history':
      chat.history(msg.messages);
      arrived(msg.type, { n: plenum.chat.length });
      return;
    case 'chat-export':
      chat.download(msg);
      arrived(msg.type, { format: msg.format, filename: msg.filename });
      return;
    case 'queue-updated':
      speakers.update(msg.queue);
      arrived(msg.type, { order: plenum.queue.map((e) => `${e.name}:${e.kind}`) });
      return;
    case 'floor-updated':
      speakers.floorUpdated(msg);
      arrived(msg.type, { floor: plenum.floor && plenum.floor.name, limitSeconds: plenum.speakingTime.limitSeconds });
      return;
    case 'floor-time-up':
      speakers.floorTimeUp(msg.participantId);
      arrived(msg.type, { participantId: String(msg.participantId) });
      return;
    case 'layout-updated':
      if (msg.layout !== 'grid' && msg.layout !== 'speaker') return;
      if (plenum.layout && plenum.layout !== msg.layout) ui.toast(t('layout.changed', { layout: t(`layout.${msg.layout}Long`) }));
      plenum.layout = msg.layout;
      ui.setLayout(msg.layout);
      arrived(msg.type, { layout: msg.layout });
      return;
    case 'recording-updated':
      // Sent to the meeting and to the lobby; nothing else asked for it.
      if (!c.joined && !c.waiting) return;
      recording.update(msg);
      arrived(msg.type, { state: plenum.recording.state, startedBy: plenum.recording.startedBy, reason: plenum.recording.reason });
      return;
    case 'presentation':
      if (!c.joined) return;
      presentation.update(msg);
      arrived(msg.type, { kind: plenum.presentation.kind, participantId: plenum.presentation.participantId,
        page: plenum.presentation.document ? plenum.presentation.document.page : null });
      return;
    case 'send-video': {
      // What our camera's tile shows now: send that, no more.
      const valid = (v, max) => Number.isInteger(v) && v > 0 && v <= max;
      if (!valid(msg.width, 4096) || !valid(msg.height, 4096) || !valid(msg.fps, 120) || !valid(msg.maxKbps, 100000)) return;
      plenum.videoRequest = { width: msg.width, height: msg.height, fps: msg.fps, maxKbps: msg.maxKbps };
      c.call.setVideoRequest(plenum.videoRequest);
      arrived(msg.type, plenum.videoRequest);
      return;
    }
    case 'active-speaker':
      plenum.activeSpeaker = msg.participantId == null ? null : String(msg.participantId);
      ui.markSpeaking(plenum.activeSpeaker);
      arrived(msg.type, { participantId: plenum.activeSpeaker });
      return;
    case 'error':
      serverError(c, msg);
      return;
    default: // 'pong' and anything newer than this client
  }
}

// Errors that end the meeting for us (not a failure): removed, ended, not let in.
const ENDINGS = new Set(['meeting-ended', 'lobby-rejected']);
// Join refusals with their own screen text; whether "Rejoin" makes sense after them.
const REFUSALS = {
  banned: false, 'room-locked': true, 'room-full': true, 'no-such-room': false, 'invite-required': false,
};

function serverError(c, msg) {
  const code = typeof msg.code === 'string' ? msg.code : 'internal';
  const message = typeof msg.message === 'string' ? msg.message : '';
  console.warn(`plenum: server error ${code}: ${message}`);
  // A refused chat message goes back into the input: only when the error names its request.
  if (c.joined) chat.refused(typeof msg.requestId === 'string' ? msg.requestId : null);
  // A refused screen share has its own words (and drops the screen track).
  if (c.joined && presentation.refused(typeof msg.requestId === 'string' ? msg.requestId : null, code)) return;
  if (!c.joined && (code === 'password-required' || code === 'wrong-password' || code === 'rate-limited')) {
    askPassword(code, Number.isFinite(msg.retryAfter) ? Math.max(0, Math.ceil(msg.retryAfter)) : 0);
    return;
  }
  if (!c.joined && code === 'recording-consent-required') {
    askConsent(consentStartedAt(msg));
    return;
  }
  if (ENDINGS.has(code)) {
    finish(code, {});
    return;
  }
  // (room-full also answers a moderator's admit into a full room: then it is only a notice)
  if (!c.joined && Object.prototype.hasOwnProperty.call(REFUSALS, code)) {
    refused(code, message, REFUSALS[code]);
    return;
  }
  // Chat or hand messages faster than the server allows: nothing changed, the user may retry.
  if (code === 'too-fast' && c.joined) {
    const s = Number.isFinite(msg.retryAfter) ? Math.max(1, Math.ceil(msg.retryAfter)) : 0;
    ui.toast(s ? t('error.too-fast-s', { s }) : t('error.too-fast'), 5000);
    return;
  }
  // Before `joined`, the only thing we asked for was the join: a refusal ends it (someone
  // waiting in the lobby asked for nothing more).
  const joinRefused = !c.joined && !c.waiting && code !== 'bad-candidate' && code !== 'bad-sdp';
  if (msg.fatal === true || joinRefused) fail(code, message, true);
  else ui.toast(errorText(code, message), 5000);
}

function arrived(type, summary) {
  remember(plenum.arrivals, { type, ...summary });
}

function errorText(code, message) {
  if (code === 'recording-unavailable') return t(unavailableKey(message), { message });
  return has(`error.${code}`) ? t(`error.${code}`, { code, message }) : t('error.generic', { code });
}

function normParticipant(p) {
  if (!p || typeof p !== 'object' || p.id == null) return null;
  return {
    id: String(p.id),
    name: typeof p.name === 'string' ? p.name : '',
    audio: p.audio !== false,
    video: p.video !== false,
    role: p.role === 'moderator' ? 'moderator' : 'guest',
    phone: p.phone === true,
  };
}

// `joined`, `lobby` and `room-updated` tell the room's slug, title and lock.
function roomInfo(msg) {
  if (typeof msg.room === 'string' && msg.room) plenum.room = msg.room;
  if (typeof msg.title === 'string' && msg.title) plenum.title = msg.title;
  if (typeof msg.locked === 'boolean') plenum.locked = msg.locked;
  const title = plenum.title || plenum.room || t('prejoin.invitation');
  // In a breakout room: the meeting's title and the room's name.
  const breakout = msg.breakout && typeof msg.breakout.name === 'string' ? msg.breakout.name : null;
  showTitle(breakout ? `${title} · ${breakout}` : title);
  ui.setLocked(plenum.locked);
}

// Moderator state back to "not in a meeting".
function resetMeeting() {
  plenum.role = null;
  plenum.lobby = [];
  plenum.locked = false;
  cued.clear();
  ui.closeDialog();
  ui.setModerator(false);
  ui.setLocked(false);
  ui.renderLobby([], false);
  chat.reset(null);
  chat.setModerator(false);
  speakers.setModerator(false);
  speakers.reset(null);
  plenum.layout = null;
  plenum.activeSpeaker = null;
  ui.setLayout(null);
  recording.setModerator(false);
  recording.reset();
  breakouts.setModerator(false);
  breakouts.reset();
  presentation.setModerator(false);
  presentation.reset();
}

// A moderator muted us: the server already left us out of the mix; switch the microphone off
// here too, so that what we show is true. Unmuting is up to the user.
function mutedByModerator(c, by) {
  wantAudio = false;
  if (media && media.mic) media.mic.enabled = false;
  refreshMediaUi();
  c.sentAudio = false;
  const self = participants.get(plenum.participantId);
  if (self) {
    participants.set(self.id, { ...self, audio: false });
    publishParticipants();
  }
  ui.toast(by ? t('mod.mutedBy', { name: by }) : t('mod.mutedByModerator'), 6000);
}

function knockCue() {
  plenum.knocks += 1;
  ui.playKnockSound();
  ui.flashKnock();
}

function setParticipants(list) {
  participants.clear();
  for (const raw of list) {
    const p = normParticipant(raw);
    if (p) participants.set(p.id, p);
  }
  publishParticipants();
}

function publishParticipants() {
  plenum.participants = [...participants.values()].map((p) => ({ ...p }));
  const self = participants.get(plenum.participantId);
  const wasModerator = plenum.role === 'moderator';
  plenum.role = self ? self.role : null;
  const moderator = plenum.role === 'moderator';
  ui.setModerator(moderator);
  chat.setModerator(moderator);
  speakers.setModerator(moderator); // re-renders the list through onChange when it changes
  recording.setModerator(moderator);
  breakouts.setModerator(moderator);
  breakouts.participantsChanged();
  presentation.setModerator(moderator);
  renderParticipantList();
  if (wasModerator !== moderator) ui.renderLobby(plenum.lobby, moderator);
}

function renderParticipantList() {
  const marks = (id) => ({ ...speakers.marksFor(id), speaking: id === plenum.activeSpeaker });
  ui.renderParticipants(plenum.participants, plenum.participantId, plenum.role === 'moderator', marks);
}

// ---- leaving, errors, rejoining ---------------------------------------------------------------

// Stops everything that runs in the room, including camera and microphone.
function teardown() {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  closeConnection();
  stopLocalMedia(media);
  media = null;
  clearInterval(retryTimer);
  retryTimer = null;
  plenum.audio = false;
  plenum.video = false;
  plenum.participantId = null;
  resetMeeting();
  setParticipants([]);
  ui.setBanner('');
  ui.setPanelOpen(false);
  ui.clearPreview();
}

function leave() {
  if (conn) conn.sig.send({ type: 'leave' });
  teardown();
  setState('left');
  const room = plenum.title || plenum.room || t('prejoin.invitation');
  ui.showEnded({ title: t('ended.leftTitle'), text: t('ended.leftText', { room }), canRejoin: true });
}

function fail(code, message, canRejoin) {
  teardown();
  plenum.error = { code, message: message || '' };
  setState('error');
  ui.showEnded({ title: t('ended.errorTitle'), text: errorText(code, message), canRejoin });
}

// The meeting is over for us by a moderator's decision: removed, ended, not let in.
function finish(code, params) {
  teardown();
  plenum.error = { code, message: '' };
  setState('ended');
  ui.showEnded({ title: t(`ended.${code}.title`), text: t(`ended.${code}.text`, params), canRejoin: false });
}

// A join the server refused for a reason with its own words (banned, locked, ...).
function refused(code, message, canRejoin) {
  teardown();
  plenum.error = { code, message: message || '' };
  setState('error');
  ui.showEnded({ title: t(`ended.${code}.title`), text: t(`ended.${code}.text`), canRejoin });
}

// ---- the room password ---------------------------------------------------------------------------

// The server wants the room's password (again); keeps camera and microphone running.
function askPassword(code, retryAfter) {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  closeConnection();
  setState('password');
  plenum.error = { code, message: '' };
  ui.showScreen('password');
  const input = ui.$('password-input');
  input.value = '';
  input.setAttribute('aria-invalid', String(code !== 'password-required'));
  clearInterval(retryTimer);
  retryTimer = null;
  plenum.retryAfter = 0;
  if (code === 'rate-limited' && retryAfter > 0) {
    plenum.retryAfter = retryAfter;
    const tick = () => {
      if (plenum.retryAfter <= 0) {
        clearInterval(retryTimer);
        retryTimer = null;
        ui.$('btn-password').disabled = false;
        ui.setText('password-error', '');
        return;
      }
      ui.setText('password-error', t('password.rateLimited', { s: plenum.retryAfter }));
      plenum.retryAfter -= 1;
    };
    ui.$('btn-password').disabled = true;
    tick();
    retryTimer = setInterval(tick, 1000);
  } else {
    ui.$('btn-password').disabled = false;
    ui.setText('password-error', code === 'wrong-password' ? t('password.wrong')
      : code === 'rate-limited' ? t('password.rateLimitedNow') : '');
  }
  input.focus();
}

function submitPassword() {
  if (plenum.state !== 'password' || ui.$('btn-password').disabled) return;
  const value = ui.$('password-input').value;
  if (!value) {
    ui.setText('password-error', t('password.empty'));
    ui.$('password-input').focus();
    return;
  }
  password = value;
  ui.setText('password-error', '');
  enterRoom();
}

// ---- consent to a recorded meeting ----------------------------------------------------------------

// The meeting is being recorded and the join did not say that the user agrees: ask first.
// Like the password screen, this keeps camera and microphone running; the answer joins on a new
// connection or stays out.
function askConsent(startedAt) {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  closeConnection();
  setState('consent');
  plenum.error = { code: 'recording-consent-required', message: '' };
  renderConsent(startedAt);
  ui.showScreen('consent');
  // The safe answer has the focus, as in the confirm dialog; a screen reader reads the dialog's
  // title and text with it.
  ui.$('btn-consent-decline').focus();
}

function consentJoin() {
  if (plenum.state !== 'consent') return;
  recording.giveConsent();
  enterRoom();
}

function consentDecline() {
  if (plenum.state !== 'consent') return;
  teardown();
  setState('declined');
  const room = plenum.title || plenum.room || t('prejoin.invitation');
  ui.showEnded({ title: t('declined.title'), text: t('declined.text', { room }), canRejoin: true, rejoinLabel: t('consent.join') });
  // Not on "Join anyway": an Enter pressed once too often must not take back the user's "no".
  ui.$('ended-home').focus();
}

// ---- moderation ------------------------------------------------------------------------------------

function moderate(msg) {
  const c = conn;
  if (!c || !c.joined || plenum.role !== 'moderator') return;
  c.sig.send(msg);
}

async function participantAction(action, id) {
  const p = participants.get(id);
  const waiting = plenum.lobby.find((w) => w.id === id);
  switch (action) {
    case 'mute': moderate({ type: 'mute', participantId: id }); break;
    case 'promote': moderate({ type: 'promote', participantId: id }); break;
    case 'remove':
      if (!p) return;
      if (await ui.confirmDialog(t('mod.removeConfirm', { name: p.name }), t('mod.remove'))) {
        moderate({ type: 'remove', participantId: id });
      }
      break;
    case 'give-floor': if (p) speakers.giveFloorTo(id); break;
    case 'admit': if (waiting) moderate({ type: 'admit', participantId: id }); break;
    case 'reject': if (waiting) moderate({ type: 'reject', participantId: id }); break;
    default:
  }
}

async function endMeeting() {
  if (plenum.role !== 'moderator') return;
  if (await ui.confirmDialog(t('mod.endConfirm'), t('mod.end'))) moderate({ type: 'end' });
}

async function rejoin() {
  if (plenum.state !== 'left' && plenum.state !== 'error' && plenum.state !== 'declined') return;
  // After "Don't join" the button says "Join anyway".
  if (plenum.state === 'declined') recording.giveConsent();
  if (!plenum.name || (!plenum.room && !plenum.invite)) {
    location.reload();
    return;
  }
  setState('connecting');
  ui.setStageStatus(t('room.connecting'));
  ui.showScreen('room');
  if (!media) await acquireMedia();
  if (plenum.state !== 'connecting' || conn) {
    // Left again (or something else happened) while the devices were starting.
    if (plenum.state === 'left' || plenum.state === 'error' || plenum.state === 'declined') {
      stopLocalMedia(media);
      media = null;
    }
    return;
  }
  enterRoom();
}

// ---- UI wiring ------------------------------------------------------------------------------

async function copyLink() {
  const link = plenum.invite
    ? `${location.origin}/j/${encodeURIComponent(plenum.invite)}`
    : `${location.origin}/r/${encodeURIComponent(plenum.room)}`;
  let ok = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(link);
      ok = true;
    }
  } catch { ok = false; }
  if (!ok) ok = legacyCopy(link);
  ui.toast(ok ? t('room.copied') : t('room.copyFailed', { link }), ok ? 2500 : 10000);
}

function legacyCopy(text) {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  area.remove();
  return ok;
}

function loadName() {
  try { return localStorage.getItem(NAME_KEY) || ''; } catch { return ''; }
}

function saveName(name) {
  try { localStorage.setItem(NAME_KEY, name); } catch { /* private mode */ }
}

function showTab(tab) {
  ui.setPanelOpen(true, tab);
  if (tab === 'chat' && document.visibilityState === 'visible') chat.seen();
}

function bindUi() {
  ui.$('prejoin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    join();
  });
  ui.$('name-input').addEventListener('input', () => ui.setNameError(''));
  ui.$('prejoin-mic').addEventListener('click', toggleMic);
  ui.$('prejoin-cam').addEventListener('click', toggleCam);
  ui.$('btn-mic').addEventListener('click', toggleMic);
  ui.$('btn-cam').addEventListener('click', toggleCam);
  ui.$('btn-leave').addEventListener('click', leave);
  ui.$('btn-rejoin').addEventListener('click', rejoin);
  ui.$('btn-copy-link').addEventListener('click', copyLink);
  ui.$('password-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitPassword();
  });
  ui.$('btn-password-cancel').addEventListener('click', leave);
  ui.$('btn-lobby-leave').addEventListener('click', leave);
  ui.$('btn-consent-join').addEventListener('click', consentJoin);
  ui.$('btn-consent-decline').addEventListener('click', consentDecline);
  for (const list of [ui.$('participant-list'), ui.$('lobby-list')]) {
    list.addEventListener('click', (ev) => {
      const btn = ev.target.closest('button[data-action]');
      if (btn) participantAction(btn.dataset.action, btn.dataset.id);
    });
  }
  ui.$('btn-knock-admit').addEventListener('click', () => participantAction('admit', ui.$('knock-bar').dataset.id));
  ui.$('btn-knock-reject').addEventListener('click', () => participantAction('reject', ui.$('knock-bar').dataset.id));
  ui.$('btn-knock-all').addEventListener('click', () => {
    ui.setPanelOpen(true, 'participants');
    ui.$('btn-knock-all').hidden = true;
  });
  ui.$('btn-mute-all').addEventListener('click', () => moderate({ type: 'mute-all' }));
  ui.$('btn-lock').addEventListener('click', () => moderate({ type: 'lock', locked: !plenum.locked }));
  ui.$('btn-end').addEventListener('click', endMeeting);
  // The toolbar's participants and chat buttons open the panel on their tab, or close it when
  // that tab is showing already.
  const panelButton = (btnId, tab) => ui.$(btnId).addEventListener('click', () => {
    if (ui.tabShowing(tab) || (tab === 'participants' && ui.isPanelOpen() && ui.panelTab() === 'speakers')) {
      ui.setPanelOpen(false);
      return;
    }
    showTab(tab);
    if (tab === 'chat') ui.$('chat-input').focus();
    else ui.$(`tab-btn-${tab}`).focus();
  });
  panelButton('btn-participants', 'participants');
  panelButton('btn-chat', 'chat');
  const tabs = ui.TABS.map((name) => ui.$(`tab-btn-${name}`));
  for (const btn of tabs) {
    btn.addEventListener('click', () => showTab(btn.dataset.tab));
    // Arrow keys move between the tabs (the ARIA tabs pattern).
    btn.addEventListener('keydown', (ev) => {
      const step = ev.key === 'ArrowRight' ? 1 : ev.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      ev.preventDefault();
      const next = tabs[(tabs.indexOf(btn) + step + tabs.length) % tabs.length];
      showTab(next.dataset.tab);
      next.focus();
    });
  }
  ui.$('btn-close-panel').addEventListener('click', () => {
    ui.setPanelOpen(false);
    ui.$('btn-participants').focus();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && ui.isPanelOpen() && !ui.$('confirm').open) {
      ui.setPanelOpen(false);
      ui.$('btn-participants').focus();
    }
  });
  document.addEventListener('visibilitychange', () => { if (ui.tabShowing('chat')) chat.seen(); });
  for (const btn of [ui.$('btn-export-text'), ui.$('btn-export-md')]) {
    btn.addEventListener('click', () => { if (plenum.role === 'moderator') chat.requestExport(btn.dataset.format); });
  }
  for (const btn of [ui.$('btn-layout-grid'), ui.$('btn-layout-speaker')]) {
    btn.addEventListener('click', () => { if (plenum.role === 'moderator') sendMeeting({ type: 'layout', layout: btn.dataset.layout }); });
  }
  ui.$('btn-sound').addEventListener('click', () => {
    ui.$('remote-audio').play().then(() => ui.showSoundButton(false)).catch(() => {});
  });
  // Turning a phone resizes the stage; a pause lets the rotation (and a keyboard that opens) settle.
  let viewTimer = null;
  new ResizeObserver(() => {
    clearTimeout(viewTimer);
    viewTimer = setTimeout(announceView, 400);
  }).observe(ui.$('composite').parentElement);
  ui.$('composite').addEventListener('playing', () => {
    videoShowing = true;
    if (plenum.state === 'joined') ui.setStageStatus('');
  });
  // Closing the tab: tell the server right away instead of letting it time out.
  window.addEventListener('pagehide', () => {
    if (conn) conn.sig.send({ type: 'leave' });
  });
}

main();
