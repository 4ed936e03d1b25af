#include "common/metrics/metrics.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/build_info.h"

namespace safeguard::metrics {

namespace {

[[noreturn]] void Misuse(absl::string_view what) {
  std::cerr << "metrics: " << what << std::endl;
  std::abort();
}

std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      absl::string_view extra_name = {}, absl::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    absl::StrAppend(&out, names[i], "=\"", EscapeLabelValue(values[i]), "\"");
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    absl::StrAppend(&out, extra_name, "=\"", extra_value, "\"");
  }
  out += '}';
  return out;
}

std::string EscapeHelp(absl::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  // The shortest text that reads back as the same double.
  for (int precision = 15; precision < 17; ++precision) {
    std::string text = absl::StrFormat("%.*g", precision, value);
    if (std::strtod(text.c_str(), nullptr) == value) return text;
  }
  return absl::StrFormat("%.17g", value);
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_->size() && value > (*bounds_)[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Reading Histogram::Read() const {
  Reading r;
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_->size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    r.cumulative.push_back(running);
  }
  r.count = running;
  r.sum = sum_.load(std::memory_order_relaxed);
  return r;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,   0.25,   0.5,   1,    2.5,   5,   10};
  return kBuckets;
}

template <typename T>
T& Family<T>::With(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    Misuse(absl::StrCat("a metric with ", label_names_.size(), " labels was given ", values.size(), " values"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<T>& child = children_[values];
  if (!child) {
    if constexpr (std::is_same_v<T, Histogram>) {
      child = std::make_unique<T>(&bounds_);
    } else {
      child = std::make_unique<T>();
    }
  }
  return *child;
}

template <typename T>
void Family<T>::ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& visit) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [values, child] : children_) visit(values, *child);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void Sink::Gauge(absl::string_view name, absl::string_view help, const Labels& labels, double value) {
  std::vector<std::string> names, values;
  for (const auto& [n, v] : labels) {
    names.push_back(n);
    values.push_back(v);
  }
  samples_.emplace(std::string(name),
                   Sample{"gauge", std::string(help),
                          absl::StrCat(name, LabelText(names, values), " ", FormatValue(value))});
}

void Sink::Counter(absl::string_view name, absl::string_view help, const Labels& labels, double value) {
  Gauge(name, help, labels, value);
  auto range = samples_.equal_range(std::string(name));
  for (auto it = range.first; it != range.second; ++it) it->second.type = "counter";
}

Registry::Registry() = default;

Registry& Registry::Process() {
  static Registry* registry = new Registry();
  return *registry;
}

Registry::Entry& Registry::Add(const std::string& name, const std::string& type, const std::string& help,
                               std::vector<std::string> label_names) {
  auto [it, added] = entries_.try_emplace(name);
  Entry& e = it->second;
  if (!added) {
    if (e.type != type || e.label_names != label_names) {
      Misuse(absl::StrCat("metric ", name, " added twice with different kinds or labels"));
    }
    return e;
  }
  e.type = type;
  e.help = help;
  e.label_names = std::move(label_names);
  return e;
}

Family<Counter>& Registry::AddCounter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = Add(name, "counter", help, label_names);
  if (!e.counter) e.counter.reset(new Family<Counter>(std::move(label_names)));
  return *e.counter;
}

Family<Gauge>& Registry::AddGauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = Add(name, "gauge", help, label_names);
  if (!e.gauge) e.gauge.reset(new Family<Gauge>(std::move(label_names)));
  return *e.gauge;
}

Family<Histogram>& Registry::AddHistogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = Add(name, "histogram", help, label_names);
  if (!e.histogram) e.histogram.reset(new Family<Histogram>(std::move(label_names), bounds));
  return *e.histogram;
}

std::shared_ptr<void> Registry::AddCollector(std::function<void(Sink&)> collect) {
  std::lock_guard<std::mutex> lock(collect_mu_);
  const uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(collect));
  return std::shared_ptr<void>(nullptr, [this, id](void*) {
    // Waits for a scrape under way: what the collector reads may go once this returns.
    std::lock_guard<std::mutex> lock(collect_mu_);
    collectors_.erase(id);
  });
}

