// The simulator is deterministic: one seed, one run, event for event.
#include <catch2/catch.hpp>

#include "simulation.h"

using namespace millrace::sim;

TEST_CASE("the same seed gives the same run, and different seeds different runs") {
  SimOptions options;
  options.seed = 12345;
  options.steps = 5000;
  const SimResult first = Simulation(options).run();
  const SimResult again = Simulation(options).run();
  REQUIRE(first.ok);
  CHECK(first.trace_hash == again.trace_hash);
  CHECK(first.summary == again.summary);
  options.seed = 12346;
  CHECK(Simulation(options).run().trace_hash != first.trace_hash);
}

TEST_CASE("a run without faults converges at once") {
  SimOptions options;
  options.seed = 3;
  options.steps = 3000;
  options.faults = false;
  const SimResult result = Simulation(options).run();
  INFO(result.violation);
  CHECK(result.ok);
}
