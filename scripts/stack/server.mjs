// Lifecycle shared by every local server: start (idempotent, waits until it answers),
// graceful stop, hard kill, state and log tail. Service files supply the specifics.
import fs from 'node:fs';
import { toLogger } from './log.mjs';
import { isPortFree } from './ports.mjs';
import { isAlive, killNow, logTail as readLogTail, ownedPid, readPid, removePidFile, spawnDetached, terminate, withLock } from './process.mjs';
import { waitUntil } from './wait.mjs';

/**
 * @param {object} spec
 * @param {string} spec.label        name used in messages
 * @param {{pidFile: string, logFile: string}} spec.dirs
 * @param {string} spec.marker       string unique to this instance's command line (guards against pid reuse)
 * @param {number[]} spec.ports      ports that must be free before starting
 * @param {() => Promise<void>} spec.prepare   install check, config files, storage format
 * @param {() => {cmd: string, args: string[], env?: object, cwd?: string}} spec.command
 * @param {() => Promise<boolean>} spec.probe  true once the server answers its protocol
 * @param {() => Promise<void>} [spec.warmUp]  run once after a start answered
 * @param {object} [spec.settings]   more of what the process is started with (besides its ports): a
 *                                   running process started with other settings is restarted
 * @param {string} [spec.stopSignal='SIGTERM'] graceful stop signal
 * @param {boolean} [spec.signalGroup=true]    send it to the process group (false: the process
 *                                   alone, for a server that stops its own children)
 */
export function createServer(spec) {
  const { label, dirs, marker, ports, prepare, command, probe } = spec;
  const startTimeoutMs = spec.startTimeoutMs ?? 90_000;
  const stopGraceMs = spec.stopGraceMs ?? 10_000;
  const stopHow = { stopSignal: spec.stopSignal ?? 'SIGTERM', group: spec.signalGroup ?? true };
  const log = toLogger(spec.log);
  const pid = () => ownedPid(dirs.pidFile, marker);
  // What the running process was started with (its ports), kept beside the pid file.
  const settings = JSON.stringify({ ports, ...spec.settings });
  const settingsFile = `${dirs.pidFile}.settings`;
  const clearPid = () => {
    removePidFile(dirs.pidFile);
    fs.rmSync(settingsFile, { force: true });
  };
  const readSettings = () => {
    try {
      return fs.readFileSync(settingsFile, 'utf8');
    } catch {
      return null;
    }
  };

  async function launch() {
    if (readPid(dirs.pidFile) !== null) log(`${label}: removing stale pid file ${dirs.pidFile}`);
    clearPid();
    for (const port of ports) {
      // A just-killed server may hold its port for a moment; don't mistake that for a stranger.
      const free = await waitUntil(() => isPortFree(port), { timeoutMs: 5_000, intervalMs: 200 });
      if (!free.ok) {
        throw new Error(`${label}: 127.0.0.1:${port} is already in use by a process this script did not start`);
      }
    }
    await prepare();
    const p = await spawnDetached({ ...command(), logFile: dirs.logFile, pidFile: dirs.pidFile });
    fs.writeFileSync(settingsFile, settings);
    log(`${label}: started (pid ${p}), waiting for it to answer`);
    return p;
  }

  async function start() {
    return withLock(`${dirs.pidFile}.lock`, async () => {
      let p = pid();
      let started = false;
      const was = p === null ? null : readSettings();
      if (p !== null && was !== null && was !== settings && spec.settings) {
        // Answering, but started otherwise (e.g. another FerretDB backend): replace it.
        log(`${label}: pid ${p} runs with other settings (${was}); restarting it`);
        await terminate(p, { graceMs: stopGraceMs, ...stopHow });
        clearPid();
        p = null;
      }
      if (p !== null && (await probe())) {
        log(`${label}: already running (pid ${p})`);
        return { pid: p, started };
      }
      if (p !== null && readSettings() !== settings) {
        // Left running with other ports (e.g. by an earlier test run): replace it.
        log(`${label}: pid ${p} runs with other settings; restarting it`);
        await terminate(p, { graceMs: stopGraceMs, ...stopHow });
        clearPid();
        p = null;
      }
      if (p === null) {
        p = await launch();
        started = true;
      } else {
        log(`${label}: pid ${p} is running but not answering yet; waiting`);
      }
      const t0 = Date.now();
      const running = p;
      const result = await waitUntil(probe, { timeoutMs: startTimeoutMs, alive: () => isAlive(running) });
      if (result.ok) {
        log(`${label}: answering after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        if (spec.warmUp) await spec.warmUp().catch((err) => log(`${label}: warm-up failed (ignored): ${err.message}`));
        return { pid: p, started };
      }
      const tail = readLogTail(dirs.logFile, 40);
      // A server that never became healthy is stopped, so the next `up` starts clean.
      if (result.reason === 'timeout') await terminate(p, { graceMs: 5_000, ...stopHow });
      clearPid();
      const why = result.reason === 'exited' ? 'exited during start-up' : `did not answer within ${Math.round(startTimeoutMs / 1000)} s (stopped it)`;
      throw new Error(`${label} ${why}. Last 40 lines of ${dirs.logFile}:\n${tail}`);
    });
  }

  async function stop({ graceMs = stopGraceMs } = {}) {
    const p = pid();
    if (p === null) {
      clearPid();
      return 'not running';
    }
    const how = await terminate(p, { graceMs, ...stopHow });
    clearPid();
    return how;
  }

  async function kill() {
    const p = pid();
    if (p === null) {
      clearPid();
      return false;
    }
    await killNow(p);
    clearPid();
    return true;
  }

  // Hard stop and wipe the data, for a clean slate (fault tests reusing a name).
  async function destroy() {
    await kill();
    fs.rmSync(dirs.dataDir, { recursive: true, force: true });
    fs.rmSync(dirs.home, { recursive: true, force: true });
  }

  return {
    start,
    stop,
    kill,
    destroy,
    pid,
    isRunning: () => pid() !== null,
    isAnswering: async () => pid() !== null && probe(),
    logTail: (lines = 40) => readLogTail(dirs.logFile, lines),
    logFile: dirs.logFile,
  };
}
