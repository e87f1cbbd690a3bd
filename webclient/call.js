// SPDX-License-Identifier: EUPL-1.2
// The media connection to plenumd: one RTCPeerConnection per signaling connection.
// The server offers three m-lines, bundled; we answer. By m-line index: 0 audio (sendrecv: the
// mix-minus down, the microphone up), 1 video (sendrecv: the composite down, the camera up),
// 2 video (sendonly from here: the screen share, no track until the server accepted a share).

// Video codecs this browser can receive, as the `join` message wants them:
// "H264/<profile-level-id>" (packetization-mode=1 only) and "VP8", deduplicated, in the
// browser's order. null when the browser cannot tell (the server then uses its default).
export function receiveVideoCodecs() {
  let caps = null;
  try {
    caps = window.RTCRtpReceiver && RTCRtpReceiver.getCapabilities
      ? RTCRtpReceiver.getCapabilities('video') : null;
  } catch { caps = null; }
  if (!caps || !Array.isArray(caps.codecs)) return null;
  const out = [];
  for (const c of caps.codecs) {
    const mime = String(c.mimeType || '').toLowerCase();
    if (mime === 'video/vp8') {
      out.push('VP8');
    } else if (mime === 'video/h264') {
      const fmtp = parseFmtp(c.sdpFmtpLine);
      const pli = fmtp['profile-level-id'] || '';
      if (fmtp['packetization-mode'] === '1' && /^[0-9a-f]{6}$/i.test(pli)) out.push(`H264/${pli.toLowerCase()}`);
    }
  }
  const unique = [...new Set(out)];
  return unique.length ? unique : null;
}

