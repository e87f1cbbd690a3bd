// SPDX-License-Identifier: EUPL-1.2
#include "mixer/Composite.hpp"

#include "mixer/ElementReaper.hpp"
#include "mixer/GstUtil.hpp"
#include "mixer/TileVideoRequest.hpp"

#include <algorithm>
#include <stdexcept>

namespace plenum::mixer {

namespace {

std::string initials(const std::string& name) {
  std::string result;
  bool atWordStart = true;
  for (const char* p = name.c_str(); *p && result.size() < 8; p = g_utf8_next_char(p)) {
    const gunichar c = g_utf8_get_char(p);
    if (g_unichar_isspace(c)) {
      atWordStart = true;
      continue;
    }
    if (atWordStart && g_unichar_isalnum(c)) {
      char buffer[8] = {};
      g_unichar_to_utf8(g_unichar_toupper(c), buffer);
      result += buffer;
      if (g_utf8_strlen(result.c_str(), -1) == 2) break;
    }
    atWordStart = false;
  }
  return result.empty() ? "?" : result;
}

std::string escapeMarkup(const std::string& text) {
  gchar* escaped = g_markup_escape_text(text.c_str(), -1);
  std::string result(escaped);
  g_free(escaped);
  return result;
}

// Dark, distinct placeholder backgrounds; picked from the name so a person keeps their colour.
guint placeholderColour(const std::string& name) {
  static const guint palette[] = {0xff3c4f76, 0xff5b3d6b, 0xff2f5d50, 0xff6b4a2f,
                                  0xff3d5a6b, 0xff5e3a3a, 0xff44475a, 0xff2e4a3a};
  return palette[g_str_hash(name.c_str()) % G_N_ELEMENTS(palette)];
}

Rect inset(const Rect& r, int by) { return {r.x + by, r.y + by, r.width - 2 * by, r.height - 2 * by}; }

std::string rawCaps(int width, int height) {
  return "video/x-raw,format=I420,width=" + std::to_string(width) +
         ",height=" + std::to_string(height) + ",pixel-aspect-ratio=1/1";
}

void place(GstPad* pad, const Rect& r) {
  g_object_set(pad, "xpos", r.x, "ypos", r.y, "width", r.width, "height", r.height, nullptr);
}

}  // namespace

struct Composite::Tile {
  std::string id;
  Rect rect;     // the tile's place in the layout
  Rect picture;  // where its pads draw: the rect, inset by the speaker frame when marked
  bool visible = true;
  // placeholder: shown when there is no camera picture (camera off, not yet arrived, a phone)
  GstElement* placeholderSource = nullptr;
  GstElement* placeholderCaps = nullptr;
  GstElement* placeholderText = nullptr;
  GstPad* placeholderPad = nullptr;  // compositor request pad
  // camera: raw frames from the endpoint, scaled to the tile, name written on them
  GstElement* cameraQueue = nullptr;
  GstElement* cameraScale = nullptr;
  GstElement* cameraConvert = nullptr;
  GstElement* cameraCaps = nullptr;
  GstElement* cameraText = nullptr;
  GstPad* cameraPad = nullptr;  // compositor request pad

  std::vector<GstElement*> elements() const {
    return {placeholderSource, placeholderCaps, placeholderText, cameraQueue,
            cameraScale,       cameraConvert,   cameraCaps,      cameraText};
  }
};

// A screen or a slide: scaled once, to the size of its rectangle, keeping its aspect ratio
// (small text stays as readable as the composite's size allows), before the compositor. As for
// cameras, whatever the source sends (a screen share changes its size while the browser adapts
// it) reaches the compositor in one format and size: a size change at a compositor pad while it
// runs could fail the whole composite.
struct Composite::Presentation {
  std::string id;
  Rect rect;
  GstElement* queue = nullptr;
  GstElement* scale = nullptr;
  GstElement* convert = nullptr;
  GstElement* caps = nullptr;
  GstPad* pad = nullptr;  // compositor request pad

