// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A browser in a room: an Endpoint whose bin holds one webrtcbin (ICE by libnice, DTLS-SRTP),
// the decoders of the browser's camera, microphone and screen share (towards its tile, the mix
// and, while the room shows it, the presentation) and the
// payloaders of what it receives: the room's composite and what it hears (the shared mix while
// silent, its own mix-minus while talking; in Opus). The server makes the offer (one audio and
// two video m-lines, bundled) so the payload types and the composite's codec are ours to choose.
// The transport does not depend on the room: the endpoint can be moved to another room's mixer.
#include "mixer/ConferencePost.hpp"
#include "mixer/Endpoint.hpp"
#include "mixer/MixerSettings.hpp"

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plenum::mixer {

class WebRtcEndpoint : public Endpoint {
public:
  // Failures (ICE or DTLS failed for longer than iceFailedGraceMs, the answer refused, errors of
  // the decoders) come through Endpoint::Listener.
  class Listener : public Endpoint::Listener {
  public:
    virtual void OnWebRtcEndpointOffer(WebRtcEndpoint& endpoint, const std::string& sdp) = 0;
    virtual void OnWebRtcEndpointCandidate(WebRtcEndpoint& endpoint, unsigned mline,
                                           const std::string& candidate) = 0;
  };

  // Payload types of our offer.
  static constexpr int kOpusPayload = 111;
  static constexpr int kH264Payload = 102;
  static constexpr int kVp8Payload = 96;
  // Our offer's m-lines: 0 audio (both ways), 1 video (the composite down, the camera up),
  // 2 video (the screen share up; we only receive).
  static constexpr unsigned kMediaLines = 3;
  static constexpr int kScreenMline = 2;
  // The largest screen share shown (full HD); larger frames are dropped.
  static constexpr guint64 kMaxScreenPixels = 1920ull * 1080ull;
  // Undecodable camera frames in a row before the endpoint fails (DecoderError).
  static constexpr int kDecoderMaxErrors = 25;

  // `caption`: the name on its tile. Nothing runs until a mixer attaches it; the offer follows.
  WebRtcEndpoint(const std::string& id, const std::string& caption, VideoCodec codec,
                 const MixerSettings& settings, Listener& listener);
  ~WebRtcEndpoint() override;

  VideoCodec codec() const { return codec_; }
  // From now on its offers, candidates and failures go to `listener` (the room it moved to).
  void reportTo(Listener& listener) {
    listener_ = &listener;
    setListener(&listener);
  }
  // A screen share that is not shown is dropped before it costs a decode (a client may send
  // on its screen m-line whenever it likes).
  void setScreenShown(bool shown) override { screenShown_->store(shown); }

  // The webrtcbin (for tests: it stays the same element when the endpoint moves).
  GstElement* webrtc() const { return webrtc_; }

  // Both return an error text when the input is refused; nothing changes then.
  std::optional<std::string> setRemoteAnswer(const std::string& sdp);
  std::optional<std::string> addRemoteCandidate(unsigned mline, const std::string& candidate);

private:
  struct SignalRelay;

  void configureIce();
  struct IncomingSizeCap;

  void linkSenders();
  void dropRefusedCandidates(GstSDPMessage* sdp) const;
  // Adds a sending chain to the pipeline, links its end to webrtcbin's `webrtcPad` and returns
  // its head's sink pad (where the room's tee joins later).
  GstPad* addSender(const std::vector<GstElement*>& chain, const char* webrtcPad);
  void watchSinkCaps(GstPad* pad);
  void createOffer();
  void onOfferCreated(GstWebRTCSessionDescription* offer);
  void linkIncoming(GstPad* pad);
  static int mlineOf(GstPad* pad);
  void connectSignal(const char* signal, GCallback callback);
  void onConnectionStateChanged(GstWebRTCPeerConnectionState state);
  static gboolean onFailedGraceOver(gpointer self);

  static void onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer relay);
  static void onPadAdded(GstElement*, GstPad* pad, gpointer relay);
  static void onConnectionState(GObject*, GParamSpec*, gpointer relay);

  // passed in
  const VideoCodec codec_;
  const MixerSettings settings_;
  Listener* listener_;
  // owned (the elements belong to our bin)
  GstElement* webrtc_ = nullptr;
  guint failedGrace_ = 0;  // timer while the connection is failed
  int sendersReady_ = 0;
  bool offerSent_ = false;
  bool answered_ = false;
  // shared with the screen stream's probe, which may outlive us
  std::shared_ptr<std::atomic<bool>> screenShown_ = std::make_shared<std::atomic<bool>>(false);
  // other
  GMainContext* context_;              // the conference thread's
  std::shared_ptr<Liveness> alive_ = std::make_shared<Liveness>();
};

}  // namespace plenum::mixer
