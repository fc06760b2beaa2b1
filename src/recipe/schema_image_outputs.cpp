// The recipe schema, [image] (the OCI image configuration) and [outputs] (which artifacts
// to write and how: formats, layer compression, ext4 geometry).
#include <algorithm>
#include <set>
#include <limits>

#include "recipe/image_config_rules.hpp"
#include "recipe/schema_parts.hpp"
#include "util/byte_size.hpp"
#include "util/error.hpp"

namespace compose::recipe::detail {

namespace {


const std::vector<std::string> k_image_keys{
    "entrypoint",  "cmd",           "env",    "working_dir", "user",
    "stop_signal", "exposed_ports", "labels", "annotations", "tags"};
const std::vector<std::string> k_output_keys{"formats", "layer_compression", "ext4"};
const std::vector<std::string> k_ext4_keys{"size", "headroom", "headroom_percent", "label",
                                           "features"};
const std::vector<std::string> k_formats{"rootfs-tar", "oci", "ext4"};
const std::vector<std::string> k_compressions{"gzip", "zstd"};

bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

// "22/tcp", "53/udp" or "8080" (TCP); returned in OCI's "port/protocol" spelling.
std::string read_port(const Node& item)
{
  const std::string& text = item.text;
  const std::size_t slash = text.find('/');
  const std::string number = text.substr(0, slash);
  const std::string protocol = slash == std::string::npos ? "tcp" : text.substr(slash + 1);
  const bool digits =
      !number.empty() && number.size() <= 5 && std::all_of(number.begin(), number.end(), is_digit);
  const long port = digits ? std::stol(number) : 0;
  if (port < 1 || port > 65535 || (protocol != "tcp" && protocol != "udp" && protocol != "sctp"))
    throw Error("bad exposed port " + quote(text), item.where.str(),
                "expected a port 1-65535 with an optional /tcp, /udp or /sctp: \"22/tcp\"");
  return std::to_string(port) + "/" + protocol;
}

std::vector<std::string> read_command(const TableReader& image, std::string_view key)
{
  // Empty strings are legitimate arguments of a command, so items are read one by one.
  std::vector<std::string> words;
  if (const Node* array = image.get(key, NodeKind::array))
    for (const Node& item : array->items) {
      if (item.kind != NodeKind::string)
        wrong_type(
            item, "entry " + std::to_string(words.size() + 1) + " of " + quote(image.key_name(key)),
            NodeKind::string);
      words.push_back(item.text);
    }
  return words;
}

void add_unique(std::vector<std::string>& values, std::string value)
{
  if (std::find(values.begin(), values.end(), value) == values.end())
    values.push_back(std::move(value));
}

Ext4Spec read_ext4(const TableReader& outputs)
{
  Ext4Spec ext4;
  ext4.where = outputs.where();
  const Node* node = outputs.get("ext4", NodeKind::table);
  if (!node)
    return ext4;
  const TableReader table(*node, "outputs.ext4", k_ext4_keys);
  ext4.where = node->where;
  if (const Node* size = table.table().find("size")) {
    ext4.size_bytes = read_size(*size, table.key_name("size"));
    if (*ext4.size_bytes == 0)
      table.fail(*size, "'outputs.ext4.size' is zero", "omit size to fit the content");
  }
  if (const Node* headroom = table.table().find("headroom"))
    ext4.headroom_bytes = read_size(*headroom, table.key_name("headroom"));
  if (const auto percent = table.integer("headroom_percent", 0, 1000))
    ext4.headroom_percent = static_cast<std::uint32_t>(*percent);
  if (const auto label = table.string("label")) {
    // The superblock's s_volume_name field holds 16 bytes.
    if (label->size() > 16)
      table.fail(*node->find("label"), "ext4 label " + quote(*label) + " is longer than 16 bytes",
                 "it is " + std::to_string(label->size()) + " bytes");
    ext4.label = *label;
  }
  for (const Node* feature : table.string_items("features")) {
    const std::string& text = feature->text;
    const std::size_t start = text.front() == '^' ? 1 : 0;
    const bool valid = start < text.size() &&
                       std::all_of(text.begin() + static_cast<long>(start), text.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
                       });
    if (!valid)
      table.fail(*feature, "bad ext4 feature " + quote(text),
                 "mke2fs spelling: \"metadata_csum\", or \"^has_journal\" to turn one off");
    ext4.features.push_back(text);
  }
  return ext4;
}

} // namespace

