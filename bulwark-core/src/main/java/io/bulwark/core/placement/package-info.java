/**
 * The controller's recovery decisions (DESIGN §2, §6), as pure classes: what to do about shards
 * below their replication factor, given which nodes are live and for how long they have been
 * gone. The controller in bulwark-server performs the decisions through ZooKeeper.
 */
package io.bulwark.core.placement;
