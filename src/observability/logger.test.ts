import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (chunk: string) => void lines.push(chunk) } };
}

describe('logger', () => {
  const twelve = '199001011239';
  const written = ['19900101-1239', '900101-1239', '900101+1239', '9001011239', twelve, '19900101.1239', '900101_1239', '1990 01 01 1239', '1990-01-01-1239', '19900161-1239'];

  it.each(written)('never writes the number %s, in fields, messages or errors', (number) => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    logger.info({ personalIdentityNumber: number, nested: { resident: number }, note: `resident ${number} approved`, requestId: number }, `approved ${number}`);
    logger.error({ err: new Error(`duplicate key { _id: "SE2321000016-1234|${number}" }`) }, 'failed');
    logger.warn(`plain message with ${number}`);

    const text = lines.join('');
    expect(lines).toHaveLength(3);
    expect(text).not.toContain(number);
    expect(text.replace(/[^0-9]/g, '')).not.toContain(number.replace(/[^0-9]/g, '').slice(-10));
    expect(text).toContain('[redacted]');
    // What is not personal stays readable.
    expect(text).toContain('SE2321000016-1234');
    expect(text).toContain('duplicate key');
  });
});
