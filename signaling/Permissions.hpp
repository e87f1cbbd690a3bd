// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Who may do what: one role x action table, consulted by the REST API (appliance/) and by the
// WebSocket protocol (Room, Conference) alike, so that the two can never disagree.
#include <string>

namespace plenum::signaling {

// A principal's role. Anonymous: no account, not in a meeting. Guest and Moderator are roles
// inside a meeting; Staff and Admin are account roles, which give no power in a meeting: there
// a persistent room's owner and the co-hosts the owner named are moderators, other staff and
// admins guests (see README "Accounts and rooms").
enum class Role { Anonymous, Guest, Moderator, Staff, Admin };

enum class Action {
  // accounts and rooms (REST)
  ManageAccounts,    // create, list, disable and delete staff and admin accounts
  ManageOwnRooms,    // create, edit, delete rooms one owns; copy their invitations, renew
                     // their invitation link and phone PIN
  ManageAllRooms,    // the same for every room
  ManageRecordings,  // list, download and delete the recordings of the rooms one may manage
                     // (ManageOwnRooms: one's own, ManageAllRooms: every room's); co-hosts
                     // record meetings but do not get the files
  // in a meeting (WebSocket)
  AdmitFromLobby,    // admit or reject someone knocking
  MuteParticipant,   // mute one other participant
  MuteAll,           // mute everyone else
  RemoveParticipant, // remove someone (who cannot rejoin with the same link session)
  LockRoom,          // lock / unlock the room (nobody new gets in)
  PromoteModerator,  // make a participant moderator
  EndMeeting,        // end the meeting for everyone
  // meeting tools (WebSocket): everyone in a meeting
  Chat,              // write to everyone or to the moderators
  RaiseHand,         // raise and lower one's own hand (speaker queue)
  // meeting tools: moderators
  ExportChat,        // the meeting's chat as a file
  ManageQueue,       // move, remove entries of the speaker queue; clear it
  GiveFloor,         // give the floor, take it back
  SetSpeakingTime,   // the speaking-time limit and whether it ends the floor
  SetLayout,         // the composite's layout for everyone
  RecordMeeting,     // start and stop recording (persistent rooms only)
  // breakout rooms
  ManageBreakouts,   // open, extend and close them; move anyone; visit any; message all rooms
  ChooseBreakout,    // go to a breakout room or back to the plenum oneself, where the
                     // moderator's plan allows it (free choice, early return)
  AskForHelp,        // call the moderators into one's breakout room
  // presenting
  Present,           // show a PDF's pages, turn them; stop anyone's presentation; allow guests
                     // to share their screen and everyone to download the document
  ShareScreen,       // share one's screen (guests too while a moderator allows it for the room)
};

bool isAllowed(Role role, Action action);
const char* toString(Role role);
const char* toString(Action action);

}  // namespace plenum::signaling
