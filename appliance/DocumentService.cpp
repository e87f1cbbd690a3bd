// SPDX-License-Identifier: EUPL-1.2
#include "appliance/DocumentService.hpp"

#include "appliance/Secrets.hpp"

#include <Poco/Logger.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace plenum::appliance {

namespace fs = std::filesystem;

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.documents"); }

constexpr const char* kPdfName = "document.pdf";
// An upload's folder until it is accepted ('.' is never part of an id).
constexpr const char* kPartSuffix = ".part";

enum PageState : char { NotRendered = 0, Rendered = 1, Failed = 2 };

std::string pageFile(const std::string& folder, int n) { return folder + "/page-" + std::to_string(n) + ".png"; }

// For log lines (%?d: Poco's formatter takes std::int64_t, not long long).
std::int64_t millisecondsSince(std::chrono::steady_clock::time_point start) {
  return static_cast<std::int64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
}

std::string message(DocumentProblem problem, const DocumentLimits& limits) {
  switch (problem) {
    case DocumentProblem::NotPdf: return "The file is not a PDF document.";
    case DocumentProblem::TooLarge:
      return "The file is larger than " + std::to_string(limits.maxBytes >> 20) + " MB, the limit on this server.";
    case DocumentProblem::Encrypted:
      return "The PDF is protected by a password; please upload a copy that opens without one.";
    case DocumentProblem::TooManyPages:
      return "The PDF has more than " + std::to_string(limits.maxPages) + " pages, the limit on this server.";
    case DocumentProblem::Damaged: return "The PDF is damaged and cannot be shown.";
    case DocumentProblem::LimitExceeded:
      return "The PDF could not be rendered within this server's time and memory limits.";
    case DocumentProblem::Unavailable: return "Documents cannot be shown on this server at the moment.";
    case DocumentProblem::Busy: return "Other documents are being prepared right now; please try again in a moment.";
  }
  return "The document cannot be shown.";
}

DocumentService::Refused refused(DocumentProblem problem, const DocumentLimits& limits) {
  return {problem, message(problem, limits)};
}

// What this class keeps in its folder: a document's folder (its id) or an upload's (id.part).
// Nothing else is ever removed, whatever the folder is.
bool ours(const std::string& name) {
  std::string id = name;
  if (id.size() > std::strlen(kPartSuffix) && id.ends_with(kPartSuffix)) id.resize(id.size() - std::strlen(kPartSuffix));
  return id.size() == 22 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

void removeQuietly(const fs::path& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) log().error("documents: cannot remove %s: %s", path.string(), error.message());
}

// Copies at most `most` bytes of `body` into a new file; the count copied, or nullopt when the
// file cannot be written. A body that breaks off (a read error) counts as ended.
std::optional<std::uint64_t> copyBody(std::istream& body, const std::string& path, std::uint64_t most) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::nullopt;
  std::uint64_t copied = 0;
  bool written = true;
  try {
    char chunk[64 * 1024];
    while (written && copied < most && body) {
      body.read(chunk, static_cast<std::streamsize>(std::min<std::uint64_t>(sizeof chunk, most - copied)));
      const auto got = static_cast<std::size_t>(body.gcount());
      for (std::size_t done = 0; written && done < got;) {
        const ssize_t n = ::write(fd, chunk + done, got - done);
        if (n < 0 && errno == EINTR) continue;
        written = n > 0;
        if (written) done += static_cast<std::size_t>(n);
      }
      copied += got;
    }
  } catch (const std::exception&) {
    // The connection failed: what arrived is all there is (and shorter than announced).
  }
  written = ::close(fd) == 0 && written;
  if (!written) return std::nullopt;
  return copied;
}

}  // namespace

struct DocumentService::Document {
  std::string folder;
  int pages = 0;
  std::vector<char> state;  // PageState of page n at n - 1
  std::map<int, std::vector<Ready>> waiting;
  int failedRuns = 0;
  bool single = false;     // the next render-ahead run: one page (after a batch failed)
  bool rendering = false;  // the worker runs a renderer for it
  bool discarded = false;
  std::atomic<bool> cancel{false};
  std::chrono::steady_clock::time_point accepted = std::chrono::steady_clock::now();

