// SPDX-License-Identifier: EUPL-1.2
#include "appliance/AdminBootstrap.hpp"

#include "appliance/AccountRules.hpp"

#include <Poco/Logger.h>

#include <termios.h>
#include <unistd.h>

#include <ctime>
#include <istream>
#include <ostream>

namespace plenum::appliance {

namespace {

// Switches the terminal's echo off for its lifetime (a no-op when stdin is not a terminal).
class NoEcho {
public:
  NoEcho() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }

private:
  termios saved_{};
  bool active_ = false;
};

bool readLine(std::istream& in, std::string& line) {
  if (!std::getline(in, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace

bool stdinIsTerminal() { return isatty(STDIN_FILENO) == 1; }

int AdminBootstrap::createAdmin(const std::string& username) {
  if (!isValidUsername(username)) {
    out << "plenumd: the username must be 1-64 characters of A-Z a-z 0-9 . _ @ -\n";
    return 64;  // EX_USAGE
  }
  if (store.accountByUsername(username)) {
    out << "plenumd: an account named " << username << " exists already\n";
    return 65;  // EX_DATAERR
  }

  std::string password;
  if (terminal) {
    std::string again;
    NoEcho noEcho;
    out << "Password for " << username << ": " << std::flush;
    const bool first = readLine(in, password);
    out << "\nRepeat the password: " << std::flush;
    const bool second = first && readLine(in, again);
    out << "\n";
    if (!second || password != again) {
      out << "plenumd: the passwords differ\n";
      return 65;
    }
  } else if (!readLine(in, password)) {
    out << "plenumd: no password on standard input\n";
    return 65;
  }
  if (auto problem = passwordProblem(password)) {
    out << "plenumd: the password " << *problem << "\n";
    return 65;
  }

  Account account;
  account.username = username;
  account.displayName = username;
  account.passwordHash = hasher.hash(password);
  account.role = AccountRole::Admin;
  account.createdAt = static_cast<std::int64_t>(std::time(nullptr));
  try {
    store.createAccount(account);
  } catch (const StoreConflict&) {
    out << "plenumd: an account named " << username << " exists already\n";
    return 65;
  }
  Poco::Logger::get("plenum.auth").information("created the admin account %s from the command line", username);
  out << "Created the admin account " << username << ". Log in at /login.\n";
  return 0;
}

}  // namespace plenum::appliance
