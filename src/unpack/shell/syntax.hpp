// The one reader of POSIX sh both package families use: script text -> a small syntax
// tree (lists, && and ||, pipelines, if, case, loops, functions, simple commands whose
// words keep their quotes, parameters and command substitutions, redirections with their
// here-documents) with the line of every command. It never runs anything: the Alpine
// evaluator (unpack/apk/script_shell) and the Debian scanner (unpack/deb/shell_commands)
// each walk the tree with their own policy.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace compose::unpack::shell {

struct List;

// One piece of a word as written: "a${b:-c}'d'$(e)" has four.
struct WordPart {
  enum class Kind {
    literal,      // `text`; `quoted` when it came from '…', "…" or a backslash
    parameter,    // $name, $1, $@, ${name}, ${name<operation>argument}; `text` as written
    substitution, // $(…) or `…`: `commands`, `text` is the source between the delimiters
    arithmetic,   // $((…)): `text` as written, never evaluated
  } kind = Kind::literal;
  std::string text;
  bool quoted = false; // inside "…" (or '…' for literals): no field splitting or globbing
  // Parameters: the name ("x", "1", "@", "#", "?"), whether it was braced, and for
  // ${name<op>word} the operation (":-", "-", ":+", "+", ":=", "=", ":?", "?", "#", "##",
  // "%", "%%", "length" for ${#name}, "other" for bash forms) and its word.
  std::string name;
  bool braced = false;
  std::string operation;
  std::vector<WordPart> argument;
  std::shared_ptr<const List> commands; // substitutions
  bool backquoted = false;              // `…` rather than $(…)
  std::size_t line = 0;                 // where the part starts (1-based)
};

struct Word {
  std::string text; // the source as written, continuation lines removed
  std::vector<WordPart> parts;
  std::size_t line = 0;
};

struct Redirection {
  std::string op;      // "<" ">" ">>" ">|" "<>" "<&" ">&" "&>" "&>>" "<<" "<<-" "<<<"
  int descriptor = -1; // the number written before the operator ("2>"), -1 without one
  Word target;         // file, descriptor, here-string, or here-document delimiter
  // << and <<-: the body as written (tabs stripped for <<-); literal when the delimiter
  // was quoted, else $ and ` in it still expand when the command runs.
  std::shared_ptr<std::string> heredoc;
  bool heredoc_quoted = false;
  std::size_t line = 0;
};

struct Command;

struct Pipeline {
  bool negated = false; // "! cmd"
  std::vector<Command> commands;
  std::size_t line = 0;
};

enum class Connector { and_then, or_else }; // && and ||

struct AndOr {
  std::vector<Pipeline> pipelines;
  std::vector<Connector> connectors; // connectors[i] joins pipelines[i] and pipelines[i + 1]
  bool background = false;           // ended by "&"
  std::size_t line = 0;
};

struct List {
  std::vector<AndOr> items;
};

struct Branch {
  List condition; // if/elif
  List body;
};

struct CaseItem {
  std::vector<Word> patterns;
  List body;
  std::size_t line = 0;
};

struct Command {
  enum class Kind {
    simple,      // words (assignments first) and redirections
    brace_group, // { body; }
    subshell,    // ( body )
    if_clause,   // branches, otherwise
    case_clause, // words[0] is the subject; items
    for_loop,    // name, words are the items (none written: "$@"), body
    while_loop,  // branches[0] is condition and body
    until_loop,
    function_definition, // name, function_body
  } kind = Kind::simple;
  std::size_t line = 0; // 1-based line of the first token
  std::vector<Word> words;
  std::vector<Redirection> redirections;
  List body;
  std::vector<Branch> branches;
  std::optional<List> otherwise;
  std::vector<CaseItem> items;
  std::string name;
  bool items_written = false; // for: "in …" was written
  std::shared_ptr<const Command> function_body;
};

struct SyntaxError {
  std::string message; // "'fi' without 'if'", "too deeply nested (more than 200 levels)"
  std::size_t line = 0;
};

struct Script {
  List program;                     // every complete command before an error
  std::optional<SyntaxError> error; // the reader stopped here; the rest is not read
};

// How deep compound commands, substitutions and ${…} words may nest: deeper input is a
// syntax error, never a deep recursion.
constexpr int k_max_nesting = 200;

// Reads `text` (a whole script, or the inside of a substitution). Never throws for
// script content: what it cannot read is the `error`.
Script parse_script(std::string_view text);

// "NAME=value" as the first words of a simple command: NAME, else nullopt.
std::optional<std::string> assignment_name(const Word& word);
// The parts after "NAME=".
std::vector<WordPart> assignment_value(const Word& word);

// Is `word` exactly the unquoted literal `text` (a keyword, "[", "$@" tests use this)?
bool is_literal(const Word& word, std::string_view text);

// Calls `visit` on every simple command of `list`, in text order, nested ones included
// (not those inside substitutions).
void for_each_simple_command(const List& list, const std::function<void(const Command&)>& visit);
void for_each_simple_command(const Command& command,
                             const std::function<void(const Command&)>& visit);

} // namespace compose::unpack::shell
