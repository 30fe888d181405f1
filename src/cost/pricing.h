// List prices per model (config/pricing/list-prices.json, embedded) and usage → cost. Money is
// integer throughout: prices are parsed exactly from decimal strings into micro-dollars per
// million tokens, and costs are nano-dollars, so no float ever rounds a bill. A (provider,
// model) may have several entries with different effective dates: the price history that cost
// events are priced against.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/chat.h"

namespace gw {

// One entry of the price table. Prices are USD micro-dollars per million tokens ("0.15" $/Mtok
// → 150000). cached_input and cache_write equal input, reasoning equals output, when the file
// gives none.
struct ModelPrice {
  std::string provider;  // adapter type, or the flavor of an openai_compatible server
  std::string model;     // exact model name, or "*" for every model of the provider
  std::int64_t input = 0;
  std::int64_t cached_input = 0;
  std::int64_t cache_write = 0;
  std::int64_t output = 0;
  std::int64_t reasoning = 0;  // the reasoning part of the output tokens
  std::string effective_from;  // YYYY-MM-DD

  // "openai/gpt-4o@2024-10-01": recorded on every cost event priced with this entry.
  std::string version() const { return provider + "/" + model + "@" + effective_from; }
};

struct PriceTable {
  std::vector<ModelPrice> prices;

  // The entry in force on `date` (YYYY-MM-DD; the latest effective_from not after it) for the
  // exact (provider, model), else for the provider's "*" entry, else nullptr. The default date
  // means "the newest price".
  const ModelPrice* find(std::string_view provider, std::string_view model,
                         std::string_view date = "9999-12-31") const;
};

// "2.50" → 2500000. Digits with an optional fraction of at most 6 digits (more would not be
// exact in micro-dollars); no sign, exponent or spaces. Errors name `field`.
Result<std::int64_t> parse_usd_micros(std::string_view decimal, std::string_view field);

// Parses and validates a price table document; every problem is an error naming the entry and
// field (an unknown field too: a misspelt price must not silently become the input price).
Result<PriceTable> parse_price_table(std::string_view json_text);

inline constexpr std::string_view kListPricesFile = "config/pricing/list-prices.json";

// The embedded list-prices.json, parsed.
Result<PriceTable> load_list_prices();

// The cost of `usage` at `price` in nano-dollars: tokens × micro-dollars-per-Mtok / 1000, summed
// over uncached input, cache reads, cache writes, output and its reasoning part before the one
// division (rounded half up). Fails only when the product does not fit in 64 bits.
Result<std::int64_t> cost_nanos(const Usage& usage, const ModelPrice& price);

// The most a request can cost (the budget reservation, RELIABILITY "Budget design" step 2):
// every prompt token at the dearest input rate (a cache write may cost more than input), every
// output token at the dearer of output and reasoning. Never below cost_nanos of any usage with
// at most these token counts.
Result<std::int64_t> max_cost_nanos(std::int64_t input_tokens, std::int64_t max_output_tokens,
                                    const ModelPrice& price);

// "$0.000012345" (nine decimals: exact nano-dollars).
std::string format_usd_nanos(std::int64_t nanos);

}  // namespace gw
