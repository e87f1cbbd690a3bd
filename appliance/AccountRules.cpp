#include "appliance/AccountRules.hpp"

#include "appliance/PasswordHasher.hpp"

#include <algorithm>

namespace plenum::appliance {

bool isValidUsername(std::string_view username) {
  return !username.empty() && username.size() <= 64 && std::all_of(username.begin(), username.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '@' || c == '-';
  });
}

std::optional<std::string> passwordProblem(std::string_view password) {
  if (password.size() < PasswordHasher::kMinLength) {
    return "must be at least " + std::to_string(PasswordHasher::kMinLength) + " characters long";
  }
  if (password.size() > PasswordHasher::kMaxLength) {
    return "must be at most " + std::to_string(PasswordHasher::kMaxLength) + " bytes long";
  }
  return std::nullopt;
}

}  // namespace plenum::appliance
