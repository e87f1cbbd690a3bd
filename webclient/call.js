// SPDX-License-Identifier: EUPL-1.2
// The media connection to plenumd: one RTCPeerConnection per signaling connection.
// The server offers (one audio + one video m-line, sendrecv, bundled); we answer.

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
      for (const tr of pc.getTransceivers()) {
        if (tr.direction === 'stopped' || tr.currentDirection === 'stopped') continue;
        const kind = tr.receiver.track && tr.receiver.track.kind;
        const track = kind === 'audio' ? mic : kind === 'video' ? cam : null;
        if (tr.sender.track !== track) await tr.sender.replaceTrack(track || null);
        tr.direction = 'sendrecv';
      }
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (this.closed) return;
      this.opts.send({ type: 'answer', sdp: pc.localDescription.sdp });
      this.answered = true;
      for (const msg of this.pendingLocal.splice(0)) this.opts.send(msg);
    });
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
