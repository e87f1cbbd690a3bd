// SPDX-License-Identifier: EUPL-1.2
// The Conference's part of breakout rooms (PROTOCOL.md "Breakout rooms"): a meeting's breakout
// rooms are Rooms of their own (own composite, mix, chat and speaker queue) under the plenum's
// key and "#b1", "#b2", ...; a participant moves between them with their connection and media
// endpoint (Room::moveTo), and their Binding says where they are (key) and whose meeting it is
// (home). One Breakouts per meeting keeps the plan and the time.
#include "signaling/Conference.hpp"
#include "signaling/ServerMessages.hpp"

#include <Poco/Logger.h>

#include <algorithm>

namespace plenum::signaling {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.breakouts"); }

constexpr const char* kPlenum = "plenum";
}  // namespace

Conference::Binding* Conference::bindingOf(const std::string& home, const std::string& participantId) {
  for (auto& [session, binding] : sessions_) {
    if (binding.home == home && binding.participantId == participantId) return &binding;
  }
  return nullptr;
}

Room* Conference::roomAt(const std::string& key) {
  auto it = rooms_.find(key);
  return it == rooms_.end() ? nullptr : it->second.get();
}

std::optional<ProtocolError> Conference::move(Binding& binding, const std::string& toKey) {
  Room* from = roomAt(binding.key);
  Room* to = roomAt(toKey);
  if (!from || !to) return ProtocolError{ErrorCode::Internal, "the room is gone"};
  if (from == to) return std::nullopt;
  try {
    if (auto refused = from->moveTo(binding.participantId, *to)) return refused;
  } catch (const std::exception& e) {
    // Gone from both rooms: the connection has nothing left.
    log().error("moving %s to %s failed: %s", binding.participantId, toKey, std::string(e.what()));
    binding.sink->send(server::mediaFailed("internal", "the server could not move you; join again"));
    binding.sink->close();
    const std::string home = binding.home;
    const std::string id = binding.participantId;
    std::erase_if(sessions_, [&](const auto& entry) { return entry.second.participantId == id && entry.second.home == home; });
    return ProtocolError{ErrorCode::Internal, "could not move the participant"};
  }
  binding.key = toKey;
  if (auto plan = breakouts_.find(binding.home); plan != breakouts_.end()) {
    if (const std::string* link = to->linkSessionOf(binding.participantId)) {
      plan->second->remember(*link, toKey == binding.home ? std::string() : toKey.substr(toKey.find('#') + 1));
    }
  }
  return std::nullopt;
}

void Conference::breakoutsChanged(const std::string& home) {
  Room* plenum = roomAt(home);
  auto plan = breakouts_.find(home);
  server::BreakoutsInfo info;
  std::size_t away = 0;
  if (plan != breakouts_.end()) {
    const Breakouts& b = *plan->second;
    info.state = toString(b.phase());
    info.assignment = toString(b.assignment());
    info.allowReturn = b.allowReturn();
    info.endsAt = b.endsAt();
    info.remainingMs = b.remaining().count();
    info.closingSeconds = static_cast<unsigned>(b.closingCountdown().count());
    for (const auto& room : b.rooms()) {
      server::BreakoutsInfo::Room entry{room.id, room.name, {}};
      if (const Room* r = roomAt(home + "#" + room.id)) entry.members = r->participants();
      away += entry.members.size();
      info.rooms.push_back(std::move(entry));
    }
  }
  if (plenum) plenum->setAway(away);
  // Everyone in the meeting, wherever they are; not those waiting in the lobby.
  for (auto& [session, binding] : sessions_) {
    if (binding.home != home) continue;
    Room* room = roomAt(binding.key);
    if (!room || !room->roleOf(binding.participantId)) continue;
    info.yourRoom = binding.key == home ? std::string() : binding.key.substr(binding.key.find('#') + 1);
    binding.sink->send(server::breakoutsUpdated(info));
  }
}

