// SPDX-License-Identifier: EUPL-1.2
#include "mixer/WebRtcEndpoint.hpp"

#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"
#include "mixer/RoomMixer.hpp"

#include <algorithm>
#include "mixer/SdpValidator.hpp"

#include <gst/webrtc/webrtc.h>

namespace plenum::mixer {

// What a signal handler on a GStreamer thread needs to reach the endpoint on the conference
// thread. Owned by the signal closure (freed when the handler is disconnected and no longer
// running), so it never dangles, whereas the endpoint may be gone by then.
struct WebRtcEndpoint::SignalRelay {
  WebRtcEndpoint* endpoint;
  GMainContext* context;
  std::weak_ptr<Liveness> alive;

  void post(std::function<void(WebRtcEndpoint&)> work) const {
    WebRtcEndpoint* target = endpoint;
    postTo(context, alive, [target, work = std::move(work)] { work(*target); });
  }
};

namespace {

std::string rtpCaps(VideoCodec codec) {
  const std::string feedback = ",rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true";
  if (codec == VideoCodec::H264) {
    return "application/x-rtp,media=video,encoding-name=H264,clock-rate=90000,payload=" +
           std::to_string(WebRtcEndpoint::kH264Payload) + ",packetization-mode=(string)1" +
           feedback;
  }
  return "application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=" +
         std::to_string(WebRtcEndpoint::kVp8Payload) + feedback;
}

void linkPads(GstPad* from, GstPad* to, const std::string& what) {
  const GstPadLinkReturn result = gst_pad_link(from, to);
  if (result != GST_PAD_LINK_OK) {
    throw std::runtime_error("cannot link " + what + ": " + gst_pad_link_get_name(result));
  }
}

}  // namespace

WebRtcEndpoint::WebRtcEndpoint(const std::string& id, const std::string& caption, VideoCodec codec,
                               const MixerSettings& settings, Listener& listener)
    : Endpoint("webrtc", id, SeatSpec{caption, true, true, false, codec, Hearing::SwitchedOpus, true}, &listener),
      codec_(codec), settings_(settings), listener_(&listener), context_(g_main_context_ref_thread_default()) {
  webrtc_ = makeElement("webrtcbin", "webrtc-" + id);
  gst_util_set_object_arg(G_OBJECT(webrtc_), "bundle-policy", "max-bundle");
  g_object_set(webrtc_, "latency", static_cast<guint>(settings_.jitterBufferMs), nullptr);
  // Handlers are connected before the element leaves NULL (gst-examples' advice).
  connectSignal("on-ice-candidate", G_CALLBACK(&WebRtcEndpoint::onIceCandidate));
  connectSignal("pad-added", G_CALLBACK(&WebRtcEndpoint::onPadAdded));
  connectSignal("notify::connection-state", G_CALLBACK(&WebRtcEndpoint::onConnectionState));
  gst_bin_add(GST_BIN(bin()), webrtc_);
  configureIce();
  linkSenders();
  // The bin starts when a mixer attaches it; the room's tees join its senders then.
}

WebRtcEndpoint::~WebRtcEndpoint() {
  alive_.reset();  // posted work for this endpoint is dropped from here on
  if (failedGrace_) g_source_remove(failedGrace_);
  for (gpointer handler : {reinterpret_cast<gpointer>(&WebRtcEndpoint::onIceCandidate),
                           reinterpret_cast<gpointer>(&WebRtcEndpoint::onPadAdded),
                           reinterpret_cast<gpointer>(&WebRtcEndpoint::onConnectionState)}) {
    g_signal_handlers_disconnect_matched(webrtc_, G_SIGNAL_MATCH_FUNC, 0, 0, nullptr, handler, nullptr);
  }
  // ~Endpoint detaches us from the room and stops the bin off this thread (webrtcbin's
  // elements may wait for ICE, DTLS or a blocked pad).
  g_main_context_unref(context_);
}

void WebRtcEndpoint::connectSignal(const char* signal, GCallback callback) {
  auto* relay = new SignalRelay{this, context_, alive_};
  g_signal_connect_data(webrtc_, signal, callback, relay,
                        [](gpointer data, GClosure*) { delete static_cast<SignalRelay*>(data); },
                        GConnectFlags(0));
}

void WebRtcEndpoint::configureIce() {
  const MixerSettings& settings = settings_;
  GObject* ice = nullptr;
  g_object_get(webrtc_, "ice-agent", &ice, nullptr);
  if (!ice) return;
  // No UPnP port mapping: it multicasts SSDP on every interface, and a server has no NAT
  // router to ask (a public address is configured instead).
  GObject* agent = nullptr;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent")) g_object_get(ice, "agent", &agent, nullptr);
  if (agent) {
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp")) g_object_set(agent, "upnp", FALSE, nullptr);
    g_object_unref(agent);
  }
  if (settings.iceMinPort > 0 && settings.iceMaxPort >= settings.iceMinPort) {
    g_object_set(ice, "min-rtp-port", static_cast<guint>(settings.iceMinPort), "max-rtp-port",
                 static_cast<guint>(settings.iceMaxPort), nullptr);
  }
  for (const std::string& address : settings.iceLocalAddresses) {
    gboolean added = FALSE;
    g_signal_emit_by_name(ice, "add-local-ip-address", address.c_str(), &added);
    if (!added) g_warning("ICE: cannot use local address %s", address.c_str());
  }
  g_object_unref(ice);
}

GstPad* WebRtcEndpoint::addSender(const std::vector<GstElement*>& chain, const char* webrtcPad) {
  addAndLink(bin(), chain);
  GstPad* out = gst_element_get_static_pad(chain.back(), "src");
  GstPad* in = gst_element_request_pad_simple(webrtc_, webrtcPad);
  linkPads(out, in, std::string("sender to webrtcbin ") + webrtcPad);
  watchSinkCaps(in);
  gst_object_unref(out);
  gst_object_unref(in);
  return gst_element_get_static_pad(chain.front(), "sink");
}

void WebRtcEndpoint::linkSenders() {
  // Audio: what this participant hears, already in Opus (the room's shared encode or their own
  // mix-minus encode, switched by the room), m-line 0. The leaky queue gives the branch its own
  // thread: webrtcbin holds back data until it is connected, and that wait must not reach the
  // room's encoders. One payloader for both streams: one SSRC and sequence, RTP timestamps from
  // the buffers' running time, which the room keeps continuous across a switch.
  GstElement* audioQueue = makeLeakyQueue(0, 200 * GST_MSECOND);
  GstElement* opusPay = makeElement("rtpopuspay");
  g_object_set(opusPay, "pt", kOpusPayload, nullptr);
  GstElement* opusCaps = makeCapsFilter(
      "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=" +
      std::to_string(kOpusPayload));
  GstPad* opusIn = addSender({audioQueue, opusPay, opusCaps}, "sink_0");
  setPadTarget(kHearingPad, opusIn);
  gst_object_unref(opusIn);

  // Video: the room's composite from the shared encoder, m-line 1. The queue is leaky so that
  // a receiver that is not yet connected (or stalls) never holds up the encoder.
  GstElement* videoQueue = makeLeakyQueue(0, 300 * GST_MSECOND);
  GstElement* pay = nullptr;
  if (codec_ == VideoCodec::H264) {
    pay = makeElement("rtph264pay");
    g_object_set(pay, "pt", kH264Payload, "config-interval", -1, "mtu", 1200u, nullptr);
    gst_util_set_object_arg(G_OBJECT(pay), "aggregate-mode", "zero-latency");
  } else {
    pay = makeElement("rtpvp8pay");
    g_object_set(pay, "pt", kVp8Payload, "mtu", 1200u, nullptr);
    gst_util_set_object_arg(G_OBJECT(pay), "picture-id-mode", "15-bit");
  }
  GstPad* videoIn = addSender({videoQueue, pay, makeCapsFilter(rtpCaps(codec_))}, "sink_1");
  setPadTarget(kCompositePad, videoIn);
  gst_object_unref(videoIn);

  // Both m-lines send and receive.
  GArray* transceivers = nullptr;
  g_signal_emit_by_name(webrtc_, "get-transceivers", &transceivers);
  for (guint i = 0; transceivers && i < transceivers->len; ++i) {
    auto* transceiver = g_array_index(transceivers, GstWebRTCRTPTransceiver*, i);
    g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDRECV, nullptr);
  }
  if (transceivers) g_array_unref(transceivers);

