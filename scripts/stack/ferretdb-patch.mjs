// The one source change the local stack makes to FerretDB 1.24.2 before building it.
//
// SQLite backend: a filter that is exactly {_id: <string|ObjectId>} is pushed down as
// `WHERE _ferretdb_sjson->'$._id' = ?` (metadata.IDColumn, used by collection.go Query,
// UpdateAll, DeleteAll and Explain), but the unique `_id_` index is created on
// `_ferretdb_sjson->"_id"` (registry.go quotes each field with %q). SQLite uses an expression
// index only when the query's expression matches the indexed one, so every `_id` lookup, update
// and delete scans the table. The patch makes IDColumn the index's expression, so existing
// database files work unchanged. Both expressions give the same value for every document
// (checked on strings with quotes, backslashes, unicode and NUL, ObjectIds, numbers, documents).
// Upstream: FerretDB/FerretDB#4646 (same class of bug, PostgreSQL backend); no fixed 1.x release.
// See docs/ferretdb.md, "Indexes".
import fs from 'node:fs';
import path from 'node:path';

/** Changes whenever the patch changes; stamped next to the binary so stale builds are rebuilt. */
export const FERRETDB_PATCH_ID = 'sqlite-id-pushdown-uses-index-1';

const EDITS = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `\tIDColumn = DefaultColumn + "->'$._id'"\n`,
    to:
      '\t// Patched by resident-access scripts/stack: the exact expression of the `_id_` index\n' +
      '\t// (registry.go), so that SQLite serves `_id` pushdowns from it instead of scanning.\n' +
      '\tIDColumn = DefaultColumn + `->"_id"`\n',
  },
];

// What the patch relies on without changing it: indexes are created on `->"<field>"`.
const ASSUMPTIONS = [
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    text: '\t\t\t\tfields[j] = fmt.Sprintf("%q", f)\n',
  },
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    text: '\t\t\tcolumns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))\n',
  },
];

function count(haystack, needle) {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n += 1;
  return n;
}

/** Edits the FerretDB source tree in `srcDir` in place; throws if it is not the expected source. */
export function patchFerretDBSource(srcDir) {
  const fail = (file, what) => {
    throw new Error(
      `ferretdb: cannot apply patch ${FERRETDB_PATCH_ID}: ${file} does not contain exactly one ${what}; ` +
        'the FerretDB source is not the one the patch was written for (scripts/stack/ferretdb-patch.mjs)',
    );
  };
  for (const { file, text } of ASSUMPTIONS) {
    const source = fs.readFileSync(path.join(srcDir, file), 'utf8');
    if (count(source, text) !== 1) fail(file, `line ${JSON.stringify(text.trim())}`);
  }
  for (const { file, from, to } of EDITS) {
    const p = path.join(srcDir, file);
    const source = fs.readFileSync(p, 'utf8');
    if (count(source, from) !== 1) fail(file, `line ${JSON.stringify(from.trim())}`);
    fs.writeFileSync(p, source.replace(from, () => to));
  }
}
