// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/DocumentService with Debian's poppler-utils under bubblewrap, PDFs made in
// code (TestPdf.hpp) and a test thread standing in for the conference thread (it runs what the
// service posts): an upload accepted with page 1 at once and the other pages rendered ahead, a
// page asked for rendered before the render-ahead, refusals that leave nothing on disk, at most
// two uploads at once, a document discarded while it is rendered, a page that makes the
// renderer loop given up alone, and no document surviving the service.
#include "appliance/DocumentService.hpp"

#include "TempDataDir.hpp"
#include "TestPdf.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <regex>
#include <sstream>
#include <thread>

using namespace plenum::appliance;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// What the service posts to the conference thread, run by the test when it says so.
class Posted {
public:
  std::function<void(std::function<void()>)> poster() {
    return [this](std::function<void()> job) {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    };
  }
  // Runs the jobs posted until `done` holds; false when it did not within `timeout` (generous:
  // the tests must pass on a loaded machine).
  bool runUntil(const std::function<bool()>& done, std::chrono::seconds timeout = 120s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::deque<std::function<void()>> jobs;
      {
        std::lock_guard lock(mutex_);
        jobs.swap(jobs_);
      }
      for (auto& job : jobs) job();
      if (done()) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
  }

private:
  std::mutex mutex_;
  std::deque<std::function<void()>> jobs_;
};

struct Fixture {
  explicit Fixture(DocumentLimits limits = {}) : service(folder.string(), limits, posted.poster()) {}

  std::variant<DocumentService::Accepted, DocumentService::Refused> upload(const std::string& bytes,
                                                                          std::uint64_t announced) {
    std::istringstream body(bytes);
    return service.accept(body, announced);
  }
  DocumentService::Accepted accepted(const std::string& bytes) {
    auto result = upload(bytes, bytes.size());
    if (auto* refused = std::get_if<DocumentService::Refused>(&result)) FAIL(refused->message);
    return std::get<DocumentService::Accepted>(result);
  }
  std::vector<std::string> left() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) names.push_back(entry.path().string());
    return names;
  }
  // The page's file, waiting for it to be rendered (nullopt: it cannot be).
  std::optional<std::string> pageWhenReady(const std::string& id, int n) {
    std::optional<std::optional<std::string>> answer;
    if (auto file = service.page(id, n, [&answer](std::optional<std::string> f) { answer = std::move(f); })) return file;
    REQUIRE(posted.runUntil([&answer] { return answer.has_value(); }));
    return *answer;
  }

  test::TempDataDir dir;
  fs::path folder = dir.path / "documents";
  Posted posted;  // before the service: it posts until it is gone
  DocumentService service;
};

void checkColour(const std::string& file, int n) {
  const auto png = test::Png::read(file);
  CHECK(png.width <= 1280);
  CHECK(png.height <= 720);
  const auto centre = png.at(png.width / 2, png.height / 2);
  const auto expected = test::pageColour(n);
  CAPTURE(n, centre, expected);
  for (std::size_t i = 0; i < 3; ++i) CHECK(std::abs(centre[i] - expected[i]) <= 12);
}

// A body that lets the test decide when its bytes arrive.
class HeldBody : public std::streambuf {
public:
  explicit HeldBody(std::string bytes) : bytes_(std::move(bytes)) {}
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  bool waitUntilRead(std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return reading_; });
  }

protected:
  int_type underflow() override {
    std::unique_lock lock(mutex_);
    reading_ = true;
    changed_.notify_all();
    changed_.wait(lock, [this] { return released_; });
    if (done_) return traits_type::eof();
    done_ = true;
    setg(bytes_.data(), bytes_.data(), bytes_.data() + bytes_.size());
    return traits_type::to_int_type(bytes_[0]);
  }

private:
  std::string bytes_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool reading_ = false;
  bool released_ = false;
  bool done_ = false;
};

test::PdfPage slowPage() {
  test::PdfPage page;
  for (int i = 0; i < 40000; ++i) page.extraContent += "0 0 m 842 595 l 0 595 m 842 0 l S\n";
  return page;
}

}  // namespace