  std::string pdf() const { return folder + "/" + kPdfName; }
  int firstNotRendered() const {
    const auto it = std::find(state.begin(), state.end(), NotRendered);
    return it == state.end() ? 0 : static_cast<int>(it - state.begin()) + 1;
  }
};

DocumentService::DocumentService(std::string documentsDir, DocumentLimits limits,
                                 std::function<void(std::function<void()>)> post)
    : directory_(std::move(documentsDir)), post_(std::move(post)), renderer_(limits) {
  std::error_code error;
  fs::create_directories(directory_, error);
  if (error) log().error("documents: cannot create %s: %s", directory_, error.message());
  ::chmod(directory_.c_str(), 0700);
  // Left by an earlier run: their meetings have ended with it.
  if (const auto leftovers = removeAll(); leftovers > 0) {
    log().information("documents: removed %z left from an earlier run", leftovers);
  }
  if (!renderer_.available()) {
    log().error("documents: uploads are refused: %s", renderer_.unavailableReason());
  }
  worker_ = std::thread([this] { run(); });
}

DocumentService::~DocumentService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, document] : documents_) document->cancel = true;
  }
  changed_.notify_all();
  worker_.join();
  removeAll();  // every document, discarded or not
}

std::size_t DocumentService::removeAll() {
  std::vector<fs::path> found;
  std::error_code error;
  for (fs::directory_iterator it(directory_, error), end; !error && it != end; it.increment(error)) {
    if (ours(it->path().filename().string())) found.push_back(it->path());
  }
  for (const auto& path : found) removeQuietly(path);
  return found.size();
}

std::variant<DocumentService::Accepted, DocumentService::Refused> DocumentService::accept(std::istream& body,
                                                                                         std::uint64_t contentLength) {
  const auto& limits = renderer_.limits();
  if (!renderer_.available()) return refused(DocumentProblem::Unavailable, limits);
  if (contentLength > limits.maxBytes) return refused(DocumentProblem::TooLarge, limits);
  {
    std::lock_guard lock(mutex_);
    if (accepting_ >= kUploadsAtOnce) {
      log().information("documents: an upload is refused: %d others are being prepared", accepting_);
      return refused(DocumentProblem::Busy, limits);
    }
    ++accepting_;
  }
  const std::string id = randomToken(16);
  const std::string folder = directory_ + "/" + id + kPartSuffix;
  std::variant<Accepted, Refused> result = refused(DocumentProblem::Unavailable, limits);
  try {
    result = acceptInto(id, folder, body, contentLength);
  } catch (const std::exception& e) {
    log().error("documents: an upload failed: %s", std::string(e.what()));
  }
  if (std::holds_alternative<Refused>(result)) removeQuietly(folder);
  std::lock_guard lock(mutex_);
  --accepting_;
  return result;
}

