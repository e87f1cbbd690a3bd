// SPDX-License-Identifier: EUPL-1.2
#include "mixer/RoomMixer.hpp"

#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"

#include <cstring>
#include <stdexcept>

namespace plenum::mixer {

namespace {

// Sources and timers attach to the calling thread's default context: the conference thread.
guint attachHere(GSource* source) {
  const guint id = g_source_attach(source, g_main_context_get_thread_default());
  g_source_unref(source);
  return id;
}

void removeSource(guint& id) {
  if (id == 0) return;
  if (GSource* source = g_main_context_find_source_by_id(g_main_context_get_thread_default(), id)) {
    g_source_destroy(source);
  }
  id = 0;
}

// Every room's pipeline runs on the system clock with the same base time, taken once: running
// time then means the same in every room, and an endpoint's bin (its jitter buffers, payloaders,
// the timestamps it has sent) moves from one room to another without a jump.
GstElement* makeRoomPipeline(const std::string& name) {
  static const GstClockTime base = [] {
    GstClock* clock = gst_system_clock_obtain();
    const GstClockTime now = gst_clock_get_time(clock);
    gst_object_unref(clock);
    return now;
  }();
  GstElement* pipeline = gst_pipeline_new(("room-" + name).c_str());
  GstClock* clock = gst_system_clock_obtain();
  gst_pipeline_use_clock(GST_PIPELINE(pipeline), clock);
  gst_object_unref(clock);
  gst_element_set_start_time(pipeline, GST_CLOCK_TIME_NONE);  // keep the base time at PLAYING
  gst_element_set_base_time(pipeline, base);
  return pipeline;
}

void linkOrThrow(GstPad* from, GstPad* to, const std::string& what) {
  const GstPadLinkReturn result = gst_pad_link(from, to);
  if (result != GST_PAD_LINK_OK) throw std::runtime_error("cannot link " + what + ": " + gst_pad_link_get_name(result));
}

// An endpoint's outlet (camera, microphone, presentation) into the seat's input.
void linkOutlet(Endpoint& endpoint, const char* name, GstPad* seatIn) {
  GstPad* out = gst_element_get_static_pad(endpoint.bin(), name);
  try {
    linkOrThrow(out, seatIn, endpoint.id() + "'s " + name);
  } catch (...) {
    gst_object_unref(out);
    gst_object_unref(seatIn);
    throw;
  }
  gst_object_unref(out);
  gst_object_unref(seatIn);
}

void unlinkPad(GstElement* bin, const char* name) {
  GstPad* pad = gst_element_get_static_pad(bin, name);
  if (!pad) return;
  if (GstPad* peer = gst_pad_get_peer(pad)) {
    if (GST_PAD_IS_SRC(pad)) gst_pad_unlink(pad, peer);
    else gst_pad_unlink(peer, pad);
    gst_object_unref(peer);
  }
  gst_object_unref(pad);
}

// A decoder that gives up (max-errors in a row) is a stream that cannot be decoded, whatever
// domain its error is in (vp8dec reports a library error).
EndpointFailure failureOf(GstMessage* message, const GError* error) {
  bool fromDecoder = false;
  if (GST_IS_ELEMENT(GST_MESSAGE_SRC(message))) {
    if (GstElementFactory* factory = gst_element_get_factory(GST_ELEMENT(GST_MESSAGE_SRC(message)))) {
      const char* klass = gst_element_factory_get_metadata(factory, GST_ELEMENT_METADATA_KLASS);
      fromDecoder = klass && strstr(klass, "Decoder");
    }
  }
  const bool decodeError = error && error->domain == GST_STREAM_ERROR &&
                           (error->code == GST_STREAM_ERROR_DECODE || error->code == GST_STREAM_ERROR_FORMAT);
  return fromDecoder || decodeError ? EndpointFailure::DecoderError : EndpointFailure::Internal;
}

// A shielded branch (linkBranch) of a feed's tee into a composite's `input`, which it lets go of:
// a composite that refuses a frame stops neither the other composite nor the endpoint's stream.
// Null when it cannot be linked.
GstPad* branchInto(GstElement* tee, GstPad* input) {
  GstPad* teePad = linkBranch(tee, input);
  gst_object_unref(input);
  return teePad;
}

}  // namespace

// A picture an endpoint sends (its camera, its presentation or screen) on its way into every
// composite of the room: a tee with a branch to each.
struct RoomMixer::VideoFeed {
  GstElement* tee = nullptr;
  GstPad* landscape = nullptr;  // the tee's pads
  GstPad* portrait = nullptr;
};

struct RoomMixer::Seat {
  Endpoint* endpoint;
  GstPad* compositeTeePad = nullptr;  // our branch of the composite encoder's tee
  CompositeShape shape = CompositeShape::Landscape;  // the composite it takes, compositeTeePad's
  VideoFeed camera;
  VideoFeed presentation;  // its "presentation", or its "screen" while shown
};

// The phones' picture: a second composite, portrait, with its own encoders.
struct RoomMixer::PortraitTier {
  PortraitTier(GstElement* pipeline, const MixerSettings& settings)
      : composite(pipeline, settings.portrait(), "portrait-"),
        encoders(pipeline, composite.rawTee(), settings.portrait(), "portrait-") {}
  Composite composite;
  CompositeEncoders encoders;
};

RoomMixer::RoomMixer(const std::string& name, const MixerSettings& settings, Listener* listener)
    : name_(name), settings_(settings), listener_(listener), pipeline_(makeRoomPipeline(name)),
      composite_(pipeline_, settings_), encoders_(pipeline_, composite_.rawTee(), settings_),
      audio_(pipeline_, settings_,
             [this](const std::optional<std::string>& speaker) {
               // On the mixing thread: the change is handled on the conference thread.
               postTo(context_, alive_, [this, speaker] { onActiveSpeaker(speaker); });
             }),
      context_(g_main_context_ref_thread_default()) {
  GstBus* bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline_));
  GSource* watch = gst_bus_create_watch(bus);
  g_source_set_callback(watch, reinterpret_cast<GSourceFunc>(reinterpret_cast<void (*)()>(&RoomMixer::onBusMessage)), this, nullptr);
  busWatch_ = attachHere(watch);
  gst_object_unref(bus);
  GSource* timer = g_timeout_source_new(250);
  g_source_set_callback(timer, &RoomMixer::onTimer, this, nullptr);
  timer_ = attachHere(timer);

  audio_.start();
  gst_element_set_state(pipeline_, GST_STATE_PLAYING);
}

