// Reproducing the effects of Alpine package scripts on the Tree; see script_effects.hpp.
#include "unpack/apk/script_effects.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <optional>
#include <regex>

#include "unpack/accounts.hpp"
#include "unpack/apk/script_shell.hpp"
#include "util/error.hpp"

namespace compose::unpack::apk {

namespace {

// getopt-style parsing of busybox applet arguments: combined short flags ("-SDH"),
// short options with values ("-g 42" or "-g42") and long options ("--system").
struct Options {
  std::map<char, std::string> values; // option -> value ("" for flags)
  std::vector<std::string> operands;
};

std::optional<Options> parse_options(const std::vector<std::string>& argv, std::string_view flags,
                                     std::string_view with_value,
                                     const std::map<std::string, char>& long_names)
{
  Options options;
  for (std::size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      options.operands.insert(options.operands.end(), argv.begin() + static_cast<long>(i) + 1,
                              argv.end());
      break;
    }
    if (word.starts_with("--")) {
      const std::size_t equals = word.find('=');
      const auto found = long_names.find(word.substr(2, equals == std::string::npos ? std::string::npos : equals - 2));
      if (found == long_names.end())
        return std::nullopt;
      if (with_value.find(found->second) != std::string_view::npos) {
        if (equals != std::string::npos)
          options.values[found->second] = word.substr(equals + 1);
        else if (i + 1 < argv.size())
          options.values[found->second] = argv[++i];
        else
          return std::nullopt;
      } else {
        options.values[found->second] = "";
      }
      continue;
    }
    if (word.size() < 2 || word[0] != '-') {
      options.operands.push_back(word);
      continue;
    }
    for (std::size_t j = 1; j < word.size(); ++j) {
      const char option = word[j];
      if (with_value.find(option) != std::string_view::npos) {
        if (j + 1 < word.size())
          options.values[option] = word.substr(j + 1);
        else if (i + 1 < argv.size())
          options.values[option] = argv[++i];
        else
          return std::nullopt;
        break;
      }
      if (flags.find(option) == std::string_view::npos)
        return std::nullopt;
      options.values[option] = "";
    }
  }
  return options;
}

std::optional<std::uint32_t> parse_id(const std::string& text)
{
  std::uint32_t value = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (status != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

std::optional<std::uint32_t> parse_octal_mode(const std::string& text)
{
  std::uint32_t value = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value, 8);
  if (status != std::errc() || end != text.data() + text.size() || text.empty() || value > 07777)
    return std::nullopt;
  return value;
}

std::string base_name(const std::string& path)
{
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class Effects {
public:
  explicit Effects(ScriptEnvironment& environment) : m_environment(environment) {}

  std::vector<std::string> effects;

  Status run(const std::vector<std::string>& argv)
  {
    const std::string name = base_name(argv[0]);
    // "/bin/busybox mkdir -p …" runs the applet.
    if ((name == "busybox" || name == "busybox-extras") && argv.size() > 1 &&
        argv[1] != "--install")
      return run(std::vector<std::string>(argv.begin() + 1, argv.end()));
    if (name == "busybox" || name == "busybox-extras")
      return applet_links(argv);
    if (name == "[" || name == "test")
      return test(argv);
    if (name == "grep")
      return grep(argv);
    if (name == "addgroup")
      return addgroup(argv);
    if (name == "adduser")
      return adduser(argv);
    if (name == "chown")
      return chown(argv);
    if (name == "chmod")
      return chmod(argv);
    if (name == "mkdir")
      return mkdir(argv);
    if (name == "ln")
      return ln(argv);
    if (name == "install")
      return install(argv);
    if (name == "set" && argv.size() == 2 &&
        argv[1].find_first_not_of("-eux") == std::string::npos)
      return Status::success; // shell options change nothing we reproduce
    if (name == "update-ca-certificates")
      return ca_certificates();
    return Status::unknown;
  }

  std::optional<std::string> readlink(const std::string& path) const
  {
    const std::shared_ptr<stage::Inode> inode = find(path);
    if (!inode || inode->type != stage::FileType::symlink)
      return std::nullopt;
    return inode->target;
  }

private:
  std::shared_ptr<stage::Inode> find(const std::string& path) const
  {
    try {
      return m_environment.tree.find(stage::Tree::normalise(path), stage::ParentSymlinks::follow);
    } catch (const Error&) {
      return nullptr;
    }
  }

  // Scripts run chrooted with cwd "/", so relative and absolute paths name the same file.
  std::optional<std::string> tree_path(const std::string& path) const
  {
    try {
      return stage::Tree::normalise(path);
    } catch (const Error&) {
      return std::nullopt;
    }
  }

  Status applet_links(const std::vector<std::string>& argv)
  {
    if (argv.size() == 3 && argv[1] == "--install" && argv[2] == "-s") {
      m_environment.applet_links_requested = true;
      effects.push_back("busybox applet links");
      return Status::success;
    }
    return Status::unknown;
  }

  Status test(std::vector<std::string> argv)
  {
    if (argv[0] == "[") {
      if (argv.back() != "]")
        return Status::unknown;
      argv.pop_back();
    }
    std::vector<std::string> words(argv.begin() + 1, argv.end());
    bool negate = false;
    if (!words.empty() && words[0] == "!") {
      negate = true;
      words.erase(words.begin());
    }
    std::optional<bool> result;
    if (words.size() == 2 && words[0].size() == 2 && words[0][0] == '-') {
      const char op = words[0][1];
      if (op == 'n' || op == 'z') {
        result = (op == 'n') != words[1].empty();
      } else {
        const std::shared_ptr<stage::Inode> linked = find(words[1]);
        const std::shared_ptr<stage::Inode> resolved =
            tree_path(words[1]) ? m_environment.tree.resolve(*tree_path(words[1])) : nullptr;
        switch (op) {
        case 'e':
        case 'r':
        case 'w': result = resolved != nullptr; break;
        case 'f': result = resolved && resolved->type == stage::FileType::regular; break;
        case 'd': result = resolved && resolved->type == stage::FileType::directory; break;
        case 'L':
        case 'h': result = linked && linked->type == stage::FileType::symlink; break;
        case 's': result = resolved && resolved->content.size() > 0; break;
        case 'x': result = resolved && (resolved->mode & 0111) != 0; break;
        default: break;
        }
      }
    } else if (words.size() == 3 && (words[1] == "=" || words[1] == "!=")) {
      result = (words[0] == words[2]) == (words[1] == "=");
    } else if (words.size() == 1) {
      result = !words[0].empty();
    }
    if (!result)
      return Status::unknown;
    return (*result != negate) ? Status::success : Status::failure;
  }

  // grep -q PATTERN FILE: a basic regular expression against each line of FILE.
  Status grep(const std::vector<std::string>& argv)
  {
    if (argv.size() != 4 || (argv[1] != "-q" && argv[1] != "-qs"))
      return Status::unknown;
    const std::shared_ptr<stage::Inode> file =
        tree_path(argv[3]) ? m_environment.tree.resolve(*tree_path(argv[3])) : nullptr;
    if (!file || file->type != stage::FileType::regular)
      return Status::failure; // grep: no such file (status 2, which is also "not found")
    std::regex pattern;
    try {
      pattern = std::regex(argv[2], std::regex::basic);
    } catch (const std::regex_error&) {
      return Status::unknown;
    }
    const std::string text_bytes = file->content.read();
    const std::string_view text = text_bytes;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      const std::string line(text.substr(start, end - start));
      if (std::regex_search(line, pattern))
        return Status::success;
      start = end + 1;
    }
    return Status::failure;
  }

  // busybox addgroup [-S] [-g GID] GROUP | addgroup USER GROUP
  Status addgroup(const std::vector<std::string>& argv)
  {
    const std::optional<Options> options =
        parse_options(argv, "S", "g", {{"system", 'S'}, {"gid", 'g'}});
    if (!options || options->operands.empty() || options->operands.size() > 2)
      return Status::unknown;
    Accounts accounts = Accounts::load(m_environment.tree);
    try {
      if (options->operands.size() == 2) {
        if (options->values.count('g'))
          return Status::unknown;
        accounts.add_member(options->operands[1], options->operands[0]);
        effects.push_back("addgroup " + options->operands[0] + " " + options->operands[1]);
      } else {
        std::optional<std::uint32_t> gid;
        if (options->values.count('g')) {
          gid = parse_id(options->values.at('g'));
          if (!gid)
            return Status::unknown;
        }
        const std::uint32_t chosen =
            accounts.add_group(options->operands[0], gid, options->values.count('S') != 0);
        effects.push_back("addgroup " + options->operands[0] + " (gid " +
                          std::to_string(chosen) + ")");
      }
    } catch (const Error&) {
      return Status::failure; // "group 'x' in use": busybox fails, the script goes on
    }
    accounts.store(m_environment.tree, m_environment.epoch);
    return Status::success;
  }

  // busybox adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GROUP] [-S] [-D] [-H] [-u UID] USER
  Status adduser(const std::vector<std::string>& argv)
  {
    const std::optional<Options> options = parse_options(
        argv, "DSH", "hgsGuk",
        {{"home", 'h'}, {"gecos", 'g'}, {"shell", 's'}, {"ingroup", 'G'},
         {"disabled-password", 'D'}, {"empty-password", 'D'}, {"system", 'S'},
         {"no-create-home", 'H'}, {"uid", 'u'}, {"skel", 'k'}});
    if (!options || options->operands.empty() || options->operands.size() > 2)
      return Status::unknown;
    Accounts accounts = Accounts::load(m_environment.tree);
    if (options->operands.size() == 2) {
      if (!options->values.empty())
        return Status::unknown;
      try {
        accounts.add_member(options->operands[1], options->operands[0]);
      } catch (const Error&) {
        return Status::failure;
      }
      accounts.store(m_environment.tree, m_environment.epoch);
      effects.push_back("adduser " + options->operands[0] + " " + options->operands[1]);
      return Status::success;
    }
    // Without -D busybox runs passwd interactively; -S implies -D.
    const bool system = options->values.count('S') != 0;
    if (!system && !options->values.count('D'))
      return Status::unknown;
    if (options->values.count('k'))
      return Status::unknown;
    Accounts::NewUser user;
    user.name = options->operands[0];
    user.system = system;
    if (options->values.count('h'))
      user.home = options->values.at('h');
    if (options->values.count('g'))
      user.gecos = options->values.at('g');
    if (options->values.count('s'))
      user.shell = options->values.at('s');
    if (options->values.count('G'))
      user.group = options->values.at('G');
    if (options->values.count('u')) {
      user.uid = parse_id(options->values.at('u'));
      if (!user.uid)
        return Status::unknown;
    }
    std::uint32_t uid = 0;
    try {
      uid = accounts.add_user(user, m_environment.epoch / 86400);
    } catch (const Error&) {
      return Status::failure; // "user 'x' in use"
    }
    accounts.store(m_environment.tree, m_environment.epoch);
    effects.push_back("adduser " + user.name + " (uid " + std::to_string(uid) + ")");
    if (!options->values.count('H'))
      return make_home(user.home.empty() ? "/home/" + user.name : user.home, uid,
                       accounts.primary_gid(user.name).value_or(uid));
    return Status::success;
  }

  // busybox adduser: mkdir HOME 0755 (not recursive), copy /etc/skel into a new one, then
  // chown and chmod 02755.
  Status make_home(const std::string& home, std::uint32_t uid, std::uint32_t gid)
  {
    const std::optional<std::string> path = tree_path(home);
    if (!path || path->empty())
      return Status::unknown;
    stage::Tree& tree = m_environment.tree;
    const std::shared_ptr<stage::Inode> skel = tree.find("etc/skel");
    if (!tree.exists(*path)) {
      if (skel && !skel->children.empty())
        return Status::unknown; // copying /etc/skel is not reproduced
      const std::size_t slash = path->rfind('/');
      const std::string parent = slash == std::string::npos ? "" : path->substr(0, slash);
      const std::shared_ptr<stage::Inode> parent_inode = tree.find(parent);
      if (!parent_inode || parent_inode->type != stage::FileType::directory)
        return Status::success; // busybox prints the mkdir error and carries on
      stage::Inode directory;
      directory.type = stage::FileType::directory;
      directory.mtime = m_environment.epoch;
      tree.add(*path, std::move(directory));
    }
    const std::shared_ptr<stage::Inode> inode = tree.find(*path);
    inode->uid = uid;
    inode->gid = gid;
    inode->mode = 02755;
    effects.push_back("home " + home);
    return Status::success;
  }

  // "user", "user:group", ":group" (or the older '.' separator) to ids; false when a name
  // is unknown (chown fails then).
  bool parse_owner(const std::string& owner, std::optional<std::uint32_t>& uid,
                   std::optional<std::uint32_t>& gid) const
  {
    const std::size_t colon = owner.find_first_of(":.");
    const std::string user = owner.substr(0, colon);
    const std::string group = colon == std::string::npos ? "" : owner.substr(colon + 1);
    const Accounts accounts = Accounts::load(m_environment.tree);
    if (!user.empty()) {
      uid = accounts.uid_of(user) ? accounts.uid_of(user) : parse_id(user);
      if (!uid)
        return false;
    }
    if (!group.empty()) {
      gid = accounts.gid_of(group) ? accounts.gid_of(group) : parse_id(group);
      if (!gid)
        return false;
    }
    return true;
  }

  // Applies `change` to each operand (following a symlink operand, like chown and chmod),
  // and with -R to everything below it.
  Status for_each_operand(const std::vector<std::string>& operands, bool recursive,
                          const std::string& what,
                          const std::function<void(stage::Inode&)>& change)
  {
    // A work list, not recursion: the tree's depth is the packages' to choose.
    const auto walk = [&](stage::Inode& top) {
      std::vector<stage::Inode*> pending{&top};
      while (!pending.empty()) {
        stage::Inode& inode = *pending.back();
        pending.pop_back();
        change(inode);
        if (recursive)
          for (auto& [name, child] : inode.children)
            pending.push_back(child.get());
      }
    };
    Status status = Status::success;
    for (const std::string& operand : operands) {
      const std::optional<std::string> path = tree_path(operand);
      const std::shared_ptr<stage::Inode> inode = path ? m_environment.tree.resolve(*path) : nullptr;
      if (!inode) {
        status = Status::failure; // no such file: the command fails, the script goes on
        continue;
      }
      walk(*inode);
      effects.push_back(what + " " + operand);
    }
    return status;
  }

  Status chown(const std::vector<std::string>& argv)
  {
    const std::optional<Options> options = parse_options(argv, "Rh", "", {});
    if (!options || options->operands.size() < 2)
      return Status::unknown;
    std::optional<std::uint32_t> uid, gid;
    if (!parse_owner(options->operands[0], uid, gid))
      return Status::failure; // chown: unknown user or group
    return for_each_operand(
        std::vector<std::string>(options->operands.begin() + 1, options->operands.end()),
        options->values.count('R') != 0, "chown " + options->operands[0],
        [&](stage::Inode& inode) {
          if (uid)
            inode.uid = *uid;
          if (gid)
            inode.gid = *gid;
        });
  }

  Status chmod(const std::vector<std::string>& argv)
  {
    const std::optional<Options> options = parse_options(argv, "R", "", {});
    if (!options || options->operands.size() < 2)
      return Status::unknown;
    const std::optional<std::uint32_t> mode = parse_octal_mode(options->operands[0]);
    if (!mode)
      return Status::unknown; // symbolic modes are not reproduced
    return for_each_operand(
        std::vector<std::string>(options->operands.begin() + 1, options->operands.end()),
        options->values.count('R') != 0, "chmod " + options->operands[0],
        [&](stage::Inode& inode) {
          if (inode.type != stage::FileType::symlink)
            inode.mode = *mode;
        });
  }

  // install -d [-o USER] [-g GROUP] [-m MODE] DIR…: directories with parents, then owner
  // and mode on the named ones.
  Status install(const std::vector<std::string>& argv)
  {
    const std::optional<Options> options = parse_options(argv, "d", "ogm", {});
    if (!options || !options->values.count('d') || options->operands.empty())
      return Status::unknown;
    std::vector<std::string> mkdir_argv{"mkdir", "-p"};
    mkdir_argv.insert(mkdir_argv.end(), options->operands.begin(), options->operands.end());
    if (const Status made = mkdir(mkdir_argv); made != Status::success)
      return made;
    std::optional<std::uint32_t> uid, gid;
    const std::string owner = (options->values.count('o') ? options->values.at('o') : "") + ":" +
                              (options->values.count('g') ? options->values.at('g') : "");
    if (owner != ":" && !parse_owner(owner, uid, gid))
      return Status::failure;
    std::optional<std::uint32_t> mode = 0755;
    if (options->values.count('m'))
      mode = parse_octal_mode(options->values.at('m'));
    if (!mode)
      return Status::unknown;
    return for_each_operand(options->operands, false, "install -d", [&](stage::Inode& inode) {
      if (uid)
        inode.uid = *uid;
      if (gid)
        inode.gid = *gid;
      inode.mode = *mode;
    });
  }

  Status mkdir(const std::vector<std::string>& argv)
  {
    const std::optional<Options> options = parse_options(argv, "p", "m", {{"parents", 'p'}, {"mode", 'm'}});
    if (!options || options->operands.empty())
      return Status::unknown;
    std::uint32_t mode = 0755;
    if (options->values.count('m')) {
      const std::optional<std::uint32_t> parsed = parse_octal_mode(options->values.at('m'));
      if (!parsed)
        return Status::unknown;
      mode = *parsed;
    }
    const bool parents = options->values.count('p') != 0;
    for (const std::string& operand : options->operands) {
      const std::optional<std::string> path = tree_path(operand);
      if (!path)
        return Status::unknown;
      if (path->empty() || m_environment.tree.exists(*path))
        continue;
      stage::Inode directory;
      directory.type = stage::FileType::directory;
      directory.mode = mode;
      directory.mtime = m_environment.epoch;
      try {
        m_environment.tree.add(*path, std::move(directory), stage::Existing::keep,
                               stage::ParentSymlinks::follow, parents);
      } catch (const Error&) {
        return Status::failure;
      }
      effects.push_back("mkdir " + operand);
    }
    return Status::success;
  }

  Status ln(const std::vector<std::string>& argv)
  {
    const std::optional<Options> options = parse_options(argv, "sfn", "", {});
    if (!options || !options->values.count('s') || options->operands.size() != 2)
      return Status::unknown;
    const std::optional<std::string> path = tree_path(options->operands[1]);
    if (!path || path->empty())
      return Status::unknown;
    const std::shared_ptr<stage::Inode> existing = m_environment.tree.find(*path);
    if (existing && existing->type == stage::FileType::directory)
      return Status::unknown; // "ln -s x dir" links inside the directory
    if (existing && !options->values.count('f'))
      return Status::failure;
    stage::Inode link;
    link.type = stage::FileType::symlink;
    link.mode = 0777;
    link.target = options->operands[0];
    link.mtime = m_environment.epoch;
    try {
      m_environment.tree.add(*path, std::move(link));
    } catch (const Error&) {
      return Status::failure;
    }
    effects.push_back("ln -s " + options->operands[0] + " " + options->operands[1]);
    return Status::success;
  }

  // The ca-certificates trigger regenerates the bundle from /usr/share/ca-certificates and
  // local certificates; ca-certificates-bundle ships it ready-made, so with no local
  // certificates the result is the bundle already in the tree.
  Status ca_certificates()
  {
    const std::shared_ptr<stage::Inode> bundle =
        m_environment.tree.resolve("etc/ssl/certs/ca-certificates.crt");
    if (!bundle || bundle->type != stage::FileType::regular)
      return Status::unknown;
    effects.push_back("ca-certificates bundle present");
    return Status::success;
  }

  ScriptEnvironment& m_environment;
};

} // namespace

ScriptOutcome reproduce_script(std::string_view text, const std::vector<std::string>& arguments,
                               ScriptEnvironment& environment)
{
  Effects effects(environment);
  ShellHooks hooks;
  hooks.run = [&](const std::vector<std::string>& argv) { return effects.run(argv); };
  hooks.readlink = [&](const std::string& path) { return effects.readlink(path); };
  const ShellResult result = run_script(text, arguments, hooks);
  ScriptOutcome outcome;
  outcome.unknown_lines = result.unknown_lines;
  outcome.effects = std::move(effects.effects);
  outcome.exit_status = result.exit_status;
  return outcome;
}

} // namespace compose::unpack::apk
