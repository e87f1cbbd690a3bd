// SPDX-License-Identifier: EUPL-1.2
#include "appliance/DocumentRenderer.hpp"

#include "signaling/LogText.hpp"

#include <Poco/Logger.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <string_view>

namespace plenum::appliance {

namespace fs = std::filesystem;

namespace {

Poco::Logger& log() { return Poco::Logger::get("plenum.documents"); }

constexpr const char* kBwrap = "/usr/bin/bwrap";
constexpr const char* kPdfinfo = "/usr/bin/pdfinfo";
constexpr const char* kPdftoppm = "/usr/bin/pdftoppm";
// What pdftoppm names its files in the output folder: /out/p-7.png (or p-007.png: as many digits
// as the page count has).
constexpr const char* kOutputRoot = "p";
// After the sandbox's first process has ended, how long the others (killed with it) may take to
// be gone.
constexpr auto kTeardown = std::chrono::seconds(5);

// An fd closed when it goes out of scope.
class Fd {
public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
};

// The first line of a tool's complaint, safe and short for a log line (it may quote the file).
std::string firstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return signaling::logText(line, 160);
}

bool contains(const std::string& text, const char* what) {
  const std::string needle(what);
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != text.end();
}

// Under RLIMIT_AS an allocation fails instead of the process being killed: the tools and the
// dynamic loader say so in these words.
bool outOfMemory(const std::string& err) {
  for (const char* sign : {"out of memory", "cannot allocate memory", "bad_alloc", "failed to map segment",
                           "memory exhausted", "failed to allocate"}) {
    if (contains(err, sign)) return true;
  }
  return false;
}

// The signal that ended the sandboxed command (bwrap reports it as exit status 128 + n), or 0.
int killedBy(const DocumentRenderer::Run& run) {
  if (run.signal != 0) return run.signal;
  if (run.exitCode > 128 && run.exitCode < 128 + 65) return run.exitCode - 128;
  return 0;
}

// What a run that did not succeed means for the uploader; nullopt when it succeeded.
std::optional<DocumentProblem> problemOf(const DocumentRenderer::Run& run) {
  if (!run.started || run.cancelled) return DocumentProblem::Unavailable;
  if (run.timedOut) return DocumentProblem::LimitExceeded;
  const int signal = killedBy(run);
  if (signal == SIGXCPU || signal == SIGKILL || signal == SIGXFSZ) return DocumentProblem::LimitExceeded;
  if (outOfMemory(run.err)) return DocumentProblem::LimitExceeded;
  if (run.exitCode == 0 && signal == 0) return std::nullopt;
  // bwrap's own complaints: the sandbox, not the document, failed.
  if (run.err.rfind("bwrap: ", 0) == 0) return DocumentProblem::Unavailable;
  return DocumentProblem::Damaged;
}

std::string describe(const DocumentRenderer::Run& run) {
  if (!run.started) return "could not be started";
  if (run.cancelled) return "cancelled";
  if (run.timedOut) return "killed at the time limit";
  std::string what = killedBy(run) ? "killed by signal " + std::to_string(killedBy(run))
                                   : "exit status " + std::to_string(run.exitCode);
  if (!run.err.empty()) what += ": " + firstLine(run.err);
  return what;
}

// The value after "<key>:" on a line of pdfinfo's output.
std::optional<std::string> field(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) != 0) continue;
    const auto start = line.find_first_not_of(' ', key.size() + 1);
    return start == std::string::npos ? std::string() : line.substr(start);
  }
  return std::nullopt;
}

struct PageBox {
  double width = 0;
  double height = 0;
  int rotate = 0;
};

// "Page    3 size:  595.28 x 841.89 pts (A4)" and "Page    3 rot:   90" (pdfinfo -f -l); the
// size is the crop box, what pdftoppm -cropbox renders.
std::map<int, PageBox> pageBoxes(const std::string& out) {
  std::map<int, PageBox> boxes;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    int page = 0;
    double width = 0;
    double height = 0;
    int rotate = 0;
    if (std::sscanf(line.c_str(), "Page %d size: %lf x %lf", &page, &width, &height) == 3) {
      boxes[page].width = width;
      boxes[page].height = height;
    } else if (std::sscanf(line.c_str(), "Page %d rot: %d", &page, &rotate) == 2) {
      boxes[page].rotate = rotate;
    }
  }
  return boxes;
}

