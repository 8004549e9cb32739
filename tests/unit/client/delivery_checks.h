#pragma once
// Checks on the delivery reports of records sent to one partition: each delivered, at offsets 0, 1, 2, ...
#include <catch2/catch.hpp>
#include <future>
#include <vector>

#include "millrace/client/delivery_report.h"

namespace millrace::testing {

inline void require_delivered_at_offsets_from_zero(
    std::vector<std::future<client::DeliveryReport>>& reports) {
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto report = reports[i].get();
    INFO(i << ": " << (report.error ? report.error->to_string() : "ok"));
    REQUIRE(report.ok());
    CHECK(report.offset == Offset{static_cast<int64_t>(i)});
  }
}

}  // namespace millrace::testing
