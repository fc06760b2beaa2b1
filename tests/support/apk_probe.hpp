// compose-fixture verbs that expose compose's Alpine readers and resolver to the oracle tests,
// which hold their answers against Alpine's own apk.static (tests/support/apk_oracle.py).
#pragma once

namespace compose::testing {

// apk-compare: stdin lines "A<TAB>B" -> "<", "=" or ">" (compare_versions).
int apk_compare_verb();
// apk-valid: stdin lines (versions) -> "1" or "0" (is_valid_version).
int apk_valid_verb();
// apk-list KEYS_DIR INDEX…: verifies and loads each index, prints "name-version" per record
// it keeps; skipped records go to stderr.
int apk_list_verb(int argc, char** argv);
// apk-resolve KEYS_DIR INDEX… < worlds: one world per stdin line (space-separated tokens);
// prints "ok NAME-VERSION…" (sorted) or "error MESSAGE" per world.
int apk_resolve_verb(int argc, char** argv);

} // namespace compose::testing
