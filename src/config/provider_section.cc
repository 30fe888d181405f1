// providers: type against the registered adapters, base_url (with the well-known defaults),
// secret fields resolved, timeouts. An unresolvable credential is a warning, not an error: the
// gateway still serves every other provider, and requests to this one fail with a clear 503.
#include <algorithm>
#include <array>

#include "config/config_build.h"
#include "config/json_pointer.h"

namespace gw::config {
namespace {

// Fields that hold secret references. api_key also lands in ProviderSettings::api_key; the
// others (bedrock credentials) are resolved in place in ProviderSettings::raw.
constexpr std::array<std::string_view, 4> kSecretFields = {"api_key", "access_key_id",
                                                           "secret_access_key", "session_token"};

struct BaseUrlRule {
  std::string_view type;
  std::string_view default_url;  // empty: the type needs no base_url at all
};
// Types whose base_url may be omitted. Every other type must set it.
constexpr std::array<BaseUrlRule, 5> kBaseUrlRules = {{
    {"mock", ""},     // served in process
    {"bedrock", ""},  // derived from the region by the adapter
    {"openai", "https://api.openai.com"},
    {"anthropic", "https://api.anthropic.com"},
    {"gemini", "https://generativelanguage.googleapis.com"},
}};

const BaseUrlRule* base_url_rule(std::string_view type) {
  for (const auto& rule : kBaseUrlRules) {
    if (rule.type == type) return &rule;
  }
  return nullptr;
}

void resolve_secrets(const std::string& pointer, ProviderSettings& settings, BuildContext& ctx) {
  for (std::string_view field : kSecretFields) {
    const auto reference = member_string(settings.raw, field);
    if (!reference) continue;
    const std::string where = pointer_append(pointer, field);
    SecretResolution secret = resolve_secret(*reference, ctx.secrets);
    switch (secret.outcome) {
      case SecretOutcome::resolved:
        if (field == "api_key") settings.api_key = secret.value;
        settings.raw[field] = std::move(secret.value);
        break;
      case SecretOutcome::unresolved:
        ctx.warning(where, secret.problem + "; requests to provider \"" + settings.name +
                               "\" will fail with 503 until it is resolved");
        if (!settings.credential_missing) settings.credential_problem = secret.problem;
        settings.credential_missing = true;
        settings.raw.erase(field);
        break;
      case SecretOutcome::refused:
        ctx.error(where, secret.problem);
        settings.raw.erase(field);
        break;
    }
  }
}

// `api_keys`: further credentials, rotated when one is rate limited, rejected or out of quota.
// One that cannot be resolved is left out with a warning; the others still serve.
void resolve_more_keys(const std::string& pointer, ProviderSettings& settings, BuildContext& ctx) {
  const auto* keys = member_array(settings.raw, "api_keys");
  if (keys == nullptr) return;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const auto* reference = (*keys)[i].if_string();
    if (reference == nullptr) continue;  // the schema reported it
    const std::string where = pointer_append(pointer_append(pointer, "api_keys"), i);
    SecretResolution secret = resolve_secret(std::string(*reference), ctx.secrets);
    switch (secret.outcome) {
      case SecretOutcome::resolved:
        settings.more_api_keys.push_back(std::move(secret.value));
        break;
      case SecretOutcome::unresolved:
        ctx.warning(where, secret.problem + "; provider \"" + settings.name +
                               "\" rotates among its other credentials");
        break;
      case SecretOutcome::refused:
        ctx.error(where, secret.problem);
        break;
    }
  }
  const bool listed = !keys->empty();
  settings.raw.erase("api_keys");  // resolved values live in more_api_keys only (`keys` dies)
  // Nothing to authenticate with at all: the provider fails fast with 503 instead of sending
  // unauthenticated requests that would only cool.
  if (listed && settings.more_api_keys.empty() && settings.api_key.empty() &&
      !settings.credential_missing) {
    settings.credential_missing = true;
    settings.credential_problem = "none of api_keys could be resolved";
  }
}

std::chrono::milliseconds ms(std::int64_t v) {
  return std::chrono::milliseconds(v);
}

void read_retry(const boost::json::object& provider, RetrySettings& r) {
  const auto* o = member_object(provider, "retry");
  if (o == nullptr) return;
  if (auto v = member_int(*o, "base_ms")) r.base = ms(*v);
  if (auto v = member_int(*o, "cap_ms")) r.cap = ms(*v);
  if (auto v = member_int(*o, "max_retry_after_ms")) r.max_retry_after = ms(*v);
  if (auto v = member_int(*o, "budget_percent")) r.budget_percent = static_cast<int>(*v);
  if (auto v = member_int(*o, "budget_min")) r.budget_min = static_cast<int>(*v);
}

void read_breaker(const boost::json::object& provider, BreakerSettings& b) {
  const auto* o = member_object(provider, "breaker");
  if (o == nullptr) return;
  if (auto v = member_int(*o, "consecutive_failures"))
    b.consecutive_failures = static_cast<int>(*v);
  if (auto v = member_int(*o, "failure_rate_percent"))
    b.failure_rate_percent = static_cast<int>(*v);
  if (auto v = member_int(*o, "window_ms")) b.window = ms(*v);
  if (auto v = member_int(*o, "min_calls")) b.min_calls = static_cast<int>(*v);
  if (auto v = member_int(*o, "open_ms")) b.open = ms(*v);
  if (auto v = member_int(*o, "max_open_ms")) b.max_open = ms(*v);
  if (auto v = member_int(*o, "half_open_probes")) b.half_open_probes = static_cast<int>(*v);
  if (auto v = member_int(*o, "slow_call_ms")) b.slow_call = ms(*v);
  if (auto v = member_int(*o, "auth_cooldown_ms")) b.auth_cooldown = ms(*v);
  if (b.max_open < b.open) b.max_open = b.open;
}

void read_timeouts(const boost::json::object& provider, UpstreamTimeouts& t) {
  const auto* timeouts = member_object(provider, "timeouts");
  if (timeouts == nullptr) return;
  if (auto v = member_int(*timeouts, "connect_ms")) t.connect = std::chrono::milliseconds(*v);
  if (auto v = member_int(*timeouts, "first_byte_ms")) t.first_byte = std::chrono::milliseconds(*v);
  if (auto v = member_int(*timeouts, "idle_ms")) t.idle = std::chrono::milliseconds(*v);
  if (auto v = member_int(*timeouts, "total_ms")) t.total = std::chrono::milliseconds(*v);
}

}  // namespace

