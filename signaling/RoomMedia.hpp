// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What a Room needs from its media: a tile, a place in the mix and a WebRTC endpoint per
// participant, server-side mute and camera placeholder. signaling/ knows no GStreamer: the
// implementation, appliance::GstRoomMedia, attaches one mixer::WebRtcEndpoint per participant to
// a mixer::RoomMixer; tests pass a fake that records calls.
// Conference thread only.
#include "mixer/MixerSettings.hpp"
#include "mixer/Seat.hpp"
#include "mixer/TileLayout.hpp"
#include "mixer/TileVideoRequest.hpp"
#include "signaling/PhoneLine.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace plenum::signaling {

// Why a participant's media failed (sent to the participant as media-failed's `reason`).
enum class MediaFailure {
  ConnectionFailed,  // ICE or DTLS failed (for longer than ice.failed-grace-ms)
  AnswerRefused,     // the answer was accepted at first and refused by the media stack later
  DecoderError,      // the participant's camera or microphone stream could not be decoded
  Internal,          // anything else in the participant's own media elements
};
const char* toString(MediaFailure failure);

class RoomMedia {
public:
  class Listener {
  public:
    virtual ~Listener() = default;
    virtual void OnRoomMediaOffer(const std::string& participantId, const std::string& sdp) = 0;
    virtual void OnRoomMediaCandidate(const std::string& participantId, unsigned mline,
                                      const std::string& candidate) = 0;
    // The participant's media failed; `detail` is for the log (escaped, one line). The room takes
    // the participant out (removeParticipant). May be called from inside a media callback: the
    // listener must not remove the participant right away.
    virtual void OnRoomMediaFailed(const std::string& participantId, MediaFailure failure,
                                   const std::string& detail) = 0;
    // The active speaker changed (nullopt: nobody is speaking). The media detects it from the
    // levels of the audio it mixes, with hysteresis, one speaker at a time, and has already
    // marked that tile in the composite.
    virtual void OnRoomMediaActiveSpeaker(const std::optional<std::string>& participantId) = 0;
    // The recorder failed (e.g. the disk is full or gone); `detail` is for the log. What it has
    // written so far is kept: the room stops the recording (stopRecording).
    virtual void OnRoomMediaRecordingFailed(const std::string& detail) = 0;
    // What the participant's camera should send now (its tile changed size): the room tells the
    // browser (send-video). Once for each new participant, then on every change.
    virtual void OnRoomMediaVideoRequest(const std::string& /*participantId*/, const mixer::VideoRequest& /*request*/) {}
  };

  virtual ~RoomMedia() = default;

  // Adds the participant's tile, mix input and endpoint; its offer follows through the listener.
  // Throws when the media cannot be set up (nothing of the participant is left then).
  virtual void addParticipant(const std::string& id, const std::string& name, mixer::VideoCodec codec,
                              bool audioMuted, bool videoVisible) = 0;
  // Adds a telephone caller: a placeholder tile, a place in the mix, and the call's audio hears
  // its mix-minus. No offer follows. Throws like addParticipant.
  virtual void addPhone(const std::string& id, const std::string& name, const std::shared_ptr<PhoneLine>& call,
                        bool audioMuted) = 0;
  virtual void removeParticipant(const std::string& id) = 0;
  // Moves the participant's media to `to` (another room's media from the same factory): its
  // tile and place in the mix go there, its connection to the browser stays as it is (no new
  // offer). Throws when `to` cannot seat it; the participant's media is gone then.
  virtual void moveParticipant(const std::string& id, RoomMedia& to, bool audioMuted, bool videoVisible) = 0;
  virtual void setAudioMuted(const std::string& id, bool muted) = 0;
  virtual void setVideoVisible(const std::string& id, bool visible) = 0;
  // Which composite the participant's browser receives from now on (a phone held upright: the
  // portrait one); it stays with the participant through moves to breakout rooms.
  virtual void setCompositeShape(const std::string& /*id*/, mixer::CompositeShape /*shape*/) {}
  // The composite's layout for everyone.
  virtual void setLayout(mixer::Layout layout) = 0;
  // Who has the floor (nullopt: nobody): that tile is marked in the composite, and the speaker
  // layout shows it large.
  virtual void setFloorHolder(const std::optional<std::string>& id) = 0;
  // Shows participant `id`'s screen share large in the composite (nullopt: nobody's any more).
  // Throws when it cannot be shown (nothing is presented then).
  virtual void presentScreen(const std::optional<std::string>& id) = 0;
  // Shows this page image (a PNG file) large as the room's slides, in place of the last page.
  // Throws when it cannot be read or shown.
  virtual void showSlide(const std::string& pngPath) = 0;
  // Takes the slides out of the composite.
  virtual void stopSlides() = 0;
  // Records the composite as everyone sees it and the full mix into `partPath` (a fragmented
  // MP4). Throws when the recorder cannot be set up (nothing is recording then).
  virtual void startRecording(const std::string& partPath) = 0;
  // Ends the recording; `done(complete)` follows on the conference thread once the file is
  // closed, also when this RoomMedia is gone by then (a room closing stops its recording).
  virtual void stopRecording(std::function<void(bool complete)> done) = 0;
  // Both return an error text when the input is refused; nothing changes then.
  virtual std::optional<std::string> setRemoteAnswer(const std::string& id, const std::string& sdp) = 0;
  virtual std::optional<std::string> addRemoteCandidate(const std::string& id, unsigned mline,
                                                        const std::string& candidate) = 0;
};

// Makes the media of a room named `room`, reporting to `listener`.
using RoomMediaFactory =
    std::function<std::unique_ptr<RoomMedia>(const std::string& room, RoomMedia::Listener& listener)>;

}  // namespace plenum::signaling
