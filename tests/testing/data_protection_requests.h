// Valid data protection decisions (DataProtectionService), for tests to start from and
// break one field at a time.
#pragma once

#include <string>

#include "safeguard/v1/data_protection_service.pb.h"

namespace safeguard::testing {

inline safeguard::v1::DataProtectionRequest ValidErasure(const std::string& command_id = "cmd-erasure-1",
                                                         const std::string& pnc = "2019/0012345X") {
  safeguard::v1::DataProtectionRequest r;
  r.set_command_id(command_id);
  r.mutable_subject()->set_pnc_id(pnc);
  r.set_basis(safeguard::v1::ERASURE_COURT_ORDER);
  r.set_reason("Order of the Crown Court, case T20260117, to erase the record");
  r.set_approved_by("dpo-2");
  return r;
}

}  // namespace safeguard::testing
