package io.bulwark.client;

import io.bulwark.proto.v1.KeyspaceSpecMsg;
import io.bulwark.proto.v1.NodeInfo;
import io.bulwark.proto.v1.ShardInfo;
import io.bulwark.proto.v1.StatusReply;
import io.bulwark.proto.v1.WriteReply;
import java.util.ArrayList;
import java.util.List;

/** Wire messages to the client's records. Stateless. */
final class Convert {
  private Convert() {}

  static WriteResult writeResult(WriteReply r) {
    return new WriteResult(
        r.getApplied(), r.getVersion(), r.hasCurrentValue() ? r.getCurrentValue().toByteArray() : null);
  }

  static ShardLocation shard(ShardInfo s) {
    return new ShardLocation(s.getKeyspace(), s.getShard(), s.getEpoch(), s.getPrimary(),
        s.getBackupsList(), s.getLearnersList(), s.getPrimaryAddress(), learnerProgress(s));
  }

  static List<LearnerCopy> learnerProgress(ShardInfo s) {
    List<LearnerCopy> out = new ArrayList<>();
    s.getLearnerProgressList().forEach(p -> out.add(new LearnerCopy(p.getNode(), p.getPercent(),
        p.getBytes(), p.getAckedIndex(), p.getLastIndex())));
    return out;
  }

  static List<ShardLocation> shards(List<ShardInfo> shards) {
    List<ShardLocation> out = new ArrayList<>(shards.size());
    shards.forEach(s -> out.add(shard(s)));
    return out;
  }

  static KeyspaceInfo keyspace(KeyspaceSpecMsg m, List<ShardInfo> shards) {
    return new KeyspaceInfo(m.getName(), m.getStrategy(), m.getReplicas(), m.getShards(),
        m.getMinInsync(), m.getAcks(), shards(shards));
  }

  static NodeStatus node(NodeInfo n) {
    return new NodeStatus(n.getId(), n.getClientAddress(), n.getAdminAddress(), n.getAlive(),
        n.getHealth(), n.getHealthReason(), n.getDiskLow());
  }

  static ClusterStatus status(StatusReply r) {
    List<NodeStatus> nodes = new ArrayList<>(r.getNodesCount());
    r.getNodesList().forEach(n -> nodes.add(node(n)));
    return new ClusterStatus(nodes, shards(r.getShardsList()), r.getController());
  }
}
