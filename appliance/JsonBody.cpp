// SPDX-License-Identifier: EUPL-1.2
#include "appliance/JsonBody.hpp"

#include "appliance/ApiError.hpp"
#include "signaling/LogText.hpp"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <cstring>

namespace plenum::appliance {

JsonBody::JsonBody(Poco::JSON::Object::Ptr object, std::initializer_list<const char*> known)
    : object_(std::move(object)) {
  for (const auto& [name, value] : *object_) {
    const bool isKnown = std::any_of(known.begin(), known.end(), [&](const char* k) { return name == k; });
    if (!isKnown) throw ApiError::badField(signaling::logText(name, 64), "is not known");
  }
}

std::string JsonBody::string(const std::string& name, std::size_t maxBytes) const {
  auto value = optionalString(name, maxBytes);
  if (!value) throw ApiError::badField(name, "is missing");
  return *value;
}

std::optional<std::string> JsonBody::optionalString(const std::string& name, std::size_t maxBytes) const {
  if (!object_->has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = object_->get(name);
  if (!value.isString()) throw ApiError::badField(name, "must be a string");
  std::string text = value.extract<std::string>();
  if (text.size() > maxBytes) throw ApiError::badField(name, "is longer than " + std::to_string(maxBytes) + " bytes");
  return text;
}

std::optional<bool> JsonBody::optionalBool(const std::string& name) const {
  if (!object_->has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = object_->get(name);
  if (!value.isBoolean()) throw ApiError::badField(name, "must be true or false");
  return value.extract<bool>();
}

std::optional<std::vector<std::string>> JsonBody::optionalStringList(const std::string& name, std::size_t maxItems,
                                                                    std::size_t maxBytes) const {
  if (!object_->has(name)) return std::nullopt;
  const auto array = object_->getArray(name);
  if (!array) throw ApiError::badField(name, "must be an array of strings");
  if (array->size() > maxItems) {
    throw ApiError::badField(name, "has more than " + std::to_string(maxItems) + " entries");
  }
  std::vector<std::string> list;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const Poco::Dynamic::Var item = array->get(static_cast<unsigned>(i));
    if (!item.isString()) throw ApiError::badField(name, "must be an array of strings");
    std::string text = item.extract<std::string>();
    if (text.size() > maxBytes) {
      throw ApiError::badField(name, "has an entry longer than " + std::to_string(maxBytes) + " bytes");
    }
    list.push_back(std::move(text));
  }
  return list;
}

std::optional<long long> JsonBody::optionalInteger(const std::string& name, long long min, long long max) const {
  if (!object_->has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = object_->get(name);
  const auto refuse = [&] {
    return ApiError::badField(name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  };
  if (!value.isInteger() || value.isBoolean()) throw refuse();
  // The parser keeps 2^63..2^64-1 as an unsigned 64-bit integer, which a long long cannot hold.
  if (!value.isSigned() && value.convert<Poco::UInt64>() > static_cast<Poco::UInt64>(max)) throw refuse();
  const long long number = value.convert<long long>();
  if (number < min || number > max) throw refuse();
  return number;
}

}  // namespace plenum::appliance
