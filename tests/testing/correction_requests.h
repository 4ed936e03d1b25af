// Valid corrections (corrections.proto) of an agency's own facts, for tests to start from.
#pragma once

#include <string>

#include "safeguard/v1/corrections.pb.h"
#include "tests/testing/police_requests.h"

namespace safeguard::testing {

// A correction of `event_id` under `header` (the same subject as the fact's): retracted,
// or amended by the caller filling the fact or subject it amends.
inline safeguard::v1::RecordCorrectionRequest Correction(const safeguard::v1::CommandHeader& header,
                                                         const std::string& command_id, const std::string& event_id,
                                                         safeguard::v1::CorrectionKind kind,
                                                         safeguard::v1::CorrectionReason reason) {
  safeguard::v1::RecordCorrectionRequest r;
  *r.mutable_header() = header;
  r.mutable_header()->set_command_id(command_id);
  r.mutable_header()->clear_expected_version();
  auto* c = r.mutable_correction();
  c->set_corrected_event_id(event_id);
  c->set_kind(kind);
  c->set_reason(reason);
  c->set_explanation("Corrected on the decision recorded here.");
  c->set_decided_by("DI J. Patel, Force Intelligence Bureau");
  c->set_decided_on("2024-12-01");
  return r;
}

// A police conviction keyed wrongly, amended: the fact whole, as it should read.
inline safeguard::v1::RecordCorrectionRequest AmendedConviction(const std::string& event_id) {
  safeguard::v1::RecordCorrectionRequest r = Correction(ValidConviction().header(), "cmd-fix-conviction-1", event_id,
                                                        safeguard::v1::AMENDED, safeguard::v1::KEYING_ERROR);
  *r.mutable_correction()->mutable_conviction_recorded() = ValidConviction().conviction();
  r.mutable_correction()->mutable_conviction_recorded()->set_sentence("3 years imprisonment");
  return r;
}

}  // namespace safeguard::testing
