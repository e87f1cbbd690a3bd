// SPDX-License-Identifier: EUPL-1.2
#pragma once
// plenumd --create-admin USERNAME: creates the first (or another) admin account from the
// command line. The password comes from standard input, never from the command line (which
// other users of the machine can read in the process list): typed twice without echo at a
// terminal, or one line when piped in.
#include "appliance/PasswordHasher.hpp"
#include "appliance/Store.hpp"

#include <iosfwd>
#include <string>

namespace plenum::appliance {

struct AdminBootstrap {
  Store& store;
  PasswordHasher& hasher;
  std::istream& in;
  std::ostream& out;  // prompts and messages (stderr)
  bool terminal;      // whether `in` is a terminal: then prompt, switch echo off, ask twice

  // Returns the process exit code: 0 when the account was created.
  int createAdmin(const std::string& username);
};

// Whether standard input is a terminal.
bool stdinIsTerminal();

}  // namespace plenum::appliance