TEST_CASE("an upload is accepted with page 1 at once, the others are rendered ahead", "[appliance][documents]") {
  Fixture f;
  INFO(f.service.unavailableReason());
  REQUIRE(f.service.available());
  const std::string pdf = test::makePdf(12);
  const auto document = f.accepted(pdf);
  CHECK(document.pages == 12);
  CHECK(std::regex_match(document.id, std::regex("[A-Za-z0-9_-]{22}")));
  const auto first = f.service.page(document.id, 1, [](auto) { FAIL("page 1 is rendered before the upload is answered"); });
  REQUIRE(first);
  checkColour(*first, 1);
  const auto path = f.service.pdfPath(document.id);
  REQUIRE(path);
  CHECK(test::readFile(*path) == pdf);

  f.service.drain();
  for (int n = 1; n <= 12; ++n) {
    const auto file = f.service.page(document.id, n, [](auto) { FAIL("rendered ahead"); });
    REQUIRE(file);
    checkColour(*file, n);
  }
  // Pages that do not exist, documents that do not.
  for (const auto& [id, n] : std::vector<std::pair<std::string, int>>{{document.id, 13}, {document.id, 0}, {"nope", 1}}) {
    CHECK_FALSE(f.pageWhenReady(id, n));
  }
  CHECK_FALSE(f.service.pdfPath("../documents"));
}

TEST_CASE("a page asked for goes before the render-ahead, which ends with every page", "[appliance][documents]") {
  Fixture f;
  REQUIRE(f.service.available());
  const auto document = f.accepted(test::makePdf(120));
  REQUIRE(document.pages == 120);

  std::optional<std::optional<std::string>> last;
  REQUIRE_FALSE(f.service.page(document.id, 120, [&last](std::optional<std::string> file) { last = std::move(file); }));
  REQUIRE(f.posted.runUntil([&last] { return last.has_value(); }));
  REQUIRE(*last);
  checkColour(**last, 120);
  // The render-ahead, in batches of 10 from page 2, is far from page 119 yet.
  CHECK_FALSE(fs::exists(f.folder / document.id / "page-119.png"));

  f.service.drain();
  for (int n = 1; n <= 120; ++n) REQUIRE(f.service.page(document.id, n, [](auto) { FAIL("rendered ahead"); }));
  checkColour(*f.service.page(document.id, 77, [](auto) {}), 77);
  CHECK(f.left().size() == 1 + 1 + 120);  // its folder, the PDF, the pages: no scratch files
}

TEST_CASE("refused uploads say why and leave nothing behind", "[appliance][documents]") {
  DocumentLimits limits;
  limits.maxBytes = 64 * 1024;
  limits.maxPages = 20;
  Fixture f(limits);
  REQUIRE(f.service.available());
  const std::string threePages = test::makePdf(3);
  const std::string executable = test::readFile("/bin/true").substr(0, 60000);
  const std::string html = "<!DOCTYPE html><html><body>Hello</body></html>";
  struct Case {
    const char* what;
    std::string body;
    std::uint64_t announced;
    DocumentProblem problem;
  };
  const std::vector<Case> cases = {
      {"a web page", html, html.size(), DocumentProblem::NotPdf},
      {"a ZIP archive", std::string("PK\x05\x06", 4) + std::string(18, '\0'), 22, DocumentProblem::NotPdf},
      {"an executable", executable, executable.size(), DocumentProblem::NotPdf},
      {"nothing", "", 0, DocumentProblem::NotPdf},
      {"an upload cut off halfway", threePages.substr(0, threePages.size() / 2), threePages.size(),
       DocumentProblem::Damaged},
      {"junk after the header", "%PDF-1.7\njunk\n", 14, DocumentProblem::Damaged},
      {"a PDF with a password", test::makePdf(3, {test::PdfOptions::Encryption::UserPassword}), 0,
       DocumentProblem::Encrypted},
      {"too many pages", test::makePdf(21), 0, DocumentProblem::TooManyPages},
      {"more bytes than allowed, not announced", std::string(limits.maxBytes + 10, 'x'), 0, DocumentProblem::TooLarge},
      {"more bytes than allowed, announced", std::string(100, 'x'), limits.maxBytes + 1, DocumentProblem::TooLarge},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    const auto result = f.upload(c.body, c.announced);
    const auto* refused = std::get_if<DocumentService::Refused>(&result);
    REQUIRE(refused);
    CHECK(refused->problem == c.problem);
    CHECK_FALSE(refused->message.empty());
    CHECK(refused->message.find('\n') == std::string::npos);
    CHECK(f.left().empty());
  }
  const auto cut = f.upload(threePages.substr(0, 100), threePages.size());
  CHECK(std::get<DocumentService::Refused>(cut).message.find("cut off") != std::string::npos);
  // The meeting goes on: the next good upload is accepted.
  CHECK(f.accepted(threePages).pages == 3);
}