  std::vector<GstElement*> elements() const { return {queue, scale, convert, caps}; }
};

// Cameras send up to 30 fps; frames beyond the composite's rate are dropped before they cost a
// scale. (videorate asserts on the decoders' duration-less buffers in 1.22.) Owned by its probe,
// which may outlive the tile (its elements stop off the conference thread).
struct Composite::CameraRateCap {
  GstClockTime period;
  GstClockTime last = GST_CLOCK_TIME_NONE;  // touched only on the camera queue's thread

  static GstPadProbeReturn onFrame(GstPad*, GstPadProbeInfo* info, gpointer data) {
    auto* cap = static_cast<CameraRateCap*>(data);
    const GstClockTime pts = GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info));
    if (!GST_CLOCK_TIME_IS_VALID(pts)) return GST_PAD_PROBE_OK;
    // 10 % slack so that a 15 fps camera is not halved by jitter against a 15 fps composite.
    if (GST_CLOCK_TIME_IS_VALID(cap->last) && pts > cap->last && pts - cap->last < cap->period * 9 / 10) {
      return GST_PAD_PROBE_DROP;
    }
    cap->last = pts;
    return GST_PAD_PROBE_OK;
  }
};

Composite::Composite(GstElement* pipeline, const MixerSettings& settings, const std::string& prefix)
    : pipeline_(pipeline), settings_(settings), prefix_(prefix) {
  const int fps = settings_.framerate;
  // force-live (construct-only): the compositor never falls back to waiting for data on every
  // pad, which it did when its first latency query failed (pads not yet active at a room's
  // start) and a tile without camera data then stalled the room for good.
  compositor_ = gst_element_factory_make_full("compositor", "name", (prefix_ + "composite").c_str(), "force-live", TRUE, nullptr);
  if (!compositor_) throw std::runtime_error("GStreamer element missing: compositor");
  // Live mixing: wait at most this long for late inputs, and ignore pads that never had data
  // (a tile whose camera has not started) instead of waiting for them.
  g_object_set(compositor_, "background", 1 /* black */, "ignore-inactive-pads", TRUE,
               "min-upstream-latency",
               static_cast<guint64>(settings_.compositorLatencyMs) * GST_MSECOND, nullptr);

  // The background drives the compositor at the output rate even when nobody sends video.
  GstElement* background = makeElement("videotestsrc", prefix_ + "background");
  g_object_set(background, "is-live", TRUE, "pattern", 17 /* solid colour */, "foreground-color",
               0xff202124u, nullptr);
  GstElement* backgroundCaps = makeCapsFilter(
      rawCaps(settings_.width, settings_.height) + ",framerate=" + std::to_string(fps) + "/1");
  addAndLink(pipeline_, {background, backgroundCaps});
  gst_bin_add(GST_BIN(pipeline_), compositor_);
  fixed_ = {background, backgroundCaps};
  GstPad* backgroundPad = requestPad(0);
  GstPad* backgroundOut = gst_element_get_static_pad(backgroundCaps, "src");
  gst_pad_link(backgroundOut, backgroundPad);
  gst_object_unref(backgroundOut);
  gst_object_unref(backgroundPad);
  // Behind the tiles (zorder 3 and 4): the floor frame, then the speaker frame over it.
  floorFrame_ = addFrame("floor-frame", kFloorFrameArgb, 1);
  speakerFrame_ = addFrame("speaker-frame", kSpeakerFrameArgb, 2);

  GstElement* outputCaps = makeCapsFilter(rawCaps(settings_.width, settings_.height) +
                                          ",framerate=" + std::to_string(fps) + "/1");
  rawTee_ = makeElement("tee", prefix_ + "composite-raw");
  g_object_set(rawTee_, "allow-not-linked", TRUE, nullptr);
  gst_bin_add_many(GST_BIN(pipeline_), outputCaps, rawTee_, nullptr);
  if (!gst_element_link_many(compositor_, outputCaps, rawTee_, nullptr)) {
    throw std::runtime_error("cannot link the compositor output");
  }
  fixed_.insert(fixed_.end(), {compositor_, outputCaps, rawTee_});
  // Counts composite frames for RoomMixer's stall check.
  GstPad* teeIn = gst_element_get_static_pad(rawTee_, "sink");
  gst_pad_add_probe(
      teeIn, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo*, gpointer frames) {
        (*static_cast<std::shared_ptr<std::atomic<guint64>>*>(frames))->fetch_add(1, std::memory_order_relaxed);
        return GST_PAD_PROBE_OK;
      },
      new std::shared_ptr<std::atomic<guint64>>(frames_),
      [](gpointer frames) { delete static_cast<std::shared_ptr<std::atomic<guint64>>*>(frames); });
  gst_object_unref(teeIn);
}

