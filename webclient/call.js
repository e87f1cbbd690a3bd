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
    this.videoRequest = null; // what the server asks the camera to send (send-video), or null
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
      const mids = midsOf(sdp);
      const all = pc.getTransceivers();
      for (const tr of all) {
        if (tr.direction === 'stopped' || tr.currentDirection === 'stopped') continue;
        const index = mLineIndex(tr, mids, all);
        tr.direction = index === 2 ? 'sendonly' : index < 2 ? 'sendrecv' : 'recvonly';
      }
      // Our tracks before the answer (the encoders start now, not while the first composite
      // frames arrive); a track that comes later, e.g. a camera that was still starting, goes on
      // with refreshLocalTracks, without renegotiation.
      await this.putLocalTracks(mids, all);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      if (this.closed) return;
      this.opts.send({ type: 'answer', sdp: pc.localDescription.sdp });
      this.answered = true;
      for (const msg of this.pendingLocal.splice(0)) this.opts.send(msg);
      // The server's early candidates once the answer is set, one at a time: nothing touches the
      // transports between offer and answer (a candidate added while setLocalDescription ran
      // made Chromium fail the answer with "Failed to setup RTCP mux").
      for (const c of this.pendingRemote.splice(0)) await this.addCandidate(c);
      // The camera's encoding only saves bandwidth: its failure must not fail the call.
      await this.applyCameraEncoding().catch((err) => console.warn('plenum: could not adapt the camera encoding', err));
    });
  }

  // Puts the microphone, the camera and the screen share on m-lines 0, 1 and 2's senders.
  async putLocalTracks(mids, all) {
    const { mic, cam } = this.opts.getLocalTracks();
    for (const tr of all) {
      if (tr.direction === 'stopped' || tr.currentDirection === 'stopped') continue;
      const index = mLineIndex(tr, mids, all);
      const wanted = index === 0 ? mic : index === 1 ? cam : index === 2 ? this.screenTrack : null;
      // A track of the other kind cannot go on this sender (a server that orders differently).
      const kind = tr.receiver.track && tr.receiver.track.kind;
      const track = wanted && wanted.kind === kind ? wanted : null;
      if (tr.sender.track !== track) await tr.sender.replaceTrack(track);
    }
  }

  // The local tracks changed (the devices started after the offer): onto the senders, no
  // renegotiation. Before the first offer nothing to do: the offer puts them on.
  refreshLocalTracks() {
    return this.enqueue(async () => {
      const pc = this.pc;
      if (!pc || !pc.remoteDescription || !this.answered) return;
      await this.putLocalTracks(midsOf(pc.remoteDescription.sdp), pc.getTransceivers());
      await this.applyCameraEncoding();
    }).catch((err) => console.warn('plenum: could not put the local tracks on', err));
  }

  // The server's send-video: { width, height, fps, maxKbps } for the camera's tile as it is
  // shown now. Kept, and applied now and after every offer.
  setVideoRequest(request) {
    this.videoRequest = request;
    return this.updateCameraEncoding();
  }

  // Applies the request and the camera's on/off state (a camera turned off sends nothing at all,
  // not black frames) to m-line 1's sender; call it when the camera is turned on or off.
  updateCameraEncoding() {
    return this.enqueue(() => this.applyCameraEncoding())
      .catch((err) => console.warn('plenum: could not adapt the camera encoding', err));
  }

  async applyCameraEncoding() {
    const tr = this.transceiverAt(1);
    if (!tr || !this.answered) return;
    const params = tr.sender.getParameters();
    if (!params.encodings || !params.encodings.length) return;
    const encoding = params.encodings[0];
    const track = tr.sender.track;
    const request = this.videoRequest;
    if (request && track) {
      // The tile letterboxes the picture to 16:9, so its height is what is shown (also of a
      // portrait or 4:3 camera).
      const height = Number(track.getSettings().height) || 0;
      encoding.scaleResolutionDownBy = height > request.height ? height / request.height : 1;
      encoding.maxFramerate = request.fps;
      encoding.maxBitrate = request.maxKbps * 1000;
      // The server asked for this size: under load, send fewer frames rather than smaller ones.
      params.degradationPreference = 'maintain-resolution';
    }
    encoding.active = !!track && track.enabled;
    await tr.sender.setParameters(params);
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
    return this.transceiverAt(2);
  }

  transceiverAt(index) {
    const pc = this.pc;
    if (!pc || !pc.remoteDescription) return null;
    const mids = midsOf(pc.remoteDescription.sdp);
    const all = pc.getTransceivers();
    return all.find((tr) => tr.direction !== 'stopped' && mLineIndex(tr, mids, all) === index) || null;
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
