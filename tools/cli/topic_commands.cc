#include "topic_commands.h"

#include <cstdio>
#include <map>
#include <memory>

#include "input_parsing.h"
#include "json_writer.h"
#include "millrace/client/admin.h"
#include "millrace/client/errc.h"
#include "text_table.h"
#include "validators.h"

namespace millrace::cli {

namespace {

struct TopicOptions {
  std::string name;
  int32_t partitions = 0;
  int32_t replication_factor = 0;
  std::vector<std::string> configs;
  std::vector<std::string> removed_configs;
  bool json = false;
};

std::string join_nodes(const std::vector<NodeId>& nodes) {
  std::string out;
  for (const NodeId n : nodes) out += (out.empty() ? "" : ",") + std::to_string(n.value);
  return out;
}

int print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int create_topic(const GlobalOptions& globals, const TopicOptions& options) {
  client::NewTopic topic{options.name, options.partitions, options.replication_factor, {}};
  for (const auto& assignment : options.configs) {
    auto parsed = parse_config_assignment(assignment);
    if (!parsed) return report_error(parsed.error(), kExitUsage);
    topic.configs[parsed->first] = parsed->second;
  }
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  if (auto st = (*admin)->create_topic(topic); !st) return report_error(st.error());
  return print("Created topic " + options.name + ".\n");
}

int alter_topic_config(const GlobalOptions& globals, const TopicOptions& options) {
  std::map<std::string, std::string> set;
  for (const auto& assignment : options.configs) {
    auto parsed = parse_config_assignment(assignment);
    if (!parsed) return report_error(parsed.error(), kExitUsage);
    set[parsed->first] = parsed->second;
  }
  if (set.empty() && options.removed_configs.empty()) {
    return report_error(
        make_error(client::errc::invalid_argument, "nothing to change: give --set or --delete"), kExitUsage);
  }
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  if (auto st = (*admin)->alter_topic_config(options.name, set, options.removed_configs); !st) {
    return report_error(st.error());
  }
  return print("Altered config of topic " + options.name + ".\n");
}

int delete_topic(const GlobalOptions& globals, const TopicOptions& options) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  if (auto st = (*admin)->delete_topic(options.name); !st) return report_error(st.error());
  return print("Deleted topic " + options.name + ".\n");
}

int add_partitions(const GlobalOptions& globals, const TopicOptions& options) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  if (auto st = (*admin)->add_partitions(options.name, options.partitions); !st)
    return report_error(st.error());
  return print("Topic " + options.name + " now has " + std::to_string(options.partitions) + " partitions.\n");
}

int list_topics(const GlobalOptions& globals, const TopicOptions& options) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  auto topics = (*admin)->list_topics();
  if (!topics) return report_error(topics.error());
  if (options.json) {
    JsonWriter json;
    json.begin_array();
    for (const auto& t : *topics) {
      json.begin_object().key("name").value(t.name).key("partitions").value(t.partitions);
      json.key("replication_factor").value(t.replication_factor).end_object();
    }
    json.end_array();
    return print(json.str() + "\n");
  }
  TextTable table({"NAME", "PARTITIONS", "REPLICAS"});
  for (const auto& t : *topics) {
    table.add_row({t.name, std::to_string(t.partitions), std::to_string(t.replication_factor)});
  }
  return print(table.render());
}

std::string describe_json(const client::TopicDescription& topic) {
  JsonWriter json;
  json.begin_object().key("name").value(topic.name).key("partitions").begin_array();
  for (const auto& p : topic.partitions) {
    json.begin_object().key("partition").value(p.partition.value).key("leader").value(p.leader.value);
    json.key("replicas").begin_array();
    for (const NodeId r : p.replicas) json.value(r.value);
    json.end_array();
    json.key("in_sync_replicas").begin_array();
    for (const NodeId r : p.in_sync_replicas) json.value(r.value);
    json.end_array();
    json.key("adding_replicas").begin_array();
    for (const NodeId r : p.adding_replicas) json.value(r.value);
    json.end_array();
    json.key("removing_replicas").begin_array();
    for (const NodeId r : p.removing_replicas) json.value(r.value);
    json.end_array();
    json.key("log_start_offset")
        .value(p.log_start_offset.value)
        .key("log_end_offset")
        .value(p.log_end_offset.value);
    json.key("high_watermark").value(p.high_watermark.value).key("size_bytes").value(p.size_bytes);
    json.key("segment_count").value(p.segment_count);
    if (p.error) json.key("error").value(p.error->to_string());
    json.end_object();
  }
  json.end_array().key("configs").begin_array();
  for (const auto& c : topic.configs) {
    json.begin_object().key("name").value(c.name).key("value").value(c.value).key("source").value(c.source);
    json.end_object();
  }
  json.end_array().end_object();
  return json.str() + "\n";
}

