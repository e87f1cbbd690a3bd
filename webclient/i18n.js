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

export function has(key) {
  return Object.prototype.hasOwnProperty.call(STRINGS.en, key);
}

// t('room.joined', {name}) → plain text (always put into textContent/attributes, never HTML).
export function t(key, params) {
  const table = STRINGS[lang];
  let s = Object.prototype.hasOwnProperty.call(table, key) ? table[key]
    : has(key) ? STRINGS.en[key] : key;
  if (params) {
    s = s.replace(/\{(\w+)\}/g, (m, k) => (Object.prototype.hasOwnProperty.call(params, k) ? String(params[k]) : m));
  }
  return s;
}

// Fills [data-i18n] (text), [data-i18n-label] (aria-label), [data-i18n-title] (title),
// [data-i18n-placeholder] (placeholder) and sets <html lang>.
export function applyI18n(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
}
