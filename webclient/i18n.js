// All user-visible strings of the Plenum web client, German and English.
// Language: `?lang=de|en` wins; otherwise the first entry of navigator.languages that is
// German or English decides; otherwise English.

const STRINGS = {
  en: {
    'landing.docTitle': 'Plenum – video conferences',
    'landing.tagline': 'Self-hosted video conferences',
    'landing.roomLabel': 'Room name',
    'landing.roomPlaceholder': 'e.g. team-meeting',
    'landing.roomHint': 'Letters A–Z, digits, dot, underscore and hyphen; up to 64 characters.',
    'landing.go': 'Open room',
    'landing.staffLogin': 'Staff login: your rooms and invitations',
    'landing.errEmpty': 'Please enter a room name.',
    'landing.errInvalid': 'This room name is not allowed.',
    'landing.sanitized': 'Characters that are not allowed were replaced or removed.',

    'room.docTitle': '{room} – Plenum',
    'prejoin.heading': 'Ready to join?',
    'prejoin.roomLabel': 'Room',
    'prejoin.nameLabel': 'Your name',
    'prejoin.namePlaceholder': 'Shown to others',
    'prejoin.errName': 'Please enter a name (1–64 characters).',
    'prejoin.join': 'Join',
    'prejoin.gettingMedia': 'Starting camera and microphone…',
    'preview.camOff': 'Camera is off',

    'media.denied': 'Access to camera and microphone was denied. You can join without them.',
    'media.none': 'No camera or microphone found. You can join without them.',
    'media.busy': 'Camera or microphone is in use by another application. You can join without them.',
    'media.noCamera': 'No camera available – you will join without video.',
    'media.noMic': 'No microphone available – you will join without sound.',
    'media.insecure': 'Camera and microphone need a secure (HTTPS) connection. You can join without them.',
    'media.unsupported': 'This browser cannot use camera and microphone. You can join without them.',


    'prejoin.invitation': 'Invitation',
    'password.heading': 'Room password',
    'password.text': 'This meeting is protected by a password. You find it in your invitation.',
    'password.label': 'Password',
    'password.submit': 'Join',
    'password.cancel': 'Cancel',
    'password.empty': 'Please enter the password.',
    'password.wrong': 'The password is not correct. Please try again.',
    'password.rateLimited': 'Too many wrong attempts. Please try again in {s} s.',
    'password.rateLimitedNow': 'Too many wrong attempts. Please try again later.',

    'lobby.heading': 'Please wait',
    'lobby.text': 'The moderator will let you in shortly.',
    'lobby.leave': 'Leave',
    'lobby.admitted': 'You have been let in',

    'room.locked': 'Locked',
    'room.nowLocked': 'The room was locked: nobody new can join',
    'room.nowUnlocked': 'The room was unlocked',
    'room.removed': '{name} was removed from the meeting',
    'p.moderator': 'Moderator',

    'mod.heading': 'Moderation',
    'mod.muteAll': 'Mute all',
    'mod.lock': 'Lock room',
    'mod.unlock': 'Unlock room',
    'mod.end': 'End meeting',
    'mod.inMeeting': 'In the meeting',
    'mod.waiting': 'Waiting to join ({n})',
    'mod.admit': 'Admit',
    'mod.reject': 'Reject',
    'mod.showLobby': 'Show all',
    'mod.knockOne': '{name} is waiting to join',
    'mod.knockMany': '{name} and {n} more are waiting to join',
    'mod.knockToast': '{name} is waiting to join',
    'mod.muteName': 'Mute {name}',
    'mod.promoteName': 'Make {name} moderator',
    'mod.removeName': 'Remove {name}',
    'mod.admitName': 'Admit {name}',
    'mod.rejectName': 'Reject {name}',
    'mod.remove': 'Remove',
    'mod.removeConfirm': 'Remove {name} from the meeting? They cannot rejoin it from this browser.',
    'mod.endConfirm': 'End the meeting for everyone?',
    'mod.youPromoted': 'You are now a moderator',
    'mod.promoted': '{name} is now a moderator',
    'mod.mutedBy': '{name} muted your microphone. You can unmute yourself.',
    'mod.mutedByModerator': 'A moderator muted your microphone. You can unmute yourself.',
    'confirm.cancel': 'Cancel',

    'ctl.controls': 'Meeting controls',
    'ctl.mic': 'Microphone',
    'ctl.cam': 'Camera',
    'ctl.mute': 'Mute microphone',
    'ctl.unmute': 'Unmute microphone',
    'ctl.camOff': 'Turn camera off',
    'ctl.camOn': 'Turn camera on',
    'ctl.noMic': 'No microphone',
    'ctl.noCam': 'No camera',
    'ctl.leave': 'Leave',
    'ctl.leaveLabel': 'Leave meeting',
    'ctl.participants': 'Participants',
    'ctl.copyLink': 'Copy link',
    'ctl.copyLinkLabel': 'Copy link to this meeting',
    'ctl.closePanel': 'Close participant list',

    'room.connecting': 'Connecting…',
    'room.waitingVideo': 'Waiting for video…',
    'room.reconnecting': 'No connection to the server. Trying again ({n} of {max})…',
    'room.mediaInterrupted': 'Media connection interrupted…',
    'room.enableSound': 'Enable sound',
    'room.copied': 'Link copied',
    'room.copyFailed': 'Could not copy the link: {link}',
    'room.you': '(you)',
    'room.joined': '{name} joined',
    'room.left': '{name} left',
    'room.lost': '{name} lost the connection',
    'p.micOn': 'microphone on',
    'p.micOff': 'microphone off',
    'p.camOn': 'camera on',
    'p.camOff': 'camera off',

    'ended.leftTitle': 'You left the meeting',
    'ended.leftText': 'Room: {room}',
    'ended.errorTitle': 'Something went wrong',
    'ended.lostTitle': 'Connection lost',
    'ended.lostText': 'The connection to the server could not be restored.',
    'ended.rejoin': 'Rejoin',
    'ended.home': 'Start page',

    'ended.removed.title': 'You were removed from the meeting',
    'ended.removed.text': '{by} removed you from the meeting. You cannot rejoin it.',
    'ended.meeting-ended.title': 'The meeting has ended',
    'ended.meeting-ended.text': 'A moderator ended the meeting for everyone.',
    'ended.lobby-rejected.title': 'You were not let in',
    'ended.lobby-rejected.text': 'The moderator declined your request to join this meeting.',
    'ended.banned.title': 'You cannot rejoin',
    'ended.banned.text': 'You were removed from this meeting and cannot rejoin it.',
    'ended.room-locked.title': 'The meeting is locked',
    'ended.room-locked.text': 'A moderator locked this meeting: nobody new can join at the moment.',
    'ended.room-full.title': 'The meeting is full',
    'ended.room-full.text': 'This meeting has reached its participant limit.',
    'ended.no-such-room.title': 'Meeting not found',
    'ended.no-such-room.text': 'This link is not valid (any more). Please ask for a new invitation.',
    'ended.invite-required.title': 'Invitation needed',
    'ended.invite-required.text': 'This room can only be entered with its invitation link.',

    'error.invalid-invite': 'The invitation link in this address is not valid.',
    'error.forbidden': 'Only moderators can do that.',
    'error.no-such-participant': 'This person is no longer there.',

    'error.invalid-room': 'The room name in this address is not valid.',
    'error.room-full': 'This meeting is full.',
    'error.bad-field': 'The server refused a request: {message}',
    'error.bad-sdp': 'The media connection could not be negotiated.',
    'error.bad-candidate': 'A network address was refused by the server.',
    'error.too-many-errors': 'The server ended the connection after too many errors.',
    'error.internal': 'The server had an internal problem.',
    'error.media-setup': 'The media connection could not be set up.',
    'error.generic': 'The server reported an error ({code}).',
  },
  de: {
    'landing.docTitle': 'Plenum – Videokonferenzen',
    'landing.tagline': 'Selbst betriebene Videokonferenzen',
    'landing.roomLabel': 'Raumname',
    'landing.staffLogin': 'Anmeldung für Mitarbeitende: Ihre Räume und Einladungen',
    'landing.roomPlaceholder': 'z. B. team-besprechung',
    'landing.roomHint': 'Buchstaben A–Z, Ziffern, Punkt, Unterstrich und Bindestrich; bis zu 64 Zeichen.',
    'landing.go': 'Raum öffnen',
    'landing.errEmpty': 'Bitte einen Raumnamen eingeben.',
    'landing.errInvalid': 'Dieser Raumname ist nicht erlaubt.',
    'landing.sanitized': 'Nicht erlaubte Zeichen wurden ersetzt oder entfernt.',

    'room.docTitle': '{room} – Plenum',
    'prejoin.heading': 'Bereit zum Beitreten?',
    'prejoin.roomLabel': 'Raum',
    'prejoin.nameLabel': 'Ihr Name',
    'prejoin.namePlaceholder': 'Wird den anderen angezeigt',
    'prejoin.errName': 'Bitte einen Namen eingeben (1–64 Zeichen).',
    'prejoin.join': 'Beitreten',
    'prejoin.gettingMedia': 'Kamera und Mikrofon werden gestartet …',
    'preview.camOff': 'Kamera ist aus',

    'media.denied': 'Der Zugriff auf Kamera und Mikrofon wurde verweigert. Sie können trotzdem teilnehmen.',
    'media.none': 'Keine Kamera und kein Mikrofon gefunden. Sie können trotzdem teilnehmen.',
    'media.busy': 'Kamera oder Mikrofon wird von einer anderen Anwendung benutzt. Sie können trotzdem teilnehmen.',
    'media.noCamera': 'Keine Kamera verfügbar – Sie nehmen ohne Video teil.',
    'media.noMic': 'Kein Mikrofon verfügbar – Sie nehmen ohne Ton teil.',
    'media.insecure': 'Kamera und Mikrofon brauchen eine sichere Verbindung (HTTPS). Sie können trotzdem teilnehmen.',
    'media.unsupported': 'Dieser Browser kann Kamera und Mikrofon nicht nutzen. Sie können trotzdem teilnehmen.',


    'prejoin.invitation': 'Einladung',
    'password.heading': 'Raumpasswort',
    'password.text': 'Diese Besprechung ist durch ein Passwort geschützt. Sie finden es in Ihrer Einladung.',
    'password.label': 'Passwort',
    'password.submit': 'Beitreten',
    'password.cancel': 'Abbrechen',
    'password.empty': 'Bitte das Passwort eingeben.',
    'password.wrong': 'Das Passwort ist nicht richtig. Bitte erneut versuchen.',
    'password.rateLimited': 'Zu viele Fehlversuche. Bitte in {s} s erneut versuchen.',
    'password.rateLimitedNow': 'Zu viele Fehlversuche. Bitte später erneut versuchen.',

    'lobby.heading': 'Bitte warten',
    'lobby.text': 'Die Moderation lässt Sie in Kürze herein.',
    'lobby.leave': 'Verlassen',
    'lobby.admitted': 'Sie wurden hereingelassen',

    'room.locked': 'Gesperrt',
    'room.nowLocked': 'Der Raum wurde gesperrt: niemand Neues kann beitreten',
    'room.nowUnlocked': 'Der Raum wurde entsperrt',
    'room.removed': '{name} wurde aus der Besprechung entfernt',
    'p.moderator': 'Moderation',

    'mod.heading': 'Moderation',
    'mod.muteAll': 'Alle stummschalten',
    'mod.lock': 'Raum sperren',
    'mod.unlock': 'Raum entsperren',
    'mod.end': 'Besprechung beenden',
    'mod.inMeeting': 'In der Besprechung',
    'mod.waiting': 'Wartet auf Einlass ({n})',
    'mod.admit': 'Einlassen',
    'mod.reject': 'Ablehnen',
    'mod.showLobby': 'Alle zeigen',
    'mod.knockOne': '{name} wartet auf Einlass',
    'mod.knockMany': '{name} und {n} weitere warten auf Einlass',
    'mod.knockToast': '{name} wartet auf Einlass',
    'mod.muteName': '{name} stummschalten',
    'mod.promoteName': '{name} zur Moderation machen',
    'mod.removeName': '{name} entfernen',
    'mod.admitName': '{name} einlassen',
    'mod.rejectName': '{name} ablehnen',
    'mod.remove': 'Entfernen',
    'mod.removeConfirm': '{name} aus der Besprechung entfernen? Ein erneuter Beitritt aus diesem Browser ist dann nicht möglich.',
    'mod.endConfirm': 'Die Besprechung für alle beenden?',
    'mod.youPromoted': 'Sie moderieren jetzt',
    'mod.promoted': '{name} moderiert jetzt',
    'mod.mutedBy': '{name} hat Ihr Mikrofon stummgeschaltet. Sie können es selbst wieder einschalten.',
    'mod.mutedByModerator': 'Die Moderation hat Ihr Mikrofon stummgeschaltet. Sie können es selbst wieder einschalten.',
    'confirm.cancel': 'Abbrechen',

    'ctl.controls': 'Steuerung der Besprechung',
    'ctl.mic': 'Mikrofon',
    'ctl.cam': 'Kamera',
    'ctl.mute': 'Mikrofon stummschalten',
    'ctl.unmute': 'Mikrofon einschalten',
    'ctl.camOff': 'Kamera ausschalten',
    'ctl.camOn': 'Kamera einschalten',
    'ctl.noMic': 'Kein Mikrofon',
    'ctl.noCam': 'Keine Kamera',
    'ctl.leave': 'Verlassen',
    'ctl.leaveLabel': 'Besprechung verlassen',
    'ctl.participants': 'Teilnehmende',
    'ctl.copyLink': 'Link kopieren',
    'ctl.copyLinkLabel': 'Link kopieren (Einladung zur Besprechung)',
    'ctl.closePanel': 'Teilnehmerliste schließen',

    'room.connecting': 'Verbindung wird hergestellt …',
    'room.waitingVideo': 'Warte auf Video …',
    'room.reconnecting': 'Keine Verbindung zum Server. Neuer Versuch ({n} von {max}) …',
    'room.mediaInterrupted': 'Medienverbindung unterbrochen …',
    'room.enableSound': 'Ton einschalten',
    'room.copied': 'Link kopiert',
    'room.copyFailed': 'Link konnte nicht kopiert werden: {link}',
    'room.you': '(Sie)',
    'room.joined': '{name} ist beigetreten',
    'room.left': '{name} hat die Besprechung verlassen',
    'room.lost': '{name} hat die Verbindung verloren',
    'p.micOn': 'Mikrofon an',
    'p.micOff': 'Mikrofon aus',
    'p.camOn': 'Kamera an',
    'p.camOff': 'Kamera aus',

    'ended.leftTitle': 'Sie haben die Besprechung verlassen',
    'ended.leftText': 'Raum: {room}',
    'ended.errorTitle': 'Es ist ein Fehler aufgetreten',
    'ended.lostTitle': 'Verbindung verloren',
    'ended.lostText': 'Die Verbindung zum Server konnte nicht wiederhergestellt werden.',
    'ended.rejoin': 'Erneut beitreten',
    'ended.home': 'Startseite',

    'ended.removed.title': 'Sie wurden aus der Besprechung entfernt',
    'ended.removed.text': '{by} hat Sie aus der Besprechung entfernt. Ein erneuter Beitritt ist nicht möglich.',
    'ended.meeting-ended.title': 'Die Besprechung wurde beendet',
    'ended.meeting-ended.text': 'Die Moderation hat die Besprechung für alle beendet.',
    'ended.lobby-rejected.title': 'Kein Einlass',
    'ended.lobby-rejected.text': 'Die Moderation hat Ihre Beitrittsanfrage abgelehnt.',
    'ended.banned.title': 'Kein erneuter Beitritt möglich',
    'ended.banned.text': 'Sie wurden aus dieser Besprechung entfernt und können ihr nicht erneut beitreten.',
    'ended.room-locked.title': 'Die Besprechung ist gesperrt',
    'ended.room-locked.text': 'Die Moderation hat die Besprechung gesperrt: im Moment kann niemand Neues beitreten.',
    'ended.room-full.title': 'Die Besprechung ist voll',
    'ended.room-full.text': 'Die Besprechung hat die höchste Teilnehmerzahl erreicht.',
    'ended.no-such-room.title': 'Besprechung nicht gefunden',
    'ended.no-such-room.text': 'Dieser Link ist nicht (mehr) gültig. Bitte fragen Sie nach einer neuen Einladung.',
    'ended.invite-required.title': 'Einladung erforderlich',
    'ended.invite-required.text': 'Dieser Raum ist nur über seinen Einladungslink erreichbar.',

    'error.invalid-invite': 'Der Einladungslink in dieser Adresse ist ungültig.',
    'error.forbidden': 'Das darf nur die Moderation.',
    'error.no-such-participant': 'Diese Person ist nicht mehr da.',

    'error.invalid-room': 'Der Raumname in dieser Adresse ist ungültig.',
    'error.room-full': 'Diese Besprechung ist voll.',
    'error.bad-field': 'Der Server hat eine Anfrage abgelehnt: {message}',
    'error.bad-sdp': 'Die Medienverbindung konnte nicht ausgehandelt werden.',
    'error.bad-candidate': 'Eine Netzwerkadresse wurde vom Server abgelehnt.',
    'error.too-many-errors': 'Der Server hat die Verbindung nach zu vielen Fehlern beendet.',
    'error.internal': 'Im Server ist ein interner Fehler aufgetreten.',
    'error.media-setup': 'Die Medienverbindung konnte nicht aufgebaut werden.',
    'error.generic': 'Der Server hat einen Fehler gemeldet ({code}).',
  },
};