RoomMixer::~RoomMixer() {
  audio_.stop();
  while (!seats_.empty()) detach(*seats_.begin()->second->endpoint);
  removeSource(timer_);
  removeSource(busWatch_);
  // Stopped off this thread; what its probes and callbacks use is owned by them.
  ElementReaper::retirePipeline(pipeline_);
  g_main_context_unref(context_);
}

void RoomMixer::attach(Endpoint& endpoint) {
  const std::string& id = endpoint.id();
  const SeatSpec& spec = endpoint.seat();
  if (endpoint.mixer()) throw std::runtime_error(id + " is attached to a room already");
  if (seats_.count(id)) throw std::runtime_error("a seat for " + id + " exists already");
  GstElement* bin = endpoint.bin();
  if (!gst_bin_add(GST_BIN(pipeline_), bin)) throw std::runtime_error("cannot add " + id + " to the room");
  // A bin that comes from another room was running there: it keeps its base time (the same in
  // every room) and gets this room's clock (the same clock).
  GstClock* clock = gst_pipeline_get_clock(GST_PIPELINE(pipeline_));
  gst_element_set_clock(bin, clock);
  gst_object_unref(clock);
  auto seat = std::make_unique<Seat>();
  seat->endpoint = &endpoint;
  Seat& made = *seat;
  seats_[id] = std::move(seat);
  try {
    if (spec.tile) {
      openFeed(endpoint, Endpoint::kCameraPad, made.camera, [&](Composite& c) { return c.addTile(id, spec.caption); });
    }
    if (spec.presentation) {
      openFeed(endpoint, Endpoint::kPresentationPad, made.presentation, [&](Composite& c) { return c.addPresentation(id); });
    }
    if (spec.microphone) linkOutlet(endpoint, Endpoint::kMicrophonePad, audio_.addMicrophone(id));
    // Running (a new bin starts here) before the room's tees push into it.
    gst_element_sync_state_with_parent(bin);
    if (spec.hearing != Hearing::Nothing) {
      GstPad* in = gst_element_get_static_pad(bin, Endpoint::kHearingPad);
      try {
        audio_.attachHearing(id, spec.hearing, in);
      } catch (...) {
        gst_object_unref(in);
        throw;
      }
      gst_object_unref(in);
    }
    if (spec.composite) {
      made.shape = effectiveShape(endpoint);
      if (made.shape == CompositeShape::Portrait && !portrait_) makePortraitTier();
      GstPad* in = gst_element_get_static_pad(bin, Endpoint::kCompositePad);
      try {
        made.compositeTeePad = encodersFor(made.shape).attach(*spec.composite, in);
      } catch (...) {
        gst_object_unref(in);
        throw;
      }
      gst_object_unref(in);
    }
  } catch (...) {
    unseat(made);
    seats_.erase(id);
    throw;
  }
  endpoint.setMixer(this);
}

