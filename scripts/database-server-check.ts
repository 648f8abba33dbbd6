// Whether a MongoDB-compatible server keeps the write contract the service's code is written for
// (MongoDB's): a conditional update, findAndModify or delete reads and writes its document
// atomically. MongoDB does. FerretDB 1.x does not (docs/ferretdb.md, "Atomic updates (the local
// patch)") unless the stack built it with its patch, which makes `buildInfo` name the patch in
// `residentAccessPatch`. The tests' setup refuses such a server (test/support/global-setup.ts); the
// service itself knows nothing of FerretDB.
import { MongoClient } from 'mongodb';

/** The field the stack's FerretDB patch adds to `buildInfo` (scripts/stack/ferretdb-patch.mjs). */
export const PATCH_MARKER_FIELD = 'residentAccessPatch';

export type ServerCheck = { ok: true; server: string } | { ok: false; reason: string };

/** `buildInfo`: the reply of `db.admin().command({ buildInfo: 1 })`. Pure. */
export function checkDatabaseServer(buildInfo: Record<string, unknown>): ServerCheck {
  const ferretdb = buildInfo.ferretdbVersion;
  if (ferretdb === undefined) return { ok: true, server: `MongoDB ${typeof buildInfo.version === 'string' ? buildInfo.version : '(version unknown)'}` };
  const version = typeof ferretdb === 'string' && ferretdb !== '' ? ferretdb : '(version unknown)';
  const patch = buildInfo[PATCH_MARKER_FIELD];
  if (typeof patch === 'string' && patch !== '') return { ok: true, server: `FerretDB ${version} (patch ${patch})` };
  return {
    ok: false,
    reason:
      `MONGODB_URI points at FerretDB ${version} without the resident-access patch: its conditional updates are not atomic ` +
      'and writes would be lost; run `npm run stack -- down` and `up` to rebuild it',
  };
}

/** Asks the server at `uri` for its build; answers what it is, or throws the reason it would lose writes. */
export async function requireSuitableServer(uri: string): Promise<string> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const check = checkDatabaseServer(await client.db('admin').command({ buildInfo: 1 }));
    if (!check.ok) throw new Error(check.reason);
    return check.server;
  } finally {
    await client.close();
  }
}
