// The vocabulary of data protection decisions (data_protection_events.proto) that every
// service shares: what each basis is called, which bases erase and which restrict, and
// where an agency files its decisions.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "safeguard/v1/envelope.pb.h"

namespace safeguard::privacy {

// The stream an agency files its decisions on: "<agency name>/data-protection" (e.g.
// "police/data-protection"). No subject's stream can be named so.
std::string DecisionStreamId(absl::string_view agency_name);

// The basis as the law names it, e.g. "DPA 2018 s.47(1)(a)"; what a destroyed key's
// record keeps and every reader is shown.
std::string BasisLabel(safeguard::v1::DataProtectionBasis basis);
bool IsErasureBasis(safeguard::v1::DataProtectionBasis basis);
bool IsRestrictionBasis(safeguard::v1::DataProtectionBasis basis);

// The decision `e` records, or nullptr when it records none.
const safeguard::v1::DataProtectionDecision* DecisionOf(const safeguard::v1::EventEnvelope& e);
safeguard::v1::DataProtectionDecision* MutableDecisionOf(safeguard::v1::EventEnvelope* e);

// "erased under DPA 2018 s.47(1)(a) on 2026-12-07": what every reader of erased data is told.
std::string ErasedUnder(absl::string_view basis_label, absl::Time at);
// "restricted under DPA 2018 s.47(3) since 2026-12-07".
std::string RestrictedUnder(absl::string_view basis_label, absl::Time since);

}  // namespace safeguard::privacy
