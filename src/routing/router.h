// Persona routing: which targets may serve a request, in order. `model` selects among the
// persona's routes (API.md "Identity"): its own model name or primary "provider/model" → the
// primary with its fallbacks; an alias → that route; an allowed "provider/model" → that target.
// Targets whose provider lacks a needed capability are dropped. Anything else is a 404 listing
// what the caller may use.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "model/chat.h"
#include "spi/provider.h"

namespace gw {

struct SkippedTarget {
  RouteTarget target;
  std::string reason;  // "capability" (what is missing is in the log line)
};

struct RoutePlan {
  std::vector<RouteTarget> targets;    // primary first
  std::string selected_by;             // "primary", "alias", "allow"
  std::vector<SkippedTarget> skipped;  // chain members left out before any attempt
};

// Capabilities of a target (its provider's adapter with the model's data applied,
// providers/model_capabilities.h); nullopt when the provider is unknown.
using CapabilityLookup = std::function<std::optional<Capabilities>(const RouteTarget& target)>;

// The capability names a request needs (stream → "streaming", tools → "tool_calling", a system
// prompt → "system_prompt", json_schema → "json_schema", …).
std::vector<std::string> needed_capabilities(const ChatRequest& request);

// `max_tokens` (0 = not set) also drops targets whose model's known output limit is lower.
Result<RoutePlan> plan_route(const PersonaConfig& persona, std::string_view model,
                             const std::vector<std::string>& needs, const CapabilityLookup& caps,
                             std::int64_t max_tokens = 0);

// The model names this persona may send: its model, primary provider/model, aliases, allowed
// explicit targets (patterns shown as written).
std::vector<std::string> allowed_routes(const PersonaConfig& persona);

// "openai/*" matches any model of openai; otherwise an exact "provider/model".
bool allow_matches(std::string_view pattern, const RouteTarget& target);

}  // namespace gw