std::variant<DocumentService::Accepted, DocumentService::Refused> DocumentService::acceptInto(
    const std::string& id, const std::string& folder, std::istream& body, std::uint64_t contentLength) {
  const auto& limits = renderer_.limits();
  const auto start = std::chrono::steady_clock::now();
  std::error_code error;
  if (!fs::create_directory(folder, error)) {
    log().error("documents: cannot create %s: %s", folder, error.message());
    return refused(DocumentProblem::Unavailable, limits);
  }
  ::chmod(folder.c_str(), 0700);
  const std::string pdf = folder + "/" + kPdfName;
  const auto copied = copyBody(body, pdf, limits.maxBytes + 1);
  if (!copied) {
    log().error("documents: cannot store an upload in %s (disk full?)", directory_);
    return refused(DocumentProblem::Unavailable, limits);
  }
  if (*copied > limits.maxBytes) {
    log().information("documents: an upload is refused: larger than %?d bytes", limits.maxBytes);
    return refused(DocumentProblem::TooLarge, limits);
  }
  if (*copied < contentLength) {
    log().information("documents: an upload is refused: cut off after %?d of %?d bytes",
                      *copied, contentLength);
    return Refused{DocumentProblem::Damaged, "The upload was cut off before the whole file arrived; please try again."};
  }
  if (*copied == 0) return Refused{DocumentProblem::NotPdf, "The file is empty."};

  const auto inspected = renderer_.inspect(pdf);
  if (const auto* problem = std::get_if<DocumentProblem>(&inspected)) {
    log().information("documents: an upload of %?d bytes is refused: %s", *copied,
                      std::string(toCode(*problem)));
    return refused(*problem, limits);
  }
  const int pages = std::get<int>(inspected);
  const auto inspectedAfter = millisecondsSince(start);
  if (const auto problem = renderer_.render(pdf, 1, 1, folder)) {
    log().information("documents: an upload of %d pages is refused: page 1: %s", pages, std::string(toCode(*problem)));
    return refused(*problem, limits);
  }

  auto document = std::make_shared<Document>();
  document->folder = directory_ + "/" + id;
  document->pages = pages;
  document->state.assign(static_cast<std::size_t>(pages), NotRendered);
  document->state[0] = Rendered;
  document->accepted = start;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return refused(DocumentProblem::Unavailable, limits);
    // Under the lock: a discard of this id (it cannot know it yet) cannot come in between.
    fs::rename(folder, document->folder, error);
    if (error) {
      log().error("documents: cannot rename %s: %s", folder, error.message());
      return refused(DocumentProblem::Unavailable, limits);
    }
    documents_.emplace(id, document);
    if (pages > 1) ahead_.push_back(id);
  }
  changed_.notify_all();
  log().information("document %s accepted: %?d bytes, %d pages; checked in %?d ms, page 1 ready in %?d ms", id,
                    *copied, pages, inspectedAfter, millisecondsSince(start));
  return Accepted{id, pages};
}

std::optional<std::string> DocumentService::page(const std::string& id, int n, Ready ready) {
  std::unique_lock lock(mutex_);
  const auto it = documents_.find(id);
  if (it == documents_.end() || n < 1 || n > it->second->pages) {
    lock.unlock();
    post_([ready = std::move(ready)] { ready(std::nullopt); });
    return std::nullopt;
  }
  auto& document = *it->second;
  switch (document.state[static_cast<std::size_t>(n - 1)]) {
    case Rendered: return pageFile(document.folder, n);
    case Failed:
      lock.unlock();
      post_([ready = std::move(ready)] { ready(std::nullopt); });
      return std::nullopt;
    default: break;
  }
  auto& waiting = document.waiting[n];
  waiting.push_back(std::move(ready));
  if (waiting.size() == 1) {
    // Newest first: a moderator who turns pages quickly wants to see the last one they turned to.
    wanted_.emplace_front(id, n);
  }
  lock.unlock();
  changed_.notify_all();
  return std::nullopt;
}

void DocumentService::discard(const std::string& id) {
  std::vector<std::pair<Ready, std::optional<std::string>>> answers;
  {
    std::lock_guard lock(mutex_);
    const auto it = documents_.find(id);
    if (it == documents_.end()) return;
    auto document = it->second;
    documents_.erase(it);
    document->discarded = true;
    document->cancel = true;
    for (auto& [n, readies] : document->waiting) {
      for (auto& ready : readies) answers.emplace_back(std::move(ready), std::nullopt);
    }
    document->waiting.clear();
    // The worker deletes the files: at once, or when the renderer it runs for them has ended.
    if (!document->rendering) removals_.push_back(document->folder);
  }
  changed_.notify_all();
  answer(std::move(answers));
  log().information("document %s: discarded", id);
}

std::optional<std::string> DocumentService::pdfPath(const std::string& id) const {
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(id);
  if (it == documents_.end()) return std::nullopt;
  return it->second->pdf();
}

void DocumentService::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return stopping_ || (wanted_.empty() && ahead_.empty() && removals_.empty() && !busy_); });
}