  // The screen share, m-line 2: we only receive. It is there from the offer on, so that sharing
  // starts and stops with a replaceTrack in the browser, never a renegotiation; until then the
  // browser sends nothing on it.
  GstCaps* screenCaps = gst_caps_from_string(rtpCaps(codec_).c_str());
  GstWebRTCRTPTransceiver* screen = nullptr;
  g_signal_emit_by_name(webrtc_, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, screenCaps,
                        &screen);
  gst_caps_unref(screenCaps);
  if (!screen) throw std::runtime_error("cannot add the screen share's transceiver");
  gst_object_unref(screen);
}

// An H.264 payloader's first caps lack the profile and parameter sets until the first key
// frame has passed it; an offer made from those makes browsers refuse the video m-line.
static bool hasCompleteCaps(GstEvent* event) {
  GstCaps* caps = nullptr;
  gst_event_parse_caps(event, &caps);
  const GstStructure* s = caps ? gst_caps_get_structure(caps, 0) : nullptr;
  if (!s) return false;
  const char* encoding = gst_structure_get_string(s, "encoding-name");
  return !encoding || g_strcmp0(encoding, "H264") != 0 || gst_structure_has_field(s, "profile-level-id");
}

// The offer is made once both senders have fixed caps (so it carries the real H.264 profile
// and parameter sets); webrtcbin's on-negotiation-needed does not fire reliably for pads that
// get caps while it is already PLAYING.
void WebRtcEndpoint::watchSinkCaps(GstPad* pad) {
  if (GstEvent* current = gst_pad_get_sticky_event(pad, GST_EVENT_CAPS, 0)) {
    const bool complete = hasCompleteCaps(current);
    gst_event_unref(current);
    if (complete) {
      ++sendersReady_;
      return;
    }
  }
  auto* relay = new SignalRelay{this, context_, alive_};
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
        if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
        if (!hasCompleteCaps(event)) return GST_PAD_PROBE_OK;  // wait for the next caps
        static_cast<SignalRelay*>(data)->post([](WebRtcEndpoint& self) {
          if (++self.sendersReady_ == 2) self.createOffer();
        });
        return GST_PAD_PROBE_REMOVE;
      },
      relay, [](gpointer data) { delete static_cast<SignalRelay*>(data); });
}

