#include "common/bus/event_bus.h"

#include <future>

#include "absl/strings/str_cat.h"

namespace safeguard {

absl::Status EventBus::Publish(std::vector<BusMessage> messages) {
  std::promise<absl::Status> published;
  std::future<absl::Status> outcome = published.get_future();
  PublishAsync(std::move(messages), [&published](absl::Status st) { published.set_value(std::move(st)); });
  return outcome.get();
}

bool IsCompactedTopic(absl::string_view topic) {
  return topic == kPoliceKeysTopic || topic == kProbationKeysTopic || topic == kChildrensKeysTopic ||
         topic == kMappaKeysTopic;
}

absl::Status CheckMessageTopics(const std::vector<BusMessage>& messages) {
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string& topic = messages[i].topic;
    if (topic.empty() || topic.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("message ", i, ": invalid topic name '", topic, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace safeguard