// The pixel size of a page as large as fits the box, aspect ratio kept (a quarter turn by its
// /Rotate swaps its sides); never larger than the box, however large the page is.
std::pair<int, int> fitted(const PageBox& page, int boxWidth, int boxHeight) {
  double w = page.width;
  double h = page.height;
  if (((page.rotate % 180) + 180) % 180 == 90) std::swap(w, h);
  if (!(w > 0) || !(h > 0) || !std::isfinite(w) || !std::isfinite(h)) return {boxWidth, boxHeight};
  const double scale = std::min(boxWidth / w, boxHeight / h);
  const auto clamp = [](double v, int most) { return std::clamp(static_cast<int>(std::floor(v)), 1, most); };
  return {clamp(w * scale, boxWidth), clamp(h * scale, boxHeight)};
}

// pdftoppm's name for a page ("p-7.png", "p-007.png") as the page number, or 0.
int renderedPage(const std::string& name) {
  const std::string prefix = std::string(kOutputRoot) + "-";
  if (name.rfind(prefix, 0) != 0 || name.size() <= prefix.size() + 4 || name.substr(name.size() - 4) != ".png") return 0;
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - 4);
  if (digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return 0;
  }
  return std::stoi(digits);
}

std::string pagePath(const std::string& outDir, int page) {
  return outDir + "/page-" + std::to_string(page) + ".png";
}

// Moves what pdftoppm wrote in `scratch` to outDir/page-<n>.png: all of it when it finished,
// else all but the last page it began (which may be cut off). Removes the rest.
void collect(const fs::path& scratch, const std::string& outDir, bool finished) {
  std::map<int, fs::path> pages;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(scratch, error)) {
    if (const int n = renderedPage(entry.path().filename().string()); n > 0 && entry.is_regular_file(error)) {
      pages[n] = entry.path();
    }
  }
  if (!finished && !pages.empty()) pages.erase(std::prev(pages.end()));
  for (const auto& [n, path] : pages) fs::rename(path, pagePath(outDir, n), error);
  for (const auto& entry : fs::directory_iterator(scratch, error)) fs::remove(entry.path(), error);
}

}  // namespace

const char* toCode(DocumentProblem problem) {
  switch (problem) {
    case DocumentProblem::NotPdf: return "not-pdf";
    case DocumentProblem::TooLarge: return "too-large";
    case DocumentProblem::Encrypted: return "encrypted";
    case DocumentProblem::TooManyPages: return "too-many-pages";
    case DocumentProblem::Damaged: return "damaged";
    case DocumentProblem::LimitExceeded: return "render-failed";
    case DocumentProblem::Unavailable: return "unavailable";
    case DocumentProblem::Busy: return "busy";
  }
  return "unavailable";
}

DocumentRenderer::DocumentRenderer(DocumentLimits limits) : limits_(limits) {
  // Debian merges /usr: /bin, /lib, /lib64 are links into it. What is a link stays one in the
  // sandbox; what is a folder of its own is bound read-only.
  systemBinds_ = {"--ro-bind", "/usr", "/usr"};
  for (const char* top : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    struct stat info {};
    if (::lstat(top, &info) != 0) continue;
    if (S_ISLNK(info.st_mode)) {
      std::error_code error;
      const auto target = fs::read_symlink(top, error);
      if (!error) systemBinds_.insert(systemBinds_.end(), {"--symlink", target.string(), top});
    } else if (S_ISDIR(info.st_mode)) {
      systemBinds_.insert(systemBinds_.end(), {"--ro-bind", top, top});
    }
  }
  // Fonts: poppler finds substitutes for fonts a PDF names but does not embed through fontconfig
  // (its configuration, and its cache, without which every run would scan all fonts).
  systemBinds_.insert(systemBinds_.end(), {"--ro-bind-try", "/etc/fonts", "/etc/fonts", "--ro-bind-try",
                                           "/var/cache/fontconfig", "/var/cache/fontconfig"});

  for (const char* tool : {kBwrap, kPdfinfo, kPdftoppm}) {
    if (::access(tool, X_OK) != 0) {
      reason_ = std::string(tool) + " is not installed (Debian packages bubblewrap and poppler-utils)";
      return;
    }
  }
  // With limits of its own: a tiny time or memory limit shows on the documents, not here.
  const Run trial = execute({kPdfinfo, "-v"}, "", "", nullptr, std::chrono::seconds(30), 1ull << 30);
  if (trial.exitCode != 0 || trial.timedOut || trial.signal != 0) {
    reason_ = "the sandbox (bubblewrap) cannot run pdfinfo: " + describe(trial);
    if (contains(trial.err, "namespace") || contains(trial.err, "not permitted")) {
      // What systemd's hardening may forbid (plenum.service allows it), or the kernel.
      reason_ += " (bubblewrap needs unprivileged user namespaces and the system calls mount, pivot_root and capset: "
                 "see RestrictNamespaces= and SystemCallFilter= in plenum.service, and the sysctls "
                 "user.max_user_namespaces and kernel.unprivileged_userns_clone)";
    }
  }
}

