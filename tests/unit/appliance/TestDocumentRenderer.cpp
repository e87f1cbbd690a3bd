// SPDX-License-Identifier: EUPL-1.2
// Tests of appliance/DocumentRenderer with Debian's poppler-utils under bubblewrap and PDFs made
// in code (TestPdf.hpp): page counts, pages rendered in their colours to fit the box whatever
// their shape and size, refusals (not a PDF, encrypted, too many pages, damaged), the renderer
// killed at its time and memory limits with no process left, and a sandbox without network or
// a view of the file system.
#include "appliance/DocumentRenderer.hpp"
#include "appliance/TurnRelay.hpp"

#include "TempDataDir.hpp"
#include "TestPdf.hpp"

#include <Poco/Net/ServerSocket.h>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace plenum::appliance;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  Fixture() { fs::create_directories(out); }
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string path = (dir.path / name).string();
    test::writeFile(path, bytes);
    return path;
  }
  std::set<std::string> outFiles() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(out)) names.insert(entry.path().filename().string());
    return names;
  }
  test::TempDataDir dir;
  fs::path out = dir.path / "pages";
};

DocumentRenderer& shared() {
  static DocumentRenderer renderer{DocumentLimits{}};
  return renderer;
}

void requireAvailable(const DocumentRenderer& renderer) {
  INFO(renderer.unavailableReason());
  REQUIRE(renderer.available());
}

bool near(const test::Rgb& a, const test::Rgb& b) {
  for (int i = 0; i < 3; ++i) {
    if (std::abs(a[static_cast<std::size_t>(i)] - b[static_cast<std::size_t>(i)]) > 12) return false;
  }
  return true;
}

// The processes of the renderer running now that work on files under `folder`: bwrap names
// them on its command line, the processes in its sandbox have them mounted (other tests or a
// plenumd may render at the same time). "pid (name) state". Zombies have ended (reaping the
// orphans among them is PID 1's job).
std::vector<std::string> processesOn(const fs::path& folder) {
  const auto slurp = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = slurp(entry.path() / "stat");
    const auto open = stat.find('(');
    const auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) continue;
    const std::string name = stat.substr(open + 1, close - open - 1);
    if ((name != "bwrap" && name != "pdftoppm" && name != "pdfinfo") || stat[close + 2] == 'Z') continue;
    if (slurp(entry.path() / "cmdline").find(folder.string()) == std::string::npos &&
        slurp(entry.path() / "mountinfo").find(folder.string()) == std::string::npos) {
      continue;
    }
    found.push_back(stat.substr(0, close + 3));
  }
  return found;
}

// What is left of the renderer's processes on `folder`: the kernel ends a killed sandbox's
// processes in a moment, waited for generously.
std::vector<std::string> sandboxProcesses(const fs::path& folder) {
  auto found = processesOn(folder);
  for (const auto deadline = std::chrono::steady_clock::now() + 10s;
       !found.empty() && std::chrono::steady_clock::now() < deadline; found = processesOn(folder)) {
    std::this_thread::sleep_for(50ms);
  }
  return found;
}

// A page that takes poppler minutes to draw: 40 000 full-page diagonals (compressed, a few KB).
test::PdfPage slowPage() {
  test::PdfPage page;
  for (int i = 0; i < 40000; ++i) page.extraContent += "0 0 m 842 595 l 0 595 m 842 0 l S\n";
  return page;
}

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

TEST_CASE("problem codes", "[appliance][documents]") {
  CHECK(std::string(toCode(DocumentProblem::NotPdf)) == "not-pdf");
  CHECK(std::string(toCode(DocumentProblem::TooLarge)) == "too-large");
  CHECK(std::string(toCode(DocumentProblem::Encrypted)) == "encrypted");
  CHECK(std::string(toCode(DocumentProblem::TooManyPages)) == "too-many-pages");
  CHECK(std::string(toCode(DocumentProblem::Damaged)) == "damaged");
  CHECK(std::string(toCode(DocumentProblem::LimitExceeded)) == "render-failed");
  CHECK(std::string(toCode(DocumentProblem::Unavailable)) == "unavailable");
  CHECK(std::string(toCode(DocumentProblem::Busy)) == "busy");
}

