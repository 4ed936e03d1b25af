// The record of one consultation of personal data (Data Protection Act 2018 s.62), as
// Safeguard writes it to the audit topic for every read of personal data and every
// screening check.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/grpc/caller.h"
#include "common/ids.h"
#include "common/time_util.h"
#include "safeguard/v1/storage.pb.h"

namespace safeguard {

inline safeguard::v1::AccessRecord NewAccessRecord(const CallContext& call, absl::Time at,
                                                   const std::string& subject_key, const std::string& view,
                                                   const safeguard::v1::Purpose& purpose) {
  safeguard::v1::AccessRecord record;
  record.set_access_id(NewUuid());
  *record.mutable_actor() = call.actor;
  *record.mutable_at() = ToProtoTimestamp(at);
  record.set_subject_key(subject_key);
  record.set_view(view);
  *record.mutable_purpose() = purpose;
  record.set_peer(call.peer);
  return record;
}

}  // namespace safeguard