void Conference::closeBreakouts(const std::string& home) {
  auto plan = breakouts_.find(home);
  if (plan == breakouts_.end()) return;
  std::vector<std::string> away;
  for (auto& [session, binding] : sessions_) {
    if (binding.home == home && binding.key != home) away.push_back(binding.participantId);
  }
  for (const auto& id : away) {
    if (Binding* binding = bindingOf(home, id)) move(*binding, home);
  }
  // Not destroyed here: this may run inside the plan's own timer.
  std::shared_ptr<Breakouts> closed(std::move(plan->second));
  breakouts_.erase(plan);
  defer_([closed] {});
  log().information("meeting %s: breakout rooms closed, %z back in the plenum", home, away.size());
  breakoutsChanged(home);
  for (const auto& room : closed->rooms()) dropRoomIfEmpty(home + "#" + room.id);
  dropRoomIfEmpty(home);
}

void Conference::welcomeToBreakouts(SessionId session) {
  auto bound = sessions_.find(session);
  if (bound == sessions_.end()) return;
  Binding& binding = bound->second;
  auto plan = breakouts_.find(binding.home);
  Room* plenum = roomAt(binding.home);
  if (plan == breakouts_.end() || !plenum || !plenum->roleOf(binding.participantId)) return;
  const std::string* link = plenum->linkSessionOf(binding.participantId);
  if (const auto place = link ? plan->second->placeOf(*link) : std::nullopt) {
    log().information("meeting %s: %s is back, to breakout room %s", binding.home, binding.participantId, *place);
    move(binding, binding.home + "#" + *place);
  }
  breakoutsChanged(binding.home);
}

// ---- the requests ---------------------------------------------------------------------------