TEST_CASE("a PDF's pages are counted and rendered in their colours to fit the box", "[appliance][documents]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  Fixture f;
  const auto pdf = f.write("three.pdf", test::makePdf(3));
  const auto inspected = renderer.inspect(pdf);
  REQUIRE(std::holds_alternative<int>(inspected));
  CHECK(std::get<int>(inspected) == 3);

  REQUIRE_FALSE(renderer.render(pdf, 1, 3, f.out.string()));
  CHECK(f.outFiles() == std::set<std::string>{"page-1.png", "page-2.png", "page-3.png"});  // nothing else left
  for (int n = 1; n <= 3; ++n) {
    const auto png = test::Png::read((f.out / ("page-" + std::to_string(n) + ".png")).string());
    // A4 landscape (842 x 595 pt) in 1280 x 720: as high as the box, aspect ratio kept.
    CHECK(png.height == 720);
    CHECK(png.width == 1018);
    CAPTURE(n, png.at(png.width / 2, png.height / 2));
    CHECK(near(png.at(png.width / 2, png.height / 2), test::pageColour(n)));
    // The page number (black, a font poppler finds through fontconfig in the sandbox).
    bool dark = false;
    for (int y = png.height * 3 / 4; y < png.height && !dark; ++y) {
      for (int x = 0; x < png.width / 3 && !dark; ++x) dark = near(png.at(x, y), {0, 0, 0});
    }
    CHECK(dark);
  }
}

TEST_CASE("pages of any shape and size fit the box with their aspect ratio", "[appliance][documents]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  Fixture f;
  struct Shape {
    test::PdfPage page;
    double aspect;  // width / height as shown
  };
  test::PdfPage cropped;
  cropped.cropBox = "[0 0 300 595]";
  const std::vector<Shape> shapes = {
      {test::pdfPage(842, 595), 842.0 / 595},      // A4 landscape
      {test::pdfPage(595, 842), 595.0 / 842},      // A4 portrait
      {test::pdfPage(842, 595, 90), 595.0 / 842},  // landscape turned a quarter: shown portrait
      {test::pdfPage(595.28, 841.89, 270), 841.89 / 595.28},
      {test::pdfPage(1600, 900), 16.0 / 9},        // exactly the box's shape
      {test::pdfPage(14400, 14400), 1.0},          // 200 x 200 inches: no giant bitmap
      {test::pdfPage(3000, 20), 3000.0 / 20},      // a strip
      {cropped, 300.0 / 595},                      // the crop box is what shows
  };
  std::vector<test::PdfPage> pages;
  for (const auto& shape : shapes) pages.push_back(shape.page);
  const auto pdf = f.write("shapes.pdf", test::makePdf(pages));
  REQUIRE(std::get<int>(renderer.inspect(pdf)) == static_cast<int>(shapes.size()));
  REQUIRE_FALSE(renderer.render(pdf, 1, static_cast<int>(shapes.size()), f.out.string()));
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const auto png = test::Png::read((f.out / ("page-" + std::to_string(i + 1) + ".png")).string());
    CAPTURE(i + 1, png.width, png.height);
    CHECK(png.width <= 1280);
    CHECK(png.height <= 720);
    CHECK((png.width == 1280 || png.height == 720));
    CHECK(std::abs(std::log(static_cast<double>(png.width) / png.height / shapes[i].aspect)) < 0.02 + 1.0 / png.height);
    CHECK(near(png.at(png.width / 2, png.height / 2), test::pageColour(static_cast<int>(i) + 1)));
  }
}

