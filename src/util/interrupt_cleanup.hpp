// What an interrupted build leaves: nothing. Every temporary path (TempPath: output staging,
// downloads in cache/tmp, AtomicFile's "<dest>.tmp-…") is listed here while it exists; on
// SIGINT, SIGTERM or SIGHUP one thread removes them all and the process exits 128 + signal
// (130 for Ctrl-C, 143 for a TERM), as a shell reports it.
#pragma once

#include <filesystem>

namespace compose {

void register_partial(const std::filesystem::path& path);
void unregister_partial(const std::filesystem::path& path);
// A directory made only to hold partial paths: removed on interrupt if it is empty by then.
void register_created_directory(const std::filesystem::path& path);
void unregister_created_directory(const std::filesystem::path& path);

// Called once from main() before any other thread starts: blocks the signals in this thread
// (threads started later inherit the mask) and starts the thread that waits for them.
void remove_partials_on_interrupt();
// (Child processes must not inherit the blocked mask: posix_spawn callers give them an empty
// one, see boot/child_process.cpp.)

} // namespace compose
