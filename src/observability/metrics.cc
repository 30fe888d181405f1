#include "observability/metrics.h"

#include <cmath>
#include <cstdio>

namespace gw::metrics {

namespace {

void append_label_value(std::string& out, const std::string& v) {
  for (char c : v) {
    if (c == '\\')
      out.append("\\\\");
    else if (c == '"')
      out.append("\\\"");
    else if (c == '\n')
      out.append("\\n");
    else
      out.push_back(c);
  }
}

void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, const char* extra_name = nullptr,
                   const std::string& extra_value = {}) {
  if (names.empty() && !extra_name) return;
  out.push_back('{');
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out.push_back(',');
    first = false;
    out.append(names[i]);
    out.append("=\"");
    append_label_value(out, i < values.size() ? values[i] : std::string());
    out.push_back('"');
  }
  if (extra_name) {
    if (!first) out.push_back(',');
    out.append(extra_name);
    out.append("=\"");
    out.append(extra_value);
    out.push_back('"');
  }
  out.push_back('}');
}

std::string format_double(double v) {
  if (std::isinf(v)) return "+Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (seconds > 0)
    sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

Family::Series& Family::series(const std::vector<std::string>& values) {
  std::lock_guard lock(mu_);
  auto& s = series_[values];
  if (!s) s = std::make_unique<Series>();
  return *s;
}

Counter& Family::counter(const std::vector<std::string>& values) {
  return series(values).counter;
}
Gauge& Family::gauge(const std::vector<std::string>& values) {
  return series(values).gauge;
}
Histogram& Family::histogram(const std::vector<std::string>& values) {
  return series(values).histogram;
}

void Family::expose(std::string& out) const {
  out.append("# HELP ").append(name_).append(" ").append(help_).append("\n");
  out.append("# TYPE ").append(name_).append(" ");
  out.append(type_ == Type::counter ? "counter" : type_ == Type::gauge ? "gauge" : "histogram");
  out.append("\n");
  std::lock_guard lock(mu_);
  for (const auto& [values, s] : series_) {
    if (type_ == Type::counter || type_ == Type::gauge) {
      out.append(name_);
      append_labels(out, labels_, values);
      out.push_back(' ');
      out.append(type_ == Type::counter ? std::to_string(s->counter.value())
                                        : std::to_string(s->gauge.value()));
      out.push_back('\n');
      continue;
    }
    const Histogram& h = s->histogram;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= Histogram::kBounds.size(); ++i) {
      cumulative += h.buckets_[i].load(std::memory_order_relaxed);
      double le = i < Histogram::kBounds.size() ? Histogram::kBounds[i] : INFINITY;
      out.append(name_).append("_bucket");
      append_labels(out, labels_, values, "le", format_double(le));
      out.push_back(' ');
      out.append(std::to_string(cumulative));
      out.push_back('\n');
    }
    out.append(name_).append("_sum");
    append_labels(out, labels_, values);
    out.push_back(' ');
    out.append(format_double(static_cast<double>(h.sum_ns_.load(std::memory_order_relaxed)) / 1e9));
    out.push_back('\n');
    out.append(name_).append("_count");
    append_labels(out, labels_, values);
    out.push_back(' ');
    out.append(std::to_string(h.count()));
    out.push_back('\n');
  }
}

Family& Registry::add(std::string name, std::string help, Type type,
                      std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  for (auto& f : families_) {
    if (f->name() == name) return *f;
  }
  families_.push_back(
      std::make_unique<Family>(std::move(name), std::move(help), type, std::move(labels)));
  return *families_.back();
}

std::string Registry::expose() const {
  std::string out;
  out.reserve(8192);
  std::lock_guard lock(mu_);
  for (const auto& f : families_) f->expose(out);
  return out;
}

Registry& global() {
  static Registry registry;
  return registry;
}

}  // namespace gw::metrics
