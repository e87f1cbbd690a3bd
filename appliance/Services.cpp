// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Services.hpp"

#include "appliance/Secrets.hpp"

namespace plenum::appliance {

Services::Services(const Settings& s, std::unique_ptr<Store> owned)
    : settings(s),
      store(std::move(owned)),
      sessions(*store, hasher, s.access),
      rooms(*store, [length = s.access.pinLength] { return randomPin(length); }, [] { return randomToken(); }),
      joins(*store, sessions, hasher, s.access, s.conference.maxParticipantsPerRoom),
      recordings(*store, s.dataDir, s.recordings) {}

}  // namespace plenum::appliance
