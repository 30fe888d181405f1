// Shared helpers for the config tests: a fixed set of provider types, an injected environment,
// and lookups that make a test read as "this pointer has this message".
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "config/check_config.h"
#include "config/config.h"

namespace gw::testing {

inline const std::vector<std::string> kProviderTypes = {
    "anthropic", "azure_openai", "bedrock", "gemini",
    "mock",      "ollama",       "openai",  "openai_compatible"};

inline ConfigLoadOptions options_with_env(std::map<std::string, std::string> env = {}) {
  ConfigLoadOptions options;
  options.provider_types = kProviderTypes;
  options.getenv = [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

inline ConfigLoad load_json(const std::string& text, std::map<std::string, std::string> env = {}) {
  return load_config_text(text, "json", options_with_env(std::move(env)));
}

inline ConfigLoad load_yaml(const std::string& text, std::map<std::string, std::string> env = {}) {
  return load_config_text(text, "yaml", options_with_env(std::move(env)));
}

// The problems as check-config prints them, for readable failure output.
inline std::string dump(const ConfigLoad& load) {
  return format_problems(load.problems);
}

inline const ConfigProblem* find_problem(const ConfigLoad& load, const std::string& pointer) {
  for (const auto& p : load.problems) {
    if (p.pointer == pointer) return &p;
  }
  return nullptr;
}

inline std::size_t error_count(const ConfigLoad& load) {
  std::size_t n = 0;
  for (const auto& p : load.problems) n += p.warning ? 0 : 1;
  return n;
}

// Asserts that exactly this error (pointer and message) is reported.
#define EXPECT_PROBLEM(load, ptr, msg)                                              \
  do {                                                                              \
    const ::gw::ConfigProblem* found_ = ::gw::testing::find_problem((load), (ptr)); \
    ASSERT_NE(found_, nullptr) << "no problem at " << (ptr) << "; got:\n"           \
                               << ::gw::testing::dump(load);                        \
    EXPECT_EQ(found_->message, (msg)) << ::gw::testing::dump(load);                 \
  } while (0)

// A minimal valid config; tests splice their case into it.
inline constexpr const char* kMinimal = R"({
  "version": 1,
  "providers": {
    "openai": {"type": "openai", "api_key": "env:OPENAI_API_KEY"},
    "anthropic": {"type": "anthropic", "api_key": "env:ANTHROPIC_API_KEY"}
  },
  "personas": {"dev": {"provider": "openai", "model": "gpt-4o"}},
  "keys": [{"key": "env:DEV_KEY", "persona": "dev"}]
})";

inline const std::map<std::string, std::string> kFullEnv = {
    {"OPENAI_API_KEY", "sk-openai-secret"},
    {"ANTHROPIC_API_KEY", "sk-ant-secret"},
    {"DEV_KEY", "gw-dev-secret"},
};

// kMinimal with `edit` applied, as JSON text.
inline std::string edited(const std::function<void(boost::json::object&)>& edit) {
  boost::json::value v = boost::json::parse(kMinimal);
  edit(v.as_object());
  return boost::json::serialize(v);
}

inline boost::json::object& obj(boost::json::value& v) {
  return v.as_object();
}

}  // namespace gw::testing
