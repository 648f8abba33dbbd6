import { connect, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'refuse' };

export interface ProxyStats {
  accepted: number;
  refused: number;
  cut: number;
}

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  readonly stats: ProxyStats;
  mode(): ProxyMode;
  /** Forwards bytes as they come. */
  pass(): void;
  /** Delivers every chunk, in both directions, `ms` after it arrived (order kept). */
  delay(ms: number): void;
  /** Destroys every current connection (both sides); new ones are accepted as the mode says. Returns how many. */
  cut(): number;
  /** Closes new connections as soon as they are accepted; current ones go on. */
  refuse(): void;
  /** Stops listening and destroys every connection. */
  stop(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A TCP proxy for fault tests: listens on 127.0.0.1 (port 0) and forwards each connection to
 * `targetHost:targetPort`, with faults that can be switched while it runs. `tap`, when given, is
 * called for each connection and gets every chunk the client sends on it, as it arrives.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1', tap?: () => (chunk: Buffer) => void): Promise<TcpProxy> {
  let current: ProxyMode = { kind: 'pass' };
  let stopped = false;
  const pairs = new Set<Pair>();
  const stats: ProxyStats = { accepted: 0, refused: 0, cut: 0 };

  const server: Server = createServer({ noDelay: true }, (client) => {
    if (stopped || current.kind === 'refuse') {
      stats.refused++;
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    stats.accepted++;
    const upstream = connect({ host: targetHost, port: targetPort, noDelay: true });
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
    if (tap) client.on('data', tap());
    forward(client, upstream);
    forward(upstream, client);
  });

  // Chunks go out in arrival order; a delayed chunk holds back everything behind it, so switching
  // back to pass never lets a later chunk overtake an earlier one.
  function forward(from: Socket, to: Socket): void {
    let queue = Promise.resolve();
    let queued = 0;
    let lastDue = 0;
    const write = (chunk: Buffer) => {
      if (to.destroyed) return;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    };
    from.on('data', (chunk: Buffer) => {
      const ms = current.kind === 'delay' ? current.ms : 0;
      if (ms === 0 && queued === 0) {
        write(chunk);
        return;
      }
      const due = Math.max(Date.now() + ms, lastDue);
      lastDue = due;
      queued++;
      queue = queue.then(async () => {
        const wait = due - Date.now();
        if (wait > 0 && !stopped) await new Promise((r) => setTimeout(r, wait).unref());
        queued--;
        write(chunk);
      });
    });
    from.on('end', () => {
      void queue.then(() => {
        if (!to.destroyed) to.end();
      });
    });
  }

  function cut(): number {
    const all = [...pairs];
    for (const pair of all) {
      pairs.delete(pair);
      pair.client.destroy();
      pair.upstream.destroy();
    }
    stats.cut += all.length;
    return all.length;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };

  return {
    port,
    address: `127.0.0.1:${port}`,
    stats,
    mode: () => current,
    pass() {
      current = { kind: 'pass' };
    },
    delay(ms: number) {
      current = { kind: 'delay', ms };
    },
    cut,
    refuse() {
      current = { kind: 'refuse' };
    },
    async stop() {
      stopped = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cut();
      await closed;
    },
  };
}
