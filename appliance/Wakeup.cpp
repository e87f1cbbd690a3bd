// SPDX-License-Identifier: EUPL-1.2
#include "appliance/Wakeup.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace plenum::appliance {

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

Wakeup::~Wakeup() { ::close(fd_); }

void Wakeup::signal() {
  const std::uint64_t one = 1;
  // EAGAIN only when the counter is near overflow: it is readable then anyway.
  [[maybe_unused]] const auto written = ::write(fd_, &one, sizeof one);
}

void Wakeup::clear() {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto read = ::read(fd_, &count, sizeof count);  // EAGAIN: was clear
}

}  // namespace plenum::appliance
