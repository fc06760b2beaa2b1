// Reading sh into the syntax tree; see syntax.hpp. One pass over the characters: the
// tokeniser and the recursive-descent parser share a cursor because a word can hold a
// whole command list ("$(case x in a) b;; esac)") and here-document bodies start at the
// next newline, wherever the parser is.
#include "unpack/shell/syntax.hpp"

#include <algorithm>
#include <cctype>

#include "unpack/shell/word_reader.hpp"

namespace compose::unpack::shell {

namespace {

bool is_redirection(std::string_view op)
{
  return op.find_first_of("<>") != std::string_view::npos;
}

const char* const k_terminators[] = {"then", "else", "elif", "fi", "do", "done", "esac", "}"};

class Parser : private WordReader {
public:
  Parser(std::string_view text, std::size_t first_line, int depth)
      : WordReader(text, first_line, depth)
  {
  }

  Script read()
  {
    Script script;
    try {
      parse_list_into(script.program);
      if (peek().kind != Token::Kind::end)
        fail("unexpected " + describe(peek()), peek().line);
    } catch (const ReadFailure& failure) {
      script.error = failure.error;
    }
    return script;
  }

private:
  struct Token {
    enum class Kind { word, op, newline, end } kind = Kind::end;
    std::string op;
    int descriptor = -1;
    Word word;
    std::size_t line = 0;
  };

  // Substitutions: the reader parses "$(…)" on the same cursor.
  List read_substitution_list() override
  {
    List list;
    parse_list_into(list);
    if (!peek_op(")"))
      fail("expected ')' closing '$(' but found " + describe(peek()), peek().line);
    m_peeked.reset(); // the word reader goes on right after ")"
    return list;
  }

  Script read_nested(std::string_view text, std::size_t line) override
  {
    return Parser(text, line, depth() + 1).read();
  }

  // --- tokens ---

  const Token& peek()
  {
    if (!m_peeked)
      m_peeked = lex();
    return *m_peeked;
  }
  void advance() { m_peeked.reset(); }
  bool peek_op(std::string_view op) { return peek().kind == Token::Kind::op && peek().op == op; }
  bool peek_keyword(std::string_view keyword)
  {
    return peek().kind == Token::Kind::word && is_literal(peek().word, keyword);
  }
  void skip_newlines()
  {
    while (peek().kind == Token::Kind::newline)
      advance();
  }

  static std::string describe(const Token& token)
  {
    switch (token.kind) {
    case Token::Kind::word: return "'" + token.word.text + "'";
    case Token::Kind::op: return "'" + token.op + "'";
    case Token::Kind::newline: return "end of line";
    case Token::Kind::end: break;
    }
    return "end of script";
  }

  Token lex()
  {
    skip_blanks_and_comments();
    Token token;
    token.line = line();
    if (at_end()) {
      read_heredoc_bodies();
      return token;
    }
    const char c = current();
    if (c == '\n') {
      step_newline();
      read_heredoc_bodies();
      token.kind = Token::Kind::newline;
      return token;
    }
    // "2>": a descriptor number glued to a redirection operator.
    std::size_t digits = 0;
    while (std::isdigit(static_cast<unsigned char>(peek_char(digits))))
      ++digits;
    if (digits > 0 && (peek_char(digits) == '<' || peek_char(digits) == '>')) {
      const std::string_view number = take(digits);
      // dash and bash refuse descriptors past a few digits too; stoi would throw out_of_range.
      if (number.size() > 4)
        fail("file descriptor " + std::string(number) + " is too large", token.line);
      token.descriptor = std::stoi(std::string(number));
      token.kind = Token::Kind::op;
      token.op = read_operator();
      return token;
    }
    if (is_operator_char(c)) {
      token.kind = Token::Kind::op;
      token.op = read_operator();
      return token;
    }
    token.kind = Token::Kind::word;
    token.word = read_word();
    return token;
  }

  std::string read_operator()
  {
    static const char* const k_operators[] = {"&&", "||", ";;", "&>>", "&>", "<<<", "<<-",
                                              "<<", "<>", "<&", ">>", ">&", ">|", ";",
                                              "&",  "|",  "(",  ")",  "<",  ">"};
    for (const char* op : k_operators)
      if (starts_with(op))
        return std::string(take(std::string_view(op).size()));
    return std::string(take(1));
  }

  // --- grammar ---

  bool at_terminator()
  {
    const Token& token = peek();
    if (token.kind == Token::Kind::end)
      return true;
    if (token.kind == Token::Kind::op)
      return token.op == ")" || token.op == ";;";
    if (token.kind != Token::Kind::word)
      return false;
    return std::any_of(std::begin(k_terminators), std::end(k_terminators),
                       [&](const char* keyword) { return is_literal(token.word, keyword); });
  }

