#pragma once
// TextTable: left-aligned columns separated by two spaces, for the CLI's human-readable output.
// Not thread-safe.
#include <string>
#include <vector>

namespace millrace::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Every row on its own line, each prefixed with `indent`.
  std::string render(const std::string& indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace millrace::cli
