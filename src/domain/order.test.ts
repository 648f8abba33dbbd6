import { byCodeUnits } from './order';

describe('byCodeUnits', () => {
  it('orders by UTF-16 code units, like a plain comparison and unlike the locale', () => {
    expect(byCodeUnits('a', 'b')).toBe(-1);
    expect(byCodeUnits('b', 'a')).toBe(1);
    expect(byCodeUnits('a', 'a')).toBe(0);
    // Upper case sorts before lower case, and 'ä' after 'z'.
    expect(['b', 'ä', 'B', 'a', 'z'].sort(byCodeUnits)).toEqual(['B', 'a', 'b', 'z', 'ä']);
  });
});
