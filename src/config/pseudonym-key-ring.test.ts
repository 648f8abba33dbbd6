import { parseKeyRing, PseudonymKeyRing } from './pseudonym-key-ring';

const OLD = { id: '2025-01', secret: 'the-older-secret-of-at-least-32-characters' };
const NEW = { id: '2026-01', secret: 'the-current-secret-of-at-least-32-characters' };
const ringText = (value: unknown) => JSON.stringify(value);

function problemOf(text: string): string {
  const parsed = parseKeyRing(text);
  if (parsed instanceof PseudonymKeyRing) throw new Error('expected a problem, got a ring');
  return parsed.problem;
}

describe('the pseudonym key ring file', () => {
  it('names the current key among older ones, in any order: current first, the others kept', () => {
    const ring = parseKeyRing(ringText({ current: NEW.id, keys: [OLD, NEW] }));
    if (!(ring instanceof PseudonymKeyRing)) throw new Error(ring.problem);
    expect(ring.current).toEqual(NEW);
    expect(ring.keys).toEqual([NEW, OLD]);
    expect(ring.older).toEqual([OLD]);
  });

  it('finds a key by id while it is in the ring', () => {
    const ring = new PseudonymKeyRing(NEW, [OLD]);
    expect(ring.find(OLD.id)).toEqual(OLD);
    expect(ring.find(NEW.id)).toEqual(NEW);
    expect(ring.find('2024-01')).toBeUndefined();
    expect(new PseudonymKeyRing(NEW).older).toEqual([]);
  });

  it.each([
    ['not JSON', `{"current": "${NEW.id}", "keys": [${JSON.stringify(NEW)}`, 'is not valid JSON'],
    ['not an object', ringText([NEW]), 'must be an object with "current" and a "keys" array'],
    ['keys not a list', ringText({ current: NEW.id, keys: { [NEW.id]: NEW.secret } }), 'must be an object with "current" and a "keys" array'],
    ['an unknown field', ringText({ current: NEW.id, keys: [NEW], next: OLD.id }), 'may hold only "current" and "keys"'],
    ['no keys', ringText({ current: NEW.id, keys: [] }), 'keys must hold at least one key'],
    ['a key of another shape', ringText({ current: NEW.id, keys: [NEW, { ...OLD, created: '2025' }] }), 'keys[1] must be {"id": ..., "secret": ...}'],
    ['a bad key id', ringText({ current: NEW.id, keys: [NEW, { ...OLD, id: 'has space' }] }), 'keys[1].id must be 1-32 of A-Z a-z 0-9 . _ -'],
    ['a short secret', ringText({ current: NEW.id, keys: [{ ...NEW, secret: 'short-secret' }] }), 'keys[0].secret must be a string of at least 32 characters'],
    ['a repeated id', ringText({ current: NEW.id, keys: [NEW, { ...OLD, id: NEW.id }] }), 'keys[1].id repeats keys[0].id'],
    ['a repeated secret', ringText({ current: NEW.id, keys: [NEW, { ...OLD, secret: NEW.secret }] }), 'keys[1].secret repeats keys[0].secret'],
    ['no current', ringText({ keys: [NEW] }), 'current must be the id of one of keys'],
    ['a current that is no key', ringText({ current: '2027-01', keys: [NEW, OLD] }), 'current must be the id of one of keys'],
  ])('refuses %s, naming where and never a secret', (_, text, problem) => {
    const found = problemOf(text);
    expect(found).toBe(problem);
    for (const secret of [NEW.secret, OLD.secret]) expect(found).not.toContain(secret);
  });
});
