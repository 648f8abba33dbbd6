import { EventEmitter } from 'node:events';
import { StalledMonitorWatchdog, type StallReport } from './stalled-monitor-watchdog';

const STALLED_AFTER_MS = 35_000;

function aClient(connectFailures = 0) {
  const client = Object.assign(new EventEmitter(), {
    calls: [] as string[],
    close: async () => void client.calls.push('close'),
    connect: async () => {
      client.calls.push('connect');
      if (connectFailures-- > 0) throw new Error('server selection timed out');
    },
  });
  return client;
}

function aWatchdog(client: ReturnType<typeof aClient>) {
  let now = 0;
  const seen = { stalls: [] as StallReport[], reconnected: 0, failures: 0 };
  const watchdog = new StalledMonitorWatchdog(
    client,
    STALLED_AFTER_MS,
    { stalled: (r) => seen.stalls.push(r), reconnected: () => seen.reconnected++, reconnectFailed: () => seen.failures++ },
    () => now,
  );
  watchdog.start(60_000);
  return { watchdog, seen, advance: (ms: number) => (now += ms) };
}

describe('stalled monitor watchdog', () => {
  it('closes and connects the client again when a server check never ends', async () => {
    const client = aClient();
    const { watchdog, seen, advance } = aWatchdog(client);
    client.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:27017' });
    advance(STALLED_AFTER_MS + 1);
    await watchdog.check();
    expect(client.calls).toEqual(['close', 'connect']);
    expect(seen).toEqual({ stalls: [{ address: '127.0.0.1:27017', outstandingMs: STALLED_AFTER_MS + 1 }], reconnected: 1, failures: 0 });
    watchdog.stop();
  });

  it('leaves the client alone while checks end, however long the server is down', async () => {
    const client = aClient();
    const { watchdog, seen, advance } = aWatchdog(client);
    for (let i = 0; i < 10; i++) {
      client.emit('serverHeartbeatStarted', { connectionId: 'a:1' });
      advance(20_000);
      client.emit(i % 2 ? 'serverHeartbeatFailed' : 'serverHeartbeatSucceeded', { connectionId: 'a:1' });
      await watchdog.check();
    }
    expect(client.calls).toEqual([]);
    expect(seen.stalls).toEqual([]);
    watchdog.stop();
  });

  it('tries the connect again at the next check when it failed', async () => {
    const client = aClient(1);
    const { watchdog, seen, advance } = aWatchdog(client);
    client.emit('serverHeartbeatStarted', { connectionId: 'a:1' });
    advance(STALLED_AFTER_MS + 1);
    await watchdog.check();
    await watchdog.check();
    expect(client.calls).toEqual(['close', 'connect', 'connect']);
    expect(seen).toMatchObject({ reconnected: 1, failures: 1 });
    watchdog.stop();
  });

  it('does nothing once stopped', async () => {
    const client = aClient();
    const { watchdog, advance } = aWatchdog(client);
    client.emit('serverHeartbeatStarted', { connectionId: 'a:1' });
    watchdog.stop();
    advance(STALLED_AFTER_MS + 1);
    await watchdog.check();
    expect(client.calls).toEqual([]);
  });
});