  // Commands separated by ";", "&" and newlines, up to a keyword, ")" or ";;" that the
  // caller expects. Complete commands are in `list` even when a later one fails.
  void parse_list_into(List& list)
  {
    while (true) {
      skip_newlines();
      if (at_terminator())
        return;
      list.items.push_back(parse_and_or());
      if (peek_op(";") || peek_op("&")) {
        list.items.back().background = peek().op == "&";
        advance();
      } else if (peek().kind == Token::Kind::newline) {
        advance();
      } else if (!at_terminator()) {
        fail("unexpected " + describe(peek()), peek().line);
      }
    }
  }

  List parse_list()
  {
    List list;
    parse_list_into(list);
    return list;
  }

  void expect_keyword(std::string_view keyword, std::string_view opened, std::size_t line_opened)
  {
    if (!peek_keyword(keyword))
      fail("expected '" + std::string(keyword) + "' for the '" + std::string(opened) +
               "' of line " + std::to_string(line_opened) + " but found " + describe(peek()),
           peek().line);
    advance();
  }

  AndOr parse_and_or()
  {
    AndOr and_or;
    and_or.line = peek().line;
    and_or.pipelines.push_back(parse_pipeline());
    while (peek_op("&&") || peek_op("||")) {
      and_or.connectors.push_back(peek().op == "&&" ? Connector::and_then : Connector::or_else);
      advance();
      skip_newlines();
      and_or.pipelines.push_back(parse_pipeline());
    }
    return and_or;
  }

  Pipeline parse_pipeline()
  {
    Pipeline pipeline;
    pipeline.line = peek().line;
    if (peek_keyword("!")) {
      pipeline.negated = true;
      advance();
    }
    pipeline.commands.push_back(parse_command());
    while (peek_op("|")) {
      advance();
      skip_newlines();
      pipeline.commands.push_back(parse_command());
    }
    return pipeline;
  }

  Command parse_command()
  {
    const Token& token = peek();
    Command command;
    command.line = token.line;
    if (token.kind == Token::Kind::op && token.op == "(") {
      const Nesting nesting = enter(token.line);
      advance();
      command.kind = Command::Kind::subshell;
      command.body = parse_list();
      if (!peek_op(")"))
        fail("expected ')' for the '(' of line " + std::to_string(command.line) +
                 " but found " + describe(peek()),
             peek().line);
      advance();
    } else if (token.kind == Token::Kind::word && is_compound_keyword(token.word)) {
      const Nesting nesting = enter(token.line);
      parse_compound(command);
    } else if (token.kind == Token::Kind::word && is_literal(token.word, "function")) {
      advance(); // bash: "function name [()] body"
      if (peek().kind != Token::Kind::word)
        fail("expected a function name after 'function'", peek().line);
      command.name = peek().word.text;
      advance();
      if (peek_op("(")) {
        advance();
        if (!peek_op(")"))
          fail("expected ')' after '" + command.name + " ('", peek().line);
        advance();
      }
      parse_function_body(command);
      return command;
    } else {
      parse_simple(command);
      return command;
    }
    while (peek().kind == Token::Kind::op && is_redirection(peek().op))
      command.redirections.push_back(parse_redirection());
    return command;
  }

  static bool is_compound_keyword(const Word& word)
  {
    for (const char* keyword : {"if", "case", "for", "while", "until", "{"})
      if (is_literal(word, keyword))
        return true;
    return false;
  }

  void parse_compound(Command& command)
  {
    const std::string keyword = peek().word.text;
    advance();
    if (keyword == "{") {
      command.kind = Command::Kind::brace_group;
      command.body = parse_list();
      expect_keyword("}", "{", command.line);
    } else if (keyword == "if") {
      command.kind = Command::Kind::if_clause;
      do {
        Branch branch;
        branch.condition = parse_list();
        expect_keyword("then", "if", command.line);
        branch.body = parse_list();
        command.branches.push_back(std::move(branch));
      } while (peek_keyword("elif") && (advance(), true));
      if (peek_keyword("else")) {
        advance();
        command.otherwise = parse_list();
      }
      expect_keyword("fi", "if", command.line);
    } else if (keyword == "while" || keyword == "until") {
      command.kind = keyword == "while" ? Command::Kind::while_loop : Command::Kind::until_loop;
      Branch branch;
      branch.condition = parse_list();
      expect_keyword("do", keyword, command.line);
      branch.body = parse_list();
      expect_keyword("done", keyword, command.line);
      command.branches.push_back(std::move(branch));
    } else if (keyword == "for") {
      parse_for(command);
    } else {
      parse_case(command);
    }
  }

  void parse_for(Command& command)
  {
    command.kind = Command::Kind::for_loop;
    if (peek().kind != Token::Kind::word || !assignable(peek().word))
      fail("expected a variable name after 'for' but found " + describe(peek()), peek().line);
    command.name = peek().word.text;
    advance();
    skip_newlines();
    if (peek_keyword("in")) {
      advance();
      command.items_written = true;
      while (peek().kind == Token::Kind::word) {
        command.words.push_back(peek().word);
        advance();
      }
    }
    if (peek_op(";"))
      advance();
    skip_newlines();
    expect_keyword("do", "for", command.line);
    command.body = parse_list();
    expect_keyword("done", "for", command.line);
  }

