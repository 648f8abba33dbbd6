import { Lifecycle, type Part } from './lifecycle';

function recorded(names: string[], failing: { start?: string; stop?: string } = {}) {
  const steps: string[] = [];
  const parts: Part[] = names.map((name) => ({
    name,
    start: async () => {
      steps.push(`start ${name}`);
      if (failing.start === name) throw new Error(`${name} cannot start`);
    },
    stop: async () => {
      steps.push(`stop ${name}`);
      if (failing.stop === name) throw new Error(`${name} cannot stop`);
    },
  }));
  const stopFailures: string[] = [];
  const lifecycle = new Lifecycle(parts, { stopFailed: (part) => stopFailures.push(part) });
  return { lifecycle, steps, stopFailures };
}

describe('Lifecycle', () => {
  it('starts the parts in the order listed and stops them in reverse', async () => {
    const { lifecycle, steps } = recorded(['database', 'relay', 'grpc server', 'ready']);
    await lifecycle.start();
    await lifecycle.stop();
    expect(steps).toEqual(['start database', 'start relay', 'start grpc server', 'start ready', 'stop ready', 'stop grpc server', 'stop relay', 'stop database']);
  });

  it('when a part fails to start, stops the parts started before it, last first, and throws the failure', async () => {
    const { lifecycle, steps } = recorded(['database', 'relay', 'grpc server', 'ready'], { start: 'grpc server' });
    await expect(lifecycle.start()).rejects.toThrow('grpc server cannot start');
    expect(steps).toEqual(['start database', 'start relay', 'start grpc server', 'stop relay', 'stop database']);
  });

  it('stops every part even when one fails to stop, reports it, and answers its failure', async () => {
    const { lifecycle, steps, stopFailures } = recorded(['database', 'relay', 'ready'], { stop: 'relay' });
    await lifecycle.start();
    await expect(lifecycle.stop()).rejects.toThrow('relay cannot stop');
    expect(steps.slice(3)).toEqual(['stop ready', 'stop relay', 'stop database']);
    expect(stopFailures).toEqual(['relay']);
  });

  it('stops once, however often it is asked', async () => {
    const { lifecycle, steps } = recorded(['database']);
    await lifecycle.start();
    await Promise.all([lifecycle.stop(), lifecycle.stop()]);
    expect(steps).toEqual(['start database', 'stop database']);
  });

  it('a part opened while building (no start) is stopped too', async () => {
    const closed: string[] = [];
    const lifecycle = new Lifecycle(
      [
        { name: 'connection', stop: () => closed.push('connection') },
        { name: 'broken', start: () => Promise.reject(new Error('no')) },
      ],
      {
        stopFailed: () => undefined,
      },
    );
    await expect(lifecycle.start()).rejects.toThrow('no');
    expect(closed).toEqual(['connection']);
  });
});
