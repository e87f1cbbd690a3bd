// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A room: its participants, its lobby, its moderation state (lock, bans), its meeting tools
// (chat, speaker queue and floor, layout, active speaker) and its media. Joins, leaves, media
// changes and moderators' requests arrive from the Conference; media events arrive from the
// RoomMedia; everyone concerned hears of each change. Every request is decided by
// isAllowed(role, action) (Permissions.hpp) and nothing else. Conference thread only.
#include "signaling/ChatLog.hpp"
#include "signaling/DocumentPages.hpp"
#include "signaling/JoinContext.hpp"
#include "signaling/Participant.hpp"
#include "signaling/Protocol.hpp"
#include "signaling/RoomMedia.hpp"
#include "signaling/FloorControl.hpp"
#include "signaling/RecordingArchive.hpp"
#include "signaling/RoomRecording.hpp"
#include "signaling/Timers.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace plenum::signaling {

// How long the room waits for a client (PROTOCOL.md, "Limits"): for the answer to its offer,
// and in the lobby for a moderator's decision. Whoever runs out is told and closed.
struct RoomTimeouts {
  std::chrono::milliseconds answer{std::chrono::seconds(30)};
  std::chrono::milliseconds lobby{std::chrono::minutes(30)};
};

class Room : public RoomMedia::Listener {
  // A participant's request being handled (see Answering).
  struct Request {
    std::string participantId;
    std::optional<std::string> requestId;
  };

public:
  class Listener {
  public:
    virtual ~Listener() = default;
    // Someone (in the meeting or in the lobby) is gone on the room's own account: removed,
    // rejected, or their media failed. The room has sent them their last message and closed
    // their connection; the conference forgets the session.
    virtual void OnRoomSessionDropped(Room& room, const std::string& participantId) = 0;
    // A moderator ended the meeting: every connection has been told and closed, the room is
    // empty and will take no one any more. The conference forgets its sessions and drops it.
    virtual void OnRoomEnded(Room& room) = 0;
  };

  // `recordings`: where recordings go (nullptr: recording is off); `documents`: the pages of
  // uploaded documents (nullptr: no slides).
  Room(const RoomPolicy& policy, const RoomMediaFactory& media, Listener& listener,
       std::function<void(std::function<void()>)> defer, Timers& timers, RoomTimeouts timeouts = {},
       RecordingArchive* recordings = nullptr, DocumentPages* documents = nullptr);
  ~Room() override;
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const std::string& name() const { return policy_.slug; }
  // For logs and the media: the slug, and "#b1" for a breakout room.
  const std::string& label() const { return label_; }
  bool isBreakout() const { return !policy_.breakoutId.empty(); }
  // The Conference's key of this room: "p:" for persistent rooms, the slug, "#b1" for a
  // breakout room (':' and '#' are never part of a slug, so no two rooms share a key).
  std::string key() const { return (policy_.persistent ? "p:" : "") + label_; }
  const RoomPolicy& policy() const { return policy_; }
  // The store's latest word on the room (a join carries it): limit, lobby and title apply from
  // now on; who is in or waiting stays.
  void updatePolicy(const RoomPolicy& policy);

  std::size_t size() const { return participants_.size(); }  // in the meeting, not the lobby
  bool empty() const { return participants_.empty() && lobby_.empty(); }
  bool ended() const { return ended_; }
  bool locked() const { return locked_; }
  bool isBanned(const std::string& linkSession) const;
  bool isWaiting(const std::string& id) const;
  std::vector<ParticipantInfo> participants() const;  // in join order
  std::vector<WaitingInfo> waiting() const;           // in knock order
  RoomInfo info() const;

  // Enters the meeting or the lobby; returns the refusal otherwise (nothing changed then).
  // Throws when the media cannot be set up (nothing of the newcomer is left then).
  std::optional<ProtocolError> join(const std::string& participantId, const JoinRequest& request,
                                    const JoinContext& context, mixer::VideoCodec codec,
                                    std::shared_ptr<SignalingSink> sink);
  // Leaves the meeting or the lobby (reason: left, disconnected, timeout, media-failed).
  void leave(const std::string& participantId, const std::string& reason);

  std::optional<ProtocolError> answer(const std::string& participantId, const std::string& sdp);
  std::optional<ProtocolError> candidate(const std::string& participantId, const CandidateRequest& request);
  std::optional<ProtocolError> media(const std::string& participantId, const MediaRequest& request);
  // The composite's shape for this participant (a phone turned); ignored in the lobby.
  std::optional<ProtocolError> view(const std::string& participantId, const ViewRequest& request);