TEST_CASE("a range of pages is rendered on its own", "[appliance][documents]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  Fixture f;
  const auto pdf = f.write("many.pdf", test::makePdf(120));  // pdftoppm names them p-007.png
  REQUIRE_FALSE(renderer.render(pdf, 7, 9, f.out.string()));
  CHECK(f.outFiles() == std::set<std::string>{"page-7.png", "page-8.png", "page-9.png"});
  CHECK(near(test::Png::read((f.out / "page-8.png").string()).at(500, 360), test::pageColour(8)));
}

TEST_CASE("what is not a PDF is refused by its first bytes", "[appliance][documents]") {
  auto& renderer = shared();
  Fixture f;
  // An empty ZIP archive named .pdf, a web page, an executable.
  const std::string zip = std::string("PK\x05\x06", 4) + std::string(18, '\0');
  CHECK(std::get<DocumentProblem>(renderer.inspect(f.write("archive.pdf", zip))) == DocumentProblem::NotPdf);
  CHECK(std::get<DocumentProblem>(renderer.inspect(f.write("page.pdf", "<!DOCTYPE html><html><body>%PDF</body></html>"))) ==
        DocumentProblem::NotPdf);
  CHECK(std::get<DocumentProblem>(renderer.inspect(f.write("true.pdf", test::readFile("/bin/true")))) ==
        DocumentProblem::NotPdf);
  CHECK(std::get<DocumentProblem>(renderer.inspect(f.write("empty.pdf", ""))) == DocumentProblem::NotPdf);
}

TEST_CASE("a PDF that needs a password is refused; one with restrictions only is shown", "[appliance][documents]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  Fixture f;
  const auto locked = f.write("locked.pdf", test::makePdf(2, {test::PdfOptions::Encryption::UserPassword}));
  CHECK(std::get<DocumentProblem>(renderer.inspect(locked)) == DocumentProblem::Encrypted);

  const auto restricted = f.write("restricted.pdf", test::makePdf(2, {test::PdfOptions::Encryption::OwnerPasswordOnly}));
  REQUIRE(std::get<int>(renderer.inspect(restricted)) == 2);
  REQUIRE_FALSE(renderer.render(restricted, 2, 2, f.out.string()));
  const auto png = test::Png::read((f.out / "page-2.png").string());
  CHECK(near(png.at(png.width / 2, png.height / 2), test::pageColour(2)));
}

TEST_CASE("more pages than allowed are refused, quickly also for 10 000", "[appliance][documents]") {
  Fixture f;
  DocumentLimits limits;
  limits.maxPages = 2;
  DocumentRenderer small(limits);
  requireAvailable(small);
  CHECK(std::get<DocumentProblem>(small.inspect(f.write("three.pdf", test::makePdf(3)))) == DocumentProblem::TooManyPages);
  CHECK(std::get<int>(small.inspect(f.write("two.pdf", test::makePdf(2)))) == 2);

  const auto huge = f.write("huge.pdf", test::makePdf(10000));
  const auto start = std::chrono::steady_clock::now();
  CHECK(std::get<DocumentProblem>(shared().inspect(huge)) == DocumentProblem::TooManyPages);
  CHECK(std::chrono::steady_clock::now() - start < 15s);  // about 0.1 s: pdfinfo reads the page count only
}

TEST_CASE("a file larger than allowed is refused before poppler sees it", "[appliance][documents]") {
  Fixture f;
  DocumentLimits limits;
  limits.maxBytes = 1000;
  DocumentRenderer small(limits);
  CHECK(std::get<DocumentProblem>(small.inspect(f.write("big.pdf", test::makePdf(10)))) == DocumentProblem::TooLarge);
}

TEST_CASE("a damaged PDF is refused", "[appliance][documents]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  Fixture f;
  CHECK(std::get<DocumentProblem>(renderer.inspect(f.write("junk.pdf", "%PDF-1.7\nnothing but junk\n"))) ==
        DocumentProblem::Damaged);
  // Pages that are not there.
  const auto pdf = f.write("two.pdf", test::makePdf(2));
  CHECK(renderer.render(pdf, 2, 3, f.out.string()) == DocumentProblem::Damaged);
}

