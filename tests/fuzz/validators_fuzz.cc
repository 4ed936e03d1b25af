// Every command validator (tests/fuzz/validators.inc): the first byte picks a request type,
// the rest is parsed as that request (any bytes a client could send), and the request is
// validated. A validator must
// refuse or accept without crashing; what it accepts must be a whole event (a payload, a
// subject key, an event type). Nothing may trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "tests/fuzz/fuzz_clock.h"
#include "common/agency/data_protection_validation.h"
#include "services/childrens/childrens_validation.h"
#include "services/mappa/meetings/meeting_validation.h"
#include "services/police/disclosure_validation.h"
#include "services/police/police_validation.h"
#include "services/probation/probation_validation.h"

namespace {

using safeguard::agency::ValidatedCommand;
namespace v1 = safeguard::v1;

using safeguard::fuzz::kNow;
using safeguard::fuzz::kToday;

void Check(const absl::StatusOr<ValidatedCommand>& v) {
  if (!v.ok()) {
    if (v.status().message().empty()) std::abort();  // a refusal always says why
    return;
  }
  if (v->event.payload_case() == v1::EventEnvelope::PAYLOAD_NOT_SET || v->subject_key.empty() ||
      v->event_type.empty()) {
    std::abort();
  }
}

template <typename Request, typename Validate>
std::function<void(const std::string&)> Case(Validate validate) {
  return [validate](const std::string& bytes) {
    Request r;
    if (r.ParseFromString(bytes)) Check(validate(r));
  };
}

const std::vector<std::function<void(const std::string&)>>& Validators() {
  using namespace safeguard;
#define SAFEGUARD_VALIDATOR(Request, ns, seed, ...) \
  Case<v1::Request>([](const auto& r) { return ns::Validate(r, __VA_ARGS__); }),
  static const auto* const all = new std::vector<std::function<void(const std::string&)>>{
#include "tests/fuzz/validators.inc"
  };
#undef SAFEGUARD_VALIDATOR
  return *all;
}

}  // namespace

// Protobuf logs every string field that is not UTF-8; random inputs make that noise.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& validators = Validators();
  validators[data[0] % validators.size()](std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  return 0;
}
