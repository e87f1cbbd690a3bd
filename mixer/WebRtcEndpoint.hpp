// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A browser in a room: one webrtcbin (ICE by libnice, DTLS-SRTP) that receives the browser's
// camera and microphone into the room's tile and mix, and sends it the room's composite and
// what it hears (the shared mix while silent, its own mix-minus while talking; in Opus). The server makes the offer (one audio and one video m-line, bundled) so the
// payload types and the composite's codec are ours to choose.
#include "mixer/ConferencePost.hpp"
#include "mixer/MixerSettings.hpp"

#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plenum::mixer {

class RoomMixer;

class WebRtcEndpoint {
public:
  class Listener {
  public:
    virtual ~Listener() = default;
    virtual void OnWebRtcEndpointOffer(WebRtcEndpoint& endpoint, const std::string& sdp) = 0;
    virtual void OnWebRtcEndpointCandidate(WebRtcEndpoint& endpoint, unsigned mline,
                                           const std::string& candidate) = 0;
    // ICE or DTLS failed, or the remote description was refused after it was accepted.
    virtual void OnWebRtcEndpointFailed(WebRtcEndpoint& endpoint, const std::string& reason) = 0;
  };

  // Payload types of our offer.
  static constexpr int kOpusPayload = 111;
  static constexpr int kH264Payload = 102;
  static constexpr int kVp8Payload = 96;

  WebRtcEndpoint(RoomMixer& mixer, const std::string& id, VideoCodec codec, Listener& listener);
  ~WebRtcEndpoint();
  WebRtcEndpoint(const WebRtcEndpoint&) = delete;
  WebRtcEndpoint& operator=(const WebRtcEndpoint&) = delete;

  const std::string& id() const { return id_; }
  VideoCodec codec() const { return codec_; }

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
  void connectSignal(const char* signal, GCallback callback);

  static void onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer relay);
  static void onPadAdded(GstElement*, GstPad* pad, gpointer relay);
  static void onConnectionState(GObject*, GParamSpec*, gpointer relay);

  // passed in
  RoomMixer& mixer_;
  const std::string id_;
  const VideoCodec codec_;
  Listener& listener_;
  // owned
  GstElement* webrtc_ = nullptr;
  std::vector<GstElement*> elements_;  // everything of ours in the room pipeline but webrtc_
  GstPad* videoTeePad_ = nullptr;      // our branch of the shared encoder
  GstPad* opusIn_ = nullptr;           // where the room's Opus stream for us enters our chain
  GstPad* videoQueueIn_ = nullptr;     // where the composite enters our chain
  int sendersReady_ = 0;
  bool offerSent_ = false;
  bool answered_ = false;
  bool failed_ = false;
  // other
  GMainContext* context_;              // the conference thread's
  std::shared_ptr<Liveness> alive_ = std::make_shared<Liveness>();
};

}  // namespace plenum::mixer
