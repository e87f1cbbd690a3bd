// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A descriptor that poll() sees readable once signal() was called, until clear(): lets one
// thread wake another that waits in poll() on its socket (an eventfd). signal() is safe from any
// thread and never blocks.
namespace plenum::appliance {

class Wakeup {
public:
  Wakeup();  // throws std::system_error when no eventfd can be had
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  void signal();
  // Readable no more until the next signal(). Clear before looking at what the signal is
  // about, so that a signal() that comes meanwhile is not lost.
  void clear();
  int fd() const { return fd_; }

private:
  int fd_;
};

}  // namespace plenum::appliance
