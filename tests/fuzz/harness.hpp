// Fuzz harnesses: one entry function per parser that reads untrusted bytes. The same functions
// run under libFuzzer (libfuzzer_main.cpp, built with -DCOMPOSE_FUZZ=ON and clang) and in the
// unit tests, which replay every file of tests/fuzz/regressions/<harness>/ and
// tests/fuzz/seeds/<harness>/ through them, so a finding stays fixed with any compiler.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace compose::fuzz {

// Feeds `input` to one parser. compose::Error is the expected answer to bad bytes and is
// swallowed; anything else (another exception, a crash, a sanitizer report, a hang) is a
// finding.
using Entry = void (*)(std::string_view input);

struct Harness {
  const char* name; // "tar": tests/fuzz/fuzz_tar.cpp, binary fuzz_tar, regressions/tar/
  Entry entry;
};

const std::vector<Harness>& harnesses(); // sorted by name

// Runs `parse`, swallowing compose::Error only.
void expect_errors(const std::function<void()>& parse);

// The input split at `separator` (at most `parts` pieces, the last one keeping the rest), so
// one input can feed a parser several strings.
std::vector<std::string_view> split_input(std::string_view input, std::string_view separator,
                                          std::size_t parts);

// A per-process scratch file for parsers that read paths (libext2fs, the OCI inspector):
// `input` is written to $TMPDIR/compose-fuzz-<pid><suffix> and its path returned.
std::filesystem::path scratch_file(std::string_view input, const std::string& suffix);

void fuzz_apk_script(std::string_view input);
void fuzz_apk_version(std::string_view input);
void fuzz_apkindex(std::string_view input);
void fuzz_ar(std::string_view input);
void fuzz_bundle_manifest(std::string_view input);
void fuzz_deb(std::string_view input);
void fuzz_deb822(std::string_view input);
void fuzz_deb_script(std::string_view input);
void fuzz_deb_version(std::string_view input);
void fuzz_gzip_members(std::string_view input);
void fuzz_inspect_ext4(std::string_view input);
void fuzz_inspect_oci(std::string_view input);
void fuzz_lock(std::string_view input);
void fuzz_openpgp(std::string_view input);
void fuzz_pkginfo(std::string_view input);
void fuzz_recipe(std::string_view input);
void fuzz_release(std::string_view input);
void fuzz_shell(std::string_view input);
void fuzz_tar(std::string_view input);

} // namespace compose::fuzz
