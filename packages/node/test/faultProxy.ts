import { connect, createServer, type Server, type Socket } from 'node:net';
import { seededRandom } from '@ailo/pipeline';

/** Client → server (`up`) or server → client (`down`). */
export type Direction = 'up' | 'down';

/**
 * Faults applied to the WebSocket data frames of one direction. Probabilities are per frame, drawn
 * from a seeded generator so a failing run repeats. Control frames (close, ping, pong) and the
 * HTTP upgrade pass untouched.
 */
export interface FrameFaults {
  /** extra latency per frame, ms: fixed, or uniform in [min, max]; order is kept */
  delayMs?: number | [number, number];
  /** send the frame twice */
  duplicate?: number;
  /** hold the frame and send it after the next one (or after `reorderHoldMs` if none comes) */
  reorder?: number;
  /** destroy both sockets instead of forwarding the frame */
  drop?: number;
  /** forward the first half of the frame, then destroy both sockets */
  cut?: number;
  /** only frames of at least this many bytes are cut (default 0) */
  cutMinBytes?: number;
  /** swallow every frame from now on (a silent, half-dead link) */
  blackhole?: boolean;
}

/** Faults of both directions. */
export interface ProxyFaults {
  up?: FrameFaults;
  down?: FrameFaults;
  /** seed of the fault generator (default 1) */
  seed?: number;
  /** how long a reordered frame waits for a successor. ms (default 20) */
  reorderHoldMs?: number;
}

/** What the proxy did, per kind of fault. */
export interface ProxyStats {
  connections: number;
  frames: number;
  delayed: number;
  duplicated: number;
  reordered: number;
  dropped: number;
  cut: number;
  swallowed: number;
}

/** Byte length of the WebSocket frame at the start of `buf` (RFC 6455 §5.2), or undefined if incomplete. */
function frameLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  if (masked) off += 4;
  return off + len;
}

/**
 * One direction of a proxied connection: passes the HTTP upgrade through, then splits the byte
 * stream into WebSocket frames and applies the faults to data frames.
 */
class Pipe {
  private buf: Buffer = Buffer.alloc(0);
  private upgraded = false;
  /** plain HTTP (chunk downloads): passed through byte for byte */
  private raw = false;
  /** when the last scheduled frame goes out: delays never reorder frames. ms (performance clock) */
  private lastAt = 0;
  private held: { frame: Buffer; timer: ReturnType<typeof setTimeout> } | undefined;
  /** frames waiting for their time, in send order */
  private readonly queue: { frame: Buffer; at: number }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly dir: Direction,
    private readonly to: Socket,
    private readonly proxy: FaultProxy,
    private readonly kill: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.raw) {
      this.write(chunk);
      return;
    }
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (!this.upgraded) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.subarray(0, end + 4);
      const websocket =
        this.dir === 'up'
          ? /\r\nupgrade:\s*websocket/i.test(head.toString('latin1'))
          : head.toString('latin1').startsWith('HTTP/1.1 101');
      if (!websocket) {
        this.raw = true;
        this.write(this.buf);
        this.buf = Buffer.alloc(0);
        return;
      }
      this.write(head);
      this.buf = this.buf.subarray(end + 4);
      this.upgraded = true;
    }
    for (;;) {
      const n = frameLength(this.buf);
      if (n === undefined || this.buf.length < n) return;
      const frame = Buffer.from(this.buf.subarray(0, n));
      this.buf = this.buf.subarray(n);
      this.onFrame(frame);
    }
  }

  private onFrame(frame: Buffer): void {
    const opcode = frame[0]! & 0x0f;
    if (opcode >= 8) {
      this.schedule(frame, 0);
      return;
    }
    const f = this.proxy.faults[this.dir] ?? {};
    const s = this.proxy.stats;
    const rnd = this.proxy.rnd;
    s.frames++;
    if (f.blackhole) {
      s.swallowed++;
      return;
    }
    if (f.drop !== undefined && rnd() < f.drop) {
      s.dropped++;
      this.kill();
      return;
    }
    if (f.cut !== undefined && frame.length >= (f.cutMinBytes ?? 0) && rnd() < f.cut) {
      s.cut++;
      this.to.write(frame.subarray(0, frame.length >> 1), () => setImmediate(this.kill));
      return;
    }
    let delay = 0;
    if (f.delayMs !== undefined) {
      delay =
        typeof f.delayMs === 'number' ? f.delayMs : f.delayMs[0] + rnd() * (f.delayMs[1] - f.delayMs[0]);
      if (delay > 0) s.delayed++;
    }
    const copies = f.duplicate !== undefined && rnd() < f.duplicate ? 2 : 1;
    if (copies === 2) s.duplicated++;
    if (this.held) {
      // the held frame goes out after this one: the two are swapped
      const held = this.held;
      this.held = undefined;
      clearTimeout(held.timer);
      for (let i = 0; i < copies; i++) this.schedule(frame, delay);
      this.schedule(held.frame, delay);
      return;
    }
    if (f.reorder !== undefined && rnd() < f.reorder) {
      s.reordered++;
      const timer = setTimeout(() => {
        if (this.held?.frame !== frame) return;
        this.held = undefined;
        for (let i = 0; i < copies; i++) this.schedule(frame, delay);
      }, this.proxy.faults.reorderHoldMs ?? 20);
      this.held = { frame, timer };
      return;
    }
    for (let i = 0; i < copies; i++) this.schedule(frame, delay);
  }

  /** Queues `frame` to leave `delay` ms from now, never before a frame queued earlier. */
  private schedule(frame: Buffer, delay: number): void {
    const at = Math.max(performance.now() + delay, this.lastAt);
    this.lastAt = at;
    this.queue.push({ frame, at });
    this.drain();
  }

  private drain(): void {
    if (this.timer !== undefined) return;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) this.write(this.queue.shift()!.frame);
    const next = this.queue[0];
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.drain();
      },
      Math.max(1, Math.ceil(next.at - now)),
    );
  }

  private write(bytes: Buffer): void {
    if (!this.to.destroyed) this.to.write(bytes);
  }

  stop(): void {
    if (this.held) clearTimeout(this.held.timer);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.queue.length = 0;
    this.held = undefined;
  }
}