TEST_CASE("the renderer is killed at its time limit and nothing is left", "[appliance][documents]") {
  Fixture f;
  SECTION("a limit too short for anything") {
    DocumentLimits limits;
    limits.timeLimit = 1ms;
    DocumentRenderer hasty(limits);
    requireAvailable(hasty);  // the start-up check has limits of its own
    const auto pdf = f.write("three.pdf", test::makePdf(3));
    CHECK(std::get<DocumentProblem>(hasty.inspect(pdf)) == DocumentProblem::LimitExceeded);
    CHECK(hasty.render(pdf, 1, 3, f.out.string()) == DocumentProblem::LimitExceeded);
  }
  SECTION("a page that takes minutes to draw") {
    DocumentLimits limits;
    limits.timeLimit = 2s;
    DocumentRenderer renderer(limits);
    requireAvailable(renderer);
    const auto pdf = f.write("slow.pdf", test::makePdf({slowPage()}, {test::PdfOptions::Encryption::None, true}));
    REQUIRE(std::get<int>(renderer.inspect(pdf)) == 1);  // pdfinfo does not draw
    const auto start = std::chrono::steady_clock::now();
    CHECK(renderer.render(pdf, 1, 1, f.out.string()) == DocumentProblem::LimitExceeded);
    CHECK(std::chrono::steady_clock::now() - start < 30s);
  }
  CHECK(f.outFiles().empty());
  // render() returns when every process of the sandbox has ended.
  CHECK(sandboxProcesses(f.dir.path) == std::vector<std::string>{});
}

TEST_CASE("the renderer fails at its memory limit and nothing is left", "[appliance][documents]") {
  Fixture f;
  DocumentLimits limits;
  limits.memoryLimitBytes = 16ull << 20;  // too little to load poppler's libraries
  DocumentRenderer starved(limits);
  requireAvailable(starved);
  const auto pdf = f.write("three.pdf", test::makePdf(3));
  CHECK(std::get<DocumentProblem>(starved.inspect(pdf)) == DocumentProblem::LimitExceeded);
  CHECK(starved.render(pdf, 1, 3, f.out.string()) == DocumentProblem::LimitExceeded);
  CHECK(f.outFiles().empty());
  CHECK(sandboxProcesses(f.dir.path) == std::vector<std::string>{});
}

