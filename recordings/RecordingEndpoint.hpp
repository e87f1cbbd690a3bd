// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A room's recorder: an Endpoint whose seat takes the composite in H.264 (the room's own encode;
// a VP8-only room gets one H.264 encode for it) and hears the full mix. It writes one MP4 (H.264
// and AAC) in one-second fragments to `partPath`, so that a crash loses at most the fragment
// being written (RecordingFile repairs what is left). The file starts with a key frame (the
// video before the first one is dropped; attaching asks the room for one) and the audio starts
// with it. finish() ends the file: detached from the room, the streams get EOS, and `onFinished`
// runs on the conference thread once the muxer has written its last fragment.
// Conference thread only.
#include "mixer/Endpoint.hpp"

#include <functional>
#include <memory>
#include <string>

namespace plenum::recordings {

class RecordingEndpoint : public mixer::Endpoint {
public:
  RecordingEndpoint(const std::string& id, std::string partPath, mixer::Endpoint::Listener* listener);
  ~RecordingEndpoint() override;

  const std::string& partPath() const { return partPath_; }
  // Detaches from the room (if attached) and closes the file; `onFinished(ok)` follows on the
  // conference thread (ok: the muxer saw the end of both streams), at the latest after
  // kFinishTimeout (then not ok: the fragments written so far are what there is). Once.
  void finish(std::function<void(bool ok)> onFinished);

  static constexpr guint kFinishTimeoutMs = 10000;

private:
  struct Timeline;

  // The file is closed (or given up on): stops the bin and calls onFinished_ once.
  void conclude(bool complete);
  static gboolean onFinishTimeout(gpointer self);

  const std::string partPath_;
  GMainContext* context_;
  std::shared_ptr<mixer::Liveness> alive_ = std::make_shared<mixer::Liveness>();
  std::function<void(bool)> onFinished_;
  bool finishing_ = false;
  GSource* finishTimeout_ = nullptr;
};

}  // namespace plenum::recordings
