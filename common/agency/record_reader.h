// An agency's own record of a person, read back by that agency's users: the events of
// every stream the agency files the person under (PNC id, and its own reference), in log
// order, a page at a time; a page reads only its own events. The read needs a purpose
// and is recorded on the audit topic before anything is given — misses too, since asking
// is itself a consultation. A restricted subject's record is refused (kPermissionDenied,
// the consultation recorded) except to the data protection officer's reader; an erased
// one is answered kNotFound saying under what basis and when it was erased
// (common/agency/data_protection.h). Thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/access/access_log.h"
#include "common/agency/command_validation.h"
#include "common/agency/data_protection.h"
#include "common/grpc/caller.h"
#include "common/grpc/serve.h"
#include "common/store/event_store.h"
#include "safeguard/v1/agency_records.pb.h"

namespace safeguard::agency {

class RecordReader {
 public:
  // Streams are named "<stream_prefix>/<subject key>" (CommandSubmitter's names); the
  // access record names `view` (e.g. "police.Record"). `store` and `access` must
  // outlive this object, and so must `protection`, which says what is restricted or
  // erased. The data protection officer's reader is made `for_officer`: it reads
  // restricted records too.
  RecordReader(EventStore* store, std::string stream_prefix, SubjectKeying keying, std::string view,
               AccessLog* access, const DataProtection* protection, Clock clock, bool for_officer = false);

  // Replies kInvalidArgument naming the field for a bad purpose, reference or page;
  // kNotFound when the agency holds nothing under any reference given; kUnavailable when
  // the read cannot be recorded (then nothing is given).
  void Handle(const safeguard::v1::GetAgencyRecordRequest& request, const CallContext& call,
              Reply<safeguard::v1::AgencyRecord> reply);

  // The answer and what it consults, before it is recorded.
  absl::StatusOr<RecordedAnswer<safeguard::v1::AgencyRecord>> Read(
      const safeguard::v1::GetAgencyRecordRequest& request);

 private:
  EventStore* const store_;
  const std::string stream_prefix_;
  const SubjectKeying keying_;
  const std::string view_;
  AccessLog* const access_;
  const DataProtection* const protection_;
  const Clock clock_;
  const bool for_officer_;
};

}  // namespace safeguard::agency