void RoomMixer::detach(Endpoint& endpoint) {
  auto it = seats_.find(endpoint.id());
  if (it == seats_.end() || it->second->endpoint != &endpoint) return;
  unseat(*it->second);
  seats_.erase(it);
  endpoint.setMixer(nullptr);
}

// The room's tees let go of the endpoint first (they must never push into it while it leaves),
// then its outlets, then the seat's elements stop and the bin leaves the pipeline, running.
void RoomMixer::unseat(Seat& seat) {
  Endpoint& endpoint = *seat.endpoint;
  const SeatSpec& spec = endpoint.seat();
  if (spec.composite) encodersFor(seat.shape).release(*spec.composite, seat.compositeTeePad);
  GstElement* bin = endpoint.bin();
  closeFeed(endpoint, Endpoint::kCameraPad, seat.camera);
  closeFeed(endpoint, spec.presentation ? Endpoint::kPresentationPad : Endpoint::kScreenPad, seat.presentation);
  unlinkPad(bin, Endpoint::kMicrophonePad);
  if (screenPresenter_ == endpoint.id()) {
    screenPresenter_.reset();
    endpoint.setScreenShown(false);
  }
  audio_.remove(endpoint.id());  // also unlinks what it hears
  removeFromComposites(endpoint.id());
  if (GST_OBJECT_PARENT(bin) == GST_OBJECT(pipeline_)) gst_bin_remove(GST_BIN(pipeline_), bin);  // ours stays
}

void RoomMixer::presentScreen(const std::optional<std::string>& id) {
  if (screenPresenter_ == id) return;
  // Checked first: a refused request changes nothing.
  Seat* next = nullptr;
  if (id) {
    auto it = seats_.find(*id);
    if (it == seats_.end() || !it->second->endpoint->seat().screen) throw std::runtime_error(*id + " has no screen to show");
    next = it->second.get();
  }
  if (screenPresenter_) {
    auto it = seats_.find(*screenPresenter_);
    if (it != seats_.end()) {
      closeFeed(*it->second->endpoint, Endpoint::kScreenPad, it->second->presentation);
      it->second->endpoint->setScreenShown(false);
    }
    forEachComposite([](Composite& c) { c.removePresentation(); });
    screenPresenter_.reset();
  }
  if (!next) return;
  try {
    openFeed(*next->endpoint, Endpoint::kScreenPad, next->presentation,
             [&](Composite& c) { return c.addPresentation(*id); });
  } catch (...) {
    // Whatever was made of it goes; something presented by others (a slide source) stays.
    if (next->presentation.tee) {
      closeFeed(*next->endpoint, Endpoint::kScreenPad, next->presentation);
      forEachComposite([](Composite& c) { c.removePresentation(); });
    }
    throw;
  }
  next->endpoint->setScreenShown(true);
  screenPresenter_ = id;
}

