#include "millrace/broker/broker_registry.h"

#include "millrace.pb.h"
#include "millrace/broker/errc.h"

namespace millrace::broker {
namespace {

constexpr std::string_view kBrokerKeyPrefix = "broker/";

std::string broker_key(int32_t node_id) {
  return std::string(kBrokerKeyPrefix) + std::to_string(node_id);
}

}  // namespace

Status BrokerRegistry::load() {
  auto entries = store_.scan_prefix(kBrokerKeyPrefix);
  if (!entries) return std::move(entries).error();
  brokers_.clear();
  for (const auto& [key, value] : *entries) {
    wire::BrokerInfo stored;
    if (!stored.ParseFromString(value)) {
      return make_error(errc::metadata_store_failed, "unreadable broker record under key '" + key + "'");
    }
    BrokerRecord r;
    r.node_id = stored.node_id();
    r.address = HostPort{stored.host(), static_cast<uint16_t>(stored.port())};
    r.rack = stored.rack();
    r.fenced = stored.fenced();
    brokers_[r.node_id] = std::move(r);
  }
  return {};
}

Status BrokerRegistry::register_broker(const BrokerRecord& record) {
  BrokerRecord r = record;
  r.fenced = false;
  if (Status st = store(r); !st) return st;
  brokers_[r.node_id] = std::move(r);
  return {};
}

Status BrokerRegistry::set_fenced(int32_t node_id, bool fenced) {
  auto it = brokers_.find(node_id);
  if (it == brokers_.end() || it->second.fenced == fenced) return {};
  BrokerRecord r = it->second;
  r.fenced = fenced;
  if (Status st = store(r); !st) return st;
  it->second = std::move(r);
  return {};
}

const BrokerRecord* BrokerRegistry::find(int32_t node_id) const {
  auto it = brokers_.find(node_id);
  return it == brokers_.end() ? nullptr : &it->second;
}

Status BrokerRegistry::store(const BrokerRecord& record) {
  wire::BrokerInfo stored;
  stored.set_node_id(record.node_id);
  stored.set_host(record.address.host);
  stored.set_port(record.address.port);
  stored.set_rack(record.rack);
  stored.set_fenced(record.fenced);
  if (Status st = store_.put(broker_key(record.node_id), stored.SerializeAsString()); !st) {
    return make_error(errc::metadata_store_failed, "cannot record broker " + std::to_string(record.node_id) +
                                                       ": " + st.error().to_string());
  }
  return {};
}

}  // namespace millrace::broker
