import { DomainError } from '../domain/errors/domain-error';
import { LookupResidentRequest, ResidentAccessServiceService } from '../gen/residentaccess/v1/resident_access_service';
import { rejectUndecodable, UndecodableRequest, withTolerantDeserializers } from './undecodable-request';

describe('request deserializers that never throw', () => {
  const lookup = withTolerantDeserializers(ResidentAccessServiceService).lookupResident;
  const endlessVarint = Buffer.from([0x08, ...Array<number>(11).fill(0xff)]);

  it('decode a valid message as before', () => {
    const bytes = Buffer.from(LookupResidentRequest.encode({ clinicId: 'SE1', personalIdentityNumber: '' }).finish());
    expect(lookup.requestDeserialize(bytes)).toEqual({ clinicId: 'SE1', personalIdentityNumber: '' });
  });

  it('turn bytes that are no valid message into an undecodable request naming the message', () => {
    expect(() => ResidentAccessServiceService.lookupResident.requestDeserialize(endlessVarint)).toThrow();
    expect(lookup.requestDeserialize(endlessVarint)).toEqual(new UndecodableRequest('LookupResidentRequest'));
  });

  it('an undecodable request is rejected as bad input, a decoded one is not', () => {
    let thrown: unknown;
    try {
      rejectUndecodable(lookup.requestDeserialize(endlessVarint));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', message: 'request is not a valid LookupResidentRequest' });
    expect(() => rejectUndecodable({ clinicId: 'SE1' })).not.toThrow();
  });
});
