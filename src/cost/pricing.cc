// The price table parser and the integer cost arithmetic (shape: docs/smoke.md, "Pricing data").
#include "cost/pricing.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/embedded.h"
#include "wire/json_read.h"

namespace gw {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMicrosPerDollar = 1'000'000;
constexpr int kMaxFractionDigits = 6;
// $/Mtok beyond 12 integer digits is a typo, and keeps every later product far from overflow.
constexpr std::size_t kMaxIntegerDigits = 12;

constexpr std::array<std::string_view, 8> kEntryFields = {"provider",     "model",         "input",
                                                          "cached_input", "cache_write",   "output",
                                                          "reasoning",    "effective_from"};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

Error table_error(std::string message) {
  return Error::make(ErrorKind::gateway_internal, std::move(message), "invalid_price_table");
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!is_digit(s[i])) return false;
  }
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Result<std::string> required_string(const json::object& entry, std::string_view key,
                                    const std::string& where) {
  const json::value* v = entry.if_contains(key);
  if (v == nullptr || !v->is_string() || v->get_string().empty()) {
    return table_error(where + "." + std::string(key) + " must be a non-empty string");
  }
  return std::string(v->get_string());
}

// A price field: a decimal string, or absent (then `fallback`).
Result<std::int64_t> price_field(const json::object& entry, std::string_view key,
                                 const std::string& where, std::optional<std::int64_t> fallback) {
  const std::string field = where + "." + std::string(key);
  const json::value* v = entry.if_contains(key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return table_error(field + " is required");
  }
  if (!v->is_string()) {
    return table_error(field + " must be a decimal string such as \"0.15\", not " +
                       std::string(json_kind_name(*v)) + " (money is never a float)");
  }
  return parse_usd_micros(v->get_string(), field);
}

Result<ModelPrice> parse_entry(const json::value& value, const std::string& where) {
  const json::object* entry = value.if_object();
  if (entry == nullptr) return table_error(where + " must be an object");
  for (const auto& kv : *entry) {
    if (std::find(kEntryFields.begin(), kEntryFields.end(), kv.key()) == kEntryFields.end()) {
      return table_error(where + " has an unknown field \"" + std::string(kv.key()) + "\"");
    }
  }
  ModelPrice p;
  auto provider = required_string(*entry, "provider", where);
  if (!provider) return std::move(provider).error();
  p.provider = std::move(provider).value();
  auto model = required_string(*entry, "model", where);
  if (!model) return std::move(model).error();
  p.model = std::move(model).value();
  auto date = required_string(*entry, "effective_from", where);
  if (!date) return std::move(date).error();
  if (!is_date(*date)) {
    return table_error(where + ".effective_from must be a date YYYY-MM-DD, not \"" + *date + "\"");
  }
  p.effective_from = std::move(date).value();

  auto input = price_field(*entry, "input", where, std::nullopt);
  if (!input) return std::move(input).error();
  p.input = *input;
  auto output = price_field(*entry, "output", where, std::nullopt);
  if (!output) return std::move(output).error();
  p.output = *output;
  auto cached = price_field(*entry, "cached_input", where, p.input);
  if (!cached) return std::move(cached).error();
  p.cached_input = *cached;
  auto write = price_field(*entry, "cache_write", where, p.input);
  if (!write) return std::move(write).error();
  p.cache_write = *write;
  auto reasoning = price_field(*entry, "reasoning", where, p.output);
  if (!reasoning) return std::move(reasoning).error();
  p.reasoning = *reasoning;
  return p;
}

// a × b, added to `sum`; false on overflow.
bool add_product(std::int64_t& sum, std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return false;
  return !__builtin_add_overflow(sum, product, &sum);
}

}  // namespace

const ModelPrice* PriceTable::find(std::string_view provider, std::string_view model,
                                   std::string_view date) const {
  // YYYY-MM-DD strings order like the dates they name.
  auto newer_in_force = [&](const ModelPrice* best, const ModelPrice& p) {
    if (p.effective_from > date) return best;
    return best == nullptr || p.effective_from > best->effective_from ? &p : best;
  };
  const ModelPrice* exact = nullptr;
  const ModelPrice* any_model = nullptr;
  for (const auto& p : prices) {
    if (p.provider != provider) continue;
    if (p.model == model) exact = newer_in_force(exact, p);
    if (p.model == "*") any_model = newer_in_force(any_model, p);
  }
  return exact != nullptr ? exact : any_model;
}

Result<std::int64_t> parse_usd_micros(std::string_view decimal, std::string_view field) {
  auto bad = [&](std::string_view why) {
    return table_error(std::string(field) + ": \"" + std::string(decimal) + "\" " +
                       std::string(why));
  };
  const std::size_t dot = decimal.find('.');
  const std::string_view whole = decimal.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : decimal.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) {
    return bad("is not a decimal such as \"0.15\"");
  }
  if (!std::all_of(whole.begin(), whole.end(), is_digit) ||
      !std::all_of(fraction.begin(), fraction.end(), is_digit)) {
    return bad("is not a decimal such as \"0.15\" (digits and one '.', no sign or exponent)");
  }
  if (whole.size() > kMaxIntegerDigits) return bad("is out of range");
  std::string_view kept = fraction;
  while (kept.size() > static_cast<std::size_t>(kMaxFractionDigits) && kept.back() == '0') {
    kept.remove_suffix(1);
  }
  if (kept.size() > static_cast<std::size_t>(kMaxFractionDigits)) {
    return bad("has more than 6 decimals (prices are exact micro-dollars)");
  }
  std::int64_t micros = 0;
  for (char c : whole) micros = micros * 10 + (c - '0');
  micros *= kMicrosPerDollar;
  std::int64_t scale = kMicrosPerDollar / 10;
  for (char c : kept) {
    micros += (c - '0') * scale;
    scale /= 10;
  }
  return micros;
}

