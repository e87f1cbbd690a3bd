// SPDX-License-Identifier: EUPL-1.2
#pragma once
// All rooms of this server and which connection is which participant. A room comes into being
// with its first join and ends with its last leave, or when a moderator ends the meeting.
// Conference thread only: connections post their joins (onJoin, after the appliance resolved
// who is joining and which room they may enter) and their other messages (onMessage) here
// through the EventLoop.
#include "mixer/MixerSettings.hpp"
#include "signaling/Breakouts.hpp"
#include "signaling/JoinContext.hpp"
#include "signaling/Protocol.hpp"
#include "signaling/Room.hpp"
#include "signaling/RoomMedia.hpp"
#include "signaling/SignalingSink.hpp"
#include "signaling/Timers.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace plenum::signaling {

using SessionId = std::uint64_t;

struct ConferenceSettings {
  mixer::MixerSettings media;
  // Server-wide cap on a room's participants (rooms.max-participants); a room's own limit
  // (RoomPolicy::maxParticipants) may only be lower.
  std::size_t maxParticipantsPerRoom = 25;
  // Server-wide ceilings (rooms.max-rooms, rooms.max-total-participants; the latter counts the
  // lobbies too): a join beyond them is refused with server-full. Defaults follow the CPU count.
  std::size_t maxRooms = 64;
  std::size_t maxParticipants = 400;
  RoomTimeouts timeouts;
  // How long everyone sees the closing countdown before the breakout rooms close
  // (breakout.closing-seconds).
  std::chrono::seconds breakoutClosing{60};
  // Composite codecs in order of preference; the first one the client can receive is used.
  std::vector<mixer::VideoCodec> codecPreference{mixer::VideoCodec::H264, mixer::VideoCodec::VP8};
};

class Conference : public Room::Listener {
  struct Binding;  // a connection's participant (below)

public:
  // Rooms get their media from `media` (plenumd: appliance::GstRoomMedia; tests pass a fake);
  // timers run on GLib (GlibTimers).
  Conference(const ConferenceSettings& settings, std::function<void(std::function<void()>)> defer,
             RoomMediaFactory media);
  // Rooms take their time and timers from `timers` (tests pass a clock they drive by hand).
  Conference(const ConferenceSettings& settings, std::function<void(std::function<void()>)> defer,
             RoomMediaFactory media, Timers& timers);
  ~Conference() override;
  Conference(const Conference&) = delete;
  Conference& operator=(const Conference&) = delete;

  // A join whose context (role, link session, the room's policy) the appliance has resolved:
  // enters the meeting, waits in the lobby, or is refused (room-locked, banned, room-full, ...).
  // `requestId`: the join message's, echoed in the answers (joined, lobby, or the refusal).
  void onJoin(SessionId session, const std::shared_ptr<SignalingSink>& sink, JoinRequest request,
              JoinContext context, const std::optional<std::string>& requestId = std::nullopt);
  // Every other message. A `join` arriving here (an appliance that does not resolve joins yet)
  // enters an ad-hoc room as a guest, until onJoin has been called once: from then on joins
  // that bypass onJoin are refused.
  void onMessage(SessionId session, const std::shared_ptr<SignalingSink>& sink, ClientEnvelope envelope);
  // The connection closed (reason: "left", "disconnected", "timeout").
  void onSessionClosed(SessionId session, const std::string& reason);
  void closeAll();
  // Where recordings go (plenumd: appliance::RecordingService, which outlives the conference);
  // nullptr (the default): recording is off. Applies to rooms opened from now on.
  void setRecordingArchive(RecordingArchive* archive) { recordings_ = archive; }
  // Where uploaded documents' pages come from (plenumd: appliance::DocumentService); nullptr
  // (the default): no slides. Applies to rooms opened from now on.
  void setDocuments(DocumentPages* documents) { documents_ = documents; }

