import { clinicIdViolation } from './clinic-id';

describe('clinicIdViolation', () => {
  it.each(['SE2321000016-1234', 'SE2321000016-A', `SE2321000016-${'a'.repeat(31)}`])('accepts the HSA-id %s', (id) => {
    expect(clinicIdViolation(id)).toBeNull();
  });

  it.each([
    '',
    'SE2321000016',
    'SE232100001-1234',
    'SE23210000166-1234',
    'se2321000016-1234',
    'XSE2321000016-1234',
    'SE2321000016-',
    `SE2321000016-${'a'.repeat(32)}`,
    'SE2321000016-12 4',
    'SE2321000016-1234\n',
  ])('refuses %j, naming the field', (id) => {
    expect(clinicIdViolation(id)).toEqual({ field: 'clinic_id', reason: 'INVALID_CLINIC_ID', description: 'must be an HSA-id such as SE2321000016-1234' });
  });

  it('names the field it is given', () => {
    expect(clinicIdViolation('', 'clinic_ids[2]')?.field).toBe('clinic_ids[2]');
  });
});