std::string Registry::Render() const {
  struct Block {
    std::string type;
    std::string help;
    std::vector<std::string> lines;
  };
  std::map<std::string, Block> blocks;
  Sink sink;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, e] : entries_) {
      Block& b = blocks[name];
      b.type = e.type;
      b.help = e.help;
      if (e.counter) {
        e.counter->ForEach([&](const std::vector<std::string>& values, const Counter& c) {
          b.lines.push_back(absl::StrCat(name, LabelText(e.label_names, values), " ", FormatValue(c.Value())));
        });
      } else if (e.gauge) {
        e.gauge->ForEach([&](const std::vector<std::string>& values, const Gauge& g) {
          b.lines.push_back(absl::StrCat(name, LabelText(e.label_names, values), " ", FormatValue(g.Value())));
        });
      } else if (e.histogram) {
        e.histogram->ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
          const Histogram::Reading r = h.Read();
          const std::vector<double>& bounds = e.histogram->bounds_;
          for (size_t i = 0; i <= bounds.size(); ++i) {
            const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
            b.lines.push_back(absl::StrCat(name, "_bucket", LabelText(e.label_names, values, "le", le), " ",
                                           r.cumulative[i]));
          }
          b.lines.push_back(absl::StrCat(name, "_sum", LabelText(e.label_names, values), " ", FormatValue(r.sum)));
          b.lines.push_back(absl::StrCat(name, "_count", LabelText(e.label_names, values), " ", r.count));
        });
      }
    }
  }
  {
    // Under their own lock, so that none is removed while it runs, and a collector may
    // add a metric (or log, which counts records) without deadlock.
    std::lock_guard<std::mutex> lock(collect_mu_);
    for (const auto& [id, collect] : collectors_) collect(sink);
  }
  for (auto& [name, sample] : sink.samples_) {
    Block& b = blocks[name];
    if (b.type.empty()) {
      b.type = sample.type;
      b.help = sample.help;
    }
    b.lines.push_back(std::move(sample.line));
  }
  std::string out;
  for (const auto& [name, b] : blocks) {
    if (b.lines.empty()) continue;
    absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(b.help), "\n# TYPE ", name, " ", b.type, "\n");
    for (const std::string& line : b.lines) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

namespace {

// Fields of /proc/self/stat after the command's closing parenthesis.
std::vector<std::string> ProcStat() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return {};
  return absl::StrSplit(text.substr(close + 2), ' ', absl::SkipEmpty());
}

}  // namespace

void RegisterProcessMetrics(absl::string_view component) {
  static std::once_flag once;
  std::call_once(once, [component = std::string(component)] {
    Registry& r = Registry::Process();
    r.AddGauge("safeguard_build_info", "The build of this process (always 1).",
               {"component", "version", "revision"})
        .With({component, std::string(kBuildVersion), std::string(kBuildRevision)})
        .Set(1);
    r.AddGauge("process_start_time_seconds", "When the process started, in seconds since the Unix epoch.")
        .With({})
        .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
    static std::shared_ptr<void> collector = r.AddCollector([](Sink& sink) {
      const std::vector<std::string> stat = ProcStat();
      const long ticks = sysconf(_SC_CLK_TCK);
      const long page = sysconf(_SC_PAGESIZE);
      // Fields 14 and 15 (utime, stime) and 24 (rss) of proc(5), counted from the state (3).
      if (stat.size() > 21 && ticks > 0) {
        const double cpu = (std::strtod(stat[11].c_str(), nullptr) + std::strtod(stat[12].c_str(), nullptr)) / ticks;
        sink.Counter("process_cpu_seconds_total", "CPU time the process has used, user and system.", {}, cpu);
        sink.Gauge("process_resident_memory_bytes", "Resident memory of the process.", {},
                   std::strtod(stat[21].c_str(), nullptr) * page);
      }
      std::error_code ec;
      double fds = 0;
      for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
           !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        ++fds;
      }
      sink.Gauge("process_open_fds", "File descriptors the process has open.", {}, fds);
    });
  });
}

}  // namespace safeguard::metrics