std::vector<std::string> DocumentRenderer::sandboxArguments(const std::string& file,
                                                            const std::string& writableDir) const {
  std::vector<std::string> args = {
      kBwrap,
      // New user, mount, PID, IPC, UTS and network namespaces: no network interface but an
      // unconfigured loopback, no other process to see or signal.
      "--unshare-all",
      // Killed with the process that started it (and so when plenumd kills it at a limit).
      "--die-with-parent",
      // No terminal to push input into (TIOCSTI).
      "--new-session",
      "--clearenv",
      "--cap-drop", "ALL",
      // Nobody in the sandbox; files it writes belong to plenumd's user outside.
      "--uid", "65534", "--gid", "65534",
  };
  args.insert(args.end(), systemBinds_.begin(), systemBinds_.end());
  args.insert(args.end(), {"--tmpfs", "/tmp", "--dev", "/dev", "--chdir", "/tmp", "--setenv", "HOME", "/tmp"});
  if (!file.empty()) args.insert(args.end(), {"--ro-bind", file, kSandboxFile});
  if (!writableDir.empty()) args.insert(args.end(), {"--bind", writableDir, kSandboxOut});
  args.emplace_back("--");
  return args;
}

DocumentRenderer::Run DocumentRenderer::runSandboxed(const std::vector<std::string>& argv, const std::string& file,
                                                     const std::string& writableDir,
                                                     const std::atomic<bool>* cancel) const {
  return execute(argv, file, writableDir, cancel, limits_.timeLimit, limits_.memoryLimitBytes);
}