Composite::~Composite() {
  // The elements go with the pipeline (RoomMixer retires it); only our pad references here.
  for (auto& tile : tiles_) {
    gst_object_unref(tile->placeholderPad);
    gst_object_unref(tile->cameraPad);
  }
  if (presentation_) gst_object_unref(presentation_->pad);
  gst_object_unref(speakerFrame_);
  gst_object_unref(floorFrame_);
}

void Composite::start() { startDownstreamFirst(fixed_); }

int Composite::cameraWidth() const { return cameraSize(settings_).width; }
int Composite::cameraHeight() const { return cameraSize(settings_).height; }

GstPad* Composite::requestPad(guint zorder) {
  GstPad* pad = gst_element_request_pad_simple(compositor_, "sink_%u");
  g_object_set(pad, "zorder", zorder, nullptr);
  return pad;
}

// An input leaves: its compositor pads are hidden at once (the compositor skips transparent
// pads) and its elements taken out of the room; the pads are given back and the elements stopped
// off this thread (ElementReaper). Releasing a pad waits for the frame being composited (tenths of
// a second on a loaded machine) and flushes the pad, which wakes any thread of the input waiting
// in the compositor; the conference thread must do neither: it would hold up every room's
// signaling and every move.
void Composite::retireInput(const std::vector<GstElement*>& elements, std::initializer_list<GstPad**> pads) {
  std::vector<ElementReaper::PadRelease> releases;
  for (GstPad** pad : pads) {
    if (*pad) g_object_set(*pad, "alpha", 0.0, nullptr);
    releases.push_back({compositor_, *pad});
  }
  ElementReaper::retire(pipeline_, elements, std::move(releases));
}

// A marking frame: one small solid-colour source for the whole room, which applyLayout moves
// and scales behind the marked tile through its compositor pad (transparent when unused, and
// then skipped by the compositor). Built before the pipeline runs.
GstPad* Composite::addFrame(const std::string& name, guint argb, guint zorder) {
  GstElement* source = makeElement("videotestsrc", prefix_ + name);
  g_object_set(source, "is-live", TRUE, "pattern", 17 /* solid colour */, "foreground-color", argb, nullptr);
  // At the composite's frame rate, like the placeholders, so as not to add latency.
  GstElement* caps = makeCapsFilter(rawCaps(16, 16) + ",framerate=" + std::to_string(settings_.framerate) + "/1");
  addAndLink(pipeline_, {source, caps});
  fixed_.insert(fixed_.end(), {source, caps});
  GstPad* pad = requestPad(zorder);
  g_object_set(pad, "alpha", 0.0, nullptr);
  GstPad* out = gst_element_get_static_pad(caps, "src");
  gst_pad_link(out, pad);
  gst_object_unref(out);
  return pad;
}

GstPadProbeReturn Composite::onUnlinkedLatency(GstPad* pad, GstPadProbeInfo* info, gpointer) {
  GstQuery* query = GST_PAD_PROBE_INFO_QUERY(info);
  if (GST_QUERY_TYPE(query) != GST_QUERY_LATENCY || gst_pad_is_linked(pad)) return GST_PAD_PROBE_OK;
  gst_query_set_latency(query, TRUE, 0, GST_CLOCK_TIME_NONE);
  return GST_PAD_PROBE_HANDLED;
}

