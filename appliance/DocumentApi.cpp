// SPDX-License-Identifier: EUPL-1.2
#include "appliance/DocumentApi.hpp"

#include "appliance/ApiError.hpp"
#include "appliance/ApiExchange.hpp"
#include "appliance/HttpRouter.hpp"
#include "signaling/LogText.hpp"

#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <memory>
#include <streambuf>

namespace plenum::appliance {

namespace {

using Status = Poco::Net::HTTPResponse::HTTPStatus;

Poco::Logger& log() { return Poco::Logger::get("plenum.documents"); }

constexpr const char* kPrefix = "/api/meeting/document";
constexpr std::size_t kMaxFileNameChars = 120;

// Reads through to `inner`, telling `progressed` every 64 KiB.
class ProgressBuffer : public std::streambuf {
public:
  ProgressBuffer(std::istream& inner, std::function<void()> progressed)
      : inner_(inner), progressed_(std::move(progressed)) {}

protected:
  int_type underflow() override {
    inner_.read(chunk_, sizeof chunk_);
    const std::streamsize got = inner_.gcount();
    if (got <= 0) return traits_type::eof();
    if (progressed_) progressed_();
    setg(chunk_, chunk_, chunk_ + got);
    return traits_type::to_int_type(chunk_[0]);
  }

private:
  std::istream& inner_;
  std::function<void()> progressed_;
  char chunk_[64 * 1024];
};

// The name everyone sees: the last path segment, printable, at most kMaxFileNameChars bytes.
std::string displayName(const std::string& header) {
  std::string decoded;
  try {
    Poco::URI::decode(header, decoded);
  } catch (const Poco::Exception&) {
    decoded.clear();
  }
  if (auto slash = decoded.find_last_of("/\\"); slash != std::string::npos) decoded = decoded.substr(slash + 1);
  std::string name;
  for (unsigned char c : decoded) {
    if (c >= 0x20 && c != 0x7f) name += static_cast<char>(c);
  }
  if (name.size() > kMaxFileNameChars) name.resize(kMaxFileNameChars);
  // A cut through a UTF-8 sequence is trimmed back to the last whole character.
  while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) name.pop_back();
  if (!name.empty() && static_cast<unsigned char>(name.back()) >= 0xC0) name.pop_back();
  return signaling::normaliseDisplayName(name).value_or("document.pdf");
}

ApiError refusal(const signaling::ProtocolError& error) {
  switch (error.code) {
    case signaling::ErrorCode::PresentationBusy: return {Status::HTTP_CONFLICT, "presentation-busy", error.message};
    case signaling::ErrorCode::Forbidden:
    case signaling::ErrorCode::NotJoined: return {Status::HTTP_FORBIDDEN, "forbidden", error.message};
    default: return {Status::HTTP_INTERNAL_SERVER_ERROR, "internal", error.message};
  }
}

ApiError refusal(const DocumentService::Refused& refused) {
  const std::string code = toCode(refused.problem);
  switch (refused.problem) {
    case DocumentProblem::NotPdf: return {Status::HTTP_BAD_REQUEST, code, refused.message};
    case DocumentProblem::TooLarge: return {Status::HTTP_REQUEST_ENTITY_TOO_LARGE, code, refused.message};
    case DocumentProblem::Encrypted:
    case DocumentProblem::TooManyPages:
    case DocumentProblem::Damaged:
    case DocumentProblem::LimitExceeded: return {Status::HTTP_UNPROCESSABLE_ENTITY, code, refused.message};
    default: return {Status::HTTP_SERVICE_UNAVAILABLE, code, refused.message};
  }
}

}  // namespace

DocumentApi::DocumentApi(signaling::EventLoop& loop, signaling::Conference& conference, DocumentService* documents,
                         std::function<void()> progressed)
    : loop_(loop), conference_(conference), documents_(documents), progressed_(std::move(progressed)) {}

bool DocumentApi::handles(const std::string& path) {
  return path == kPrefix || path.rfind(std::string(kPrefix) + "/", 0) == 0;
}