void WebRtcEndpoint::createOffer() {
  if (offerSent_) return;  // one offer per endpoint; renegotiation is not needed yet
  offerSent_ = true;
  auto* relay = new SignalRelay{this, context_, alive_};
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        // Runs on webrtcbin's thread: take the offer out, hand it to the conference thread.
        const GstStructure* reply = gst_promise_get_reply(p);
        GstWebRTCSessionDescription* offer = nullptr;
        if (reply) gst_structure_get(reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, nullptr);
        gst_promise_unref(p);
        std::shared_ptr<GstWebRTCSessionDescription> owned(
            offer, [](GstWebRTCSessionDescription* o) { if (o) gst_webrtc_session_description_free(o); });
        static_cast<SignalRelay*>(data)->post([owned](WebRtcEndpoint& self) { self.onOfferCreated(owned.get()); });
      },
      relay, [](gpointer data) { delete static_cast<SignalRelay*>(data); });
  g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
}

void WebRtcEndpoint::onOfferCreated(GstWebRTCSessionDescription* offer) {
  if (!offer) {
    fail(EndpointFailure::Internal, "webrtcbin could not create an offer");
    return;
  }
  // Browsers apply an m-line's b=AS to what they send: a camera gets at most the composite's
  // bitrate (decoding costs the server in proportion).
  for (guint m = 0; m < gst_sdp_message_medias_len(offer->sdp); ++m) {
    auto* media = const_cast<GstSDPMedia*>(gst_sdp_message_get_media(offer->sdp, m));
    if (g_strcmp0(gst_sdp_media_get_media(media), "video") == 0) {
      gst_sdp_media_add_bandwidth(media, "AS", static_cast<guint>(settings_.videoBitrateKbps));
    }
  }
  g_signal_emit_by_name(webrtc_, "set-local-description", offer, nullptr);
  gchar* text = gst_sdp_message_as_text(offer->sdp);
  const std::string sdp(text);
  g_free(text);
  listener_->OnWebRtcEndpointOffer(*this, sdp);
}