  void parse_case(Command& command)
  {
    command.kind = Command::Kind::case_clause;
    if (peek().kind != Token::Kind::word)
      fail("expected a word after 'case' but found " + describe(peek()), peek().line);
    command.words.push_back(peek().word);
    advance();
    skip_newlines();
    expect_keyword("in", "case", command.line);
    while (true) {
      skip_newlines();
      if (peek_keyword("esac")) {
        advance();
        return;
      }
      CaseItem item;
      item.line = peek().line;
      if (peek_op("("))
        advance();
      while (true) {
        if (peek().kind != Token::Kind::word)
          fail("expected a case pattern but found " + describe(peek()), peek().line);
        item.patterns.push_back(peek().word);
        advance();
        if (!peek_op("|"))
          break;
        advance();
      }
      if (!peek_op(")"))
        fail("expected ')' after a case pattern but found " + describe(peek()), peek().line);
      advance();
      item.body = parse_list();
      command.items.push_back(std::move(item));
      if (peek_op(";;"))
        advance();
      else if (!peek_keyword("esac"))
        fail("expected ';;' or 'esac' for the 'case' of line " + std::to_string(command.line) +
                 " but found " + describe(peek()),
             peek().line);
    }
  }

  void parse_simple(Command& command)
  {
    command.kind = Command::Kind::simple;
    while (true) {
      const Token& token = peek();
      if (token.kind == Token::Kind::word) {
        command.words.push_back(token.word);
        advance();
        // "name() {": a function definition.
        if (command.words.size() == 1 && command.redirections.empty() && peek_op("(") &&
            definable(command.words[0])) {
          advance();
          if (!peek_op(")"))
            fail("expected ')' after '" + command.words[0].text + " ('", peek().line);
          advance();
          command.kind = Command::Kind::function_definition;
          command.name = command.words[0].text;
          command.words.clear();
          parse_function_body(command);
          return;
        }
      } else if (token.kind == Token::Kind::op && is_redirection(token.op)) {
        command.redirections.push_back(parse_redirection());
      } else {
        break;
      }
    }
    if (command.words.empty() && command.redirections.empty())
      fail("unexpected " + describe(peek()), peek().line);
  }

  void parse_function_body(Command& command)
  {
    command.kind = Command::Kind::function_definition;
    skip_newlines();
    const Nesting nesting = enter(peek().line);
    Command body = parse_command();
    if (body.kind == Command::Kind::simple || body.kind == Command::Kind::function_definition)
      fail("the body of function '" + command.name + "' is not a compound command",
           body.line);
    command.function_body = std::make_shared<const Command>(std::move(body));
  }

  Redirection parse_redirection()
  {
    Redirection redirection;
    redirection.op = peek().op;
    redirection.descriptor = peek().descriptor;
    redirection.line = peek().line;
    advance();
    if (peek().kind != Token::Kind::word)
      fail("expected a file after '" + redirection.op + "' but found " + describe(peek()),
           peek().line);
    redirection.target = peek().word;
    advance();
    if (redirection.op == "<<" || redirection.op == "<<-") {
      // The body starts after the next newline; the delimiter's quotes are removed and
      // make the body literal.
      redirection.heredoc = std::make_shared<std::string>();
      std::string delimiter;
      for (const WordPart& part : redirection.target.parts) {
        redirection.heredoc_quoted = redirection.heredoc_quoted || part.quoted;
        delimiter += part.kind == WordPart::Kind::literal ? part.text : "$" + part.name;
      }
      if (redirection.target.text.find('\\') != std::string::npos)
        redirection.heredoc_quoted = true;
      expect_heredoc(delimiter, redirection.op == "<<-", redirection.heredoc);
    }
    return redirection;
  }

  static bool assignable(const Word& word)
  {
    return word.parts.size() == 1 && word.parts[0].kind == WordPart::Kind::literal &&
           !word.parts[0].quoted && !word.text.empty() &&
           !std::isdigit(static_cast<unsigned char>(word.text[0])) &&
           std::all_of(word.text.begin(), word.text.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
           });
  }

  // Function names: bash also accepts "-", "." and ":" ("in-sysroot() {").
  static bool definable(const Word& word)
  {
    return word.parts.size() == 1 && word.parts[0].kind == WordPart::Kind::literal &&
           !word.parts[0].quoted && !word.text.empty() &&
           std::all_of(word.text.begin(), word.text.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                    c == '.' || c == ':';
           });
  }

  std::optional<Token> m_peeked;
};

} // namespace

Script parse_script(std::string_view text)
{
  return Parser(text, 1, 0).read();
}

} // namespace compose::unpack::shell
