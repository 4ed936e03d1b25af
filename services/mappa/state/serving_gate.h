// Whether mappa-service's views may be served at all: not while they are incomplete (a
// rebuild from the log under way, ingest/projector.h), when an empty answer or a partial
// picture could be taken for a person's whole record. Every mappa-service read and
// command asks it first (grpc/serve_whole.h).
#pragma once

#include "absl/status/status.h"

namespace safeguard::mappa {

class ServingGate {
 public:
  virtual ~ServingGate() = default;

  // OK when the views are whole; kUnavailable, saying why and how far it has got, when
  // not. Thread-safe.
  virtual absl::Status Serving() const = 0;
};

}  // namespace safeguard::mappa
