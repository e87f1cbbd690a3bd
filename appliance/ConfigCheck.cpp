// SPDX-License-Identifier: EUPL-1.2
#include "appliance/ConfigCheck.hpp"

#include "appliance/Settings.hpp"
#include "appliance/TlsServer.hpp"
#include "recordings/Remux.hpp"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/Util/MapConfiguration.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

namespace plenum::appliance {

namespace {

std::size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool isDirectory(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

// A file the server must read: a problem message, or "".
std::string readableFileProblem(const std::string& what, const std::string& path) {
  if (!exists(path)) return what + " " + path + " does not exist";
  if (isDirectory(path)) return what + " " + path + " is a folder, not a file";
  if (::access(path.c_str(), R_OK) != 0) return what + " " + path + " cannot be read (by the user running this check)";
  return "";
}

// The data folder must be a folder plenumd can read and write, or one it can create.
std::string dataDirProblem(const std::string& path) {
  if (exists(path)) {
    if (!isDirectory(path)) return "data.dir " + path + " is not a folder";
    if (::access(path.c_str(), R_OK | W_OK | X_OK) != 0) {
      return "data.dir " + path + " cannot be read and written (by the user running this check)";
    }
    return "";
  }
  std::string parent = path;
  while (!parent.empty() && parent.back() == '/') parent.pop_back();
  while (!exists(parent.empty() ? "/" : parent)) {
    const auto slash = parent.rfind('/');
    parent = slash == std::string::npos ? "." : parent.substr(0, slash);
  }
  if (parent.empty()) parent = "/";
  if (!isDirectory(parent)) return "data.dir " + path + " cannot be created: " + parent + " is not a folder";
  if (::access(parent.c_str(), W_OK | X_OK) != 0) {
    return "data.dir " + path + " does not exist and cannot be created in " + parent;
  }
  return "";
}

}  // namespace

std::string closestSettingKey(const std::string& unknown) {
  const std::string lower = Poco::toLower(unknown);
  std::string best;
  std::size_t bestDistance = std::max<std::size_t>(2, lower.size() / 4) + 1;
  for (const auto& k : settingKeys()) {
    const std::size_t d = editDistance(lower, std::string(k.key));
    if (d < bestDistance) {
      bestDistance = d;
      best = k.key;
    }
  }
  // The same last part in another section ("http.hsts" -> "tls.hsts").
  if (best.empty()) {
    const auto dot = lower.rfind('.');
    const std::string tail = lower.substr(dot == std::string::npos ? 0 : dot + 1);
    for (const auto& k : settingKeys()) {
      const std::string key(k.key);
      if (key.size() > tail.size() && key.compare(key.size() - tail.size(), tail.size(), tail) == 0 &&
          key[key.size() - tail.size() - 1] == '.') {
        return key;
      }
    }
  }
  return best;
}

std::vector<ConfigProblem> checkConfig(std::istream& in, const std::map<std::string, std::string>& overrides) {
  std::vector<ConfigProblem> problems;
  Poco::AutoPtr<Poco::Util::MapConfiguration> values(new Poco::Util::MapConfiguration);
  std::map<std::string, int> lineOf;  // known key -> the line that set it last
  std::string section;
  std::string text;
  for (int number = 1; std::getline(in, text); ++number) {
    const std::string line = Poco::trim(text);
    if (line.empty() || line.front() == ';' || line.front() == '#') continue;
    if (line.front() == '[') {
      const auto close = line.find(']');
      if (close == std::string::npos) problems.push_back({number, "section \"" + line + "\" has no closing ]"});
      section = Poco::trim(line.substr(1, close == std::string::npos ? std::string::npos : close - 1));
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string::npos) {
      problems.push_back({number, "\"" + line + "\" is not \"key = value\""});
      continue;
    }
    std::string key = Poco::trim(line.substr(0, equals));
    if (key.empty()) {
      problems.push_back({number, "a value without a key"});
      continue;
    }
    if (!section.empty()) key = section + "." + key;
    const SettingKey* known = findSettingKey(key);
    if (!known) {
      std::string message = "unknown key " + key;
      if (const std::string close = closestSettingKey(key); !close.empty()) message += " (did you mean " + close + "?)";
      problems.push_back({number, message});
      continue;
    }
    const std::string name(known->key);
    if (const auto seen = lineOf.find(name); seen != lineOf.end()) {
      problems.push_back({number, name + " is set again (first on line " + std::to_string(seen->second) +
                                      "; the last one counts)"});
    }
    lineOf[name] = number;
    const std::string value = Poco::trim(line.substr(equals + 1));
    if (const auto problem = checkSettingValue(*known, value)) {
      problems.push_back({number, name + ": " + *problem});
      values->remove(name);  // judge the keys that depend on it by the default
      continue;
    }
    values->setString(name, value);
  }
  for (const auto& [key, value] : overrides) {
    lineOf.erase(key);
    const SettingKey* known = findSettingKey(key);
    if (!known) continue;
    if (const auto problem = checkSettingValue(*known, value)) {
      problems.push_back({0, key + " (command line): " + *problem});
      values->remove(key);
      continue;
    }
    values->setString(key, value);
  }
  const auto lineFor = [&lineOf](const std::string& key) {
    const auto it = lineOf.find(key);
    return it == lineOf.end() ? 0 : it->second;
  };

  Settings settings;
  try {
    settings = Settings::from(*values, false);
  } catch (const std::exception& e) {  // not expected: every value was checked above
    problems.push_back({0, e.what()});
    return problems;
  }
  for (const auto& p : crossCheckProblems(settings)) problems.push_back({lineFor(p.key), p.message});

  if (settings.tls.enabled()) {
    const auto& tls = settings.tls;
    const std::string certificate = tls.certificateFile.empty() ? "" : readableFileProblem("tls.certificate", tls.certificateFile);
    const std::string key = tls.keyFile.empty() ? "" : readableFileProblem("tls.key", tls.keyFile);
    if (!certificate.empty()) problems.push_back({lineFor("tls.certificate"), certificate});
    if (!key.empty()) problems.push_back({lineFor("tls.key"), key});
    if (!tls.certificateFile.empty() && !tls.keyFile.empty() && certificate.empty() && key.empty()) {
      try {
        makeServerContext(tls);
      } catch (const Poco::Exception& e) {
        problems.push_back({lineFor("tls.key"), "the certificate and key do not load: " + e.displayText()});
      }
    }
  }
  if (settings.recordings.enabled) {
    if (const auto tool = recordings::missingTool()) {
      problems.push_back({lineFor("recordings.enabled"),
                          "recordings.enabled: " + *tool + " is not installed (Debian package ffmpeg); install it or set recordings.enabled = false"});
    }
  }
  if (settings.turn.enabled && ::access(settings.turn.server.c_str(), X_OK) != 0) {
    problems.push_back({lineFor(settings.turn.server == "/usr/bin/turnserver" ? "turn.enabled" : "turn.server"),
                        "turn.enabled: " + settings.turn.server +
                            " is not installed (Debian package coturn); install it or set turn.enabled = false "
                            "(participants behind strict firewalls then cannot join)"});
  }
  if (settings.documentsEnabled) {
    for (const char* tool : {"/usr/bin/pdfinfo", "/usr/bin/pdftoppm", "/usr/bin/bwrap"}) {
      if (::access(tool, X_OK) == 0) continue;
      problems.push_back({lineFor("documents.enabled"),
                          std::string("documents.enabled: ") + tool +
                              " is not installed (Debian packages poppler-utils and bubblewrap); install them or set "
                              "documents.enabled = false (moderators then cannot show PDF slides)"});
      break;
    }
  }
  if (settings.sip.enabled && !settings.sip.promptsDir.empty()) {
    const std::string& dir = settings.sip.promptsDir;
    if (!isDirectory(dir)) {
      problems.push_back({lineFor("sip.prompts-dir"), "sip.prompts-dir " + dir + " is not a folder"});
    } else if (::access(dir.c_str(), R_OK | X_OK) != 0) {
      problems.push_back({lineFor("sip.prompts-dir"),
                          "sip.prompts-dir " + dir + " cannot be read (by the user running this check)"});
    }
  }
  if (const std::string data = dataDirProblem(settings.dataDir); !data.empty()) {
    problems.push_back({lineFor("data.dir"), data});
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
  return problems;
}

std::vector<ConfigProblem> checkConfigFile(const std::string& path, const std::map<std::string, std::string>& overrides) {
  std::ifstream in(path);
  if (!in) return {{0, "cannot read " + path}};
  return checkConfig(in, overrides);
}

std::string formatConfigProblems(const std::string& path, const std::vector<ConfigProblem>& problems) {
  std::ostringstream out;
  for (const auto& p : problems) {
    out << path;
    if (p.line > 0) out << ":" << p.line;
    out << ": " << p.message << "\n";
  }
  return out.str();
}

}  // namespace plenum::appliance