  // Uploads and downloads of documents (appliance::DocumentApi, on the conference thread). The
  // holder of `uploadToken` (joined.uploadToken) is someone in a meeting. Whether they may show
  // a document now (before the upload is read):
  std::optional<ProtocolError> mayShowDocument(const std::string& uploadToken) const;
  // Shows the uploaded document in their room; refused like mayShowDocument (the caller then
  // discards the document).
  std::optional<ProtocolError> showDocument(const std::string& uploadToken, const DocumentInfo& document);
  // The id of the document their room shows, when they may download it (a moderator, or
  // everyone while the moderators allow it).
  std::optional<std::string> downloadableDocument(const std::string& uploadToken) const;

  std::size_t roomCount() const { return rooms_.size(); }
  std::size_t participantCount() const { return sessions_.size(); }  // including those waiting
  // The live room of this slug: the persistent room's meeting if there is one, else the ad-hoc
  // room's; or the one of the kind asked for.
  const Room* room(const std::string& slug) const;
  const Room* room(const std::string& slug, bool persistent) const;

  // Handles one client message: one operator() per ClientMessage alternative and no catch-all,
  // so that a message type without a handler does not compile (static_assert in
  // Conference.cpp; the unit tests check the trait). Each returns the refusal, if any; what
  // the room sends the sender meanwhile carries the message's requestId.
  class MessageHandler {
  public:
    MessageHandler(Conference& conference, SessionId session, const std::shared_ptr<SignalingSink>& sink,
                   const std::optional<std::string>& requestId);
    std::optional<ProtocolError> operator()(const JoinRequest& m);
    std::optional<ProtocolError> operator()(const PingRequest& m);
    std::optional<ProtocolError> operator()(const LeaveRequest& m);
    std::optional<ProtocolError> operator()(const AnswerRequest& m);
    std::optional<ProtocolError> operator()(const CandidateRequest& m);
    std::optional<ProtocolError> operator()(const MediaRequest& m);
    std::optional<ProtocolError> operator()(const ViewRequest& m);
    std::optional<ProtocolError> operator()(const AdmitRequest& m);
    std::optional<ProtocolError> operator()(const RejectRequest& m);
    std::optional<ProtocolError> operator()(const MuteRequest& m);
    std::optional<ProtocolError> operator()(const MuteAllRequest& m);
    std::optional<ProtocolError> operator()(const RemoveRequest& m);
    std::optional<ProtocolError> operator()(const LockRequest& m);
    std::optional<ProtocolError> operator()(const PromoteRequest& m);
    std::optional<ProtocolError> operator()(const EndRequest& m);
    std::optional<ProtocolError> operator()(const ChatRequest& m);
    std::optional<ProtocolError> operator()(const ChatExportRequest& m);
    std::optional<ProtocolError> operator()(const RaiseHandRequest& m);
    std::optional<ProtocolError> operator()(const LowerHandRequest& m);
    std::optional<ProtocolError> operator()(const QueueMoveRequest& m);
    std::optional<ProtocolError> operator()(const QueueRemoveRequest& m);
    std::optional<ProtocolError> operator()(const QueueClearRequest& m);
    std::optional<ProtocolError> operator()(const GiveFloorRequest& m);
    std::optional<ProtocolError> operator()(const TakeFloorRequest& m);
    std::optional<ProtocolError> operator()(const SpeakingTimeRequest& m);
    std::optional<ProtocolError> operator()(const LayoutRequest& m);
    std::optional<ProtocolError> operator()(const RecordingStartRequest& m);
    std::optional<ProtocolError> operator()(const RecordingStopRequest& m);
    // ConferenceBreakouts.cpp
    std::optional<ProtocolError> operator()(const BreakoutOpenRequest& m);
    std::optional<ProtocolError> operator()(const BreakoutMoveRequest& m);
    std::optional<ProtocolError> operator()(const BreakoutExtendRequest& m);
    std::optional<ProtocolError> operator()(const BreakoutCloseRequest& m);
    std::optional<ProtocolError> operator()(const BreakoutBroadcastRequest& m);
    std::optional<ProtocolError> operator()(const BreakoutHelpRequest& m);
    std::optional<ProtocolError> operator()(const ScreenShareStartRequest& m);
    std::optional<ProtocolError> operator()(const ScreenShareStopRequest& m);
    std::optional<ProtocolError> operator()(const PresentationStopRequest& m);
    std::optional<ProtocolError> operator()(const SlidesPageRequest& m);
    std::optional<ProtocolError> operator()(const PresentationSettingsRequest& m);