std::string describe_text(const client::TopicDescription& topic) {
  std::string out =
      "Topic: " + topic.name + "\nPartitions: " + std::to_string(topic.partitions.size()) + "\n";
  TextTable partitions({"PARTITION", "LEADER", "REPLICAS", "ISR", "LOG-START-OFFSET", "LOG-END-OFFSET",
                        "HIGH-WATERMARK", "SIZE-BYTES", "SEGMENTS"});
  for (const auto& p : topic.partitions) {
    partitions.add_row({std::to_string(p.partition.value), std::to_string(p.leader.value),
                        join_nodes(p.replicas), join_nodes(p.in_sync_replicas),
                        std::to_string(p.log_start_offset.value), std::to_string(p.log_end_offset.value),
                        std::to_string(p.high_watermark.value), std::to_string(p.size_bytes),
                        std::to_string(p.segment_count)});
  }
  out += partitions.render("  ");
  for (const auto& p : topic.partitions) {
    if (p.reassigning()) {
      out += "  partition " + std::to_string(p.partition.value) + " reassigning: adding [" +
             join_nodes(p.adding_replicas) + "], removing [" + join_nodes(p.removing_replicas) + "]\n";
    }
    if (p.error) {
      // Offsets of -1: the replica could not be opened; otherwise it serves reads but refuses writes.
      const char* state = p.log_end_offset.value < 0 ? " offline: " : " refuses writes: ";
      out += "  partition " + std::to_string(p.partition.value) + state + p.error->to_string() + "\n";
    }
  }
  out += "Configs:\n";
  TextTable configs({"NAME", "VALUE", "SOURCE"});
  for (const auto& c : topic.configs) configs.add_row({c.name, c.value, c.source});
  out += configs.render("  ");
  return out;
}

int describe_topic(const GlobalOptions& globals, const TopicOptions& options) {
  auto admin = client::Admin::create(connection_config(globals));
  if (!admin) return report_error(admin.error());
  auto topic = (*admin)->describe_topic(options.name);
  if (!topic) return report_error(topic.error());
  return print(options.json ? describe_json(*topic) : describe_text(*topic));
}

}  // namespace

void add_topic_commands(CLI::App& app, const GlobalOptions& globals, CommandRunner& runner) {
  auto options = std::make_shared<TopicOptions>();
  CLI::App* topic = app.add_subcommand("topic", "Create, list, describe and delete topics");

  CLI::App* create = topic->add_subcommand("create", "Create a topic");
  create->add_option("name", options->name, "Topic name")->required();
  create->add_option("-p,--partitions", options->partitions, "Number of partitions")
      ->required()
      ->check(at_least(1));
  create
      ->add_option("-r,--replication-factor", options->replication_factor,
                   "Replicas per partition (default: the broker's)")
      ->check(at_least(0));
  create->add_option("-c,--config", options->configs,
                     "Topic config key=value (repeatable), e.g. segment.bytes=1048576");
  create->callback([&runner, &globals, options] {
    runner = [&globals, options] { return create_topic(globals, *options); };
  });

  CLI::App* list = topic->add_subcommand("list", "List topics");
  list->add_flag("--json", options->json, "Print JSON");
  list->callback([&runner, &globals, options] {
    runner = [&globals, options] { return list_topics(globals, *options); };
  });

  CLI::App* describe =
      topic->add_subcommand("describe", "Show a topic's partitions (offsets, sizes) and configs");
  describe->add_option("name", options->name, "Topic name")->required();
  describe->add_flag("--json", options->json, "Print JSON");
  describe->callback([&runner, &globals, options] {
    runner = [&globals, options] { return describe_topic(globals, *options); };
  });

  CLI::App* alter = topic->add_subcommand("alter-config", "Change a topic's config overrides");
  alter->add_option("name", options->name, "Topic name")->required();
  alter->add_option("--set", options->configs,
                    "key=value to override (repeatable), e.g. retention.ms=3600000");
  alter->add_option("--delete", options->removed_configs,
                    "key whose override to remove, falling back to the broker default (repeatable)");
  alter->callback([&runner, &globals, options] {
    runner = [&globals, options] { return alter_topic_config(globals, *options); };
  });

  CLI::App* grow = topic->add_subcommand("alter", "Add partitions to a topic");
  grow->add_option("name", options->name, "Topic name")->required();
  grow->add_option("-p,--partitions", options->partitions, "The new partition count (larger than now)")
      ->required()
      ->check(at_least(1));
  grow->callback([&runner, &globals, options] {
    runner = [&globals, options] { return add_partitions(globals, *options); };
  });

  CLI::App* remove = topic->add_subcommand("delete", "Delete a topic and all its records");
  remove->add_option("name", options->name, "Topic name")->required();
  remove->callback([&runner, &globals, options] {
    runner = [&globals, options] { return delete_topic(globals, *options); };
  });
}

}  // namespace millrace::cli
