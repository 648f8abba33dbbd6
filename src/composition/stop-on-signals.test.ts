import { EventEmitter } from 'node:events';
import pino from 'pino';
import { stopOnSignals } from './stop-on-signals';

describe('stopOnSignals', () => {
  function started() {
    const signals = new EventEmitter();
    const lines: { msg: string; signal?: string }[] = [];
    const logger = pino({ base: null }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    let finishStop: () => void = () => undefined;
    const stops: number[] = [];
    const exits: number[] = [];
    const stop = () => {
      stops.push(stops.length);
      return new Promise<void>((resolve) => (finishStop = resolve));
    };
    stopOnSignals(signals, stop, logger, (code) => exits.push(code));
    return { signals, lines, stops, exits, finishStop: () => finishStop() };
  }

  it('a second SIGINT and a SIGTERM during the stop are noted and ignored; the one stop ends with exit 0', async () => {
    const s = started();
    s.signals.emit('SIGINT', 'SIGINT');
    s.signals.emit('SIGINT', 'SIGINT');
    s.signals.emit('SIGTERM', 'SIGTERM');
    expect(s.stops).toEqual([0]);
    expect(s.exits).toEqual([]);
    s.finishStop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.exits).toEqual([0]);
    expect(s.lines.map((l) => [l.msg, l.signal])).toEqual([
      ['stopping', 'SIGINT'],
      ['already stopping', 'SIGINT'],
      ['already stopping', 'SIGTERM'],
    ]);
  });
});
