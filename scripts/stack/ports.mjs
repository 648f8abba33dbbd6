// Loopback port helpers. Everything binds 127.0.0.1 only.
import net from 'node:net';

export const HOST = '127.0.0.1';

function listen(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: HOST, exclusive: true }, () => resolve(server));
  });
}

function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}

// `n` distinct free ports, all held open until chosen so they cannot collide with each other.
export async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i += 1) servers.push(await listen(0));
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function freePort() {
  const [port] = await freePorts(1);
  return port;
}

export async function isPortFree(port) {
  try {
    await close(await listen(port));
    return true;
  } catch (err) {
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') return false;
    throw err;
  }
}