export function detectLanguage(search, languages) {
  const forced = new URLSearchParams(search || '').get('lang');
  if (forced === 'de' || forced === 'en') return forced;
  for (const entry of languages || []) {
    const l = String(entry).toLowerCase();
    if (l.startsWith('de')) return 'de';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

export const lang = detectLanguage(
  location.search,
  navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language],
);

// has/t/applyI18n over one string table; the staff pages (portal-i18n.js) make their own.
export function makeTranslator(strings) {
  const has = (key) => Object.prototype.hasOwnProperty.call(strings.en, key);
  // t('room.joined', {name}) → plain text (always put into textContent/attributes, never HTML).
  const t = (key, params) => {
    const table = strings[lang];
    let s = Object.prototype.hasOwnProperty.call(table, key) ? table[key]
      : has(key) ? strings.en[key] : key;
    if (params) {
      s = s.replace(/\{(\w+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m));
    }
    return s;
  };
  // Fills [data-i18n] (text), [data-i18n-label] (aria-label), [data-i18n-title] (title),
  // [data-i18n-placeholder] (placeholder) below root (a document or an element, e.g. a cloned
  // <template>) and sets <html lang>.
  const applyI18n = (root = document) => {
    document.documentElement.lang = lang;
    const all = (sel) => {
      const found = [...root.querySelectorAll(sel)];
      if (root.matches && root.matches(sel)) found.unshift(root);
      return found;
    };
    for (const el of all('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of all('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
    for (const el of all('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
    for (const el of all('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  };
  return { has, t, applyI18n };
}

export const { has, t, applyI18n } = makeTranslator(STRINGS);