std::variant<Conference::Binding*, ProtocolError> Conference::MessageHandler::breakoutSender(Action action) {
  auto bound = conference_.sessions_.find(session_);
  if (bound == conference_.sessions_.end()) return ProtocolError{ErrorCode::NotJoined, "join a room first"};
  Binding& binding = bound->second;
  Room* room = conference_.roomAt(binding.key);
  const auto role = room ? room->roleOf(binding.participantId) : std::nullopt;
  if (!role) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (!isAllowed(*role, action)) {
    return ProtocolError{ErrorCode::Forbidden, std::string("only moderators may ") + toString(action)};
  }
  if (auto tooFast = room->throttle(binding.participantId)) return *tooFast;
  return &binding;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const BreakoutOpenRequest& m) {
  auto sender = breakoutSender(Action::ManageBreakouts);
  if (auto* refused = std::get_if<ProtocolError>(&sender)) return *refused;
  Binding& me = *std::get<Binding*>(sender);
  const std::string home = me.home;
  if (conference_.breakouts_.count(home)) return ProtocolError{ErrorCode::BreakoutsOpen, "breakout rooms are open already"};
  Room& plenum = *conference_.roomAt(home);
  const std::vector<ParticipantInfo> members = plenum.participants();
  // More rooms than people is no plan, and every room costs a pipeline.
  if (m.names.size() > std::max<std::size_t>(2, members.size())) {
    return ProtocolError{ErrorCode::BadField, "field 'rooms' names more rooms than there are participants"};
  }
  if (conference_.rooms_.size() + m.names.size() > conference_.settings_.maxRooms) {
    log().warning("meeting %s: breakout rooms refused: the server is full (%z rooms)", home, conference_.rooms_.size());
    return ProtocolError{ErrorCode::ServerFull, "the server cannot open that many rooms now"};
  }
  Conference& c = conference_;
  auto plan = std::make_unique<Breakouts>(
      m, c.settings_.breakoutClosing, c.timers_,
      Breakouts::Outlets{[&c, home] { c.breakoutsChanged(home); },
                         // From the plan's own timer: not inside it.
                         [&c, home] { c.defer_([&c, home] { c.closeBreakouts(home); }); }});
  std::vector<std::string> made;
  const auto started = std::chrono::steady_clock::now();
  try {
    for (const auto& room : plan->rooms()) {
      RoomPolicy policy = plenum.policy();
      policy.lobby = false;
      policy.breakoutId = room.id;
      policy.breakoutName = room.name;
      const std::string key = home + "#" + room.id;
      // No recording archive: breakout rooms are never recorded.
      c.rooms_.emplace(key, std::make_unique<Room>(policy, c.media_, c, c.defer_, c.timers_, c.settings_.timeouts, nullptr, c.documents_));
      made.push_back(key);
    }
  } catch (const std::exception& e) {
    log().error("meeting %s: opening breakout rooms failed: %s", home, std::string(e.what()));
    for (const auto& key : made) c.rooms_.erase(key);
    return ProtocolError{ErrorCode::Internal, "could not open the breakout rooms"};
  }
  const auto built = std::chrono::steady_clock::now();
  std::vector<Breakouts::Member> people;
  for (const auto& p : members) people.push_back({p.id, p.moderator});
  const auto places = Breakouts::place(m, people);
  c.breakouts_[home] = std::move(plan);
  log().information("meeting %s: %s opened %z breakout rooms (%s, %u s), %z placed", home, me.participantId,
                    m.names.size(), std::string(toString(m.assignment)), m.durationSeconds, places.size());
  // The sender's binding may go if their own move fails: by id from here on.
  for (const auto& [id, roomId] : places) {
    if (Binding* binding = c.bindingOf(home, id)) c.move(*binding, home + "#" + roomId);
  }
  c.breakoutsChanged(home);
  const auto ms = [](auto from, auto to) {
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
  };
  log().information("meeting %s: breakout rooms made in %d ms, everyone placed %d ms later", home, ms(started, built),
                    ms(built, std::chrono::steady_clock::now()));
  return std::nullopt;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const BreakoutMoveRequest& m) {
  auto bound = conference_.sessions_.find(session_);
  if (bound == conference_.sessions_.end()) return ProtocolError{ErrorCode::NotJoined, "join a room first"};
  const bool self = !m.participantId || *m.participantId == bound->second.participantId;
  Room* here = conference_.roomAt(bound->second.key);
  const auto role = here ? here->roleOf(bound->second.participantId) : std::nullopt;
  const bool manager = role && isAllowed(*role, Action::ManageBreakouts);
  // Moderators move anyone, themselves included (a visit); others only themselves, as the
  // plan allows.
  auto sender = breakoutSender(self && !manager ? Action::ChooseBreakout : Action::ManageBreakouts);
  if (auto* refused = std::get_if<ProtocolError>(&sender)) return *refused;
  Binding& me = *std::get<Binding*>(sender);
  const std::string home = me.home;
  auto plan = conference_.breakouts_.find(home);
  if (plan == conference_.breakouts_.end()) return ProtocolError{ErrorCode::NoBreakouts, "no breakout rooms are open"};
  const bool toPlenum = m.to == kPlenum;
  if (!toPlenum && !plan->second->room(m.to)) {
    return ProtocolError{ErrorCode::NoSuchBreakout, "field 'to' names no open breakout room (b1, b2, ... or plenum)"};
  }
  if (!manager) {
    if (toPlenum && !plan->second->allowReturn()) {
      return ProtocolError{ErrorCode::Forbidden, "the moderators did not allow going back to the plenum early"};
    }
    if (!toPlenum && plan->second->assignment() != BreakoutAssignment::Free) {
      return ProtocolError{ErrorCode::Forbidden, "the moderators assign the breakout rooms"};
    }
  }
  const std::string targetId = self ? me.participantId : *m.participantId;
  Binding* target = conference_.bindingOf(home, targetId);
  Room* targetRoom = target ? conference_.roomAt(target->key) : nullptr;
  if (!targetRoom || !targetRoom->roleOf(targetId)) {
    return ProtocolError{ErrorCode::NoSuchParticipant, "nobody with this id is in the meeting"};
  }
  const std::string toKey = toPlenum ? home : home + "#" + m.to;
  if (target->key == toKey) return std::nullopt;
  log().information("meeting %s: %s moves %s to %s", home, me.participantId, targetId, m.to);
  auto refused = conference_.move(*target, toKey);
  conference_.breakoutsChanged(home);
  return refused;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const BreakoutExtendRequest& m) {
  auto sender = breakoutSender(Action::ManageBreakouts);
  if (auto* refused = std::get_if<ProtocolError>(&sender)) return *refused;
  auto plan = conference_.breakouts_.find(std::get<Binding*>(sender)->home);
  if (plan == conference_.breakouts_.end()) return ProtocolError{ErrorCode::NoBreakouts, "no breakout rooms are open"};
  log().information("meeting %s: breakout rooms extended by %u s", plan->first, m.seconds);
  plan->second->extend(std::chrono::seconds(m.seconds));
  return std::nullopt;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const BreakoutCloseRequest&) {
  auto sender = breakoutSender(Action::ManageBreakouts);
  if (auto* refused = std::get_if<ProtocolError>(&sender)) return *refused;
  auto plan = conference_.breakouts_.find(std::get<Binding*>(sender)->home);
  if (plan == conference_.breakouts_.end()) return ProtocolError{ErrorCode::NoBreakouts, "no breakout rooms are open"};
  log().information("meeting %s: breakout rooms closing", plan->first);
  plan->second->closeSoon();
  return std::nullopt;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const BreakoutBroadcastRequest& m) {
  auto sender = breakoutSender(Action::ManageBreakouts);
  if (auto* refused = std::get_if<ProtocolError>(&sender)) return *refused;
  Binding& me = *std::get<Binding*>(sender);
  const std::string home = me.home;
  if (!conference_.breakouts_.count(home)) return ProtocolError{ErrorCode::NoBreakouts, "no breakout rooms are open"};
  const std::string name = conference_.roomAt(me.key)->nameOf(me.participantId);
  const std::string message = server::breakoutBroadcast(name, m.text, conference_.timers_.wallNow());
  std::size_t told = 0;
  for (auto& [session, binding] : conference_.sessions_) {
    Room* room = binding.home == home ? conference_.roomAt(binding.key) : nullptr;
    if (room && room->tell(binding.participantId, message)) ++told;
  }
  // The text is never logged (privacy), as in the chat.
  log().information("meeting %s: %s sent a message to all rooms (%z told)", home, me.participantId, told);
  return std::nullopt;
}

