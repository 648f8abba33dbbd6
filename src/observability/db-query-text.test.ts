import { queryTextShape } from './db-query-text';

describe('the db.query.text of a MongoDB span', () => {
  it('keeps the command shape and hides every value and identity-number-shaped key', () => {
    const command = {
      update: 'access',
      updates: [{ q: { _id: 'SE2321000016-1234|191212121212', revision: 4 }, u: { $set: { 'views.191212121212': true, at: new Date() } } }],
    };

    const shape = queryTextShape(command);

    expect(JSON.parse(shape)).toEqual({ update: '?', updates: [{ q: { _id: '?', revision: '?' }, u: { $set: { 'views.[redacted]': '?', at: '?' } } }] });
    expect(shape).not.toContain('191212121212');
  });

  it('shows the first items of a long batch and how many more there were', () => {
    const shape = JSON.parse(queryTextShape({ insert: 'audit', documents: Array.from({ length: 100 }, (_, i) => ({ n: i })) })) as { documents: unknown[] };

    expect(shape.documents).toEqual([{ n: '?' }, { n: '?' }, { n: '?' }, '…97 more']);
  });
});
