// The shared sh reader: quoting, here-documents, continuation lines, compound commands,
// functions, comments, substitutions, line numbers, syntax errors and the nesting bound.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "unpack/shell/syntax.hpp"

using namespace compose::unpack::shell;

namespace {

// The simple commands of `text` as "line: word word …", words as written.
std::vector<std::string> commands_of(const std::string& text)
{
  const Script script = parse_script(text);
  REQUIRE_MESSAGE(!script.error, (script.error ? script.error->message : ""));
  std::vector<std::string> commands;
  for_each_simple_command(script.program, [&](const Command& command) {
    std::string line = std::to_string(command.line) + ":";
    for (const Word& word : command.words)
      line += " " + word.text;
    commands.push_back(line);
  });
  return commands;
}

const Command& first_command(const Script& script)
{
  REQUIRE(!script.program.items.empty());
  return script.program.items[0].pipelines[0].commands[0];
}

std::string repeat(const std::string& text, int count)
{
  std::string out;
  for (int i = 0; i < count; ++i)
    out += text;
  return out;
}

} // namespace

TEST_SUITE("unpack::shell::parse_script")
{
  TEST_CASE("quotes become parts that remember whether they were quoted")
  {
    const Script script = parse_script("echo 'a b' \"c $x ${y:-d e}\" f\\ g h*\n");
    REQUIRE_FALSE(script.error);
    const Command& echo = first_command(script);
    REQUIRE(echo.words.size() == 5);
    const Word& single = echo.words[1];
    REQUIRE(single.parts.size() == 1);
    CHECK(single.parts[0].text == "a b");
    CHECK(single.parts[0].quoted);
    const Word& dbl = echo.words[2];
    REQUIRE(dbl.parts.size() == 4);
    CHECK(dbl.parts[0].text == "c ");
    CHECK(dbl.parts[1].kind == WordPart::Kind::parameter);
    CHECK(dbl.parts[1].name == "x");
    CHECK(dbl.parts[1].quoted);
    CHECK(dbl.parts[3].name == "y");
    CHECK(dbl.parts[3].operation == ":-");
    REQUIRE(dbl.parts[3].argument.size() == 1);
    CHECK(dbl.parts[3].argument[0].text == "d e");
    REQUIRE(echo.words[3].parts.size() == 3); // "f", the escaped " ", "g"
    CHECK(echo.words[3].parts[1].quoted);
    CHECK(echo.words[3].parts[1].text == " ");
    CHECK_FALSE(echo.words[4].parts[0].quoted);
    CHECK(is_literal(echo.words[4], "h*"));
    // An empty quoted word is still a word.
    CHECK(first_command(parse_script("x \"\" ''\n")).words.size() == 3);
  }

  TEST_CASE("continuation lines join words; line numbers count them")
  {
    CHECK(commands_of("update-alternatives --install \\\n    /usr/bin/awk awk \\\n  /usr/bin/mawk 5\n"
                      "next\n") ==
          std::vector<std::string>{"1: update-alternatives --install /usr/bin/awk awk /usr/bin/mawk 5",
                                   "4: next"});
    CHECK(commands_of("echo a\\\nb\nx") == std::vector<std::string>{"1: echo ab", "3: x"});
    CHECK(commands_of("echo 'two\nlines'\nafter\n") ==
          std::vector<std::string>{"1: echo 'two\nlines'", "3: after"});
  }

  TEST_CASE("comments end at the line; '#' inside a word is the word")
  {
    CHECK(commands_of("# comment 'with quote\necho a#b # comment \"\n  # indented\nz\n") ==
          std::vector<std::string>{"2: echo a#b", "4: z"});
  }

  TEST_CASE("here-documents: bodies, quoted delimiters, <<- and two on one line")
  {
    const Script script =
        parse_script("cat <<EOF >/etc/x\nline $HOME\nEOF\ncat <<-'E' <<F\n\tliteral $x\n\tE\n"
                     "second\nF\nnext <<< here\n");
    REQUIRE_FALSE(script.error);
    REQUIRE(script.program.items.size() == 3);
    const Command& first = first_command(script);
    REQUIRE(first.redirections.size() == 2);
    CHECK(*first.redirections[0].heredoc == "line $HOME\n");
    CHECK_FALSE(first.redirections[0].heredoc_quoted);
    CHECK(first.redirections[1].op == ">");
    CHECK(first.redirections[1].target.text == "/etc/x");
    const Command& second = script.program.items[1].pipelines[0].commands[0];
    REQUIRE(second.redirections.size() == 2);
    CHECK(*second.redirections[0].heredoc == "literal $x\n");
    CHECK(second.redirections[0].heredoc_quoted);
    CHECK(*second.redirections[1].heredoc == "second\n");
    const Command& third = script.program.items[2].pipelines[0].commands[0];
    CHECK(third.line == 9);
    CHECK(third.redirections[0].op == "<<<");
  }

  TEST_CASE("redirections keep their descriptor and target")
  {
    const Command command = first_command(parse_script("cmd 2>/dev/null >>log 1>&2 &>all\n"));
    REQUIRE(command.redirections.size() == 4);
    CHECK(command.redirections[0].descriptor == 2);
    CHECK(command.redirections[0].op == ">");
    CHECK(command.redirections[1].op == ">>");
    CHECK(command.redirections[2].op == ">&");
    CHECK(command.redirections[2].target.text == "2");
    CHECK(command.redirections[3].op == "&>");
    CHECK(command.words.size() == 1);
  }

  TEST_CASE("nested if, case and loops")
  {
    const std::string text = "if [ \"$1\" = configure ]; then\n"
                             "  case \"$2\" in\n"
                             "    1.*|2.*) if a; then b; elif c; then d; else e; fi ;;\n"
                             "    (*) for f in x y; do g \"$f\"; done\n"
                             "  esac\n"
                             "elif ! h && i || j | k; then\n"
                             "  while l; do m; done\n"
                             "fi > /dev/null\n";
    const Script script = parse_script(text);
    REQUIRE_FALSE(script.error);
    const Command& outer = first_command(script);
    CHECK(outer.kind == Command::Kind::if_clause);
    REQUIRE(outer.branches.size() == 2);
    CHECK(outer.redirections.size() == 1);
    const Command& inner_case = outer.branches[0].body.items[0].pipelines[0].commands[0];
    CHECK(inner_case.kind == Command::Kind::case_clause);
    REQUIRE(inner_case.items.size() == 2);
    CHECK(inner_case.items[0].patterns.size() == 2);
    CHECK(inner_case.items[1].line == 4);
    const Command& inner_if = inner_case.items[0].body.items[0].pipelines[0].commands[0];
    CHECK(inner_if.branches.size() == 2);
    CHECK(inner_if.otherwise.has_value());
    const AndOr& condition = outer.branches[1].condition.items[0];
    CHECK(condition.pipelines.size() == 3);
    CHECK(condition.pipelines[0].negated);
    CHECK(condition.connectors ==
          std::vector<Connector>{Connector::and_then, Connector::or_else});
    CHECK(condition.pipelines[2].commands.size() == 2);
    CHECK(commands_of(text) ==
          std::vector<std::string>{"1: [ \"$1\" = configure ]", "3: a", "3: b", "3: c", "3: d",
                                   "3: e", "4: g \"$f\"", "6: h", "6: i", "6: j", "6: k",
                                   "7: l", "7: m"});
  }

  TEST_CASE("functions: name() and bash's function keyword")
  {
    const Script script =
        parse_script("ua() {\n  update-alternatives \"$@\"\n}\nfunction g { y; }\nin-sysroot ()\n"
                     "(\n z\n)\nua x\n");
    REQUIRE_FALSE(script.error);
    REQUIRE(script.program.items.size() == 4);
    const Command& ua = first_command(script);
    CHECK(ua.kind == Command::Kind::function_definition);
    CHECK(ua.name == "ua");
    REQUIRE(ua.function_body);
    CHECK(ua.function_body->kind == Command::Kind::brace_group);
    const Command& g = script.program.items[1].pipelines[0].commands[0];
    CHECK(g.name == "g");
    const Command& sysroot = script.program.items[2].pipelines[0].commands[0];
    CHECK(sysroot.name == "in-sysroot");
    CHECK(sysroot.function_body->kind == Command::Kind::subshell);
    CHECK(commands_of("f() { a; }\nf\n") == std::vector<std::string>{"1: a", "2: f"});
  }

  TEST_CASE("$(…) and backquotes hold commands of their own")
  {
    const Script script = parse_script(
        "x=$(case $1 in a) echo \"$(readlink /x)\";; esac)\ny=`dpkg --print-architecture`\n"
        "z=\"`echo \\`inner\\``\" n=$((1 + (2 * 3)))\n");
    REQUIRE_FALSE(script.error);
    const Word& x = first_command(script).words[0];
    REQUIRE(assignment_name(x) == "x");
    const std::vector<WordPart> value = assignment_value(x);
    REQUIRE(value.size() == 1);
    CHECK(value[0].kind == WordPart::Kind::substitution);
    CHECK(value[0].text == "case $1 in a) echo \"$(readlink /x)\";; esac");
    const Command& case_clause = value[0].commands->items[0].pipelines[0].commands[0];
    CHECK(case_clause.kind == Command::Kind::case_clause);
    const Word& y = script.program.items[1].pipelines[0].commands[0].words[0];
    const std::vector<WordPart> y_value = assignment_value(y);
    CHECK(y_value[0].backquoted);
    CHECK(y_value[0].line == 2);
    const Command& third = script.program.items[2].pipelines[0].commands[0];
    const WordPart nested = assignment_value(third.words[0])[1];
    CHECK(nested.text == "echo `inner`");
    const WordPart& innermost =
        nested.commands->items[0].pipelines[0].commands[0].words[1].parts[0];
    CHECK(innermost.kind == WordPart::Kind::substitution);
    CHECK(innermost.text == "inner");
    const WordPart arithmetic = assignment_value(third.words[1])[0];
    CHECK(arithmetic.kind == WordPart::Kind::arithmetic);
    CHECK(arithmetic.text == "$((1 + (2 * 3)))");
  }

  TEST_CASE("what it cannot read is an error with its line; complete commands before it stay")
  {
    struct Case {
      std::string text;
      std::string message;
      std::size_t line;
    };
    const std::vector<Case> cases = {
        {"a\nif true; then\n  b\n", "expected 'fi' for the 'if' of line 2", 4},
        {"a\nfi\n", "unexpected 'fi'", 2},
        {"a\necho 'open\nquote\n", "unterminated '…' quote", 2},
        {"a\necho \"open\n", "unterminated \"…\" quote", 2},
        {"a\ncase x in\n a b) c;;\nesac\n", "expected ')' after a case pattern but found 'b'", 3},
        {"a\nf() b\n", "the body of function 'f' is not a compound command", 2},
        {"a\necho $(b\n", "expected ')' closing '$('", 3},
        {"a\necho ${x\n", "unterminated '${x'", 2},
        {"a\necho `b\n", "unterminated '`'", 2},
        {"a\nfor ((i=0; i<3; i++)); do :; done\n", "expected a variable name after 'for'", 2},
        {"a\n&& b\n", "unexpected '&&'", 2},
        {"a\ncmd 99999999999999999999>x\n", "file descriptor 99999999999999999999 is too large", 2},
    };
    for (const Case& item : cases) {
      CAPTURE(item.text);
      const Script script = parse_script(item.text);
      REQUIRE(script.error);
      CHECK(script.error->message.find(item.message) != std::string::npos);
      CHECK(script.error->line == item.line);
      CHECK(script.program.items.size() == 1); // "a" was read
    }
  }

  TEST_CASE("nesting deeper than the bound is an error, not a stack overflow")
  {
    const int depth = 100000;
    const std::vector<std::string> texts = {
        repeat("if true; then\n", depth) + "x\n" + repeat("fi\n", depth),
        "echo " + repeat("$(", depth) + "x" + repeat(")", depth) + "\n",
        "echo \"" + repeat("$(echo \"", depth) + "\n",
        "echo " + repeat("${x:-", depth) + "y" + repeat("}", depth) + "\n",
        repeat("(", depth) + "x" + repeat(")", depth) + "\n",
        repeat("{ ", depth) + "x" + repeat("; }", depth) + "\n",
        repeat("f() { ", depth) + "\n",
        repeat("case x in x) ", depth) + "\n",
    };
    for (const std::string& text : texts) {
      CAPTURE(text.substr(0, 40));
      const Script script = parse_script(text);
      REQUIRE(script.error);
      CHECK(script.error->message.find("too deeply nested") != std::string::npos);
    }
    // Just under the bound reads fine.
    const int allowed = k_max_nesting - 1;
    const Script fine = parse_script(repeat("if true; then\n", allowed) + "x\n" +
                                     repeat("fi\n", allowed));
    CHECK_FALSE(fine.error);
  }
}