void build_providers(const boost::json::object& root, Config& config, BuildContext& ctx) {
  const auto* providers = member_object(root, "providers");
  if (providers == nullptr) return;
  const auto& types = ctx.options.provider_types;
  for (const auto& kv : *providers) {
    const std::string name(kv.key());
    const std::string pointer = pointer_append("/providers", name);
    if (!valid_entity_name(name)) {
      ctx.error(pointer, "provider name \"" + name + "\" " + std::string(kEntityNameRule));
    }
    const auto* object = kv.value().if_object();
    if (object == nullptr) continue;  // the schema reported it

    ProviderSettings settings;
    settings.name = name;
    settings.raw = *object;
    bool type_known = false;
    if (auto type = member_string(*object, "type")) {
      settings.type = *type;
      type_known = std::find(types.begin(), types.end(), *type) != types.end();
      if (!type_known) {
        ctx.error(pointer + "/type", "unknown provider type \"" + *type +
                                         "\" (registered: " + sorted_list(types) + ")");
      }
    }

    if (auto base_url = member_string(*object, "base_url")) {
      // Standard paths are appended to it; "https://host/" + "/v1/…" would double the slash.
      while (base_url->size() > 1 && base_url->back() == '/') base_url->pop_back();
      settings.base_url = *base_url;
    } else if (const BaseUrlRule* rule = base_url_rule(settings.type)) {
      settings.base_url = rule->default_url;
    } else if (type_known) {  // for an unknown type, "needs base_url" would be noise
      ctx.error(pointer, "provider type \"" + settings.type + "\" needs \"base_url\"");
    }

    resolve_secrets(pointer, settings, ctx);
    resolve_more_keys(pointer, settings, ctx);
    read_timeouts(*object, settings.timeouts);
    read_retry(*object, settings.retry);
    read_breaker(*object, settings.breaker);
    config.providers.emplace(name, std::move(settings));
  }
}

}  // namespace gw::config