  private:
    // Runs `request(room, me)` for a sender in a room (else: not-joined), answering it.
    template <class Request>
    std::optional<ProtocolError> inRoom(Request request);
    // For breakout requests: the sender's binding, once they are in the meeting and may do
    // `action` there, within their message rate (else the refusal).
    std::variant<Binding*, ProtocolError> breakoutSender(Action action);

    Conference& conference_;
    const SessionId session_;
    const std::shared_ptr<SignalingSink>& sink_;
    const std::optional<std::string>& requestId_;
  };

  // Room::Listener
  void OnRoomSessionDropped(Room& room, const std::string& participantId) override;
  void OnRoomEnded(Room& room) override;

private:
  struct Binding {
    std::string key;   // in rooms_: the room the participant is in now
    std::string home;  // in rooms_: the meeting's plenum (key, unless in a breakout room)
    std::string room;  // the slug, as the client names it
    std::string participantId;
    std::shared_ptr<SignalingSink> sink;
  };

  void refuse(SignalingSink& sink, const ProtocolError& error);
  void dropRoomIfEmpty(const std::string& key);
  // Breakout rooms (ConferenceBreakouts.cpp).
  Binding* bindingOf(const std::string& home, const std::string& participantId);
  Room* roomAt(const std::string& key);
  // Moves a participant of the meeting to the room at `toKey`; a participant whose media
  // cannot be moved is told and dropped (internal).
  std::optional<ProtocolError> move(Binding& binding, const std::string& toKey);
  // The plenum's count of participants away in breakout rooms, and everyone's breakouts-updated.
  void breakoutsChanged(const std::string& home);
  // Everyone back in the plenum, the breakout rooms gone.
  void closeBreakouts(const std::string& home);
  // After a join into the plenum: tells the newcomer about open breakout rooms and sends
  // someone who was placed in one (a reconnect) back there.
  void welcomeToBreakouts(SessionId session);
  std::string newParticipantId();
  // The room and participant holding this upload token, if anyone does.
  std::pair<Room*, std::string> uploader(const std::string& uploadToken) const;

  // passed in
  const ConferenceSettings settings_;
  std::function<void(std::function<void()>)> defer_;
  RoomMediaFactory media_;
  // the rooms' clock and timers: passed in, or our own GlibTimers (declared before the rooms,
  // so that they outlive every room's timer)
  std::unique_ptr<Timers> ownTimers_;
  Timers& timers_;
  // owned
  // Keyed by kind and slug (roomKey): a persistent room's meeting never shares a room with an
  // ad-hoc room of the same name, say one opened at /r/<slug> before the persistent room was
  // created (whoever opened it stays among themselves and moderates nobody invited).
  std::map<std::string, std::unique_ptr<Room>> rooms_;
  // A meeting's open breakout rooms, by the key of its plenum. Their rooms are in rooms_ too,
  // under the plenum's key and "#b1", "#b2", ...
  std::map<std::string, std::unique_ptr<Breakouts>> breakouts_;
  std::map<SessionId, Binding> sessions_;
  RecordingArchive* recordings_ = nullptr;
  DocumentPages* documents_ = nullptr;
  bool joinsResolved_ = false;  // onJoin has been called: onMessage takes no joins any more
};

}  // namespace plenum::signaling
