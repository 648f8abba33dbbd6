/**
 * Whether the database server behind MONGODB_URI keeps the write contract the service relies on:
 * a conditional update, findAndModify or delete reads and writes its document atomically. MongoDB
 * does. FerretDB 1.x does not (docs/ferretdb.md, "Atomic updates (the local patch)"), unless it
 * was built by the local stack with the resident-access patch, which adds a per-collection lock and
 * makes `buildInfo` name the patch in `residentAccessPatch`. Every patch that sets the field has
 * the lock, so its presence is the test (its value is the patch id, for messages).
 */
export type ServerCheck = { ok: true; server: string } | { ok: false; reason: string };

/** The field the local stack's FerretDB patch adds to `buildInfo` (scripts/stack/ferretdb-patch.mjs). */
export const PATCH_MARKER_FIELD = 'residentAccessPatch';

/** `buildInfo`: the reply of `db.admin().command({ buildInfo: 1 })`. Pure; reads no other state. */
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

/** Start-up stops here: the server would lose writes (main exits 78 with the reason). */
export class UnsuitableDatabaseServer extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnsuitableDatabaseServer';
  }
}

/** Asks the server behind `db` for its build and throws UnsuitableDatabaseServer when it fails the check; answers what it is. */
export async function requireSuitableServer(db: { admin(): { command(command: Record<string, unknown>): Promise<Record<string, unknown>> } }): Promise<string> {
  const check = checkDatabaseServer(await db.admin().command({ buildInfo: 1 }));
  if (!check.ok) throw new UnsuitableDatabaseServer(check.reason);
  return check.server;
}
