import type { Collection, Db } from 'mongodb';
import type { RegisteredResident, ResidentRegister } from '../domain/identity/registered-resident';
import { isDuplicateKey, withStorageErrors } from './mongo-errors';

export const RESIDENTS_COLLECTION = 'residents';

export interface ResidentDocument {
  /** The 12-digit personal identity number. */
  _id: string;
  /** Absent for a protected identity: its name is never written. */
  givenName?: string;
  familyName?: string;
  protectedIdentity: boolean;
  regionCode: string;
  municipalityCode: string;
  /** When the register stated this; an older state never replaces a newer one. */
  registeredAt: Date;
}

/** A register state as the consumer hands it over. */
export type ResidentState = RegisteredResident & { registeredAt: Date };

export type RegisterWriteOutcome = 'written' | 'ignored';

function toResident(document: ResidentDocument): RegisteredResident {
  return {
    personalIdentityNumber: document._id,
    givenName: document.givenName ?? '',
    familyName: document.familyName ?? '',
    protectedIdentity: document.protectedIdentity,
    regionCode: document.regionCode,
    municipalityCode: document.municipalityCode,
  };
}

/**
 * The register read model, one document per resident, read and written by `_id`. Each write is one
 * operation conditional on the stored state's instant, so a duplicate or an older message (a
 * replay, or two consumers during a rebalance) never overwrites a newer state.
 */
export class MongoResidentRegister implements ResidentRegister {
  constructor(private readonly collection: Collection<ResidentDocument>) {}

  static in(db: Db): MongoResidentRegister {
    return new MongoResidentRegister(db.collection<ResidentDocument>(RESIDENTS_COLLECTION));
  }

  find(personalIdentityNumber: string): Promise<RegisteredResident | null> {
    return withStorageErrors(async () => {
      const document = await this.collection.findOne({ _id: personalIdentityNumber });
      return document ? toResident(document) : null;
    });
  }

  findMany(personalIdentityNumbers: readonly string[]): Promise<Map<string, RegisteredResident>> {
    return withStorageErrors(async () => {
      const found = new Map<string, RegisteredResident>();
      const unique = [...new Set(personalIdentityNumbers)];
      if (unique.length === 0) return found;
      for (const document of await this.collection.find({ _id: { $in: unique } }).toArray()) {
        found.set(document._id, toResident(document));
      }
      return found;
    });
  }

  /** Stores the state unless the stored one is as new or newer (a duplicate or a replay). */
  apply(state: ResidentState): Promise<RegisterWriteOutcome> {
    return withStorageErrors(async () => {
      const { personalIdentityNumber, givenName, familyName, protectedIdentity, regionCode, municipalityCode, registeredAt } = state;
      // The whole document is replaced, so a resident who becomes protected loses the stored name.
      const name = protectedIdentity ? {} : { givenName, familyName };
      try {
        // Matches only an older stored state; with none stored, the upsert inserts.
        await this.collection.replaceOne(
          { _id: personalIdentityNumber, registeredAt: { $lt: registeredAt } },
          { ...name, protectedIdentity, regionCode, municipalityCode, registeredAt },
          { upsert: true },
        );
        return 'written';
      } catch (error) {
        // A stored state as new or newer: the upsert's insert met its `_id`.
        if (isDuplicateKey(error)) return 'ignored';
        throw error;
      }
    });
  }

  /**
   * Deletes the resident unless the stored state is newer. A deregistration at the same instant
   * as the stored state wins: it came later on the partition. `null` (a tombstone) always deletes.
   */
  remove(personalIdentityNumber: string, registeredAt: Date | null): Promise<RegisterWriteOutcome> {
    return withStorageErrors(async () => {
      const notNewer = registeredAt === null ? {} : { registeredAt: { $lte: registeredAt } };
      const { deletedCount } = await this.collection.deleteOne({ _id: personalIdentityNumber, ...notNewer });
      return deletedCount > 0 ? 'written' : 'ignored';
    });
  }
}
