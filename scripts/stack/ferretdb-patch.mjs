// The source changes the local stack makes to FerretDB 1.24.2 before building it, one per backend.
//
// SQLite backend: a filter that is exactly {_id: <string|ObjectId>} is pushed down as
// `WHERE _ferretdb_sjson->'$._id' = ?` (metadata.IDColumn, used by collection.go Query,
// UpdateAll, DeleteAll and Explain), but the unique `_id_` index is created on
// `_ferretdb_sjson->"_id"` (registry.go quotes each field with %q). SQLite uses an expression
// index only when the query's expression matches the indexed one, so every `_id` lookup, update
// and delete scans the table. The patch makes IDColumn the index's expression, so existing
// database files work unchanged. Both expressions give the same value for every document
// (checked on strings with quotes, backslashes, unicode and NUL, ObjectIds, numbers, documents).
//
// PostgreSQL backend (FerretDB/FerretDB#4646, no fixed 1.x release): a top-level equality such
// as {_id: "x"} is pushed down as `_jsonb->$1 @> $2` (query.go filterEqual), but the `_id_` index
// is a B-tree on `((_jsonb->'_id'))` (registry.go), which serves `=` and never `@>`: every find,
// and the read before every update and delete, is a sequential scan. The patch pushes an `_id`
// that is a string or an ObjectID down as `_jsonb->'_id' = $n` (metadata.IDColumn, the index's
// expression, which UpdateAll and DeleteAll already use). For those values both operators select
// the same rows (an `_id` is never an array, the one case where `@>` on a scalar differs).
// Other fields and other `_id` types are pushed down as before.
// See docs/ferretdb.md, "Indexes" and "PostgreSQL backend".
import fs from 'node:fs';
import path from 'node:path';

/** Changes whenever the patch changes; stamped next to the binary so stale builds are rebuilt. */
export const FERRETDB_PATCH_ID = 'sqlite-and-postgresql-id-pushdown-uses-index-2';

const EDITS = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `\tIDColumn = DefaultColumn + "->'$._id'"\n`,
    to:
      '\t// Patched by resident-access scripts/stack: the exact expression of the `_id_` index\n' +
      '\t// (registry.go), so that SQLite serves `_id` pushdowns from it instead of scanning.\n' +
      '\tIDColumn = DefaultColumn + `->"_id"`\n',
  },
  {
    file: 'internal/backends/postgresql/query.go',
    from: '\t\tcase float64, string, types.ObjectID, bool, time.Time, int32, int64:\n' + '\t\t\tif f, a := filterEqual(p, key, v, keyOperator); f != "" {\n',
    to:
      '\t\tcase float64, string, types.ObjectID, bool, time.Time, int32, int64:\n' +
      '\t\t\t// Patched by resident-access scripts/stack: `_id` by the `_id_` index (filterIDEqual).\n' +
      '\t\t\tif f, a := filterIDEqual(p, rootKey, v); f != "" {\n' +
      '\t\t\t\tfilters = append(filters, f)\n' +
      '\t\t\t\targs = append(args, a...)\n' +
      '\t\t\t} else if f, a := filterEqual(p, key, v, keyOperator); f != "" {\n',
  },
  {
    file: 'internal/backends/postgresql/query.go',
    from: '// filterEqual returns the proper SQL filter with arguments that filters documents\n',
    to:
      '// filterIDEqual is added by resident-access scripts/stack. For {_id: <string|ObjectID>} it\n' +
      "// returns `_jsonb->'_id' = $n`: metadata.IDColumn is the expression of the unique `_id_` index,\n" +
      "// and `=` is what a B-tree index serves (filterEqual's `@>` is always a sequential scan).\n" +
      '// For these values `=` and `@>` select the same rows, as an `_id` is never an array.\n' +
      'func filterIDEqual(p *metadata.Placeholder, rootKey string, v any) (string, []any) {\n' +
      '\tif rootKey != "_id" {\n' +
      '\t\treturn "", nil\n' +
      '\t}\n' +
      '\n' +
      '\tswitch v.(type) {\n' +
      '\tcase string, types.ObjectID:\n' +
      '\t\targ := string(must.NotFail(sjson.MarshalSingleValue(v)))\n' +
      '\t\treturn fmt.Sprintf("%s = %s", metadata.IDColumn, p.Next()), []any{arg}\n' +
      '\tdefault:\n' +
      '\t\treturn "", nil\n' +
      '\t}\n' +
      '}\n' +
      '\n' +
      '// filterEqual returns the proper SQL filter with arguments that filters documents\n',
  },
];

// What the patch relies on without changing it: SQLite indexes are created on `->"<field>"`;
// PostgreSQL's on `((_jsonb->'<field>'))`, the same expression as its IDColumn.
const ASSUMPTIONS = [
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    text: '\t\t\t\tfields[j] = fmt.Sprintf("%q", f)\n',
  },
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    text: '\t\t\tcolumns[i] = fmt.Sprintf("%s->%s", DefaultColumn, strings.Join(fields, "->"))\n',
  },
  {
    file: 'internal/backends/postgresql/metadata/metadata.go',
    text: `\tIDColumn = DefaultColumn + "->'_id'"\n`,
  },
  {
    file: 'internal/backends/postgresql/metadata/registry.go',
    text: '\t\t\t\ttransformedParts[j] = quoteString(f)\n',
  },
  {
    file: 'internal/backends/postgresql/metadata/registry.go',
    text: '\t\t\tcolumns[i] = fmt.Sprintf("((%s->%s))", DefaultColumn, strings.Join(transformedParts, " -> "))\n',
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
    fs.writeFileSync(
      p,
      source.replace(from, () => to),
    );
  }
}
