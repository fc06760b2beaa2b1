// Command line: verbs (build is the default) and their flags.
#pragma once

namespace compose::cli {

// Parses argv and runs the verb; returns the exit code. Throws UsageError / Error.
int run(int argc, char** argv);

} // namespace compose::cli