TEST_CASE("a cancelled render ends at once", "[appliance][documents]") {
  DocumentLimits limits;
  limits.timeLimit = 120s;  // the page would take about a minute
  DocumentRenderer renderer(limits);
  requireAvailable(renderer);
  Fixture f;
  const auto pdf = f.write("slow.pdf", test::makePdf({slowPage()}, {test::PdfOptions::Encryption::None, true}));
  std::atomic<bool> cancel{false};
  std::atomic<bool> seen{false};
  std::chrono::steady_clock::time_point cancelled;
  std::thread canceller([&] {
    // Once pdftoppm draws (which proves that processesOn finds the sandbox's processes).
    for (const auto deadline = std::chrono::steady_clock::now() + 60s; std::chrono::steady_clock::now() < deadline;) {
      const auto running = processesOn(f.dir.path);
      if (std::any_of(running.begin(), running.end(), [](const auto& p) { return p.find("(pdftoppm)") != std::string::npos; })) {
        seen = true;
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
    cancelled = std::chrono::steady_clock::now();
    cancel = true;
  });
  CHECK(renderer.render(pdf, 1, 1, f.out.string(), &cancel) == DocumentProblem::Unavailable);
  const auto ended = std::chrono::steady_clock::now();
  canceller.join();
  CHECK(seen);
  CHECK(ended - cancelled < 10s);  // at once: 50 ms, but the machine may be busy
  CHECK(f.outFiles().empty());
  CHECK(sandboxProcesses(f.dir.path) == std::vector<std::string>{});
}

TEST_CASE("the sandbox has no network", "[appliance][documents]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  REQUIRE(::access("/usr/bin/bash", X_OK) == 0);
  // Listening on every address of this machine: the sandbox reaches none of them.
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("0.0.0.0", 0));
  const auto port = std::to_string(listener.address().port());
  auto addresses = localAddresses();
  addresses.insert(addresses.begin(), "127.0.0.1");
  for (const auto& address : addresses) {
    if (address.find(':') != std::string::npos) continue;
    const std::string connect = "exec 3<>/dev/tcp/" + address + "/" + port;
    CAPTURE(address);
    // The same command reaches the listener outside the sandbox.
    CHECK(std::system(("/usr/bin/bash -c '" + connect + "' 2>/dev/null").c_str()) == 0);
    const auto run = renderer.runSandboxed({"/usr/bin/bash", "-c", connect}, "", "");
    CHECK(run.started);
    CHECK(run.exitCode != 0);
  }
  // Its network namespace has the loopback interface only (iproute2, where installed).
  for (const char* ip : {"/usr/bin/ip", "/usr/sbin/ip"}) {
    if (::access(ip, X_OK) != 0) continue;
    const auto run = renderer.runSandboxed({ip, "-o", "link"}, "", "");
    CHECK(run.exitCode == 0);
    CAPTURE(run.out);
    CHECK(run.out.find("lo:") != std::string::npos);
    CHECK(std::count(run.out.begin(), run.out.end(), '\n') == 1);
    break;
  }
}

TEST_CASE("the sandbox sees the PDF read-only, its output folder and the system's files only", "[appliance][documents]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  Fixture f;
  const auto pdf = f.write("one.pdf", test::makePdf(1));
  const auto run = renderer.runSandboxed(
      {"/usr/bin/bash", "-c",
       "ls -A / | tr '\\n' ' '; echo; "
       "echo x >> /in/document.pdf 2>/dev/null && echo pdf-writable; "
       "echo x > /usr/probe 2>/dev/null && echo usr-writable; "
       "test -e /etc/passwd && echo passwd; test -e /proc/1 && echo proc; test -e /home && echo home; "
       "echo made > /out/made; id -u"},
      pdf, f.out.string());
  CAPTURE(run.out, run.err);
  REQUIRE(run.exitCode == 0);
  std::istringstream lines(run.out);
  std::string top, rest;
  std::getline(lines, top);
  std::set<std::string> entries;
  std::istringstream words(top);
  for (std::string entry; words >> entry;) entries.insert(entry);
  for (const auto& entry : entries) {
    CAPTURE(entry);
    CHECK(std::set<std::string>{"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "var", "tmp", "dev",
                                "in", "out"}
              .count(entry) == 1);
  }
  std::getline(lines, rest, '\0');
  CHECK(rest == "65534\n");  // nothing writable, nothing else to see; nobody
  CHECK(test::readFile(pdf) == test::makePdf(1));
  CHECK(test::readFile((f.out / "made").string()) == "made\n");
}

TEST_CASE("documents: timings of inspect and render", "[.][timing]") {
  auto& renderer = shared();
  requireAvailable(renderer);
  Fixture f;
  for (int pages : {20, 300}) {
    const auto pdf = f.write(std::to_string(pages) + ".pdf", test::makePdf(pages));
    auto start = std::chrono::steady_clock::now();
    REQUIRE(std::get<int>(renderer.inspect(pdf)) == pages);
    const auto inspected = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(renderer.render(pdf, 1, 1, f.out.string()));
    const auto first = std::chrono::steady_clock::now() - start;
    start = std::chrono::steady_clock::now();
    for (int p = 2; p <= pages; p += 10) REQUIRE_FALSE(renderer.render(pdf, p, std::min(pages, p + 9), f.out.string()));
    const auto all = std::chrono::steady_clock::now() - start;
    WARN(pages << " pages: inspect " << seconds(inspected) * 1000 << " ms, inspect + page 1 " << seconds(first) * 1000
               << " ms; the other pages in batches of 10: " << seconds(all) << " s");
  }
}
