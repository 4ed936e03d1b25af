// The envelope decoder and everything that folds a decoded event: any bytes from the bus
// are parsed as an EventEnvelope, hashed as a Merkle leaf, folded into a risk view (with
// its computed fields and timeline line; a correction, with the fact it names), into a
// disclosure case and into a MAPPA meeting, checked against each's rules, and added to an
// identity profile compared with itself. Nothing may crash, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "google/protobuf/stubs/logging.h"

#include "absl/time/civil_time.h"
#include "common/merkle/merkle.h"
#include "common/disclosure/disclosure_case.h"
#include "safeguard/v1/envelope.pb.h"
#include "services/mappa/identity/match.h"
#include "services/mappa/meetings/meeting.h"
#include "services/mappa/projection/risk_projection.h"

// Protobuf logs every string field that is not UTF-8; random inputs make that noise.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)safeguard::merkle::LeafHash(bytes);
  safeguard::v1::EventEnvelope e;
  if (!e.ParseFromString(bytes)) return 0;

  safeguard::v1::RiskView view;
  safeguard::mappa::ApplyEvent(e, &view);
  safeguard::mappa::ApplyEvent(e, &view);  // the same event twice, as a redelivery would
  safeguard::mappa::ComputeAsOf(absl::CivilDay(2026, 11, 23), &view);
  (void)safeguard::mappa::TimelineSummary(e);

  // A correction, folded with a fact it names (the event itself, under that id).
  safeguard::v1::EventEnvelope fact = e;
  fact.set_event_id(e.fact_corrected().corrected_event_id());
  safeguard::v1::RiskView corrected;
  safeguard::mappa::FoldEvents({fact, e, e}, &corrected);
  (void)safeguard::mappa::CorrectedEvents({fact, e});

  safeguard::v1::IdentityProfile profile;
  safeguard::mappa::AddToProfile(e, &profile);
  (void)safeguard::mappa::BlockingKeys(profile);
  (void)safeguard::mappa::Score(profile, profile);

  safeguard::v1::DisclosureCase c;
  (void)safeguard::disclosure::CheckStep(c, e);
  if (safeguard::disclosure::IsCaseEvent(e)) {
    safeguard::disclosure::ApplyStep(e, &c);
    (void)safeguard::disclosure::CheckStep(c, e);
    (void)safeguard::disclosure::DeadlinesOf(c, safeguard::disclosure::Deadlines(), absl::UnixEpoch());
  }

  safeguard::v1::MappaMeeting m;
  (void)safeguard::mappa::CheckMeetingStep(m, e);
  if (safeguard::mappa::IsMeetingEvent(e)) {
    safeguard::mappa::ApplyMeetingStep(e, &m);
    (void)safeguard::mappa::CheckMeetingStep(m, e);
  }
  return 0;
}