function parseFmtp(line) {
  const params = {};
  for (const part of String(line || '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) params[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return params;
}

// The a=mid values of an SDP's m-sections, in order (null where one has none).
function midsOf(sdp) {
  const mids = [];
  for (const line of String(sdp || '').split(/\r?\n/)) {
    if (line.startsWith('m=')) mids.push(null);
    else if (line.startsWith('a=mid:') && mids.length) mids[mids.length - 1] = line.slice(6).trim();
  }
  return mids;
}

// A transceiver's m-line index: by its mid, else by its place (transceivers made by an offer
// are in m-line order).
function mLineIndex(tr, mids, all) {
  const i = tr.mid == null ? -1 : mids.indexOf(tr.mid);
  return i >= 0 ? i : all.indexOf(tr);
}

export class Call {
  // opts: { send(msg), getLocalTracks() → {mic, cam}, onPeerConnection(pc),
  //         onRemoteTrack(track, remoteStream), onConnectionState(state) }
  constructor(opts) {
    this.opts = opts;
    this.pc = null;
    this.remoteStream = new MediaStream();
    this.closed = false;
    this.answered = false;
    this.iceServers = [];    // the server's TURN relay (from `joined`), for networks that block UDP
    this.pendingRemote = []; // server candidates that came before the offer was applied
    this.pendingLocal = [];  // our candidates gathered before the answer went out
    this.chain = Promise.resolve(); // offers and candidates are handled strictly in order
    this.screenTrack = null; // the accepted screen share's track (m-line 2), or null
  }

  enqueue(fn) {
    const run = this.chain.then(() => (this.closed ? undefined : fn()));
    this.chain = run.catch(() => {});
    return run;
  }

  // Keeps the well-formed entries of `joined.iceServers`; the offer comes after `joined`.
  setIceServers(servers) {
    const valid = (s) => s && Array.isArray(s.urls) && s.urls.every((u) => typeof u === 'string')
      && typeof s.username === 'string' && typeof s.credential === 'string';
    this.iceServers = Array.isArray(servers)
      ? servers.filter(valid).map((s) => ({ urls: s.urls, username: s.username, credential: s.credential }))
      : [];
  }

  createPeerConnection() {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle' });
    pc.ontrack = (ev) => {
      if (this.closed) return;
      // Only m-lines 0 and 1 bring media down (m-line 2 carries the screen share up).
      if (ev.transceiver && ev.transceiver === this.screenTransceiver()) return;
      const track = ev.track;
      for (const old of this.remoteStream.getTracks()) {
        if (old.kind === track.kind && old !== track) this.remoteStream.removeTrack(old);
      }
      if (!this.remoteStream.getTrackById(track.id)) this.remoteStream.addTrack(track);
      this.opts.onRemoteTrack(track, this.remoteStream);
    };
    pc.onicecandidate = (ev) => {
      if (this.closed) return;
      let msg;
      if (ev.candidate) {
        if (!ev.candidate.candidate) return; // per-m-line end marker; we send one at the very end
        const idx = ev.candidate.sdpMLineIndex;
        msg = { type: 'candidate', candidate: ev.candidate.candidate, sdpMLineIndex: Number.isInteger(idx) ? idx : 0 };
      } else {
        msg = { type: 'candidate', candidate: '', sdpMLineIndex: 0 };
      }
      if (this.answered) this.opts.send(msg);
      else this.pendingLocal.push(msg);
    };
    pc.onconnectionstatechange = () => {
      if (!this.closed) this.opts.onConnectionState(pc.connectionState);
    };
    this.opts.onPeerConnection(pc);
    return pc;
  }

  // Applies the server's offer (first one or a renegotiation) and sends the answer.
  // Rejects when the offer cannot be answered.
  handleOffer(sdp) {
    return this.enqueue(async () => {
      if (!this.pc) this.pc = this.createPeerConnection();
      const pc = this.pc;
      this.answered = false;
      await pc.setRemoteDescription({ type: 'offer', sdp });
      const pending = this.pendingRemote.splice(0);
      for (const c of pending) await this.addCandidate(c);
      const { mic, cam } = this.opts.getLocalTracks();
      const mids = midsOf(sdp);
      const all = pc.getTransceivers();
      for (const tr of all) {
        if (tr.direction === 'stopped' || tr.currentDirection === 'stopped') continue;
        const index = mLineIndex(tr, mids, all);
        const wanted = index === 0 ? mic : index === 1 ? cam : index === 2 ? this.screenTrack : null;
        // A track of the other kind cannot go on this sender (a server that orders differently).
        const kind = tr.receiver.track && tr.receiver.track.kind;
        const track = wanted && wanted.kind === kind ? wanted : null;
        if (tr.sender.track !== track) await tr.sender.replaceTrack(track);
        tr.direction = index === 2 ? 'sendonly' : index < 2 ? 'sendrecv' : 'recvonly';
      }
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (this.closed) return;
      this.opts.send({ type: 'answer', sdp: pc.localDescription.sdp });
      this.answered = true;
      for (const msg of this.pendingLocal.splice(0)) this.opts.send(msg);
    });
  }

  // The screen share's track (null: none) on m-line 2's sender: replaceTrack, no renegotiation.
  // Before the first offer it is only remembered; every offer puts it on again.
  setScreenTrack(track) {
    this.screenTrack = track || null;
    return this.enqueue(async () => {
      const tr = this.screenTransceiver();
      if (tr && tr.sender.track !== this.screenTrack) await tr.sender.replaceTrack(this.screenTrack);
    }).catch((err) => console.warn('plenum: could not set the screen track', err));
  }

  screenTransceiver() {
    const pc = this.pc;
    if (!pc || !pc.remoteDescription) return null;
    const mids = midsOf(pc.remoteDescription.sdp);
    const all = pc.getTransceivers();
    return all.find((tr) => tr.direction !== 'stopped' && mLineIndex(tr, mids, all) === 2) || null;
  }

  // A trickled server candidate; candidate '' means end of candidates.
  handleCandidate(candidate, sdpMLineIndex) {
    return this.enqueue(async () => {
      const init = { candidate, sdpMLineIndex };
      if (!this.pc || !this.pc.remoteDescription) this.pendingRemote.push(init);
      else await this.addCandidate(init);
    });
  }

  async addCandidate(init) {
    try {
      await this.pc.addIceCandidate(init);
    } catch (err) {
      console.warn('plenum: addIceCandidate failed', init.candidate, err);
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.pc) {
      this.pc.ontrack = null;
      this.pc.onicecandidate = null;
      this.pc.onconnectionstatechange = null;
      try { this.pc.close(); } catch { /* ignore */ }
    }
    for (const track of this.remoteStream.getTracks()) track.stop();
  }
}
