// SPDX-License-Identifier: EUPL-1.2
#include "signaling/RoomMedia.hpp"

namespace plenum::signaling {

const char* toString(MediaFailure failure) {
  switch (failure) {
    case MediaFailure::ConnectionFailed: return "connection-failed";
    case MediaFailure::AnswerRefused: return "answer-refused";
    case MediaFailure::DecoderError: return "decoder-error";
    case MediaFailure::Internal: return "internal";
  }
  return "internal";
}

}  // namespace plenum::signaling
