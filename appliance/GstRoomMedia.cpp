// SPDX-License-Identifier: EUPL-1.2
#include "appliance/GstRoomMedia.hpp"

#include "appliance/PhoneCall.hpp"
#include "signaling/LogText.hpp"

#include "mixer/ConferencePost.hpp"

#include <Poco/Logger.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace plenum::appliance {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }
}  // namespace

GstRoomMedia::GstRoomMedia(const std::string& room, const mixer::MixerSettings& settings,
                           signaling::RoomMedia::Listener& listener)
    : room_(room), listener_(listener), mixer_(std::make_unique<mixer::RoomMixer>(room, settings, this)) {}

GstRoomMedia::~GstRoomMedia() {
  // Endpoints leave the pipeline before the pipeline goes. A recorder still here was never
  // stopped (the room stops it first): its file stays as it is, repaired at the next start.
  recorder_.reset();
  slides_.reset();
  endpoints_.clear();
  for (auto& [id, phone] : phones_) mixer_->detach(*phone);  // the call may keep it a moment longer
  phones_.clear();
  mixer_.reset();
}

signaling::RoomMediaFactory GstRoomMedia::factory(const mixer::MixerSettings& settings) {
  return [settings](const std::string& room, signaling::RoomMedia::Listener& listener) -> std::unique_ptr<signaling::RoomMedia> {
    return std::make_unique<GstRoomMedia>(room, settings, listener);
  };
}

void GstRoomMedia::addParticipant(const std::string& id, const std::string& name, mixer::VideoCodec codec,
                                  bool audioMuted, bool videoVisible) {
  auto endpoint = std::make_unique<mixer::WebRtcEndpoint>(id, name, codec, mixer_->settings(), *this);
  mixer_->attach(*endpoint);  // throws with nothing of the participant left in the room
  mixer_->setAudioMuted(id, audioMuted);
  mixer_->setVideoVisible(id, videoVisible);
  endpoints_[id] = std::move(endpoint);
}

void GstRoomMedia::addPhone(const std::string& id, const std::string& name,
                            const std::shared_ptr<signaling::PhoneLine>& line, bool audioMuted) {
  auto* call = dynamic_cast<PhoneCall*>(line.get());
  if (!call) throw std::logic_error("a phone participant without a call");
  auto endpoint = call->enterMeeting(id, this);
  mixer_->attach(*endpoint);  // throws with nothing of the caller left in the room
  mixer_->setAudioMuted(id, audioMuted);
  mixer_->setVideoVisible(id, false);  // the placeholder: a phone symbol and the caption
  phones_[id] = std::move(endpoint);
}

void GstRoomMedia::removeParticipant(const std::string& id) {
  endpoints_.erase(id);  // detaches it from the room, then stops it
  if (auto phone = phones_.find(id); phone != phones_.end()) {
    mixer_->detach(*phone->second);
    phones_.erase(phone);
  }
}

void GstRoomMedia::moveParticipant(const std::string& id, signaling::RoomMedia& to, bool audioMuted,
                                   bool videoVisible) {
  auto& target = dynamic_cast<GstRoomMedia&>(to);
  if (auto phone = phones_.find(id); phone != phones_.end()) {
    std::shared_ptr<mixer::PhoneEndpoint> endpoint = std::move(phone->second);
    phones_.erase(phone);
    mixer_->detach(*endpoint);
    endpoint->setListener(&target);
    target.mixer_->attach(*endpoint);
    target.mixer_->setAudioMuted(id, audioMuted);
    target.mixer_->setVideoVisible(id, false);
    target.phones_[id] = std::move(endpoint);
    return;
  }
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) throw std::logic_error("no media endpoint for " + id);
  std::unique_ptr<mixer::WebRtcEndpoint> endpoint = std::move(it->second);
  endpoints_.erase(it);
  // Detached, the endpoint keeps its transport running; attached to the other room's mixer it
  // gets a tile, a place in that mix and that composite (with a key frame) over the same
  // connection. If the attach throws, the endpoint goes with the exception.
  mixer_->detach(*endpoint);
  endpoint->reportTo(target);
  target.mixer_->attach(*endpoint);
  target.mixer_->setAudioMuted(id, audioMuted);
  target.mixer_->setVideoVisible(id, videoVisible);
  target.endpoints_[id] = std::move(endpoint);
}

void GstRoomMedia::setAudioMuted(const std::string& id, bool muted) { mixer_->setAudioMuted(id, muted); }

void GstRoomMedia::setVideoVisible(const std::string& id, bool visible) { mixer_->setVideoVisible(id, visible); }

void GstRoomMedia::setCompositeShape(const std::string& id, mixer::CompositeShape shape) {
  if (auto it = endpoints_.find(id); it != endpoints_.end()) mixer_->setCompositeShape(*it->second, shape);
}

void GstRoomMedia::setLayout(mixer::Layout layout) { mixer_->setLayout(layout); }

void GstRoomMedia::setFloorHolder(const std::optional<std::string>& id) { mixer_->setFloorHolder(id); }

