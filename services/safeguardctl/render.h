// Readable text for the responses people read most: the risk view, the timeline and a
// command's result. Any other message is printed as indented JSON.
#pragma once

#include <string>

#include "google/protobuf/message.h"

namespace safeguard::cli {

std::string Render(const google::protobuf::Message& message);

// Indented JSON with enum names; used for --json and for messages without a renderer.
std::string RenderJson(const google::protobuf::Message& message);

}  // namespace safeguard::cli