// Candidates inside an answer pass the same check as trickled ones; those it refuses are left
// out (the others may still connect).
void WebRtcEndpoint::dropRefusedCandidates(GstSDPMessage* sdp) const {
  for (guint m = 0; m < gst_sdp_message_medias_len(sdp); ++m) {
    auto* media = const_cast<GstSDPMedia*>(gst_sdp_message_get_media(sdp, m));
    for (guint a = gst_sdp_media_attributes_len(media); a-- > 0;) {
      const GstSDPAttribute* attribute = gst_sdp_media_get_attribute(media, a);
      if (g_strcmp0(attribute->key, "candidate") != 0) continue;
      const std::string candidate = std::string("candidate:") + (attribute->value ? attribute->value : "");
      if (auto problem = checkIceCandidate(candidate, settings_.allowLoopbackCandidates)) {
        g_message("participant %s: answer candidate left out: %s", id().c_str(), problem->c_str());
        gst_sdp_media_remove_attribute(media, a);
      }
    }
  }
}

std::optional<std::string> WebRtcEndpoint::setRemoteAnswer(const std::string& text) {
  if (!offerSent_) return "no offer has been made yet";
  if (answered_) return "the offer was already answered";
  if (auto problem = checkSdpAnswer(text, kMediaLines)) return problem;
  GstSDPMessage* sdp = nullptr;
  gst_sdp_message_new_from_text(text.c_str(), &sdp);
  dropRefusedCandidates(sdp);
  GstWebRTCSessionDescription* answer = gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  auto* relay = new SignalRelay{this, context_, alive_};
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        const GstStructure* reply = gst_promise_get_reply(p);
        GError* error = nullptr;
        if (reply && gst_structure_has_field(reply, "error")) {
          gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr);
        }
        if (!error) return;
        const std::string message = error->message;
        g_error_free(error);
        static_cast<SignalRelay*>(data)->post([message](WebRtcEndpoint& self) {
          self.fail(EndpointFailure::AnswerRefused, "answer refused: " + message);
        });
      },
      relay, [](gpointer data) { delete static_cast<SignalRelay*>(data); });
  g_signal_emit_by_name(webrtc_, "set-remote-description", answer, promise);
  gst_promise_unref(promise);
  gst_webrtc_session_description_free(answer);
  answered_ = true;
  return std::nullopt;
}

std::optional<std::string> WebRtcEndpoint::addRemoteCandidate(unsigned mline, const std::string& candidate) {
  if (mline >= kMediaLines) return "sdpMLineIndex out of range";
  if (auto problem = checkIceCandidate(candidate, settings_.allowLoopbackCandidates)) return problem;
  if (!answered_) return "candidate before answer";
  if (candidate.empty()) return std::nullopt;  // end of candidates: nothing to do for libnice
  const std::string line = candidate.rfind("a=", 0) == 0 ? candidate.substr(2) : candidate;
  g_signal_emit_by_name(webrtc_, "add-ice-candidate", mline, line.c_str());
  return std::nullopt;
}

void WebRtcEndpoint::onIceCandidate(GstElement*, guint mline, gchar* candidate, gpointer data) {
  std::string text(candidate);
  static_cast<SignalRelay*>(data)->post([mline, text](WebRtcEndpoint& self) {
    self.listener_->OnWebRtcEndpointCandidate(self, mline, text);
  });
}

void WebRtcEndpoint::onConnectionState(GObject* object, GParamSpec*, gpointer data) {
  GstWebRTCPeerConnectionState state;
  g_object_get(object, "connection-state", &state, nullptr);
  static_cast<SignalRelay*>(data)->post([state](WebRtcEndpoint& self) { self.onConnectionStateChanged(state); });
}

