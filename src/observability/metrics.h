// A small metrics registry with Prometheus text exposition. Every metric is declared once with
// its help text (gateway_metrics.h), label values are bounded by the caller (route templates,
// configured provider names, status codes — never raw client input).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace gw::metrics {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Gauge {
 public:
  void add(std::int64_t n) { v_.fetch_add(n, std::memory_order_relaxed); }
  void set(std::int64_t n) { v_.store(n, std::memory_order_relaxed); }
  std::int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

// Latency histogram in seconds with fixed buckets (5 ms … 60 s plus sub-millisecond buckets for
// the gateway's own overhead).
class Histogram {
 public:
  static constexpr std::array<double, 16> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  void observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class Family;
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
};

enum class Type { counter, gauge, histogram };

class Family {
 public:
  Family(std::string name, std::string help, Type type, std::vector<std::string> labels)
      : name_(std::move(name)), help_(std::move(help)), type_(type), labels_(std::move(labels)) {}

  Counter& counter(const std::vector<std::string>& values);
  Gauge& gauge(const std::vector<std::string>& values);
  Histogram& histogram(const std::vector<std::string>& values);

  void expose(std::string& out) const;
  const std::string& name() const { return name_; }

 private:
  struct Series {
    Counter counter;
    Gauge gauge;
    Histogram histogram;
  };
  Series& series(const std::vector<std::string>& values);

  std::string name_;
  std::string help_;
  Type type_;
  std::vector<std::string> labels_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

class Registry {
 public:
  Family& add(std::string name, std::string help, Type type, std::vector<std::string> labels = {});
  std::string expose() const;  // Prometheus text format 0.0.4

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family>> families_;
};

Registry& global();

}  // namespace gw::metrics
