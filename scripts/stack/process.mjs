// Detached server processes tracked by pid files, plus small process helpers.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const MAX_LOG_BYTES = 20 * 1024 * 1024;

export function readPid(pidFile) {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function writeFileAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // kill(0) succeeds on zombies, so an exited-but-unreaped child would look alive. But the
  // main thread of a multi-threaded process (a JVM) turns zombie before its other threads
  // have exited and released its sockets: dead means zombie with no thread left but it.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return fs.readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    // no /proc (not Linux), or it vanished meanwhile: trust kill(0)
  }
  return true;
}

function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

// The pid in pidFile, if that process is alive and is really ours: pids get reused,
// so the command line must contain `marker` (a path unique to the instance).
export function ownedPid(pidFile, marker) {
  const pid = readPid(pidFile);
  if (pid === null || !isAlive(pid)) return null;
  const cmd = commandLine(pid);
  if (cmd !== null && marker && !cmd.includes(marker)) return null;
  return pid;
}

export function removePidFile(pidFile) {
  fs.rmSync(pidFile, { force: true });
}

// Starts a server in its own session (survives the caller), output appended to logFile.
export async function spawnDetached({ cmd, args, env, cwd, logFile, pidFile }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  try {
    if (fs.statSync(logFile).size > MAX_LOG_BYTES) fs.renameSync(logFile, `${logFile}.1`);
  } catch {
    // no log yet
  }
  fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} start: ${cmd} ${args.join(' ')}\n`);
  const fd = fs.openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(err.code === 'ENOENT' ? new Error(`${cmd} not found on PATH`) : err));
    });
    child.unref();
    writeFileAtomic(pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

function signal(pid, sig, { group = true } = {}) {
  // Detached children lead their own process group: signal the group so helpers die too.
  if (group) {
    try {
      process.kill(-pid, sig);
      return;
    } catch {
      // not a group leader: fall through
    }
  }
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

// SIGTERM (or `stopSignal`; to the process alone when `group` is false, for a server that stops
// its own children), then SIGKILL to the group once graceMs has passed. Returns how it ended.
export async function terminate(pid, { graceMs = 10_000, stopSignal = 'SIGTERM', group = true } = {}) {
  signal(pid, stopSignal, { group });
  if (await waitForExit(pid, graceMs)) return 'stopped';
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
  return 'killed';
}

export async function killNow(pid) {
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

// Cross-process mutex (a file created with O_EXCL holding the owner's pid), so two
// `up`s at once neither build twice nor start two servers on one data directory.
export async function withLock(lockFile, fn, { timeoutMs = 10 * 60_000 } = {}) {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = readPid(lockFile);
    const stale = holder === null ? ageMs(lockFile) > 5_000 : !isAlive(holder);
    if (stale) {
      fs.rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`timed out waiting for lock ${lockFile} (held by pid ${holder})`);
    await sleep(200);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function ageMs(file) {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

export function logTail(logFile, lines = 40) {
  let text;
  try {
    const fd = fs.openSync(logFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const len = Math.min(size, 256 * 1024);
      const buf = Buffer.alloc(len);
      fs.readSync(fd, buf, 0, len, size - len);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
  return text.replace(/\n+$/, '').split('\n').slice(-lines).join('\n');
}

// Runs a build/install command to completion, output to logFile; rejects with the log tail.
// `input`, if given, is written to its standard input.
export async function runCommand(cmd, args, { cwd, env, logFile, input }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} run: ${cmd} ${args.join(' ')}\n`);
  const fd = fs.openSync(logFile, 'a');
  try {
    const code = await new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd, env, stdio: [input === undefined ? 'ignore' : 'pipe', fd, fd] });
      child.once('error', (err) => reject(err.code === 'ENOENT' ? new Error(`${cmd} not found on PATH`) : err));
      if (input !== undefined) {
        child.stdin.on('error', () => {}); // a child that exits early fails by its exit code
        child.stdin.end(input);
      }
      child.once('exit', (c, sig) => resolve(sig ? 128 : c));
    });
    if (code !== 0) {
      throw new Error(`${cmd} ${args.join(' ')} failed (exit ${code}); last lines of ${logFile}:\n${logTail(logFile, 40)}`);
    }
  } finally {
    fs.closeSync(fd);
  }
}
