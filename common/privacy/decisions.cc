#include "common/privacy/decisions.h"

#include "absl/strings/str_cat.h"
#include "common/time_util.h"

namespace safeguard::privacy {

namespace v1 = safeguard::v1;

std::string DecisionStreamId(absl::string_view agency_name) { return absl::StrCat(agency_name, "/data-protection"); }

std::string BasisLabel(v1::DataProtectionBasis basis) {
  switch (basis) {
    case v1::ERASURE_PROCESSING_UNLAWFUL:
      return "DPA 2018 s.47(1)(a)";
    case v1::ERASURE_LEGAL_OBLIGATION:
      return "DPA 2018 s.47(1)(b)";
    case v1::ERASURE_COURT_ORDER:
      return "a court order";
    case v1::ERASURE_COMMISSIONER_ORDER:
      return "the Information Commissioner's order";
    case v1::ERASURE_REVIEW_DISPOSAL:
      return "review and disposal (DPA 2018 s.39)";
    case v1::RESTRICTION_EVIDENCE:
      return "DPA 2018 s.47(2)";
    case v1::RESTRICTION_ACCURACY_CONTESTED:
      return "DPA 2018 s.47(3)";
    case v1::RESTRICTION_COURT_ORDER:
      return "a court order";
    case v1::RESTRICTION_REVIEW:
      return "review (pending a further decision)";
    case v1::RETAINED_AFTER_REVIEW:
      return "review: still needed (DPA 2018 s.39)";
    default:
      return "an unnamed basis";
  }
}

bool IsErasureBasis(v1::DataProtectionBasis basis) {
  return basis >= v1::ERASURE_PROCESSING_UNLAWFUL && basis <= v1::ERASURE_REVIEW_DISPOSAL;
}

bool IsRestrictionBasis(v1::DataProtectionBasis basis) {
  return basis >= v1::RESTRICTION_EVIDENCE && basis <= v1::RESTRICTION_REVIEW;
}

const v1::DataProtectionDecision* DecisionOf(const v1::EventEnvelope& e) {
  if (e.has_erasure_decided()) return &e.erasure_decided().decision();
  if (e.has_restriction_decided()) return &e.restriction_decided().decision();
  if (e.has_restriction_lifted()) return &e.restriction_lifted().decision();
  if (e.has_retention_reviewed()) return &e.retention_reviewed().decision();
  return nullptr;
}

v1::DataProtectionDecision* MutableDecisionOf(v1::EventEnvelope* e) {
  if (e->has_erasure_decided()) return e->mutable_erasure_decided()->mutable_decision();
  if (e->has_restriction_decided()) return e->mutable_restriction_decided()->mutable_decision();
  if (e->has_restriction_lifted()) return e->mutable_restriction_lifted()->mutable_decision();
  if (e->has_retention_reviewed()) return e->mutable_retention_reviewed()->mutable_decision();
  return nullptr;
}

std::string ErasedUnder(absl::string_view basis_label, absl::Time at) {
  return absl::StrCat("erased under ", basis_label, " on ", FormatIsoDate(DayOf(at)));
}

std::string RestrictedUnder(absl::string_view basis_label, absl::Time since) {
  return absl::StrCat("restricted under ", basis_label, " since ", FormatIsoDate(DayOf(since)));
}

}  // namespace safeguard::privacy
