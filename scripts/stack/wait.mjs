// Readiness: a server counts as up only when it answers its own protocol,
// not when its port merely accepts connections.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// Drivers are CommonJS and loaded lazily so `status`/`down` stay fast.
async function load(name) {
  const mod = await import(name);
  return mod.default ?? mod;
}

export async function mongoAnswers(uri) {
  const { MongoClient } = await load('mongodb');
  const client = new MongoClient(uri, {
    directConnection: true,
    serverSelectionTimeoutMS: 1500,
    connectTimeoutMS: 1500,
  });
  try {
    const reply = await client.db('admin').command({ hello: 1 });
    return Number(reply.ok) === 1;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => {});
  }
}

// PostgreSQL answers once a startup message (trust auth) gets AuthenticationOk and then
// ReadyForQuery; while it starts up or recovers it answers with an error instead.
export function postgresAnswers({ host, port, user, database, timeoutMs = 1500 }) {
  return new Promise((resolve) => {
    const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
    const startup = Buffer.alloc(8 + params.length);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4); // protocol 3.0
    params.copy(startup, 8);
    const socket = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    let authOk = false;
    let settled = false;
    const done = (ok) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (ok)
        socket.end(Buffer.from([0x58, 0, 0, 0, 4])); // Terminate, so the server logs no EOF
      else socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.once('connect', () => socket.write(startup));
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 5) {
        const type = String.fromCharCode(buf[0]);
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        if (type === 'E') return done(false);
        if (type === 'R') {
          if (buf.readInt32BE(5) !== 0) return done(false); // asks for a password: not ours
          authOk = true;
        }
        if (type === 'Z') return done(authOk);
        buf = buf.subarray(1 + len);
      }
    });
  });
}

export async function kafkaAnswers(brokers) {
  const { Kafka, logLevel } = await load('kafkajs');
  const kafka = new Kafka({
    clientId: 'stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1500,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    // A KRaft broker is listed in metadata only once it is registered and unfenced.
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// On a fresh broker the group and transaction coordinators load lazily, and the first
// consumer group / idempotent producer gets "coordinator is loading" errors (kafkajs retries,
// but logs them as ERROR). Touch both once here so tests do not see that.
export async function kafkaWarmUp(brokers, { timeoutMs = 60_000 } = {}) {
  const { Kafka, logLevel } = await load('kafkajs');
  const kafka = new Kafka({ clientId: 'stack-warmup', brokers, logLevel: logLevel.NOTHING });
  const attempt = async () => {
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await admin.connect();
      await admin.fetchOffsets({ groupId: 'stack-warmup' }); // creates __consumer_offsets
      await producer.connect(); // InitProducerId
      return true;
    } catch (err) {
      lastError = err;
      return false;
    } finally {
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    }
  };
  let lastError;
  const result = await waitUntil(attempt, { timeoutMs, intervalMs: 1000 });
  if (!result.ok) throw lastError ?? new Error('timed out');
}

// Polls `probe` until it returns true. Fails early if `alive()` turns false, and after timeoutMs.
export async function waitUntil(probe, { timeoutMs, intervalMs = 500, alive = () => true }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return { ok: true };
    if (!alive()) return { ok: false, reason: 'exited' };
    if (Date.now() >= deadline) return { ok: false, reason: 'timeout' };
    await sleep(intervalMs);
  }
}
