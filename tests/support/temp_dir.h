#pragma once
// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
#include <filesystem>
#include <string>

namespace millrace::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "millrace-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace millrace::testing
