#include "appliance/JsonBody.hpp"

#include "appliance/ApiError.hpp"

#include <algorithm>
#include <cstring>

namespace plenum::appliance {

JsonBody::JsonBody(Poco::JSON::Object::Ptr object, std::initializer_list<const char*> known)
    : object_(std::move(object)) {
  for (const auto& [name, value] : *object_) {
    const bool isKnown = std::any_of(known.begin(), known.end(), [&](const char* k) { return name == k; });
    if (!isKnown) throw ApiError::badField(name.substr(0, 64), "is not known");
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

std::optional<long long> JsonBody::optionalInteger(const std::string& name) const {
  if (!object_->has(name)) return std::nullopt;
  const Poco::Dynamic::Var value = object_->get(name);
  if (!value.isInteger() || value.isBoolean()) throw ApiError::badField(name, "must be an integer");
  return value.convert<long long>();
}

}  // namespace plenum::appliance