void RoomMixer::openFeed(Endpoint& endpoint, const char* pad, VideoFeed& feed,
                         const std::function<GstPad*(Composite&)>& input) {
  GstPad* landscapeIn = input(composite_);  // may throw (a second presentation): nothing made yet
  feed.tee = makeElement("tee");
  g_object_set(feed.tee, "allow-not-linked", TRUE, nullptr);
  gst_bin_add(GST_BIN(pipeline_), feed.tee);
  gst_element_sync_state_with_parent(feed.tee);
  feed.landscape = branchInto(feed.tee, landscapeIn);
  if (portrait_) feed.portrait = branchInto(feed.tee, input(portrait_->composite));
  if (!feed.landscape || (portrait_ && !feed.portrait)) {
    throw std::runtime_error("cannot link " + endpoint.id() + "'s " + pad + " to the composite");
  }
  linkOutlet(endpoint, pad, gst_element_get_static_pad(feed.tee, "sink"));
}

void RoomMixer::closeFeed(Endpoint& endpoint, const char* pad, VideoFeed& feed) {
  if (!feed.tee) return;
  unlinkPad(endpoint.bin(), pad);
  detachFromTee(feed.tee, feed.landscape);
  detachFromTee(feed.tee, feed.portrait);
  ElementReaper::retire(pipeline_, {feed.tee});
  feed = VideoFeed{};
}

void RoomMixer::removeFromComposites(const std::string& id) {
  forEachComposite([&](Composite& c) { c.remove(id); });
}

void RoomMixer::forEachComposite(const std::function<void(Composite&)>& change) {
  change(composite_);
  if (portrait_) change(portrait_->composite);
}

CompositeShape RoomMixer::effectiveShape(const Endpoint& endpoint) const {
  return settings_.portraitEnabled ? endpoint.compositeShape() : CompositeShape::Landscape;
}

CompositeEncoders& RoomMixer::encodersFor(CompositeShape shape) {
  return shape == CompositeShape::Portrait && portrait_ ? portrait_->encoders : encoders_;
}

// Made while the room runs: its own elements start first (a tile's source must never push into
// a compositor that is not running yet: it would see FLUSHING and stop for good), then every
// picture the landscape composite shows gets a branch into it, in the same tile order and state.
void RoomMixer::makePortraitTier() {
  portrait_ = std::make_unique<PortraitTier>(pipeline_, settings_);
  Composite& portrait = portrait_->composite;
  portrait.start();
  for (const std::string& id : composite_.tileOrder()) {
    auto it = seats_.find(id);
    if (it == seats_.end() || !it->second->camera.tee) continue;
    VideoFeed& feed = it->second->camera;
    feed.portrait = branchInto(feed.tee, portrait.addTile(id, it->second->endpoint->seat().caption));
    // The tile then shows its placeholder; the landscape composite and the camera carry on.
    if (!feed.portrait) g_warning("room %s: cannot link %s's camera to the portrait composite", name_.c_str(), id.c_str());
    portrait.setVisible(id, composite_.visible(id));
  }
  // A room shows at most one presentation (someone's, or their screen).
  for (auto& [id, seat] : seats_) {
    if (!seat->presentation.tee) continue;
    seat->presentation.portrait = branchInto(seat->presentation.tee, portrait.addPresentation(id));
    if (!seat->presentation.portrait) {
      g_warning("room %s: cannot link %s's presentation to the portrait composite", name_.c_str(), id.c_str());
    }
    break;
  }
  portrait.setLayout(composite_.layout());
  portrait.setFloorHolder(composite_.floorHolder());
  portrait.setActiveSpeaker(composite_.activeSpeaker());
  g_message("room %s: portrait composite made (%dx%d) for phones held upright", name_.c_str(),
            settings_.portraitWidth, settings_.portraitHeight);
}