// A failed connection gets iceFailedGraceMs to come back (a network change; libnice may still
// find a pair) before the endpoint is reported failed.
void WebRtcEndpoint::onConnectionStateChanged(GstWebRTCPeerConnectionState state) {
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED) {
    if (failedGrace_) {
      g_source_remove(failedGrace_);
      failedGrace_ = 0;
    }
    // Media can flow from now on: start the browser's picture with a key frame.
    if (mixer()) mixer()->requestKeyframe(codec_, compositeShape());
    return;
  }
  if (state != GST_WEBRTC_PEER_CONNECTION_STATE_FAILED || failedGrace_ || failed()) return;
  GSource* timer = g_timeout_source_new(static_cast<guint>(std::max(0, settings_.iceFailedGraceMs)));
  g_source_set_callback(timer, &WebRtcEndpoint::onFailedGraceOver, this, nullptr);
  failedGrace_ = g_source_attach(timer, context_);
  g_source_unref(timer);
}

gboolean WebRtcEndpoint::onFailedGraceOver(gpointer data) {
  auto* self = static_cast<WebRtcEndpoint*>(data);
  self->failedGrace_ = 0;
  GstWebRTCPeerConnectionState state;
  g_object_get(self->webrtc_, "connection-state", &state, nullptr);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED) {
    self->fail(EndpointFailure::ConnectionFailed, "ICE/DTLS connection failed for " +
                                                      std::to_string(self->settings_.iceFailedGraceMs) + " ms");
  }
  return G_SOURCE_REMOVE;
}

void WebRtcEndpoint::onPadAdded(GstElement*, GstPad* pad, gpointer data) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  // Building the decoder belongs to the conference thread; until then the stream waits here.
  const gulong probe = gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
      [](GstPad*, GstPadProbeInfo*, gpointer) { return GST_PAD_PROBE_OK; }, nullptr, nullptr);
  std::shared_ptr<GstPad> held(GST_PAD(gst_object_ref(pad)), [probe](GstPad* p) {
    gst_pad_remove_probe(p, probe);
    gst_object_unref(p);
  });
  static_cast<SignalRelay*>(data)->post([held](WebRtcEndpoint& self) {
    try {
      self.linkIncoming(held.get());
    } catch (const std::exception& e) {
      g_warning("participant %s: incoming media not linked: %s", self.id().c_str(), e.what());
    }
  });
}

// A camera larger than the composite could ever show costs scaling for nothing, and a client
// may send any size it likes: such frames are dropped (the tile shows its placeholder), with
// one warning. Sits where the stream's size is first known (after the H.264 parser, which
// reads it before decoding; after the VP8 decoder). Owned by its probe.
struct WebRtcEndpoint::IncomingSizeCap {
  guint64 maxPixels;
  std::string participant;
  bool tooLarge = false;  // touched only on the stream's thread

  static GstPadProbeReturn onData(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* cap = static_cast<IncomingSizeCap*>(data);
    if (!(info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)) {
      return cap->tooLarge ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
    }
    GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) != GST_EVENT_CAPS) return GST_PAD_PROBE_OK;
    GstCaps* caps = nullptr;
    gst_event_parse_caps(event, &caps);
    gint width = 0;
    gint height = 0;
    const GstStructure* s = caps ? gst_caps_get_structure(caps, 0) : nullptr;
    if (s && gst_structure_get_int(s, "width", &width) && gst_structure_get_int(s, "height", &height)) {
      const bool tooLarge = static_cast<guint64>(width) * static_cast<guint64>(height) > cap->maxPixels;
      if (tooLarge && !cap->tooLarge) {
        g_warning("participant %s sends %dx%d video, more than the composite's size: not shown",
                  cap->participant.c_str(), width, height);
      }
      cap->tooLarge = tooLarge;
    }
    return GST_PAD_PROBE_OK;
  }
};

// The m-line a webrtcbin source pad receives (its transceiver's), or -1.
int WebRtcEndpoint::mlineOf(GstPad* pad) {
  int mline = -1;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(pad), "transceiver")) {
    GstWebRTCRTPTransceiver* transceiver = nullptr;
    g_object_get(pad, "transceiver", &transceiver, nullptr);
    if (transceiver) {
      guint index = 0;
      g_object_get(transceiver, "mlineindex", &index, nullptr);
      mline = static_cast<int>(index);
      gst_object_unref(transceiver);
    }
  }
  return mline;
}

