#pragma once
// Looking up the earliest or latest offsets of partitions (ListOffsets), each asked of its leader. Shared by
// Consumer (offset resets) and Admin. Blocking: not from the I/O thread.
#include <map>
#include <vector>

#include "millrace/client/topic_partition.h"
#include "network_client.h"

namespace millrace::client::internal {

// `timestamp`: protocol::kListOffsetsEarliest or kListOffsetsLatest. Refreshes metadata first if a leader is
// unknown. Fails with the first error (UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, network errors,
// ...).
Result<std::map<TopicPartition, Offset>> lookup_offsets(NetworkClient& network,
                                                        const std::vector<TopicPartition>& partitions,
                                                        int64_t timestamp);

}  // namespace millrace::client::internal
