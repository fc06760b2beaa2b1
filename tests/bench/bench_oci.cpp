// Benchmark driver for scripts/bench-oci: loads a host directory into a Tree and writes it
// as an OCI archive with one and with two compression threads; prints shell assignments.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "emit/oci/oci_writer.hpp"
#include "tree_fixtures.hpp"
#include "util/error.hpp"

int main(int argc, char** argv)
{
  if (argc != 3) {
    std::cerr << "usage: compose-bench-oci DIRECTORY WORKDIR\n";
    return 2;
  }
  try {
    using Clock = std::chrono::steady_clock;
    const compose::stage::Tree tree = compose::testing::load_directory(argv[1]);
    const std::filesystem::path work = argv[2];
    double seconds[3] = {};
    std::string digests[3];
    for (unsigned threads = 1; threads <= 2; ++threads) {
      compose::emit::oci::OciOptions options;
      options.epoch = 1700000000;
      options.architecture = "x86_64";
      options.threads = threads;
      const auto start = Clock::now();
      const auto result = compose::emit::oci::write_oci_archive(
          tree, {}, options, work / ("bench-" + std::to_string(threads) + ".oci.tar"));
      seconds[threads] = std::chrono::duration<double>(Clock::now() - start).count();
      digests[threads] = result.file_sha256;
      if (threads == 2)
        std::printf("layer_bytes=%llu\n", static_cast<unsigned long long>(result.layer_size));
    }
    std::printf("content_bytes=%llu\none_thread_seconds=%.3f\ntwo_thread_seconds=%.3f\n"
                "same_bytes=%s\n",
                static_cast<unsigned long long>(tree.stats().content_bytes), seconds[1],
                seconds[2], digests[1] == digests[2] ? "yes" : "no");
  } catch (const compose::Error& error) {
    std::cerr << "compose-bench-oci: " << error.describe() << "\n";
    return 1;
  }
  return 0;
}
