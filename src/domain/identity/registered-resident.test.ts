import { homeOf, type RegisteredResident } from './registered-resident';

describe('homeOf', () => {
  it('keeps only where the register has the resident, nothing of who they are', () => {
    const resident: RegisteredResident = {
      personalIdentityNumber: '191212121212',
      givenName: 'Tolvan',
      familyName: 'Tolvansson',
      protectedIdentity: false,
      regionCode: '01',
      municipalityCode: '0180',
    };
    expect(homeOf(resident)).toEqual({ regionCode: '01', municipalityCode: '0180' });
    expect(homeOf(null)).toBeNull();
  });
});
