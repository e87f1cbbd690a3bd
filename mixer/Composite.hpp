// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A room's picture: the compositor with a tile per seat that has one (camera picture over a
// placeholder with the name), the presentation when there is one, the marking frames of the
// active speaker and the floor holder, and the layout that places them. Its output, raw, leaves
// through rawTee() (to the encoders). Conference thread only.
#include "mixer/MixerSettings.hpp"
#include "mixer/TileLayout.hpp"

#include <gst/gst.h>

#include <atomic>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace plenum::mixer {

class Composite {
public:
  // The marking frames. The active speaker's frame lies inside their tile (the picture is inset
  // by its width); the floor holder's lies round the tile, in the gap between tiles, so that
  // both show when one person is both.
  static constexpr guint kSpeakerFrameArgb = 0xFFFFB000;  // amber
  static constexpr guint kFloorFrameArgb = 0xFF1E88E5;    // blue
  static constexpr int kFrameWidth = 4;                   // pixels; half the tiles' gap

  // Builds the compositor and its fixed inputs into `pipeline` (running or not). `prefix` starts
  // the names of its elements, for a second composite in the same pipeline (the portrait one).
  Composite(GstElement* pipeline, const MixerSettings& settings, const std::string& prefix = {});
  ~Composite();
  Composite(const Composite&) = delete;
  Composite& operator=(const Composite&) = delete;

  // Brings the composite's own elements to the pipeline's state: for a composite made in a
  // running pipeline, once its output is linked (a pipeline started later starts them itself).
  void start();

  GstElement* rawTee() const { return rawTee_; }
  // Composite frames made so far (counted on the compositor's thread).
  guint64 frames() const { return frames_->load(std::memory_order_relaxed); }

  // A tile for `id` at the end of the tile order; returns its camera input (any raw video; the
  // caller's reference). Throws if `id` has one.
  GstPad* addTile(const std::string& id, const std::string& caption);
  // Returns the presentation input (any raw video; the caller's reference). Throws if something
  // is presented already: one presentation at a time.
  GstPad* addPresentation(const std::string& id);
  // Removes the tile or the presentation of `id`, if any.
  void remove(const std::string& id);
  // Removes the presentation, whoever's it is (the tiles stay).
  void removePresentation();
  bool hasTile(const std::string& id) const;
  // Every element of the composite, sources first: to retire it whole from a running pipeline.
  std::vector<GstElement*> elements() const;

  void setVisible(const std::string& id, bool visible);
  bool visible(const std::string& id) const;
  void setLayout(Layout layout);
  void setFloorHolder(const std::optional<std::string>& id);
  // The active speaker (nullopt: nobody); someone without a tile counts as nobody. Returns
  // whether the marked speaker changed.
  bool setActiveSpeaker(const std::optional<std::string>& id);

  std::vector<std::string> tileOrder() const;
  Rect tileRect(const std::string& id) const;
  // Where the presentation is drawn; empty when nothing is presented.
  Rect presentationRect() const;
  Layout layout() const { return layout_; }
  const std::optional<std::string>& activeSpeaker() const { return activeSpeaker_; }
  const std::optional<std::string>& floorHolder() const { return floorHolder_; }

private:
  struct Tile;
  struct Presentation;
  struct CameraRateCap;

  int cameraWidth() const;
  int cameraHeight() const;
  GstPad* addFrame(const std::string& name, guint argb, guint zorder);
  GstPad* requestPad(guint zorder);
  // Hides `pads` and gives them back, with `elements`, off the conference thread (see .cpp).
  void retireInput(const std::vector<GstElement*>& elements, std::initializer_list<GstPad**> pads);
  void applyLayout();
  int focusIndex() const;
  static GstPadProbeReturn onUnlinkedLatency(GstPad* pad, GstPadProbeInfo* info, gpointer);

  // passed in
  GstElement* pipeline_;
  const MixerSettings settings_;
  const std::string prefix_;
  // owned
  GstElement* compositor_ = nullptr;
  GstElement* rawTee_ = nullptr;
  GstPad* speakerFrame_ = nullptr;  // compositor pads of the two marking frames
  GstPad* floorFrame_ = nullptr;
  std::vector<GstElement*> fixed_;  // the background, the frames, the compositor and its output
  std::vector<std::unique_ptr<Tile>> tiles_;  // in join order = tile order
  std::unique_ptr<Presentation> presentation_;
  // shared with the counting probe, which may outlive us
  std::shared_ptr<std::atomic<guint64>> frames_ = std::make_shared<std::atomic<guint64>>(0);
  // other
  Layout layout_ = Layout::Grid;
  std::optional<std::string> activeSpeaker_;
  std::optional<std::string> lastSpeaker_;  // keeps the speaker view still while nobody speaks
  std::optional<std::string> floorHolder_;
};

}  // namespace plenum::mixer