  // Moderation: each returns the refusal (forbidden, no-such-participant, ...) or nothing.
  std::optional<ProtocolError> admit(const std::string& senderId, const std::string& targetId);
  std::optional<ProtocolError> reject(const std::string& senderId, const std::string& targetId);
  std::optional<ProtocolError> mute(const std::string& senderId, const std::string& targetId);
  std::optional<ProtocolError> muteAll(const std::string& senderId);
  std::optional<ProtocolError> remove(const std::string& senderId, const std::string& targetId);
  std::optional<ProtocolError> lock(const std::string& senderId, bool locked);
  std::optional<ProtocolError> promote(const std::string& senderId, const std::string& targetId);
  std::optional<ProtocolError> end(const std::string& senderId);

  // Meeting tools: each returns the refusal (forbidden, no-such-entry, too-fast, ...) or nothing.
  std::optional<ProtocolError> chat(const std::string& senderId, const ChatRequest& request);
  std::optional<ProtocolError> chatExport(const std::string& senderId, ExportFormat format);
  std::optional<ProtocolError> raiseHand(const std::string& senderId, HandKind kind);
  std::optional<ProtocolError> lowerHand(const std::string& senderId, const std::optional<std::string>& entryId);
  std::optional<ProtocolError> queueMove(const std::string& senderId, const QueueMoveRequest& request);
  std::optional<ProtocolError> queueRemove(const std::string& senderId, const std::string& entryId);
  std::optional<ProtocolError> queueClear(const std::string& senderId);
  std::optional<ProtocolError> giveFloor(const std::string& senderId, const GiveFloorRequest& request);
  std::optional<ProtocolError> takeFloor(const std::string& senderId);
  std::optional<ProtocolError> speakingTime(const std::string& senderId, const SpeakingTimeRequest& request);
  std::optional<ProtocolError> layout(const std::string& senderId, mixer::Layout layout);
  std::optional<ProtocolError> recordingStart(const std::string& senderId);
  std::optional<ProtocolError> recordingStop(const std::string& senderId);
  bool recording() const { return recording_.running(); }

  // Presenting (RoomPresentation.cpp): one presentation at a time, a screen share or a
  // document's pages, large in the composite. Each returns the refusal or nothing.
  std::optional<ProtocolError> screenShareStart(const std::string& senderId);
  std::optional<ProtocolError> screenShareStop(const std::string& senderId);
  std::optional<ProtocolError> presentationStop(const std::string& senderId);
  std::optional<ProtocolError> slidesPage(const std::string& senderId, unsigned page);
  std::optional<ProtocolError> presentationSettings(const std::string& senderId,
                                                    const PresentationSettingsRequest& request);
  // An upload (before its bytes are read, and again once it is rendered): whether the
  // participant may show a document now (a moderator, nothing else presented).
  std::optional<ProtocolError> mayShowDocument(const std::string& participantId) const;
  // Shows the uploaded, inspected document from page 1 on; the room owns it from now on (and
  // discards it when it stops showing it). Refused like mayShowDocument.
  std::optional<ProtocolError> showDocument(const std::string& participantId, const DocumentInfo& document);
  const PresentationInfo& presentation() const { return presentation_; }
  // The participant in the meeting whose upload token (joined.uploadToken) this is, if any.
  std::optional<std::string> participantWithUploadToken(const std::string& token) const;

  // Breakout rooms (the Conference runs them). Moves a participant of this meeting, media and
  // connection included, into `to`: the others here see them leave ("moved"), those in `to` see
  // them arrive, and they get `moved` and the meeting state of `to`. Returns the refusal
  // (no-such-participant) or nothing; throws when the media cannot be moved (the participant
  // is gone from both rooms then and must be dropped).
  std::optional<ProtocolError> moveTo(const std::string& participantId, Room& to);
  // The participant's role in the meeting, or nullopt when they are not in it (the lobby too).
  std::optional<Role> roleOf(const std::string& participantId) const;
  const std::string* linkSessionOf(const std::string& participantId) const;
  // The participant's display name, or empty when they are not in the meeting.
  std::string nameOf(const std::string& participantId) const;
  // Bans a link session from this meeting (a removal in one of its breakout rooms).
  void ban(const std::string& linkSession);
  // The participant's hand and queue message rate (too-fast): breakout requests count there.
  std::optional<ProtocolError> throttle(const std::string& participantId);
  // While breakout rooms are open, `away` of this plenum's participants are in them: they still
  // count against its limit, and an ad-hoc room does not hand moderation on while its
  // moderators are away. Closing them (away 0) lets it hand on again if needed.
  void setAway(std::size_t away);
  // Sends one message to one participant in the meeting (false: not in it).
  bool tell(const std::string& participantId, const std::string& message);

