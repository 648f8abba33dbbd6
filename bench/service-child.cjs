'use strict';
/**
 * The service under bench, as the image runs it: the compiled JavaScript in dist/ (`npm run build`,
 * which bench/service-process.ts runs once per bench process) under plain `node`, with no
 * TypeScript hook. Forked by bench/service-process.ts, which describes the messages (ToChild,
 * FromChild there); this file is plain CommonJS so that nothing but node loads it.
 *
 * It runs `startService(loadConfig(process.env), { clock })` from dist/main.js, the same entry
 * points `node dist/main.js` uses, with a clock the parent can move: `clock` makes "now" the given
 * instant from then on, running in real time. Logs are formatted as in production but discarded.
 */
const fs = require('node:fs');
const inspector = require('node:inspector');
const path = require('node:path');
const v8 = require('node:v8');

const DIST = path.join(__dirname, '..', 'dist');
const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Linux: a line of /proc/self/status in bytes (VmHWM: the kernel's peak RSS); null elsewhere. */
function kernelStatus(field) {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
const kernelPeakRss = () => kernelStatus('VmHWM');

const reply = (message) => process.send && process.send(message);

async function serve() {
  const { loadConfig } = require(path.join(DIST, 'config', 'config.js'));
  const { startService } = require(path.join(DIST, 'main.js'));
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 100);
  const peak = () => mb(Math.max(sampled, process.memoryUsage().rss, kernelPeakRss() ?? 0));

  const service = await startService(loadConfig(process.env), { clock, logDestination: { write: () => undefined } });
  let stopping = null;
  const stop = () =>
    (stopping ??= (async () => {
      const peakRssMb = peak();
      clearInterval(sampler);
      await service.stop().catch(() => undefined);
      // Exit once the answer has left (or the parent is gone).
      if (process.connected) process.send({ type: 'stopped', peakRssMb }, () => process.exit(0));
      else process.exit(0);
    })());
  let profiler = null;
  process.on('message', (m) => {
    if (m.type === 'clock') {
      offsetMs = Date.parse(m.at) - Date.now();
      reply({ type: 'clock-set' });
    } else if (m.type === 'memory') {
      const usage = process.memoryUsage();
      reply({
        type: 'memory',
        peakRssMb: peak(),
        rssMb: mb(usage.rss),
        heapUsedMb: mb(usage.heapUsed),
        heapTotalMb: mb(usage.heapTotal),
        externalMb: mb(usage.external),
        arrayBuffersMb: mb(usage.arrayBuffers),
        // Where the resident memory is: anonymous (heaps, V8's and malloc's) or file-backed (code).
        rssAnonMb: mb(kernelStatus('RssAnon') ?? 0),
        rssFileMb: mb(kernelStatus('RssFile') ?? 0),
        // V8's spaces: size (reserved and committed) and used, in MB.
        heapSpaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, [mb(s.space_size), mb(s.space_used_size)]])),
      });
    } else if (m.type === 'heap-snapshot') {
      // A diagnostic, never used by the measured runs: writing a snapshot takes about as much
      // memory again as the heap, which the peak (VmHWM) then keeps.
      reply({ type: 'heap-snapshot-written', file: v8.writeHeapSnapshot(m.file) });
    } else if (m.type === 'profile-start') {
      // A CPU profile of one step only (bench/read-cost.ts), through the inspector in this process.
      profiler ??= new inspector.Session();
      profiler.connect();
      profiler.post('Profiler.enable', () =>
        profiler.post('Profiler.setSamplingInterval', { interval: 100 }, () => profiler.post('Profiler.start', () => reply({ type: 'profile-started' }))),
      );
    } else if (m.type === 'profile-stop') {
      profiler.post('Profiler.stop', (error, result) => {
        if (!error) fs.writeFileSync(m.file, JSON.stringify(result.profile));
        profiler.disconnect();
        reply({ type: 'profile-written', file: m.file });
      });
    } else if (m.type === 'stop') {
      void stop();
    } else if (m.type === 'exit') {
      process.exit(0);
    }
  });
  // The bench went away (crashed, or cut off by its time bound and dropping the database): do not
  // outlive it, and write nothing more.
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'started', port: service.port, node: process.version });
}

serve().catch((error) => {
  const message = { type: 'failed', message: error instanceof Error ? error.message : String(error) };
  if (process.connected) process.send(message, () => process.exit(1));
  else process.exit(1);
});