void RoomMixer::retireIdlePortraitTier(KeyframeLimiter::Clock::time_point now) {
  if (!portrait_) return;
  for (const auto& [id, seat] : seats_) {
    if (seat->shape == CompositeShape::Portrait) {
      portraitIdleSince_.reset();
      return;
    }
  }
  if (!portraitIdleSince_) portraitIdleSince_ = now;
  if (now - *portraitIdleSince_ < std::chrono::milliseconds(settings_.portraitIdleMs)) return;
  portraitIdleSince_.reset();
  // The feeds let go of it first (their tees must never push into it while it stops).
  for (auto& [id, seat] : seats_) {
    if (seat->camera.tee) detachFromTee(seat->camera.tee, seat->camera.portrait);
    if (seat->presentation.tee) detachFromTee(seat->presentation.tee, seat->presentation.portrait);
  }
  std::vector<GstElement*> elements = portrait_->composite.elements();
  for (GstElement* element : portrait_->encoders.elements()) elements.push_back(element);
  ElementReaper::retire(pipeline_, elements);
  portrait_.reset();
  g_message("room %s: portrait composite retired (nobody took it for %d ms)", name_.c_str(), settings_.portraitIdleMs);
}

void RoomMixer::setCompositeShape(Endpoint& endpoint, CompositeShape shape) {
  endpoint.setCompositeShape(shape);
  auto it = seats_.find(endpoint.id());
  if (it == seats_.end() || it->second->endpoint != &endpoint || !endpoint.seat().composite) return;
  Seat& seat = *it->second;
  const CompositeShape next = effectiveShape(endpoint);
  if (next == seat.shape) return;
  if (next == CompositeShape::Portrait && !portrait_) makePortraitTier();
  const VideoCodec codec = *endpoint.seat().composite;
  // Like a move between rooms: off one encoder's tee, onto the other's, with a key frame.
  encodersFor(seat.shape).release(codec, seat.compositeTeePad);
  seat.shape = next;
  GstPad* in = gst_element_get_static_pad(endpoint.bin(), Endpoint::kCompositePad);
  try {
    seat.compositeTeePad = encodersFor(next).attach(codec, in);
  } catch (...) {
    gst_object_unref(in);
    throw;
  }
  gst_object_unref(in);
}

const Composite* RoomMixer::portraitComposite() const { return portrait_ ? &portrait_->composite : nullptr; }

std::uint64_t RoomMixer::portraitFramesEncoded(VideoCodec codec) const {
  return portrait_ ? portrait_->encoders.framesEncoded(codec) : 0;
}

void RoomMixer::setVideoVisible(const std::string& id, bool visible) {
  forEachComposite([&](Composite& c) { c.setVisible(id, visible); });
}

void RoomMixer::setLayout(Layout layout) {
  forEachComposite([&](Composite& c) { c.setLayout(layout); });
}

void RoomMixer::setFloorHolder(const std::optional<std::string>& id) {
  forEachComposite([&](Composite& c) { c.setFloorHolder(id); });
}

void RoomMixer::requestKeyframe(VideoCodec codec, CompositeShape shape) { encodersFor(shape).requestKeyframe(codec); }

// On the conference thread, posted by the mixing thread's detector.
void RoomMixer::onActiveSpeaker(const std::optional<std::string>& id) {
  if (portrait_) portrait_->composite.setActiveSpeaker(id);
  if (composite_.setActiveSpeaker(id) && listener_) listener_->OnRoomMixerActiveSpeaker(composite_.activeSpeaker());
}

gboolean RoomMixer::onTimer(gpointer self) {
  auto* mixer = static_cast<RoomMixer*>(self);
  const auto now = KeyframeLimiter::Clock::now();
  mixer->encoders_.sendPendingKeyframes(now);
  if (mixer->portrait_) mixer->portrait_->encoders.sendPendingKeyframes(now);
  mixer->retireIdlePortraitTier(now);
  mixer->checkCompositeFlowing(now);
  mixer->reportVideoRequests();
  return G_SOURCE_CONTINUE;
}