void DocumentApi::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  std::optional<ApiExchange> made;
  try {
    made.emplace(request, response);
  } catch (const Poco::Exception&) {
    sendJsonError(response, Status::HTTP_BAD_REQUEST, "bad-request", "the request's URI cannot be decoded");
    return;
  }
  ApiExchange& exchange = *made;
  // The connection closes after the answer: a refusal may leave a body unread (one too large,
  // or sent with a method we do not take).
  response.setKeepAlive(false);
  try {
    const auto& segments = exchange.segments();  // api, meeting, document[, id]
    if (segments.size() == 3 && exchange.method() == "POST") {
      upload(request, response);
    } else if (segments.size() == 4 && exchange.method() == "GET") {
      download(request, response, segments[3]);
    } else if (segments.size() == 3 || segments.size() == 4) {
      response.set("Allow", segments.size() == 3 ? "POST" : "GET");
      throw ApiError(Status::HTTP_METHOD_NOT_ALLOWED, "method-not-allowed", "not with this method");
    } else {
      throw ApiError::notFound("no such API resource");
    }
  } catch (const ApiError& e) {
    if (!response.sent()) exchange.sendError(e.status(), e.code(), e.what(), 0);
  } catch (const std::exception& e) {
    log().error("document request failed: %s", signaling::logText(e.what()));
    if (!response.sent()) exchange.sendError(Status::HTTP_INTERNAL_SERVER_ERROR, "internal", "the server failed; see its log", 0);
  }
}

void DocumentApi::upload(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  if (!documents_ || !documents_->available()) {
    throw ApiError(Status::HTTP_SERVICE_UNAVAILABLE, "unavailable", "documents cannot be shown on this server");
  }
  if (!request.hasContentLength()) throw ApiError(Status::HTTP_LENGTH_REQUIRED, "length-required", "send Content-Length");
  const std::int64_t length = request.getContentLength64();
  if (length <= 0) throw ApiError::badRequest("the upload is empty");
  if (static_cast<std::uint64_t>(length) > documents_->limits().maxBytes) {
    throw ApiError(Status::HTTP_REQUEST_ENTITY_TOO_LARGE, "too-large",
                   "the file is larger than " + std::to_string(documents_->limits().maxBytes >> 20) + " MB");
  }
  const std::string token = request.get("X-Plenum-Upload-Token", "");
  auto decision = std::make_shared<std::optional<signaling::ProtocolError>>();
  if (!loop_.runAndWait([decision, token, &conference = conference_] { *decision = conference.mayShowDocument(token); },
                        std::chrono::seconds(10))) {
    throw ApiError(Status::HTTP_SERVICE_UNAVAILABLE, "busy", "the server is busy; try again");
  }
  if (*decision) {
    // The body (within the size limit) is read and dropped first: a client still sending it
    // would otherwise lose the answer to the connection's reset.
    ProgressBuffer drain(request.stream(), progressed_);
    std::istream rest(&drain);
    rest.ignore(length);
    throw refusal(**decision);
  }

  ProgressBuffer buffer(request.stream(), progressed_);
  std::istream body(&buffer);
  auto accepted = documents_->accept(body, static_cast<std::uint64_t>(length));
  if (auto* refused = std::get_if<DocumentService::Refused>(&accepted)) throw refusal(*refused);
  const auto& document = std::get<DocumentService::Accepted>(accepted);

  signaling::DocumentInfo info{document.id, displayName(request.get("X-Plenum-Filename", "")),
                               static_cast<unsigned>(document.pages), 1};
  auto shown = std::make_shared<std::optional<signaling::ProtocolError>>();
  DocumentService* documents = documents_;
  const bool answered = loop_.runAndWait(
      [shown, token, info, documents, &conference = conference_] {
        *shown = conference.showDocument(token, info);
        if (*shown) documents->discard(info.id);  // refused meanwhile (someone else presents now)
      },
      std::chrono::seconds(10));
  if (!answered) throw ApiError(Status::HTTP_SERVICE_UNAVAILABLE, "busy", "the server is busy; try again");
  if (*shown) throw refusal(**shown);
  Poco::JSON::Object body201;
  body201.set("id", document.id);
  body201.set("pages", document.pages);
  ApiExchange(request, response).sendJson(Status::HTTP_CREATED, body201);
}

void DocumentApi::download(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                           const std::string& id) {
  ApiExchange exchange(request, response);
  const std::string token = exchange.query("token").value_or("");
  auto allowed = std::make_shared<std::optional<std::string>>();
  if (!loop_.runAndWait([allowed, token, &conference = conference_] { *allowed = conference.downloadableDocument(token); },
                        std::chrono::seconds(10))) {
    throw ApiError(Status::HTTP_SERVICE_UNAVAILABLE, "busy", "the server is busy; try again");
  }
  if (!*allowed || **allowed != id || !documents_) {
    throw ApiError::forbidden("this document is not shown to you for download");
  }
  const auto path = documents_->pdfPath(id);
  if (!path) throw ApiError::notFound("the document is gone");
  exchange.onProgress = progressed_;
  exchange.sendFile(*path, "application/pdf", "document.pdf");
}

}  // namespace plenum::appliance