GstPad* Composite::addTile(const std::string& id, const std::string& caption) {
  if (hasTile(id)) throw std::runtime_error("a tile for " + id + " exists already");
  auto tile = std::make_unique<Tile>();
  tile->id = id;
  const std::string prefix = prefix_ + "tile-" + id + "-";

  // A live source drawn for every frame: a still frame repeated by imagefreeze (tried in issue 16)
  // cost the compositor more, 12-17 % of plenumd's CPU in a room of 8 (bench/run.sh --floor,
  // three pairs of runs). At the composite's frame rate: a live source reports one frame of
  // latency, and a slow placeholder would add its whole frame time to the room's video delay.
  tile->placeholderSource = makeElement("videotestsrc", prefix + "placeholder");
  g_object_set(tile->placeholderSource, "is-live", TRUE, "pattern", 17, "foreground-color",
               placeholderColour(caption), nullptr);
  tile->placeholderCaps = makeCapsFilter(rawCaps(cameraWidth() / 2, cameraHeight() / 2) + ",framerate=" +
                                         std::to_string(settings_.framerate) + "/1");
  tile->placeholderText = makeElement("textoverlay");
  const std::string placeholderMarkup = "<span size='xx-large' weight='bold'>" +
                                        escapeMarkup(initials(caption)) + "</span>\n" + escapeMarkup(caption);
  g_object_set(tile->placeholderText, "text", placeholderMarkup.c_str(), "halignment", 1 /* center */,
               "valignment", 4 /* center */, "line-alignment", 1, "shaded-background", FALSE,
               "font-desc", "Sans 24", nullptr);
  addAndLink(pipeline_, {tile->placeholderSource, tile->placeholderCaps, tile->placeholderText});

  // Decoupled from the decoder's thread; a backlog means we are late: drop, do not wait.
  tile->cameraQueue = makeLeakyQueue(3, 0);
  // Until a camera is linked, the tile's camera branch has no upstream, and the compositor's
  // latency query would fail on it, which makes the compositor treat the room as not live
  // and wait for every pad (a room with an audio-only participant would freeze). Answer it.
  GstPad* queueIn = gst_element_get_static_pad(tile->cameraQueue, "sink");
  gst_pad_add_probe(queueIn, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM, &Composite::onUnlinkedLatency, nullptr, nullptr);
  GstPad* queueOut = gst_element_get_static_pad(tile->cameraQueue, "src");
  gst_pad_add_probe(queueOut, GST_PAD_PROBE_TYPE_BUFFER, &CameraRateCap::onFrame,
                    new CameraRateCap{GST_SECOND / static_cast<GstClockTime>(settings_.framerate)},
                    [](gpointer cap) { delete static_cast<CameraRateCap*>(cap); });
  gst_object_unref(queueOut);
  tile->cameraScale = makeElement("videoscale");
  g_object_set(tile->cameraScale, "add-borders", TRUE, nullptr);
  tile->cameraConvert = makeElement("videoconvert");
  // Every camera is brought to one 16:9 size (half the composite, letterboxed) whatever the
  // layout; the compositor scales that to the tile.
  tile->cameraCaps = makeCapsFilter(rawCaps(cameraWidth(), cameraHeight()));
  // Fonts are set once, before the element runs: changing them while it renders races inside
  // Pango (seen as crashes). auto-resize (the default) scales them with the tile's width.
  tile->cameraText = makeElement("textoverlay");
  g_object_set(tile->cameraText, "text", escapeMarkup(caption).c_str(), "halignment", 0 /* left */,
               "valignment", 1 /* bottom */, "shaded-background", TRUE, "font-desc", "Sans Bold 22", nullptr);
  addAndLink(pipeline_, {tile->cameraQueue, tile->cameraScale, tile->cameraConvert, tile->cameraCaps, tile->cameraText});

  tile->placeholderPad = requestPad(3);
  tile->cameraPad = requestPad(4);
  GstPad* out = gst_element_get_static_pad(tile->placeholderText, "src");
  gst_pad_link(out, tile->placeholderPad);
  gst_object_unref(out);
  out = gst_element_get_static_pad(tile->cameraText, "src");
  gst_pad_link(out, tile->cameraPad);
  gst_object_unref(out);

  tiles_.push_back(std::move(tile));
  applyLayout();
  startDownstreamFirst(tiles_.back()->elements());
  return queueIn;
}