std::optional<ProtocolError> Conference::MessageHandler::operator()(const BreakoutHelpRequest&) {
  auto sender = breakoutSender(Action::AskForHelp);
  if (auto* refused = std::get_if<ProtocolError>(&sender)) return *refused;
  Binding& me = *std::get<Binding*>(sender);
  auto plan = conference_.breakouts_.find(me.home);
  if (plan == conference_.breakouts_.end() || me.key == me.home) {
    return ProtocolError{ErrorCode::NoBreakouts, "you are not in a breakout room"};
  }
  const std::string roomId = me.key.substr(me.key.find('#') + 1);
  const BreakoutRoom* room = plan->second->room(roomId);
  const std::string message = server::breakoutHelp(roomId, room ? room->name : roomId, me.participantId,
                                                   conference_.roomAt(me.key)->nameOf(me.participantId));
  for (auto& [session, binding] : conference_.sessions_) {
    Room* r = binding.home == me.home ? conference_.roomAt(binding.key) : nullptr;
    const auto role = r ? r->roleOf(binding.participantId) : std::nullopt;
    if (role && isAllowed(*role, Action::ManageBreakouts)) r->tell(binding.participantId, message);
  }
  log().information("meeting %s: %s in %s asks for help", me.home, me.participantId, roomId);
  return std::nullopt;
}

}  // namespace plenum::signaling
