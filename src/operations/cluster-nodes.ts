/**
 * The nodes that serve this Aegis, as `GET /v1/cluster/nodes` lists them. A daemon with its SQLite
 * state dir is a cluster of one: it lists itself, holding no lease (`leaseExpiresAt: null`: nothing
 * can take its sessions over), in the epoch of its current start. A directory of several nodes over a
 * shared store (their leases and epochs in the database) answers the same interface.
 */
export interface ClusterNode {
  /** The node's identity: the same across its restarts (the mark on the tmux windows it opens). */
  id: string;
  /** Where clients and other nodes reach its API. */
  url: string;
  /** When its lease lapses unless renewed; null for a node alone, which holds none. */
  leaseExpiresAt: string | null;
  /** Its current start: greater after every start, so what an earlier start wrote is told apart. */
  epoch: number;
  /** Sessions it runs now (not ended). */
  sessions: number;
  /** Sessions it may run at once (`maxSessions`). */
  capacity: number;
  /** What the operator says of it (`nodeLabels`): a zone, a machine class. */
  labels: Record<string, string>;
}

export interface NodeDirectory {
  nodes(): Promise<ClusterNode[]>;
}

/** What a node alone knows of itself; `url` and `sessions` are asked at each listing. */
export interface LocalNode {
  id: string;
  epoch: number;
  url: () => string;
  sessions: () => number;
  capacity: number;
  labels: Readonly<Record<string, string>>;
}

export function singleNodeDirectory(self: LocalNode): NodeDirectory {
  return {
    async nodes() {
      return [{ id: self.id, url: self.url(), leaseExpiresAt: null, epoch: self.epoch, sessions: self.sessions(), capacity: self.capacity, labels: { ...self.labels } }];
    },
  };
}
