// SPDX-License-Identifier: EUPL-1.2
// The role x action table (signaling/Permissions) that both the REST API (appliance/ApiAccess)
// and the WebSocket protocol decide by, checked cell by cell against an explicit copy: a change
// to who may do what must change this file too.
#include "signaling/Permissions.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

using namespace plenum::signaling;

TEST_CASE("every role x action is decided as specified", "[appliance][permissions]") {
  const Role roles[] = {Role::Anonymous, Role::Guest, Role::Moderator, Role::Staff, Role::Admin};
  const Action actions[] = {Action::ManageAccounts,  Action::ManageOwnRooms,   Action::ManageAllRooms,
                            Action::ManageRecordings,
                            Action::AdmitFromLobby,  Action::MuteParticipant,  Action::MuteAll,
                            Action::RemoveParticipant, Action::LockRoom,       Action::PromoteModerator,
                            Action::EndMeeting,      Action::Chat,             Action::RaiseHand,
                            Action::ExportChat,      Action::ManageQueue,      Action::GiveFloor,
                            Action::SetSpeakingTime, Action::SetLayout,        Action::RecordMeeting,
                            Action::ManageBreakouts, Action::ChooseBreakout,   Action::AskForHelp,
                            Action::Present,         Action::ShareScreen};
  // "x": allowed. Columns in the order of `actions`.
  const std::map<Role, std::string> expected{
      //                      Acc Own All Rcs Adm Mut MAl Rem Lck Pro End Cht Hnd Exp Que Flr Tim Lay Rec Brk Cho Hlp Prs Shr
      {Role::Anonymous, /**/ " .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   .   . "},
      {Role::Guest, /*    */ " .   .   .   .   .   .   .   .   .   .   .   x   x   .   .   .   .   .   .   .   x   x   .   . "},
      // Guests share their screen only while a moderator allows it for the room (Room, not this table).
      // Moderators record a meeting (protocol) but the files are the room owner's (REST).
      {Role::Moderator, /**/ " .   .   .   .   x   x   x   x   x   x   x   x   x   x   x   x   x   x   x   x   x   x   x   x "},
      // Account roles give no meeting powers: a persistent room's owner and co-hosts join as
      // Moderator, other staff and admins as Guest.
      {Role::Staff, /*    */ " .   x   .   x   .   .   .   .   .   .   .   x   x   .   .   .   .   .   .   .   x   x   .   . "},
      {Role::Admin, /*    */ " x   x   x   x   .   .   .   .   .   .   .   x   x   .   .   .   .   .   .   .   x   x   .   . "},
  };
  int checked = 0;
  for (Role role : roles) {
    std::string row;
    for (char c : expected.at(role)) {
      if (c == 'x' || c == '.') row += c;
    }
    REQUIRE(row.size() == std::size(actions));
    for (std::size_t a = 0; a < std::size(actions); ++a) {
      CAPTURE(toString(role), toString(actions[a]));
      CHECK(isAllowed(role, actions[a]) == (row[a] == 'x'));
      ++checked;
    }
  }
  CHECK(checked == 120);
}

TEST_CASE("roles and actions have stable names", "[appliance][permissions]") {
  CHECK(std::string(toString(Role::Anonymous)) == "anonymous");
  CHECK(std::string(toString(Role::Staff)) == "staff");
  CHECK(std::string(toString(Role::Admin)) == "admin");
  CHECK(std::string(toString(Action::ManageOwnRooms)) == "manage-own-rooms");
  CHECK(std::string(toString(Action::ManageRecordings)) == "manage-recordings");
  CHECK(std::string(toString(Action::EndMeeting)) == "end-meeting");
  CHECK(std::string(toString(Action::Chat)) == "chat");
  CHECK(std::string(toString(Action::ManageQueue)) == "manage-queue");
  CHECK(std::string(toString(Action::SetLayout)) == "set-layout");
}