TEST_CASE("a page that makes the renderer loop is given up alone", "[appliance][documents]") {
  DocumentLimits limits;
  limits.timeLimit = 3s;
  Fixture f(limits);
  REQUIRE(f.service.available());
  std::vector<test::PdfPage> pages(12);
  pages[4] = slowPage();
  const auto document = f.accepted(test::makePdf(pages, {test::PdfOptions::Encryption::None, true}));
  f.service.drain();
  CHECK_FALSE(f.pageWhenReady(document.id, 5));
  for (int n : {1, 2, 3, 4, 6, 7, 11, 12}) {
    CAPTURE(n);
    const auto file = f.service.page(document.id, n, [](auto) {});
    REQUIRE(file);
    checkColour(*file, n);
  }
}

TEST_CASE("at most two uploads are prepared at once", "[appliance][documents]") {
  Fixture f;
  REQUIRE(f.service.available());
  const std::string pdf = test::makePdf(2);
  HeldBody first(pdf), second(pdf);
  std::variant<DocumentService::Accepted, DocumentService::Refused> results[2] = {
      DocumentService::Refused{DocumentProblem::Busy, ""}, DocumentService::Refused{DocumentProblem::Busy, ""}};
  std::thread a([&] {
    std::istream body(&first);
    results[0] = f.service.accept(body, pdf.size());
  });
  std::thread b([&] {
    std::istream body(&second);
    results[1] = f.service.accept(body, pdf.size());
  });
  const bool bothReading = first.waitUntilRead(60s) && second.waitUntilRead(60s);
  CHECK(bothReading);
  const auto third = f.upload(pdf, pdf.size());
  first.release();
  second.release();
  a.join();
  b.join();
  REQUIRE(std::holds_alternative<DocumentService::Refused>(third));
  CHECK(std::get<DocumentService::Refused>(third).problem == DocumentProblem::Busy);
  CHECK(std::string(toCode(DocumentProblem::Busy)) == "busy");
  for (const auto& result : results) CHECK(std::holds_alternative<DocumentService::Accepted>(result));
  // And once they are done, the next one is taken.
  CHECK(f.accepted(pdf).pages == 2);
}

TEST_CASE("a discarded document is deleted, also while it is rendered", "[appliance][documents]") {
  Fixture f;
  REQUIRE(f.service.available());
  const auto document = f.accepted(test::makePdf(60));
  std::optional<std::optional<std::string>> waited;
  const auto asked = f.service.page(document.id, 60, [&waited](std::optional<std::string> file) { waited = file; });
  f.service.discard(document.id);
  if (!asked) {
    // Whoever waited hears that the page will not come (unless it came first).
    REQUIRE(f.posted.runUntil([&waited] { return waited.has_value(); }));
  }
  f.service.drain();
  CHECK(f.left().empty());
  CHECK_FALSE(f.service.pdfPath(document.id));
  CHECK_FALSE(f.pageWhenReady(document.id, 1));
  f.service.discard(document.id);  // again: nothing happens
}

TEST_CASE("documents do not outlive the service; leftovers are removed at start-up", "[appliance][documents]") {
  test::TempDataDir dir;
  const auto folder = dir.path / "documents";
  const std::string oldId = "AAAAAAAAAAAAAAAAAAAAAA";
  fs::create_directories(folder / oldId);
  test::writeFile((folder / oldId / "document.pdf").string(), test::makePdf(1));
  fs::create_directories(folder / "BBBBBBBBBBBBBBBBBBBB-_.part");
  // Nothing but documents lives there; should anything else, it is not the service's to delete.
  test::writeFile((folder / "notes.txt").string(), "x");
  Posted posted;
  {
    DocumentService service(folder.string(), {}, posted.poster());
    CHECK(fs::exists(folder / "notes.txt"));
    fs::remove(folder / "notes.txt");
    CHECK(fs::is_empty(folder));
    REQUIRE(service.available());
    const std::string pdf = test::makePdf(40);
    std::istringstream body(pdf);
    REQUIRE(std::holds_alternative<DocumentService::Accepted>(service.accept(body, pdf.size())));
    CHECK_FALSE(fs::is_empty(folder));
  }  // while its pages are being rendered ahead
  CHECK(fs::is_empty(folder));
}