GstPad* Composite::addPresentation(const std::string& id) {
  if (presentation_) throw std::runtime_error("something is presented already");
  auto presentation = std::make_unique<Presentation>();
  presentation->id = id;
  presentation->queue = makeLeakyQueue(3, 0, prefix_ + "presentation-" + id + "-queue");
  GstPad* queueIn = gst_element_get_static_pad(presentation->queue, "sink");
  gst_pad_add_probe(queueIn, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM, &Composite::onUnlinkedLatency, nullptr, nullptr);
  // The compositor fails on a frame without a timestamp: such a frame is dropped here.
  gst_pad_add_probe(
      queueIn, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer) {
        return GST_CLOCK_TIME_IS_VALID(GST_BUFFER_PTS(GST_PAD_PROBE_INFO_BUFFER(info))) ? GST_PAD_PROBE_OK
                                                                                      : GST_PAD_PROBE_DROP;
      },
      nullptr, nullptr);
  presentation->scale = makeElement("videoscale");
  g_object_set(presentation->scale, "add-borders", TRUE, nullptr);
  presentation->convert = makeElement("videoconvert");
  presentation->rect = presentationLayout(std::max<int>(1, static_cast<int>(tiles_.size())), settings_.width,
                                          settings_.height)
                           .presentation;
  presentation->caps = makeCapsFilter(rawCaps(presentation->rect.width, presentation->rect.height));
  addAndLink(pipeline_, presentation->elements());
  // Above the tiles' placeholders and pictures, below nothing.
  presentation->pad = requestPad(5);
  place(presentation->pad, presentation->rect);
  GstPad* out = gst_element_get_static_pad(presentation->caps, "src");
  gst_pad_link(out, presentation->pad);
  gst_object_unref(out);
  presentation_ = std::move(presentation);
  applyLayout();
  startDownstreamFirst(presentation_->elements());
  return queueIn;
}

void Composite::removePresentation() {
  if (!presentation_) return;
  retireInput(presentation_->elements(), {&presentation_->pad});
  presentation_.reset();
  applyLayout();
}

void Composite::remove(const std::string& id) {
  if (presentation_ && presentation_->id == id) removePresentation();
  auto it = std::find_if(tiles_.begin(), tiles_.end(), [&](const auto& t) { return t->id == id; });
  if (it == tiles_.end()) return;
  Tile& tile = **it;
  retireInput(tile.elements(), {&tile.placeholderPad, &tile.cameraPad});
  tiles_.erase(it);
  applyLayout();
}

bool Composite::hasTile(const std::string& id) const {
  return std::any_of(tiles_.begin(), tiles_.end(), [&](const auto& t) { return t->id == id; });
}

