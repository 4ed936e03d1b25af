#include "services/mappa/alerts/alert_feed.h"

namespace safeguard::mappa {

AlertFeed::AlertFeed(size_t threads, uint64_t sequence) : sequence_(sequence) {
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

AlertFeed::~AlertFeed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

uint64_t AlertFeed::sequence() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sequence_;
}

void AlertFeed::Advance(uint64_t sequence) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (sequence <= sequence_) return;
    sequence_ = sequence;
    for (auto it = wakes_.begin(); it != wakes_.end();) {
      if (it->second.first < sequence_) {
        tasks_.push_back(std::move(it->second.second));
        it = wakes_.erase(it);
      } else {
        ++it;
      }
    }
  }
  work_cv_.notify_all();
}

uint64_t AlertFeed::WakeAfter(uint64_t after, std::function<void()> wake) {
  uint64_t id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_id_++;
    if (after < sequence_) {
      tasks_.push_back(std::move(wake));
    } else {
      wakes_.emplace(id, std::make_pair(after, std::move(wake)));
      return id;
    }
  }
  work_cv_.notify_one();
  return id;
}

bool AlertFeed::Cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return wakes_.erase(id) > 0;
}

void AlertFeed::WakeAll() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, wake] : wakes_) tasks_.push_back(std::move(wake.second));
    wakes_.clear();
  }
  work_cv_.notify_all();
}

void AlertFeed::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  work_cv_.notify_one();
}

size_t AlertFeed::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return wakes_.size();
}

void AlertFeed::Work() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace safeguard::mappa
