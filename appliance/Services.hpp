// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What the REST API and the WebSocket joins share: the store, password hashing, login sessions,
// the room allocator, the join resolver and the recordings. Built once by PlenumServer; HTTP and
// WebSocket threads use it concurrently (each part is thread-safe).
#include "appliance/JoinResolver.hpp"
#include "appliance/PasswordHasher.hpp"
#include "appliance/RecordingLibrary.hpp"
#include "appliance/RoomAllocator.hpp"
#include "appliance/Sessions.hpp"
#include "appliance/Settings.hpp"
#include "appliance/Store.hpp"
#include "appliance/TurnCredentials.hpp"

#include <memory>

namespace plenum::appliance {

struct Services {
  // Takes the store (opened and migrated) and builds the rest on it.
  Services(const Settings& settings, std::unique_ptr<Store> store);

  // passed in
  const Settings& settings;
  // owned
  std::unique_ptr<Store> store;
  PasswordHasher hasher;
  Sessions sessions;
  RoomAllocator rooms;
  JoinResolver joins;
  RecordingLibrary recordings;
  // Set once before the server starts when the TURN relay runs; null without one.
  const TurnCredentials* turn = nullptr;
  // Set once before the server starts: uploaded documents (null: documents are off).
  class DocumentService* documents = nullptr;
  // Set once before the server starts when sip.enabled: phone dial-in, for /healthz (its
  // figures are read on the conference thread, where it lives).
  class PhoneDialIn* phone = nullptr;
};

}  // namespace plenum::appliance
