import fc from 'fast-check';
import { personalIdentityNumberArbitrary } from '../domain/identity/personal-identity-number.arbitrary';
import { scrubString } from './personal-data-scrub';

describe('scrubString', () => {
  it('removes every valid number in every written form, wherever it stands in a text', () => {
    fc.assert(
      fc.property(personalIdentityNumberArbitrary({ today: '2026-11-25' }), fc.string(), fc.string(), (n, before, after) => {
        const twelve = n.value;
        const forms = [twelve, `${twelve.slice(0, 8)}-${twelve.slice(8)}`, `${twelve.slice(2, 8)}-${twelve.slice(8)}`, `${twelve.slice(2, 8)}+${twelve.slice(8)}`, twelve.slice(2)];
        for (const form of forms) {
          const scrubbed = scrubString(`${before} ${form} ${after}`);
          expect(scrubbed).not.toContain(twelve.slice(2, 8) + twelve.slice(8));
          expect(scrubbed).not.toContain(`${twelve.slice(2, 8)}-${twelve.slice(8)}`);
          expect(scrubbed).not.toContain(`${twelve.slice(2, 8)}+${twelve.slice(8)}`);
        }
      }),
    );
  });

  it('leaves HSA-ids, UUIDs and timestamps readable', () => {
    const text = 'clinic SE2321000016-1234 request 51cd3f85-d18a-4982-a2e8-6b69b9ed262b at 2026-11-25T20:57:51.311Z';
    expect(scrubString(text)).toBe(text);
  });
});