std::optional<DocumentService::Job> DocumentService::nextJob() {
  while (!wanted_.empty()) {
    auto [id, n] = wanted_.front();
    wanted_.pop_front();
    const auto it = documents_.find(id);
    if (it == documents_.end() || it->second->state[static_cast<std::size_t>(n - 1)] != NotRendered) continue;
    return Job{it->second, id, n, n};
  }
  while (!ahead_.empty()) {
    const std::string id = ahead_.front();
    ahead_.pop_front();
    const auto it = documents_.find(id);
    if (it == documents_.end()) continue;
    auto& document = *it->second;
    const int first = document.firstNotRendered();
    if (first == 0) continue;
    int last = first;
    // Batches grow (page 2 alone, then 3-4, 5-8, then kBatchPages): the next page is ready soon
    // after page 1 (a moderator turns at once), the rest with few renderer runs.
    const int batch = std::min(kBatchPages, std::max(1, first - 1));
    const int most = document.single ? first : std::min(document.pages, first + batch - 1);
    while (last < most && document.state[static_cast<std::size_t>(last)] == NotRendered) ++last;
    return Job{it->second, id, first, last};
  }
  return std::nullopt;
}

void DocumentService::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !wanted_.empty() || !ahead_.empty() || !removals_.empty(); });
    if (stopping_) return;
    busy_ = true;
    if (!removals_.empty()) {
      auto folders = std::move(removals_);
      removals_.clear();
      lock.unlock();
      for (const auto& folder : folders) removeQuietly(folder);
      lock.lock();
    } else if (const auto job = nextJob()) {
      job->document->rendering = true;
      lock.unlock();
      const auto problem =
          renderer_.render(job->document->pdf(), job->first, job->last, job->document->folder, &job->document->cancel);
      std::vector<std::pair<Ready, std::optional<std::string>>> answers;
      lock.lock();
      finish(*job, problem, answers);
      lock.unlock();
      answer(std::move(answers));
      lock.lock();
    }
    busy_ = false;
    changed_.notify_all();
  }
}

void DocumentService::finish(const Job& job, std::optional<DocumentProblem> problem,
                             std::vector<std::pair<Ready, std::optional<std::string>>>& answers) {
  auto& document = *job.document;
  document.rendering = false;
  if (document.discarded) {
    removals_.push_back(document.folder);
    return;
  }
  if (stopping_) return;
  std::error_code error;
  for (int n = job.first; n <= job.last; ++n) {
    if (!fs::exists(pageFile(document.folder, n), error)) continue;
    document.state[static_cast<std::size_t>(n - 1)] = Rendered;
  }
  if (problem) {
    ++document.failedRuns;
    const int failing = job.first == job.last ? job.first : 0;
    if (failing) document.state[static_cast<std::size_t>(failing - 1)] = Failed;
    // A batch that failed is tried again a page at a time from its first page not rendered:
    // one bad page does not cost the others.
    document.single = !failing;
    if (failing) log().warning("document %s: page %d cannot be rendered (%s)", job.id, failing, std::string(toCode(*problem)));
    if (document.failedRuns >= kMaxFailedRuns) {
      log().warning("document %s: %d renderer runs failed; its pages not rendered yet are given up", job.id,
                    document.failedRuns);
      std::replace(document.state.begin(), document.state.end(), static_cast<char>(NotRendered), static_cast<char>(Failed));
    }
  } else {
    document.single = false;
  }
  for (auto it = document.waiting.begin(); it != document.waiting.end();) {
    const char state = document.state[static_cast<std::size_t>(it->first - 1)];
    if (state == NotRendered) {
      ++it;
      continue;
    }
    const std::optional<std::string> file =
        state == Rendered ? std::optional<std::string>(pageFile(document.folder, it->first)) : std::nullopt;
    for (auto& ready : it->second) answers.emplace_back(std::move(ready), file);
    it = document.waiting.erase(it);
  }
  if (document.firstNotRendered() != 0) {
    // In turn with the other documents; pages asked for meanwhile are in wanted_.
    if (std::find(ahead_.begin(), ahead_.end(), job.id) == ahead_.end()) ahead_.push_back(job.id);
  } else if (std::find(document.state.begin(), document.state.end(), static_cast<char>(Failed)) == document.state.end()) {
    log().information("document %s: all %d pages rendered in %?d ms", job.id, document.pages,
                      millisecondsSince(document.accepted));
  }
}

void DocumentService::answer(std::vector<std::pair<Ready, std::optional<std::string>>> answers) {
  for (auto& [ready, file] : answers) {
    post_([ready = std::move(ready), file = std::move(file)] { ready(file); });
  }
}

}  // namespace plenum::appliance