/**
 * A TCP proxy that understands WebSocket framing, for fault-injection tests: put it between a
 * node and the coordinator (`ws://127.0.0.1:<proxy.port>`), then delay, duplicate, reorder, drop
 * or cut frames, or drop every connection at once. Faults can be changed while connections are
 * open; they apply from the next frame.
 */
export class FaultProxy {
  faults: ProxyFaults;
  rnd: () => number;
  readonly stats: ProxyStats = {
    connections: 0,
    frames: 0,
    delayed: 0,
    duplicated: 0,
    reordered: 0,
    dropped: 0,
    cut: 0,
    swallowed: 0,
  };
  private readonly open = new Set<() => void>();
  private closing = false;

  private constructor(
    private readonly server: Server,
    faults: ProxyFaults,
  ) {
    this.faults = faults;
    this.rnd = seededRandom(faults.seed ?? 1);
  }

  /** Starts a proxy on a free loopback port forwarding to `target` (`ws://host:port` or a port). */
  static async start(target: string | number, faults: ProxyFaults = {}): Promise<FaultProxy> {
    const url = typeof target === 'number' ? new URL(`ws://127.0.0.1:${target}`) : new URL(target);
    const server = createServer();
    const proxy = new FaultProxy(server, faults);
    server.on('connection', (client) => proxy.accept(client, url.hostname, Number(url.port)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The proxy's port. */
  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** `ws://127.0.0.1:<port>`: what a node dials instead of the target. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Replaces the faults (the generator keeps its state unless `seed` is given). */
  set(faults: ProxyFaults): void {
    this.faults = faults;
    if (faults.seed !== undefined) this.rnd = seededRandom(faults.seed);
  }

  /** Destroys every open connection (both sides see a reset, no close frame). */
  dropAll(): void {
    for (const kill of [...this.open]) kill();
  }

  /** Open proxied connections. */
  get connections(): number {
    return this.open.size;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.dropAll();
    await closed;
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.closing) {
      client.destroy();
      return;
    }
    this.stats.connections++;
    const server = connect(port, host);
    client.setNoDelay(true);
    server.setNoDelay(true);
    let dead = false;
    const kill = () => {
      if (dead) return;
      dead = true;
      this.open.delete(kill);
      up.stop();
      down.stop();
      client.destroy();
      server.destroy();
    };
    const up = new Pipe('up', server, this, kill);
    const down = new Pipe('down', client, this, kill);
    this.open.add(kill);
    client.on('data', (d: Buffer) => up.push(d));
    server.on('data', (d: Buffer) => down.push(d));
    for (const s of [client, server]) {
      s.on('error', kill);
      s.on('close', kill);
    }
  }
}