// Every tile's request, compared with what was reported last: the layout changes inside many
// calls (attach, setLayout, a new active speaker); checking here, at most 250 ms later, reports
// each change once, outside those calls, and a burst of joins as one change per tile.
void RoomMixer::reportVideoRequests() {
  std::map<std::string, VideoRequest> now;
  for (const std::string& id : composite_.tileOrder()) now[id] = videoRequestFor(composite_.tileRect(id), settings_);
  std::vector<std::pair<std::string, VideoRequest>> changed;
  for (const auto& [id, request] : now) {
    auto it = videoRequests_.find(id);
    if (it == videoRequests_.end() || !(it->second == request)) changed.emplace_back(id, request);
  }
  videoRequests_ = std::move(now);
  if (!listener_) return;
  for (const auto& [id, request] : changed) listener_->OnRoomMixerVideoRequest(id, request);
}

// A composite that stops leaves everybody without picture and new joiners without an offer:
// reported, with the flows that failed and the pipeline graph when GST_DEBUG_DUMP_DOT_DIR is set.
void RoomMixer::checkCompositeFlowing(KeyframeLimiter::Clock::time_point now) {
  const guint64 frames = composite_.frames();
  if (frames != lastCompositeFrames_) {
    if (compositeStallReported_) g_message("room %s: composite flows again", name_.c_str());
    lastCompositeFrames_ = frames;
    lastCompositeChange_ = now;
    compositeStallReported_ = false;
  } else if (!compositeStallReported_ && now - lastCompositeChange_ > std::chrono::seconds(3)) {
    compositeStallReported_ = true;
    g_warning("room %s: composite stalled: no frame for 3 s (after %" G_GUINT64_FORMAT
              " frames); failed flows: %s",
              name_.c_str(), frames, describeFailedFlows(GST_BIN(pipeline_)).c_str());
    GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(pipeline_), GST_DEBUG_GRAPH_SHOW_ALL, "plenum-stall");
  }
}

// An error inside an endpoint's bin is the endpoint's failure; anything else is the room's.
void RoomMixer::onError(GstMessage* message) {
  GError* error = nullptr;
  gchar* debug = nullptr;
  gst_message_parse_error(message, &error, &debug);
  const std::string element = GST_OBJECT_NAME(GST_MESSAGE_SRC(message));
  const std::string text = error ? error->message : "unknown error";
  const EndpointFailure failure = failureOf(message, error);
  g_clear_error(&error);
  g_free(debug);
  for (auto& [id, seat] : seats_) {
    if (gst_object_has_as_ancestor(GST_MESSAGE_SRC(message), GST_OBJECT(seat->endpoint->bin()))) {
      seat->endpoint->fail(failure, element + ": " + text);
      return;
    }
  }
  GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(pipeline_), GST_DEBUG_GRAPH_SHOW_ALL, "plenum-error");
  if (listener_) listener_->OnRoomMixerError(element, text);
}

gboolean RoomMixer::onBusMessage(GstBus*, GstMessage* message, gpointer self) {
  auto* mixer = static_cast<RoomMixer*>(self);
  switch (GST_MESSAGE_TYPE(message)) {
    case GST_MESSAGE_LATENCY:
      // A newly linked input (a browser's jitter buffer) changed the pipeline's latency.
      gst_bin_recalculate_latency(GST_BIN(mixer->pipeline_));
      break;
    case GST_MESSAGE_ERROR:
      // Elements already taken out of the room (a participant who left, an endpoint that moved
      // on) may report a last error on their way out: not the room's.
      if (gst_object_has_as_ancestor(GST_MESSAGE_SRC(message), GST_OBJECT(mixer->pipeline_))) mixer->onError(message);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

}  // namespace plenum::mixer
