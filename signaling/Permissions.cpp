// SPDX-License-Identifier: EUPL-1.2
#include "signaling/Permissions.hpp"

namespace plenum::signaling {

namespace {
constexpr int kRoles = 5;
constexpr int kActions = 24;
static_assert(static_cast<int>(Action::ShareScreen) + 1 == kActions, "one column per action");

// Rows: Anonymous, Guest, Moderator, Staff, Admin. Columns: Action in declaration order.
constexpr bool kTable[kRoles][kActions] = {
    //            Accounts OwnRooms AllRooms Recs   Admit  Mute   MuteAll Remove Lock   Promote End    Chat   Hand   Export Queue  Floor  Time   Layout Record Brk    Choose Help   Present Share
    /* Anonymous */ {false, false,   false,   false, false, false, false,  false, false, false,  false, false, false, false, false, false, false, false, false, false, false, false, false, false},
    /* Guest     */ {false, false,   false,   false, false, false, false,  false, false, false,  false, true,  true,  false, false, false, false, false, false, false, true,  true, false, false},
    /* Moderator */ {false, false,   false,   false, true,  true,  true,   true,  true,  true,   true,  true,  true,  true,  true,  true,  true,  true,  true, true,  true,  true, true,  true},
    // Account roles give no power in a meeting: there, a persistent room's owner and co-hosts
    // are Moderator, other staff and admins Guest (README, "Roles"). The recordings' files are
    // the room owner's and the admins' (REST), not the co-hosts'.
    /* Staff     */ {false, true,    false,   true,  false, false, false,  false, false, false,  false, true,  true,  false, false, false, false, false, false, false, true,  true, false, false},
    /* Admin     */ {true,  true,    true,    true,  false, false, false,  false, false, false,  false, true,  true,  false, false, false, false, false, false, false, true,  true, false, false},
};
}  // namespace

bool isAllowed(Role role, Action action) {
  return kTable[static_cast<int>(role)][static_cast<int>(action)];
}

const char* toString(Role role) {
  switch (role) {
    case Role::Anonymous: return "anonymous";
    case Role::Guest: return "guest";
    case Role::Moderator: return "moderator";
    case Role::Staff: return "staff";
    case Role::Admin: return "admin";
  }
  return "anonymous";
}

const char* toString(Action action) {
  switch (action) {
    case Action::ManageAccounts: return "manage-accounts";
    case Action::ManageOwnRooms: return "manage-own-rooms";
    case Action::ManageAllRooms: return "manage-all-rooms";
    case Action::ManageRecordings: return "manage-recordings";
    case Action::AdmitFromLobby: return "admit-from-lobby";
    case Action::MuteParticipant: return "mute-participant";
    case Action::MuteAll: return "mute-all";
    case Action::RemoveParticipant: return "remove-participant";
    case Action::LockRoom: return "lock-room";
    case Action::PromoteModerator: return "promote-moderator";
    case Action::EndMeeting: return "end-meeting";
    case Action::Chat: return "chat";
    case Action::RaiseHand: return "raise-hand";
    case Action::ExportChat: return "export-chat";
    case Action::ManageQueue: return "manage-queue";
    case Action::GiveFloor: return "give-floor";
    case Action::SetSpeakingTime: return "set-speaking-time";
    case Action::SetLayout: return "set-layout";
    case Action::RecordMeeting: return "record-meeting";
    case Action::ManageBreakouts: return "manage-breakouts";
    case Action::ChooseBreakout: return "choose-breakout";
    case Action::AskForHelp: return "ask-for-help";
    case Action::Present: return "present";
    case Action::ShareScreen: return "share-screen";
  }
  return "unknown";
}

}  // namespace plenum::signaling
