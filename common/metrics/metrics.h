// The process's figures for Prometheus: counters, gauges and histograms kept as the work
// happens, and collectors that read figures kept elsewhere (a node's status, a database's
// size) at each scrape. Rendered in Prometheus's text exposition format (version 0.0.4)
// by MetricsServer (common/metrics/metrics_server.h).
//
// Names follow Prometheus's conventions: "safeguard_" first, base units ("_seconds",
// "_bytes"), "_total" for counters. Label values are never personal data: services,
// methods, status codes, topics, rules, database names; never a person, a subject key or
// a user.
//
//   metrics::Family<metrics::Counter>& calls = metrics::Registry::Process().AddCounter(
//       "safeguard_widgets_total", "Widgets made.", {"colour"});
//   calls.With({"red"}).Add();
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>
#include <vector>

namespace safeguard::metrics {

// A value that only goes up (resets only when the process starts).
class Counter {
 public:
  void Add(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into buckets by upper bound, with their count and sum.
class Histogram {
 public:
  // `bounds`, ascending, must outlive the histogram (its family keeps them).
  explicit Histogram(const std::vector<double>* bounds);
  void Observe(double value);

  struct Reading {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf
    uint64_t count = 0;
    double sum = 0;
  };
  Reading Read() const;

 private:
  const std::vector<double>* const bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bound, then +Inf; not cumulative
  std::atomic<double> sum_{0};
};

// Latency buckets for calls, in seconds: 1 ms to 10 s.
const std::vector<double>& LatencyBuckets();

// One metric with labelled children, each made on first use and kept for good. Thread-safe.
template <typename T>
class Family {
 public:
  // The child for `values`, one per label name, in order. A wrong count is a programming
  // error: the process aborts.
  T& With(const std::vector<std::string>& values);

  // Each child and its label values, for rendering.
  void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& visit) const;

 private:
  friend class Registry;
  Family(std::vector<std::string> label_names, std::vector<double> bounds = {})
      : label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

using Labels = std::vector<std::pair<std::string, std::string>>;

// What a collector reports at a scrape: values read from elsewhere at that moment.
class Sink {
 public:
  void Gauge(absl::string_view name, absl::string_view help, const Labels& labels, double value);
  // `name` ends "_total".
  void Counter(absl::string_view name, absl::string_view help, const Labels& labels, double value);

 private:
  friend class Registry;
  struct Sample {
    std::string type;
    std::string help;
    std::string line;  // name{labels} value
  };
  std::multimap<std::string, Sample> samples_;
};

class Registry {
 public:
  Registry();
  // The process's registry, which MetricsServer serves.
  static Registry& Process();

  // Adds a metric, or returns the one already added under `name` (which must be of the
  // same kind and labels: anything else is a programming error, and aborts).
  Family<Counter>& AddCounter(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names = {});
  Family<Gauge>& AddGauge(const std::string& name, const std::string& help,
                          std::vector<std::string> label_names = {});
  Family<Histogram>& AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names,
                                  const std::vector<double>& bounds = LatencyBuckets());

  // Calls `collect` at every scrape until the returned handle is destroyed (which waits
  // for a scrape under way). `collect` runs on the scraping thread, one scrape at a time,
  // and should take milliseconds, not seconds.
  std::shared_ptr<void> AddCollector(std::function<void(Sink&)> collect);

  // Every metric in the text exposition format, one block per name, names in order.
  std::string Render() const;

 private:
  struct Entry {
    std::string type;  // "counter", "gauge", "histogram"
    std::string help;
    std::vector<std::string> label_names;
    std::unique_ptr<Family<metrics::Counter>> counter;
    std::unique_ptr<Family<metrics::Gauge>> gauge;
    std::unique_ptr<Family<metrics::Histogram>> histogram;
  };
  Entry& Add(const std::string& name, const std::string& type, const std::string& help,
             std::vector<std::string> label_names);

  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  mutable std::mutex collect_mu_;  // held while collectors run; never while mu_ is
  uint64_t next_collector_ = 0;
  std::map<uint64_t, std::function<void(Sink&)>> collectors_;
};

// The text of `value` as the exposition format writes a sample: integers exactly,
// "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);
// `value` escaped for a label value (backslash, double quote, newline).
std::string EscapeLabelValue(absl::string_view value);

// Reports what every process reports: safeguard_build_info and the process's start time,
// resident memory, CPU time and open files. Once per process; later calls do nothing.
void RegisterProcessMetrics(absl::string_view component);

}  // namespace safeguard::metrics
