// Environment → smoke target, one small function per provider type (variables: docs/smoke.md).
#include "main/smoke_target.h"

#include <cstdlib>
#include <utility>

namespace gw {
namespace {

using Builder = Result<SmokeSetup> (*)(const SmokeOverrides&, const EnvLookup&);

struct Missing {
  std::vector<std::string> names;

  // Records `name` as missing when the lookup has no value for it.
  std::optional<std::string> need(const EnvLookup& env, std::string_view name) {
    auto v = env(name);
    if (!v) names.emplace_back(name);
    return v;
  }

  // "A is not set" / "A and B are not set" / "A, B and C are not set".
  std::string reason() const {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
      out += names[i];
    }
    return out + (names.size() == 1 ? " is not set" : " are not set");
  }
};

SmokeSetup skip(std::string reason) {
  SmokeSetup s;
  s.skip_reason = std::move(reason);
  return s;
}

SmokeTarget base_target(std::string_view type, std::string_view default_model,
                        const SmokeOverrides& o) {
  SmokeTarget t;
  t.settings.name = std::string(type);
  t.settings.type = std::string(type);
  t.settings.base_url = o.base_url;
  // A live call is small, but a cold provider may take a while before its first byte.
  t.settings.timeouts.total = std::chrono::milliseconds(120000);
  t.model = o.model.empty() ? std::string(default_model) : o.model;
  return t;
}

void set_api_key(SmokeTarget& t, std::string key) {
  t.secrets.push_back(key);
  t.settings.api_key = std::move(key);
}

SmokeSetup ready(SmokeTarget t) {
  SmokeSetup s;
  s.target = std::move(t);
  return s;
}

Result<SmokeSetup> openai(const SmokeOverrides& o, const EnvLookup& env) {
  Missing missing;
  auto key = missing.need(env, "OPENAI_API_KEY");
  if (!key) return skip(missing.reason());
  SmokeTarget t = base_target("openai", "gpt-4o-mini", o);
  // The adapter knows its default but does not expose it as default_base_url().
  if (t.settings.base_url.empty()) t.settings.base_url = "https://api.openai.com";
  set_api_key(t, *key);
  return ready(std::move(t));
}

Result<SmokeSetup> anthropic(const SmokeOverrides& o, const EnvLookup& env) {
  Missing missing;
  auto key = missing.need(env, "ANTHROPIC_API_KEY");
  if (!key) return skip(missing.reason());
  SmokeTarget t = base_target("anthropic", "claude-haiku-4-5", o);
  set_api_key(t, *key);
  return ready(std::move(t));
}

Result<SmokeSetup> gemini(const SmokeOverrides& o, const EnvLookup& env) {
  auto key = env("GEMINI_API_KEY");
  if (!key) key = env("GOOGLE_API_KEY");
  if (!key) return skip("GEMINI_API_KEY (or GOOGLE_API_KEY) is not set");
  SmokeTarget t = base_target("gemini", "gemini-2.5-flash", o);
  set_api_key(t, *key);
  return ready(std::move(t));
}

Result<SmokeSetup> azure_openai(const SmokeOverrides& o, const EnvLookup& env) {
  Missing missing;
  auto key = missing.need(env, "AZURE_OPENAI_API_KEY");
  std::optional<std::string> endpoint;
  if (o.base_url.empty()) endpoint = missing.need(env, "AZURE_OPENAI_ENDPOINT");
  std::optional<std::string> deployment;
  if (o.model.empty()) deployment = missing.need(env, "AZURE_OPENAI_DEPLOYMENT");
  if (!missing.names.empty()) return skip(missing.reason());
  // The deployment is the model name on the route; the adapter puts it in the URL.
  SmokeTarget t = base_target("azure_openai", deployment.value_or(""), o);
  if (endpoint) t.settings.base_url = *endpoint;
  while (t.settings.base_url.size() > 1 && t.settings.base_url.back() == '/') {
    t.settings.base_url.pop_back();
  }
  if (auto version = env("AZURE_OPENAI_API_VERSION")) t.settings.raw["api_version"] = *version;
  set_api_key(t, *key);
  return ready(std::move(t));
}

Result<SmokeSetup> bedrock(const SmokeOverrides& o, const EnvLookup& env) {
  auto access_key = env("AWS_ACCESS_KEY_ID");
  auto secret_key = env("AWS_SECRET_ACCESS_KEY");
  auto bearer = env("AWS_BEARER_TOKEN_BEDROCK");
  const bool have_keys = access_key && secret_key;
  if (!have_keys && !bearer) {
    Missing missing;
    if (!access_key) missing.names.emplace_back("AWS_ACCESS_KEY_ID");
    if (!secret_key) missing.names.emplace_back("AWS_SECRET_ACCESS_KEY");
    return skip(missing.reason() + " (nor AWS_BEARER_TOKEN_BEDROCK)");
  }
  SmokeTarget t = base_target("bedrock", "anthropic.claude-3-haiku-20240307-v1:0", o);
  t.settings.raw["region"] = env("AWS_REGION").value_or("us-east-1");
  if (have_keys) {
    // Resolved in place in raw, as the config loader does for bedrock's secret fields.
    t.settings.raw["access_key_id"] = *access_key;
    t.settings.raw["secret_access_key"] = *secret_key;
    t.secrets.push_back(*access_key);
    t.secrets.push_back(*secret_key);
    if (auto token = env("AWS_SESSION_TOKEN")) {
      t.settings.raw["session_token"] = *token;
      t.secrets.push_back(*token);
    }
  } else {
    set_api_key(t, *bearer);  // Bedrock API key: Authorization: Bearer
  }
  return ready(std::move(t));
}

Result<SmokeSetup> ollama(const SmokeOverrides& o, const EnvLookup& env) {
  Missing missing;
  std::optional<std::string> host;
  if (o.base_url.empty()) host = missing.need(env, "OLLAMA_HOST");
  if (!missing.names.empty()) return skip(missing.reason());
  SmokeTarget t = base_target("ollama", "llama3.2", o);
  if (host) {
    // Ollama's own clients accept OLLAMA_HOST without a scheme ("127.0.0.1:11434").
    const bool has_scheme = host->starts_with("http://") || host->starts_with("https://");
    t.settings.base_url = has_scheme ? *host : "http://" + *host;
  }
  return ready(std::move(t));
}

struct Entry {
  std::string_view type;
  Builder build;
};

constexpr Entry kTargets[] = {
    {"openai", openai},   {"anthropic", anthropic},
    {"gemini", gemini},   {"azure_openai", azure_openai},
    {"bedrock", bedrock}, {"ollama", ollama},
};

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

std::vector<std::string_view> smoke_provider_types() {
  std::vector<std::string_view> out;
  for (const auto& e : kTargets) out.push_back(e.type);
  return out;
}

Result<SmokeSetup> smoke_setup(std::string_view type, const SmokeOverrides& overrides,
                               const EnvLookup& env) {
  for (const auto& e : kTargets) {
    if (e.type == type) return e.build(overrides, env);
  }
  std::string known;
  for (const auto& e : kTargets) known += (known.empty() ? "" : ", ") + std::string(e.type);
  return Error::make(
      ErrorKind::caller_invalid_request,
      "--provider: unknown provider type \"" + std::string(type) + "\" (smoke knows " + known + ")",
      "unknown_provider");
}

}  // namespace gw