void WebRtcEndpoint::linkIncoming(GstPad* pad) {
  GstCaps* caps = gst_pad_get_current_caps(pad);
  if (!caps) caps = gst_pad_query_caps(pad, nullptr);
  const GstStructure* s = gst_caps_get_structure(caps, 0);
  const std::string media = gst_structure_get_string(s, "media") ? gst_structure_get_string(s, "media") : "";
  const std::string encoding =
      gst_structure_get_string(s, "encoding-name") ? gst_structure_get_string(s, "encoding-name") : "";
  gst_caps_unref(caps);
  const bool fromScreen = mlineOf(pad) == kScreenMline;

  std::vector<GstElement*> chain;
  const char* target = nullptr;  // our bin's outlet
  if (media == "audio" && encoding == "OPUS") {
    GstElement* depay = makeElement("rtpopusdepay");
    GstElement* decoder = makeElement("opusdec");
    g_object_set(decoder, "plc", TRUE, "use-inband-fec", TRUE, nullptr);
    chain = {depay, decoder};
    target = kMicrophonePad;
  } else if (media == "video" && (encoding == "H264" || encoding == "VP8")) {
    // Camera and screen are decoded alike; the screen's m-line only carries video.
    if (encoding == "H264") {
      GstElement* depay = makeElement("rtph264depay");
      g_object_set(depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, nullptr);
      chain = {depay, makeElement("h264parse"), makeElement("avdec_h264")};
    } else {
      GstElement* depay = makeElement("rtpvp8depay");
      g_object_set(depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, nullptr);
      chain = {depay, makeElement("vp8dec")};
    }
    // A stream that cannot be decoded (this many frames in a row) is an error of the
    // endpoint's (the default, -1, would show its placeholder for ever without a word).
    g_object_set(chain.back(), "max-errors", kDecoderMaxErrors, nullptr);
    target = fromScreen ? kScreenPad : kCameraPad;
    // A screen may be as large as a full-HD screen (small text must stay readable), a camera no
    // larger than the composite.
    guint64 maxPixels = static_cast<guint64>(settings_.width) * static_cast<guint64>(settings_.height);
    if (fromScreen) maxPixels = std::max<guint64>(maxPixels, kMaxScreenPixels);
    GstPad* sized = gst_element_get_static_pad(chain[1], "src");
    gst_pad_add_probe(
        sized, static_cast<GstPadProbeType>(GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
        &IncomingSizeCap::onData, new IncomingSizeCap{maxPixels, id()},
        [](gpointer cap) { delete static_cast<IncomingSizeCap*>(cap); });
    gst_object_unref(sized);
  }
  if (!target) {
    // Not ours to decode: drain it so that webrtcbin is never blocked on it.
    g_warning("participant %s sends %s/%s, which is not decoded", id().c_str(), media.c_str(), encoding.c_str());
    chain = {makeElement("fakesink")};
    g_object_set(chain[0], "async", FALSE, "sync", FALSE, nullptr);
  }
  addAndLink(bin(), chain);
  if (target) {
    GstPad* chainOut = gst_element_get_static_pad(chain.back(), "src");
    setPadTarget(target, chainOut);
    gst_object_unref(chainOut);
  }
  for (GstElement* element : chain) gst_element_sync_state_with_parent(element);
  GstPad* chainIn = gst_element_get_static_pad(chain.front(), "sink");
  if (fromScreen && target) {
    gst_pad_add_probe(
        chainIn, GST_PAD_PROBE_TYPE_BUFFER,
        [](GstPad*, GstPadProbeInfo*, gpointer shown) {
          return (*static_cast<std::shared_ptr<std::atomic<bool>>*>(shown))->load() ? GST_PAD_PROBE_OK
                                                                                  : GST_PAD_PROBE_DROP;
        },
        new std::shared_ptr<std::atomic<bool>>(screenShown_),
        [](gpointer shown) { delete static_cast<std::shared_ptr<std::atomic<bool>>*>(shown); });
  }
  linkPads(pad, chainIn, "webrtcbin to depayloader");
  gst_object_unref(chainIn);
}

}  // namespace plenum::mixer