void GstRoomMedia::presentScreen(const std::optional<std::string>& id) { mixer_->presentScreen(id); }

void GstRoomMedia::showSlide(const std::string& pngPath) {
  std::ifstream file(pngPath, std::ios::binary);
  std::vector<unsigned char> png((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (!file.good() && !file.eof()) throw std::runtime_error("cannot read the page image");
  if (png.empty()) throw std::runtime_error("the page image is empty");
  if (!slides_) {
    auto slides = std::make_unique<mixer::SlideEndpoint>("slides", this);
    mixer_->attach(*slides);  // throws with nothing of it left in the room (e.g. a screen is shown)
    slides_ = std::move(slides);
  }
  slides_->show(png);
}

void GstRoomMedia::stopSlides() { slides_.reset(); }

void GstRoomMedia::startRecording(const std::string& partPath) {
  if (recorder_) throw std::logic_error("already recording");
  auto recorder = std::make_unique<recordings::RecordingEndpoint>("recording", partPath, this);
  mixer_->attach(*recorder);  // throws with nothing of the recorder left in the room
  recorder_ = std::move(recorder);
}

void GstRoomMedia::stopRecording(std::function<void(bool complete)> done) {
  if (!recorder_) {
    done(false);
    return;
  }
  // The recorder outlives this room's media until its file is closed: it owns itself from now
  // on, and goes once it has reported (not inside its own callback).
  recordings::RecordingEndpoint* recorder = recorder_.release();
  GMainContext* context = g_main_context_ref_thread_default();
  recorder->finish([recorder, context, done = std::move(done)](bool complete) {
    done(complete);
    static const auto forever = std::make_shared<mixer::Liveness>();
    mixer::postTo(context, forever, [recorder] { delete recorder; });
    g_main_context_unref(context);
  });
}

std::optional<std::string> GstRoomMedia::setRemoteAnswer(const std::string& id, const std::string& sdp) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return "no media endpoint";
  return it->second->setRemoteAnswer(sdp);
}

std::optional<std::string> GstRoomMedia::addRemoteCandidate(const std::string& id, unsigned mline,
                                                            const std::string& candidate) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return "no media endpoint";
  return it->second->addRemoteCandidate(mline, candidate);
}

void GstRoomMedia::OnRoomMixerError(const std::string& element, const std::string& rawMessage) {
  // GStreamer's messages may quote what a client sent (an SDP line): one escaped line.
  log().error("room %s: media error in %s: %s", room_, element, signaling::logText(rawMessage));
}

void GstRoomMedia::OnRoomMixerActiveSpeaker(const std::optional<std::string>& id) {
  listener_.OnRoomMediaActiveSpeaker(id);
}

// Only browsers can adapt what they send; a caller's or the slides' tile has no camera.
void GstRoomMedia::OnRoomMixerVideoRequest(const std::string& id, const mixer::VideoRequest& request) {
  if (endpoints_.count(id)) listener_.OnRoomMediaVideoRequest(id, request);
}

void GstRoomMedia::OnWebRtcEndpointOffer(mixer::WebRtcEndpoint& endpoint, const std::string& sdp) {
  listener_.OnRoomMediaOffer(endpoint.id(), sdp);
}

void GstRoomMedia::OnWebRtcEndpointCandidate(mixer::WebRtcEndpoint& endpoint, unsigned mline,
                                             const std::string& candidate) {
  listener_.OnRoomMediaCandidate(endpoint.id(), mline, candidate);
}

void GstRoomMedia::OnEndpointFailed(mixer::Endpoint& endpoint, mixer::EndpointFailure failure,
                                    const std::string& detail) {
  if (&endpoint == recorder_.get()) {
    listener_.OnRoomMediaRecordingFailed(signaling::logText(detail));
    return;
  }
  if (&endpoint == slides_.get()) {
    // A page that does not decode: the room carries on; the next page starts afresh.
    log().error("room %s: the slides failed: %s", room_, signaling::logText(detail));
    // Not from inside its own callback: it goes from the loop (a detached endpoint may
    // outlive the mixer).
    mixer::SlideEndpoint* failed = slides_.release();
    GMainContext* context = g_main_context_ref_thread_default();
    static const auto forever = std::make_shared<mixer::Liveness>();
    mixer::postTo(context, forever, [failed] { delete failed; });
    g_main_context_unref(context);
    return;
  }
  const auto reason = [failure] {
    switch (failure) {
      case mixer::EndpointFailure::ConnectionFailed: return signaling::MediaFailure::ConnectionFailed;
      case mixer::EndpointFailure::AnswerRefused: return signaling::MediaFailure::AnswerRefused;
      case mixer::EndpointFailure::DecoderError: return signaling::MediaFailure::DecoderError;
      case mixer::EndpointFailure::Internal: return signaling::MediaFailure::Internal;
    }
    return signaling::MediaFailure::Internal;
  }();
  listener_.OnRoomMediaFailed(endpoint.id(), reason, signaling::logText(detail));
}

}  // namespace plenum::appliance
