import type { Peer } from '@ailo/protocol';

/** Opens an authenticated connection to another worker's link endpoint; `node` is the id it must answer to. */
export type LinkConnector = (url: string, node: string) => Promise<Peer>;

/**
 * Connections from this worker to the next workers of chained sessions, one
 * per (node, URL), opened on first use and dropped when they close, so the
 * next step reconnects.
 */
export class LinkPool {
  private readonly links = new Map<string, Promise<Peer>>();

  constructor(private readonly connect: LinkConnector) {}

  /** An open connection to `node` at `url`. */
  async get(url: string, node: string): Promise<Peer> {
    const key = `${node}@${url}`;
    const cached = this.links.get(key);
    if (cached) {
      const peer = await cached.catch(() => undefined);
      if (peer?.isOpen) return peer;
      if (this.links.get(key) === cached) this.links.delete(key);
    }
    const opening = this.connect(url, node);
    this.links.set(key, opening);
    const drop = () => {
      if (this.links.get(key) === opening) this.links.delete(key);
    };
    opening.then((peer) => peer.closed.then(drop), drop);
    return opening;
  }

  /** Links open or opening now. */
  get size(): number {
    return this.links.size;
  }

  /** Closes every link. */
  async close(): Promise<void> {
    const all = [...this.links.values()];
    this.links.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (peer) => peer.close(),
          () => undefined,
        ),
      ),
    );
  }
}