DocumentRenderer::Run DocumentRenderer::execute(const std::vector<std::string>& argv, const std::string& file,
                                                const std::string& writableDir, const std::atomic<bool>* cancel,
                                                std::chrono::milliseconds timeLimit,
                                                std::uint64_t memoryLimitBytes) const {
  Run run;
  std::vector<std::string> all = sandboxArguments(file, writableDir);
  all.insert(all.end(), argv.begin(), argv.end());
  // Everything the child needs is made before fork(): after it, only async-signal-safe calls.
  std::vector<char*> args;
  for (auto& arg : all) args.push_back(arg.data());
  args.push_back(nullptr);
  char* environment[] = {nullptr};
  const auto cpuSeconds = static_cast<rlim_t>(
      std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(timeLimit).count()) + 1);
  // A page's PNG is at most a few bytes per pixel; a run that writes more is broken.
  const auto fileBytes = static_cast<rlim_t>((64ull << 20) + 8ull * static_cast<std::uint64_t>(limits_.pageWidth) *
                                                                static_cast<std::uint64_t>(limits_.pageHeight));
  const struct rlimit memory {static_cast<rlim_t>(memoryLimitBytes), static_cast<rlim_t>(memoryLimitBytes)};
  const struct rlimit cpu {cpuSeconds, cpuSeconds + 1};  // SIGXCPU, a second later SIGKILL
  const struct rlimit fileSize {fileBytes, fileBytes};
  const struct rlimit files {128, 128};  // fontconfig opens its caches one at a time
  const struct rlimit core {0, 0};

  int outPipe[2];
  int errPipe[2];
  if (::pipe2(outPipe, O_CLOEXEC) != 0) return run;
  Fd outRead(outPipe[0]);
  Fd outWrite(outPipe[1]);
  if (::pipe2(errPipe, O_CLOEXEC) != 0) return run;
  Fd errRead(errPipe[0]);
  Fd errWrite(errPipe[1]);
  Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null.get() < 0) return run;

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return run;
  if (pid == 0) {
    // A process group of its own, for the kill at the limit. What bwrap starts in the sandbox
    // dies with it (--die-with-parent, and the end of the sandbox's PID namespace).
    ::setpgid(0, 0);
    // Ends when the thread that started it does (it waits for it), also when plenumd is killed.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    // plenumd may bind ports 80 and 443 (an ambient capability under systemd); bwrap refuses to
    // run with any capability it did not get from being setuid, and the renderer needs none.
    ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    struct sigaction standard {};
    standard.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &standard, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::setrlimit(RLIMIT_AS, &memory) != 0 || ::setrlimit(RLIMIT_CPU, &cpu) != 0 ||
        ::setrlimit(RLIMIT_FSIZE, &fileSize) != 0 || ::setrlimit(RLIMIT_NOFILE, &files) != 0 ||
        ::setrlimit(RLIMIT_CORE, &core) != 0) {
      ::_exit(127);
    }
    if (::dup2(null.get(), STDIN_FILENO) < 0 || ::dup2(outPipe[1], STDOUT_FILENO) < 0 ||
        ::dup2(errPipe[1], STDERR_FILENO) < 0) {
      ::_exit(127);
    }
    ::close_range(3, ~0U, 0);  // plenumd's sockets and files stay plenumd's
    ::execve(kBwrap, args.data(), environment);
    static const char failed[] = "bwrap: cannot be executed\n";
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, failed, sizeof failed - 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: a kill may come before the child has run at all
  run.started = true;
  outWrite.reset();
  errWrite.reset();
  null.reset();

  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeLimit;
  std::optional<std::chrono::steady_clock::time_point> ended;  // when bwrap was reaped
  bool reaped = false;
  bool killed = false;
  int status = 0;
  struct Stream {
    Fd& fd;
    std::string& text;
    bool open = true;
  };
  Stream streams[] = {{outRead, run.out}, {errRead, run.err}};
  const auto kill = [&] {
    if (reaped || killed) return;
    ::killpg(pid, SIGKILL);
    ::kill(pid, SIGKILL);
    killed = true;
  };
  for (;;) {
    if (!reaped) {
      const pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno == ECHILD)) {
        // ECHILD: reaped by someone else (SIGCHLD ignored): how it ended is unknown, a failure.
        if (done != pid) status = W_EXITCODE(127, 0);
        reaped = true;
        ended = std::chrono::steady_clock::now();
      }
    }
    // Done when bwrap has ended and the pipes are closed: every process in the sandbox (each
    // holds them) has ended too.
    if (reaped && !streams[0].open && !streams[1].open) break;
    const auto now = std::chrono::steady_clock::now();
    if (!reaped && now >= deadline) {
      run.timedOut = !killed;
      kill();
    }
    if (!reaped && cancel && cancel->load()) {
      run.cancelled = !killed;
      kill();
    }
    if (ended && now - *ended > kTeardown) {
      log().warning("documents: a sandboxed process still holds its output %d s after the sandbox ended",
                    static_cast<int>(kTeardown.count()));
      break;
    }
    pollfd fds[2];
    nfds_t count = 0;
    Stream* polled[2];
    for (auto& stream : streams) {
      if (!stream.open) continue;
      fds[count] = {stream.fd.get(), POLLIN, 0};
      polled[count++] = &stream;
    }
    // Short waits: the deadline, a cancel and bwrap's end are noticed within 50 ms.
    const int ready = ::poll(fds, count, 50);
    if (ready < 0 && errno != EINTR) break;
    for (nfds_t i = 0; ready > 0 && i < count; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char chunk[16384];
      const ssize_t got = ::read(fds[i].fd, chunk, sizeof chunk);
      if (got > 0) {
        // Beyond the bound the output is read and dropped, so that the sandbox never blocks.
        auto& text = polled[i]->text;
        text.append(chunk, std::min(static_cast<std::size_t>(got), kMaxOutput - std::min(kMaxOutput, text.size())));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        polled[i]->open = false;
      }
    }
  }
  if (!reaped) {  // only after the teardown wait failed
    kill();
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (WIFEXITED(status)) run.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  return run;
}

