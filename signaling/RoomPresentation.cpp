// SPDX-License-Identifier: EUPL-1.2
// Room: presenting. One presentation at a time, shown large in the composite (so every browser,
// phone and the recording see the same): a participant's screen share, or the pages of a PDF a
// moderator uploaded. Everyone hears of every change (`presentation`).
#include "signaling/Room.hpp"
#include "signaling/ServerMessages.hpp"

#include <Poco/Logger.h>

namespace plenum::signaling {

namespace {
Poco::Logger& log() { return Poco::Logger::get("plenum.room"); }

ProtocolError busy(const PresentationInfo& presentation) {
  return ProtocolError{ErrorCode::PresentationBusy,
                       presentation.kind == PresentationKind::Screen
                           ? "someone is sharing their screen; it must stop first"
                           : "slides are being shown; they must be closed first"};
}

// Compares without stopping at the first difference (a token's prefix tells nothing).
bool sameToken(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}
}  // namespace

void Room::presentationChanged() { broadcast(server::presentation(presentation_)); }

std::optional<ProtocolError> Room::screenShareStart(const std::string& senderId) {
  const Participant* sender = find(senderId);
  if (!sender) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (!isAllowed(sender->role, Action::ShareScreen) && !presentation_.guestsMayShare) {
    return ProtocolError{ErrorCode::Forbidden, "only moderators may share their screen here"};
  }
  if (presentation_.kind == PresentationKind::Screen && presentation_.participantId == senderId) return std::nullopt;
  if (presentation_.kind != PresentationKind::None) return busy(presentation_);
  try {
    media_->presentScreen(senderId);
  } catch (const std::exception& e) {
    log().error("room %s: %s's screen cannot be shown: %s", label_, senderId, std::string(e.what()));
    return ProtocolError{ErrorCode::Internal, "the screen share could not be started"};
  }
  presentation_.kind = PresentationKind::Screen;
  presentation_.participantId = senderId;
  presentation_.name = sender->info.name;
  log().information("room %s: %s shares their screen", label_, senderId);
  presentationChanged();
  return std::nullopt;
}

std::optional<ProtocolError> Room::screenShareStop(const std::string& senderId) {
  if (!find(senderId)) return ProtocolError{ErrorCode::NotJoined, "you are waiting in the lobby"};
  if (presentation_.kind == PresentationKind::Screen && presentation_.participantId == senderId) {
    stopPresenting(senderId + " stopped sharing");
  }
  return std::nullopt;
}

std::optional<ProtocolError> Room::presentationStop(const std::string& senderId) {
  if (auto refused = check(senderId, Action::Present)) return refused;
  if (presentation_.kind != PresentationKind::None) stopPresenting("stopped by " + senderId);
  return std::nullopt;
}

std::optional<ProtocolError> Room::slidesPage(const std::string& senderId, unsigned page) {
  if (auto refused = check(senderId, Action::Present)) return refused;
  if (presentation_.kind != PresentationKind::Slides || !presentation_.document) {
    return ProtocolError{ErrorCode::NoPresentation, "no slides are shown"};
  }
  DocumentInfo& document = *presentation_.document;
  if (page < 1 || page > document.pages) {
    return ProtocolError{ErrorCode::BadField, "field 'page' must be 1-" + std::to_string(document.pages)};
  }
  if (document.page == page) return std::nullopt;
  document.page = page;
  showCurrentPage();
  presentationChanged();
  return std::nullopt;
}

std::optional<ProtocolError> Room::presentationSettings(const std::string& senderId,
                                                        const PresentationSettingsRequest& request) {
  if (auto refused = check(senderId, Action::Present)) return refused;
  presentation_.guestsMayShare = request.guestsMayShare;
  presentation_.documentDownload = request.documentDownload;
  log().information("room %s: %s lets guests share: %s, everyone download: %s", label_, senderId,
                    std::string(request.guestsMayShare ? "yes" : "no"), std::string(request.documentDownload ? "yes" : "no"));
  presentationChanged();
  return std::nullopt;
}

std::optional<ProtocolError> Room::mayShowDocument(const std::string& participantId) const {
  if (!documents_) return ProtocolError{ErrorCode::Forbidden, "documents cannot be shown in this room"};
  if (auto refused = check(participantId, Action::Present)) return refused;
  if (presentation_.kind != PresentationKind::None) return busy(presentation_);
  return std::nullopt;
}

std::optional<ProtocolError> Room::showDocument(const std::string& participantId, const DocumentInfo& document) {
  if (auto refused = mayShowDocument(participantId)) return refused;
  presentation_.kind = PresentationKind::Slides;
  presentation_.participantId = participantId;
  presentation_.name = find(participantId)->info.name;
  presentation_.document = document;
  presentation_.document->page = 1;
  log().information("room %s: %s shows a document of %u pages", label_, participantId, document.pages);
  showCurrentPage();
  presentationChanged();
  return std::nullopt;
}

void Room::showCurrentPage() {
  if (!presentation_.document || !documents_) return;
  const std::string id = presentation_.document->id;
  const unsigned page = presentation_.document->page;
  auto show = [this, id, page](const std::optional<std::string>& file) {
    // Only the page still asked for: a later turn may have overtaken this one.
    if (!presentation_.document || presentation_.document->id != id || presentation_.document->page != page) return;
    if (!file) {
      log().warning("room %s: page %u of the document cannot be shown", label_, page);
      return;
    }
    try {
      media_->showSlide(*file);
    } catch (const std::exception& e) {
      log().error("room %s: page %u cannot be shown: %s", label_, page, std::string(e.what()));
    }
  };
  std::weak_ptr<const bool> alive = alive_;
  auto rendered = documents_->page(id, static_cast<int>(page), [alive, show](std::optional<std::string> file) {
    if (alive.lock()) show(file);
  });
  if (rendered) show(rendered);
}

void Room::stopPresenting(const std::string& why) {
  switch (presentation_.kind) {
    case PresentationKind::None: return;
    case PresentationKind::Screen: media_->presentScreen(std::nullopt); break;
    case PresentationKind::Slides:
      media_->stopSlides();
      if (presentation_.document && documents_) documents_->discard(presentation_.document->id);
      break;
  }
  log().information("room %s: %s presentation ended (%s)", label_, std::string(toString(presentation_.kind)), why);
  presentation_.kind = PresentationKind::None;
  presentation_.participantId.clear();
  presentation_.name.clear();
  presentation_.document.reset();
  presentationChanged();
}

void Room::endScreenShareOf(const std::string& participantId) {
  if (presentation_.kind == PresentationKind::Screen && presentation_.participantId == participantId) {
    stopPresenting(participantId + " left");
  }
}

std::optional<std::string> Room::participantWithUploadToken(const std::string& token) const {
  if (token.empty()) return std::nullopt;
  for (const auto& [id, participant] : participants_) {
    if (sameToken(participant.uploadToken, token)) return id;
  }
  return std::nullopt;
}

}  // namespace plenum::signaling