Result<PriceTable> parse_price_table(std::string_view json_text) {
  auto doc = parse_json(json_text, ErrorKind::gateway_internal);
  if (!doc) return table_error("price table: " + doc.error().message);
  const json::object* root = doc->if_object();
  if (root == nullptr) return table_error("price table: the document must be an object");
  if (json_string_field(*root, "currency") != "USD") {
    return table_error("price table: currency must be \"USD\"");
  }
  if (json_string_field(*root, "unit") != "per_million_tokens") {
    return table_error("price table: unit must be \"per_million_tokens\"");
  }
  const json::value* prices = root->if_contains("prices");
  if (prices == nullptr || !prices->is_array()) {
    return table_error("price table: prices must be an array");
  }
  PriceTable table;
  const auto& list = prices->get_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "prices[" + std::to_string(i) + "]";
    auto entry = parse_entry(list[i], where);
    if (!entry) return std::move(entry).error();
    for (const auto& seen : table.prices) {
      if (seen.provider == entry->provider && seen.model == entry->model &&
          seen.effective_from == entry->effective_from) {
        return table_error(where + " repeats " + seen.provider + "/" + seen.model + " effective " +
                           seen.effective_from);
      }
    }
    table.prices.push_back(std::move(entry).value());
  }
  return table;
}

Result<PriceTable> load_list_prices() {
  const std::string_view text = embedded_file(kListPricesFile);
  if (text.empty()) {
    return table_error(std::string(kListPricesFile) + " is not embedded in this binary");
  }
  return parse_price_table(text);
}

Result<std::int64_t> cost_nanos(const Usage& usage, const ModelPrice& price) {
  const std::int64_t cache_read = std::max<std::int64_t>(usage.cache_read_tokens, 0);
  const std::int64_t cache_write = std::max<std::int64_t>(usage.cache_write_tokens, 0);
  // input_tokens counts every prompt token, cached ones included (model/chat.h).
  const std::int64_t uncached =
      std::max<std::int64_t>(usage.input_tokens - cache_read - cache_write, 0);
  const std::int64_t output = std::max<std::int64_t>(usage.output_tokens, 0);
  // output_tokens counts reasoning tokens too (model/chat.h); they may have their own price.
  const std::int64_t reasoning =
      std::min(std::max<std::int64_t>(usage.reasoning_tokens, 0), output);
  // Token × micro-dollars per Mtok is in pico-dollars; one division at the end keeps sub-nano
  // prices such as 0.3125 $/Mtok (312.5 n$ per token) exact across tokens.
  std::int64_t picos = 0;
  if (!add_product(picos, uncached, price.input) ||
      !add_product(picos, cache_read, price.cached_input) ||
      !add_product(picos, cache_write, price.cache_write) ||
      !add_product(picos, output - reasoning, price.output) ||
      !add_product(picos, reasoning, price.reasoning) ||
      picos > std::numeric_limits<std::int64_t>::max() - 500) {
    return Error::make(ErrorKind::gateway_internal,
                       "cost of " + price.provider + "/" + price.model + " overflows 64 bits",
                       "cost_overflow");
  }
  return (picos + 500) / 1000;
}

Result<std::int64_t> max_cost_nanos(std::int64_t input_tokens, std::int64_t max_output_tokens,
                                    const ModelPrice& price) {
  Usage worst;
  worst.input_tokens = std::max<std::int64_t>(input_tokens, 0);
  worst.output_tokens = std::max<std::int64_t>(max_output_tokens, 0);
  ModelPrice dearest = price;
  dearest.input = std::max({price.input, price.cached_input, price.cache_write});
  dearest.output = std::max(price.output, price.reasoning);
  dearest.reasoning = dearest.output;
  return cost_nanos(worst, dearest);
}

std::string format_usd_nanos(std::int64_t nanos) {
  constexpr std::int64_t kNanosPerDollar = 1'000'000'000;
  std::string out = nanos < 0 ? "-$" : "$";
  // Negate in unsigned arithmetic so the most negative value cannot overflow.
  const std::uint64_t magnitude =
      nanos < 0 ? 0 - static_cast<std::uint64_t>(nanos) : static_cast<std::uint64_t>(nanos);
  out += std::to_string(magnitude / kNanosPerDollar);
  std::string fraction = std::to_string(magnitude % kNanosPerDollar);
  out += '.';
  out.append(9 - fraction.size(), '0');
  out += fraction;
  return out;
}

}  // namespace gw
