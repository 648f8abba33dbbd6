import { fingerprint } from './fingerprint';

describe('fingerprint', () => {
  it('is a base64url SHA-256 digest of the operation and what the request means', () => {
    // sha256 of the text ["ApproveResident",{"a":1}], computed once with another tool.
    expect(fingerprint('ApproveResident', { a: 1 })).toBe('G9kNxcDbGUG9AJ2uIYpBOgTwfkoHsnSTOgSDbYhm-QQ');
  });

  it('tells requests apart by operation and by meaning, and gives a retry the same digest', () => {
    const approve = fingerprint('ApproveResident', { clinicId: 'c', resident: 'r' });
    expect(fingerprint('ApproveResident', { clinicId: 'c', resident: 'r' })).toBe(approve);
    expect(fingerprint('RemoveApproval', { clinicId: 'c', resident: 'r' })).not.toBe(approve);
    expect(fingerprint('ApproveResident', { clinicId: 'c', resident: 's' })).not.toBe(approve);
  });
});
