import type { Servers } from './servers';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __servers__?: Servers }).__servers__?.stop();
}