void Composite::applyLayout() {
  const int count = static_cast<int>(tiles_.size());
  std::vector<Rect> rects;
  if (presentation_) {
    PresentationLayout layout = presentationLayout(count, settings_.width, settings_.height);
    rects = std::move(layout.tiles);
    if (layout.presentation != presentation_->rect) {
      presentation_->rect = layout.presentation;
      place(presentation_->pad, layout.presentation);
      setCaps(presentation_->caps, rawCaps(layout.presentation.width, layout.presentation.height));
    }
  } else if (layout_ == Layout::Speaker) {
    rects = speakerLayout(count, focusIndex(), settings_.width, settings_.height);
  } else {
    rects = gridLayout(count, settings_.width, settings_.height);
  }
  std::optional<Rect> speakerFrame;
  std::optional<Rect> floorFrame;
  for (std::size_t i = 0; i < tiles_.size(); ++i) {
    Tile& tile = *tiles_[i];
    const Rect& r = rects[i];
    tile.rect = r;
    const bool speaking = activeSpeaker_ == tile.id;
    if (speaking) speakerFrame = r;
    if (floorHolder_ == tile.id) floorFrame = inset(r, -kFrameWidth);
    // Only the compositor's pads move and scale: renegotiating the tile's caps while frames
    // flow fails now and then (not-negotiated) and kills the camera branch. A pad is touched
    // only when its place changes (the compositor then rebuilds its scaler).
    const bool roomForFrame = r.width > 4 * kFrameWidth && r.height > 4 * kFrameWidth;
    const Rect picture = speaking && roomForFrame ? inset(r, kFrameWidth) : r;
    if (picture != tile.picture) {
      tile.picture = picture;
      place(tile.placeholderPad, picture);
      place(tile.cameraPad, picture);
    }
    g_object_set(tile.cameraPad, "alpha", tile.visible ? 1.0 : 0.0, nullptr);
  }
  for (auto [pad, frame] : {std::pair{speakerFrame_, speakerFrame}, std::pair{floorFrame_, floorFrame}}) {
    if (frame) {
      place(pad, *frame);
      g_object_set(pad, "alpha", 1.0, nullptr);
    } else {
      g_object_set(pad, "alpha", 0.0, nullptr);
    }
  }
}

// The tile shown large in the speaker layout: the floor holder, else the active speaker, else
// the last one who spoke (so that a pause does not rearrange the picture), else the first.
int Composite::focusIndex() const {
  for (const auto* candidate : {&floorHolder_, &activeSpeaker_, &lastSpeaker_}) {
    if (!*candidate) continue;
    for (std::size_t i = 0; i < tiles_.size(); ++i) {
      if (tiles_[i]->id == **candidate) return static_cast<int>(i);
    }
  }
  return 0;
}

void Composite::setLayout(Layout layout) {
  if (layout == layout_) return;
  layout_ = layout;
  applyLayout();
}

void Composite::setFloorHolder(const std::optional<std::string>& id) {
  if (id == floorHolder_) return;
  floorHolder_ = id;
  applyLayout();
}

bool Composite::setActiveSpeaker(const std::optional<std::string>& id) {
  // A report about somebody who has left meanwhile (or has no tile) means nobody.
  const std::optional<std::string> speaker = id && hasTile(*id) ? id : std::nullopt;
  if (speaker == activeSpeaker_) return false;
  activeSpeaker_ = speaker;
  if (speaker) lastSpeaker_ = speaker;
  applyLayout();
  return true;
}

void Composite::setVisible(const std::string& id, bool visible) {
  for (auto& tile : tiles_) {
    if (tile->id != id) continue;
    tile->visible = visible;
    g_object_set(tile->cameraPad, "alpha", visible ? 1.0 : 0.0, nullptr);
  }
}

std::vector<GstElement*> Composite::elements() const {
  std::vector<GstElement*> all;
  for (const auto& tile : tiles_) {
    for (GstElement* element : tile->elements()) all.push_back(element);
  }
  if (presentation_) {
    for (GstElement* element : presentation_->elements()) all.push_back(element);
  }
  all.insert(all.end(), fixed_.begin(), fixed_.end());
  return all;
}

bool Composite::visible(const std::string& id) const {
  for (const auto& tile : tiles_) {
    if (tile->id == id) return tile->visible;
  }
  return false;
}

std::vector<std::string> Composite::tileOrder() const {
  std::vector<std::string> ids;
  for (auto& tile : tiles_) ids.push_back(tile->id);
  return ids;
}

Rect Composite::tileRect(const std::string& id) const {
  for (auto& tile : tiles_) {
    if (tile->id == id) return tile->rect;
  }
  return {};
}

Rect Composite::presentationRect() const { return presentation_ ? presentation_->rect : Rect{}; }

}  // namespace plenum::mixer