std::variant<int, DocumentProblem> DocumentRenderer::inspect(const std::string& pdfPath) const {
  struct stat info {};
  if (::stat(pdfPath.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return DocumentProblem::Damaged;
  if (static_cast<std::uint64_t>(info.st_size) > limits_.maxBytes) return DocumentProblem::TooLarge;
  {
    // A PDF says so in its first bytes (after at most some junk: readers allow 1024 bytes).
    Fd fd(::open(pdfPath.c_str(), O_RDONLY | O_CLOEXEC));
    char head[1024];
    const ssize_t got = fd.get() < 0 ? -1 : ::read(fd.get(), head, sizeof head);
    if (got < 5 || std::string_view(head, static_cast<std::size_t>(got)).find("%PDF-") == std::string_view::npos) {
      return DocumentProblem::NotPdf;
    }
  }
  if (!available()) return DocumentProblem::Unavailable;
  const Run run = runSandboxed({kPdfinfo, kSandboxFile}, pdfPath, "");
  if (const auto problem = problemOf(run)) {
    // A PDF that asks for a password: pdfinfo tries the empty one, which does not open it.
    if (*problem == DocumentProblem::Damaged && contains(run.err, "Incorrect password")) {
      return DocumentProblem::Encrypted;
    }
    log().information("documents: pdfinfo %s", describe(run));
    return *problem;
  }
  // "Encrypted: yes (print:no copy:no ...)" alone is no reason to refuse: such a PDF opens in
  // every reader without a password (only its owner password would lift the restrictions it
  // asks readers to honour), so the uploader could show it by sharing their screen anyway, and
  // displaying its pages is what it allows. Only a PDF that needs a password to open is refused
  // (above): it cannot be rendered without one, and we do not ask for passwords.
  const auto pages = field(run.out, "Pages");
  int count = 0;
  if (!pages || std::sscanf(pages->c_str(), "%d", &count) != 1 || count <= 0) return DocumentProblem::Damaged;
  if (count > limits_.maxPages) return DocumentProblem::TooManyPages;
  return count;
}

std::optional<DocumentProblem> DocumentRenderer::render(const std::string& pdfPath, int first, int last,
                                                        const std::string& outDir,
                                                        const std::atomic<bool>* cancel) const {
  if (!available()) return DocumentProblem::Unavailable;
  if (first < 1 || last < first || last > limits_.maxPages) return DocumentProblem::Damaged;
  // The pages' sizes first: each is rendered as large as fits the box, portrait or landscape.
  const Run info = runSandboxed({kPdfinfo, "-f", std::to_string(first), "-l", std::to_string(last), kSandboxFile},
                                pdfPath, "", cancel);
  if (const auto problem = problemOf(info)) {
    if (!info.cancelled) log().information("documents: pdfinfo %s", describe(info));
    return problem;
  }
  const auto boxes = pageBoxes(info.out);
  // Runs of consecutive pages of one size share one pdftoppm (a deck's pages mostly do).
  struct Batch {
    int first, last;
    std::pair<int, int> size;
  };
  std::vector<Batch> batches;
  for (int page = first; page <= last; ++page) {
    const auto box = boxes.find(page);
    if (box == boxes.end()) return DocumentProblem::Damaged;
    const auto size = fitted(box->second, limits_.pageWidth, limits_.pageHeight);
    if (!batches.empty() && batches.back().last == page - 1 && batches.back().size == size) {
      batches.back().last = page;
    } else {
      batches.push_back({page, page, size});
    }
  }

  if (cancel && cancel->load()) return DocumentProblem::Unavailable;
  // pdftoppm writes into a folder of its own (all it sees of outDir); finished pages move on.
  std::string scratch = outDir + "/.render-XXXXXX";
  if (!::mkdtemp(scratch.data())) return DocumentProblem::Unavailable;
  std::optional<DocumentProblem> problem;
  for (const auto& batch : batches) {
    // -cropbox: what pdfinfo measured (and what readers show). -scale-dimension-before-rotation
    // makes -scale-to-x/-y the size of the image, also for a page with /Rotate 90 (otherwise
    // they apply before the turn).
    const Run run = runSandboxed({kPdftoppm, "-png", "-cropbox", "-scale-dimension-before-rotation", "-f",
                                  std::to_string(batch.first), "-l", std::to_string(batch.last), "-scale-to-x",
                                  std::to_string(batch.size.first), "-scale-to-y", std::to_string(batch.size.second),
                                  kSandboxFile, std::string(kSandboxOut) + "/" + kOutputRoot},
                                 pdfPath, scratch, cancel);
    problem = problemOf(run);
    collect(scratch, outDir, !problem);
    if (problem) {
      if (!run.cancelled) log().information("documents: pdftoppm (pages %d-%d) %s", batch.first, batch.last, describe(run));
      break;
    }
  }
  std::error_code error;
  fs::remove_all(scratch, error);
  if (problem) return problem;
  for (int page = first; page <= last; ++page) {
    if (!fs::exists(pagePath(outDir, page), error)) return DocumentProblem::Damaged;
  }
  return std::nullopt;
}

}  // namespace plenum::appliance