  // For tests and the curious: the state of the meeting tools.
  const SpeakerQueue& speakerQueue() const { return floor_.queue(); }
  const ChatLog& chatLog() const { return chat_; }
  mixer::Layout currentLayout() const { return layout_; }
  const std::optional<std::string>& currentActiveSpeaker() const { return activeSpeaker_; }

  // While it lives, what the room sends to `participantId` answers that participant's request
  // and carries its requestId (PROTOCOL.md, "Request ids"); the Conference opens one around
  // each request it hands to the room.
  class Answering {
  public:
    Answering(Room& room, const std::string& participantId, const std::optional<std::string>& requestId);
    ~Answering();
    Answering(const Answering&) = delete;
    Answering& operator=(const Answering&) = delete;

  private:
    Room& room_;
    std::optional<Request> previous_;
  };

  // RoomMedia::Listener
  void OnRoomMediaOffer(const std::string& participantId, const std::string& sdp) override;
  void OnRoomMediaCandidate(const std::string& participantId, unsigned mline, const std::string& candidate) override;
  void OnRoomMediaFailed(const std::string& participantId, MediaFailure failure, const std::string& detail) override;
  void OnRoomMediaActiveSpeaker(const std::optional<std::string>& participantId) override;
  void OnRoomMediaRecordingFailed(const std::string& detail) override;
  void OnRoomMediaVideoRequest(const std::string& participantId, const mixer::VideoRequest& request) override;

private:
  // Who is in the meeting or waiting: a room never has more of either than this allows.
  std::size_t limit() const;
  void enter(Participant participant, const JoinRequest& request, mixer::VideoCodec codec);
  void wait(Waiting waiting);
  // A deadline passed: the client is told why, closed and forgotten.
  void onAnswerDeadline(const std::string& participantId);
  void onLobbyDeadline(const std::string& participantId);
  // The sender may do `action` (a participant in the meeting whose role allows it).
  std::optional<ProtocolError> check(const std::string& senderId, Action action) const;
  // check(), then the sender's hand/queue message rate (too-fast).
  std::optional<ProtocolError> checkHand(const std::string& senderId, Action action);
  // What a newcomer (or someone promoted) needs to know of the meeting tools.
  void sendMeetingState(Participant& participant);
  void sendChatHistory(Participant& participant);
  void muteOne(Participant& target, const Participant& by);
  void makeModerator(Participant& participant);
  // Ad-hoc rooms are never left without a moderator: the longest present takes over.
  void ensureModerator();
  void drop(const std::string& participantId, const std::string& reason);
  // Every message to one participant goes through here (see Answering).
  void sendTo(Participant& participant, const std::string& message);
  // The last word to a connection: a fatal error, then the connection closes.
  void sendFatal(Participant& participant, ErrorCode code, const std::string& message);
  void broadcast(const std::string& message, const std::string& exceptId = {});
  // Everyone in the meeting and everyone waiting in the lobby.
  void tellEveryone(const std::string& message);
  void tellModerators(const std::string& message);
  void lobbyChanged();
  Participant* find(const std::string& participantId);
  const Participant* find(const std::string& participantId) const;
  // Runs `work` later on the conference thread, if this room still exists then.
  void later(std::function<void()> work);

  // Someone arrives by a move (moveTo) and is told where they are now.
  void arrive(Participant participant);

  // Presenting (RoomPresentation.cpp).
  void stopPresenting(const std::string& why);
  // The participant leaves the meeting (or this room): their screen share ends with them.
  void endScreenShareOf(const std::string& participantId);
  // Asks for the current page and shows it once it is rendered.
  void showCurrentPage();
  void presentationChanged();

  // passed in
  Listener& listener_;
  std::function<void(std::function<void()>)> defer_;
  Timers& timers_;
  const RoomTimeouts timeouts_;
  // owned
  RoomPolicy policy_;
  std::string label_;
  std::size_t away_ = 0;  // see setAway()
  std::map<std::string, Participant> participants_;
  std::vector<std::string> order_;  // join order
  std::vector<Waiting> lobby_;      // knock order
  std::set<std::string> banned_;    // link sessions of removed participants
  bool locked_ = false;
  bool ended_ = false;
  ChatLog chat_;
  FloorControl floor_;  // speaker queue, floor and speaking time
  RoomRecording recording_;
  mixer::Layout layout_ = mixer::Layout::Grid;
  std::optional<std::string> activeSpeaker_;
  PresentationInfo presentation_;
  DocumentPages* documents_;  // passed in; may be null
  std::optional<Request> answering_;  // the request being handled (Answering)
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);  // later() work checks it
  std::unique_ptr<RoomMedia> media_;  // last member: goes first, before what it reports to
};

}  // namespace plenum::signaling
