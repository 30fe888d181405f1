// personas: merge defaults/extends, then check every provider reference in the effective
// persona. Problems point at the document value that wrote the field, which for an inherited
// field is in `defaults` or in the extended persona.
#include <algorithm>

#include "config/config_build.h"
#include "config/json_pointer.h"
#include "config/persona_merge.h"

namespace gw::config {
namespace {

constexpr std::size_t kMaxFallbacks = 5;

std::chrono::milliseconds ms(std::int64_t v) {
  return std::chrono::milliseconds(v);
}

struct PersonaBuilder {
  const std::vector<std::string>& known_providers;
  const std::string known_list;
  BuildContext& ctx;

  bool provider_known(const std::string& provider) const {
    return std::find(known_providers.begin(), known_providers.end(), provider) !=
           known_providers.end();
  }

  void check_provider(const std::string& provider, const std::string& pointer) {
    if (!provider_known(provider)) {
      ctx.error(pointer, "unknown provider \"" + provider + "\" (" + known_list + ")");
    }
  }

  // A "provider/model" string at `relative`; nullopt when malformed (the schema reported it).
  std::optional<RouteTarget> target(const MergedPersona& m, const boost::json::value& v,
                                    const std::string& relative) {
    if (!v.is_string()) return std::nullopt;
    auto parsed = parse_route_target(v.get_string());
    if (parsed) check_provider(parsed->provider, m.pointer_of(relative));
    return parsed;
  }

  static std::vector<std::string> strings(const boost::json::object& fields, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* arr = member_array(fields, key)) {
      for (const auto& v : *arr) {
        if (v.is_string()) out.emplace_back(v.get_string());
      }
    }
    return out;
  }

  PersonaConfig build(const std::string& name, const MergedPersona& m) {
    const boost::json::object& f = m.fields;
    PersonaConfig p;
    p.name = name;

    const auto provider = member_string(f, "provider");
    const auto model = member_string(f, "model");
    if (!provider) {
      ctx.error(m.pointer,
                "no provider: set \"provider\" in the persona, in a persona it extends, or in "
                "defaults");
    } else {
      check_provider(*provider, m.pointer_of("/provider"));
      p.primary.provider = *provider;
    }
    if (!model) {
      ctx.error(m.pointer,
                "no model: set \"model\" in the persona, in a persona it extends, or in defaults");
    } else {
      p.primary.model = *model;
    }

    if (const auto* fallback = member_array(f, "fallback")) {
      if (fallback->size() > kMaxFallbacks) {
        ctx.error(m.pointer_of("/fallback"), "at most " + std::to_string(kMaxFallbacks) +
                                                 " fallback targets are allowed (got " +
                                                 std::to_string(fallback->size()) + ")");
      }
      for (std::size_t i = 0; i < fallback->size(); ++i) {
        if (auto t = target(m, (*fallback)[i], pointer_append("/fallback", i))) {
          p.fallback.push_back(std::move(*t));
        }
      }
    }

    if (const auto* routes = member_object(f, "routes")) {
      for (const auto& route : *routes) {
        const std::string alias(route.key());
        const std::string relative = pointer_append("/routes", alias);
        if (alias.empty()) {
          ctx.error(m.pointer_of(relative), "a route alias must not be empty");
          continue;
        }
        if (auto t = target(m, route.value(), relative)) p.routes.emplace(alias, std::move(*t));
      }
    }

    if (const auto* allow = member_array(f, "allow")) {
      for (std::size_t i = 0; i < allow->size(); ++i) {
        const auto& v = (*allow)[i];
        if (!v.is_string()) continue;
        // "provider/*" is not a target, but its provider must exist all the same.
        if (auto t = parse_route_target(v.get_string())) {
          check_provider(t->provider, m.pointer_of(pointer_append("/allow", i)));
        }
        p.allow.emplace_back(v.get_string());
      }
    }

    p.requires_caps = strings(f, "requires");
    p.tools = strings(f, "tools");
    if (const auto* budget = member_object(f, "budget")) p.budget = *budget;
    if (auto team = member_string(f, "team")) p.team = *team;
    if (auto project = member_string(f, "project")) p.project = *project;
    if (auto v = member_int(f, "max_attempts")) p.max_attempts = static_cast<int>(*v);
    if (auto v = member_int(f, "max_in_flight")) p.max_in_flight = static_cast<int>(*v);
    if (const auto* t = member_object(f, "timeouts")) {
      if (auto v = member_int(*t, "first_byte_ms")) p.first_byte_timeout = ms(*v);
      if (auto v = member_int(*t, "idle_ms")) p.idle_timeout = ms(*v);
      if (auto v = member_int(*t, "total_ms")) p.total_timeout = ms(*v);
    }
    return p;
  }
};

}  // namespace

namespace {

// A persona's `requires` against its targets' capabilities: the primary lacking one is an error
// (every request would fail), a fallback lacking one a warning (it is skipped at request time).
void check_requires(const Config& config, BuildContext& ctx) {
  if (!ctx.options.missing_capabilities) return;
  for (const auto& [name, p] : config.personas) {
    if (p.requires_caps.empty()) continue;
    const std::string pointer = pointer_append(pointer_append("/personas", name), "requires");
    std::vector<const RouteTarget*> targets{&p.primary};
    for (const auto& f : p.fallback) targets.push_back(&f);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const RouteTarget& t = *targets[i];
      auto provider = config.providers.find(t.provider);
      if (provider == config.providers.end()) continue;  // reported elsewhere
      auto missing = ctx.options.missing_capabilities(provider->second, t.model, p.requires_caps);
      if (missing.empty()) continue;
      const std::string what =
          (i == 0 ? "primary " : "fallback ") + t.str() + " lacks " + sorted_list(missing);
      if (i == 0) {
        ctx.error(pointer, what);
      } else {
        ctx.warning(pointer, what + "; it will be skipped for this persona");
      }
    }
  }
}

}  // namespace

void build_personas(const boost::json::object& root, Config& config, BuildContext& ctx) {
  const auto* personas = member_object(root, "personas");
  if (personas == nullptr) return;

  std::vector<std::string> known_providers;
  if (const auto* providers = member_object(root, "providers")) {
    for (const auto& kv : *providers) known_providers.emplace_back(kv.key());
  }
  for (const auto& kv : *personas) {
    const std::string name(kv.key());
    if (!valid_entity_name(name)) {
      ctx.error(pointer_append("/personas", name),
                "persona name \"" + name + "\" " + std::string(kEntityNameRule));
    }
  }

  PersonaMerge merge = merge_personas(member_object(root, "defaults"), personas);
  for (auto& problem : merge.problems) ctx.problems.push_back(std::move(problem));

  const std::string known = known_providers.empty() ? "no providers are configured"
                                                    : "known: " + sorted_list(known_providers);
  PersonaBuilder builder{known_providers, known, ctx};
  for (const auto& [name, merged] : merge.personas) {
    config.personas.emplace(name, builder.build(name, merged));
  }
  check_requires(config, ctx);
}

}  // namespace gw::config