std::uint64_t read_size(const Node& value, const std::string& name)
{
  if (value.kind == NodeKind::integer) {
    if (value.integer < 0)
      throw Error("negative size for " + quote(name), value.where.str());
    return static_cast<std::uint64_t>(value.integer);
  }
  const std::string hint =
      "a number of bytes, or a number followed by K, M, G or T (powers of 1024): \"2G\"";
  if (value.kind != NodeKind::string)
    throw Error("wrong type for " + quote(name) + ": expected a string or an integer, found " +
                    kind_description(value.kind),
                value.where.str(), hint);
  const std::optional<std::uint64_t> bytes = parse_byte_size(value.text);
  if (!bytes)
    throw Error("bad size " + quote(value.text) + " for " + quote(name), value.where.str(), hint);
  return *bytes;
}

ImageConfig read_image(const TableReader& top)
{
  ImageConfig image;
  image.where = top.where();
  const Node* node = top.get("image", NodeKind::table);
  if (!node)
    return image;
  image.where = node->where;
  const TableReader table(*node, "image", k_image_keys);
  image.entrypoint = read_command(table, "entrypoint");
  image.cmd = read_command(table, "cmd");
  for (const auto* command : {&image.entrypoint, &image.cmd})
    for (const std::string& word : *command)
      if (const std::string problem = argument_problem(word); !problem.empty())
        table.fail(*node->find(command == &image.entrypoint ? "entrypoint" : "cmd"),
                   "bad command word " + quote(word) + ": " + problem);
  image.env = table.string_table("env");
  for (const auto& [variable, value] : image.env) {
    std::string problem = env_name_problem(variable);
    if (problem.empty())
      problem = argument_problem(value);
    if (!problem.empty())
      table.fail(*node->find("env"), "bad environment variable " + quote(variable) + ": " + problem,
                 "a name without '=' or blanks: PATH = \"/usr/bin:/bin\"");
  }
  image.working_dir = table.string("working_dir").value_or("");
  if (!image.working_dir.empty() &&
      (image.working_dir.front() != '/' || !argument_problem(image.working_dir).empty()))
    table.fail(*node->find("working_dir"),
               "working_dir " + quote(image.working_dir) + " is not an absolute path");
  image.user = table.string("user").value_or("");
  if (const Node* user = node->find("user"))
    if (const std::string problem = user_problem(image.user); !problem.empty())
      table.fail(*user, "bad user " + quote(image.user) + ": " + problem,
                 "user, uid, user:group or uid:gid: \"miget\", \"1000:1000\"");
  image.stop_signal = table.string("stop_signal").value_or("");
  if (!image.stop_signal.empty() && !is_known_signal(image.stop_signal))
    table.fail(*node->find("stop_signal"), "unknown stop_signal " + quote(image.stop_signal),
               "a Linux signal name such as \"SIGTERM\", \"SIGRTMIN+3\", or a number from 1 "
               "to 64");
  for (const Node* port : table.string_items("exposed_ports"))
    add_unique(image.exposed_ports, read_port(*port));
  image.labels = table.string_table("labels");
  image.annotations = table.string_table("annotations");
  for (const auto& [map, key_name] : {std::pair{&image.labels, "labels"},
                                      std::pair{&image.annotations, "annotations"}})
    for (const auto& [key, value] : *map)
      if (const std::string problem = label_key_problem(key); !problem.empty())
        table.fail(*node->find(key_name), "bad " + std::string(key_name) + " key " + quote(key) +
                                              ": " + problem,
                   "reverse-DNS keys such as \"org.opencontainers.image.source\"");
  for (const Node* tag : table.string_items("tags")) {
    if (const std::string problem = reference_problem(tag->text); !problem.empty())
      table.fail(*tag, "bad image tag " + quote(tag->text) + ": " + problem,
                 "tags such as \"3.22\", \"1.0.0-dockerd\" or \"latest\"");
    add_unique(image.tags, tag->text);
  }
  return image;
}

OutputSpec read_outputs(const TableReader& top)
{
  OutputSpec outputs;
  outputs.where = top.where();
  const Node* node = top.get("outputs", NodeKind::table);
  if (!node) {
    outputs.ext4.where = outputs.where;
    return outputs;
  }
  outputs.where = node->where;
  const TableReader table(*node, "outputs", k_output_keys);
  if (const Node* formats = table.get("formats", NodeKind::array)) {
    outputs.formats.clear();
    for (const Node* format : table.string_items("formats")) {
      check_choice(*format, "output format", k_formats);
      add_unique(outputs.formats, format->text);
    }
    if (outputs.formats.empty())
      table.fail(*formats, "'outputs.formats' is empty",
                 "expected one or more of: " + join(k_formats));
  }
  if (const Node* compression = table.get("layer_compression", NodeKind::string)) {
    check_choice(*compression, "layer compression", k_compressions);
    outputs.layer_compression = compression->text;
  }
  outputs.ext4 = read_ext4(table);
  return outputs;
}

} // namespace compose::recipe::detail
