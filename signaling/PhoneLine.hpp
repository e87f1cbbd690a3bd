// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A telephone caller's call, as the room model carries it: the room hands it to its media
// (RoomMedia::addPhone), which knows what it is (appliance::PhoneCall: the RTP session, the
// caller's keypad and prompts). signaling/ only passes it on and marks the caller as a phone.
namespace plenum::signaling {

class PhoneLine {
public:
  virtual ~PhoneLine() = default;
};

}  // namespace plenum::signaling
