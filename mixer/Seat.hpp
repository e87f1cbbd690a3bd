// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What an endpoint asks of a room's mixer: what it feeds in and what it takes out. The mixer
// gives it a seat to match (RoomMixer::attach) and links the endpoint's bin to it by pad name
// (Endpoint's k...Pad): a browser has a tile, a microphone in the mix, the composite in its
// codec and hears its switched Opus stream; a phone call has a tile (the placeholder), a
// microphone and hears its mix-minus as raw audio; a recorder takes the composite and hears the
// full mix; a slide source feeds the presentation; a browser's screen share becomes the
// presentation while the room says so.
#include "mixer/MixerSettings.hpp"

#include <optional>
#include <string>

namespace plenum::mixer {

// What a seat hears, on the endpoint's "hearing" pad.
enum class Hearing {
  Nothing,
  // Opus: the room's shared encode of the full mix while the endpoint is silent, its own
  // mix-minus encode while it talks (switched per 20 ms tick; see AudioSeats).
  SwitchedOpus,
  // Raw S16LE 48 kHz mono, every 20 ms, also while silent: everyone but the endpoint itself.
  MixMinus,
  // Raw S16LE 48 kHz mono: everyone (a recorder, which is not in the mix itself).
  FullMix,
};

// The shape of the composite an endpoint takes: the room's 16:9 picture, or the portrait one for
// a phone held upright (tiles stacked, faces large on a narrow screen), which the room makes
// while somebody takes it. It may change while the endpoint is seated (the phone turns).
enum class CompositeShape { Landscape, Portrait };

struct SeatSpec {
  std::string caption;                  // shown on the tile (the participant's name)
  bool tile = false;                    // a tile in the composite: the "camera" picture, else a placeholder
  bool microphone = false;              // "microphone" audio into the mix (any rate or format)
  bool presentation = false;            // "presentation" video, shown large instead of as a tile
  std::optional<VideoCodec> composite;  // takes the composite, encoded in this codec, on "composite"
  Hearing hearing = Hearing::Nothing;
  // A screen it may share: "screen" video, shown large while RoomMixer::presentScreen names it.
  bool screen = false;
};

}  // namespace plenum::mixer
