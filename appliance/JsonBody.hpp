// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Reads the fields of a JSON request body with their types checked; anything not as expected
// (a missing or unknown field, a wrong type, too long) is an ApiError "bad-field" naming it.
#include <Poco/JSON/Object.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace plenum::appliance {

class JsonBody {
public:
  // Refuses fields not in `known`: a typo must not be silently ignored.
  JsonBody(Poco::JSON::Object::Ptr object, std::initializer_list<const char*> known);

  bool has(const std::string& name) const { return object_->has(name); }
  std::string string(const std::string& name, std::size_t maxBytes) const;
  std::optional<std::string> optionalString(const std::string& name, std::size_t maxBytes) const;
  std::optional<bool> optionalBool(const std::string& name) const;
  // An array of at most `maxItems` strings of at most `maxBytes` each.
  std::optional<std::vector<std::string>> optionalStringList(const std::string& name, std::size_t maxItems,
                                                            std::size_t maxBytes) const;
  // An integer within [min, max]; anything else (a fraction, a boolean, 2^63 and beyond) is a
  // bad-field error naming the range.
  std::optional<long long> optionalInteger(const std::string& name, long long min, long long max) const;

private:
  Poco::JSON::Object::Ptr object_;
};

}  // namespace plenum::appliance
