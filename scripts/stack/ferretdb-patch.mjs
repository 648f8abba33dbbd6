// The source changes the local stack makes to FerretDB 1.24.2 before building it. See
// docs/ferretdb.md, "Atomic updates (the local patch)", "Indexes" and "PostgreSQL backend".
//
// Atomic writes (both backends). FerretDB 1.x runs `update` (and bulkWrite's updates, which arrive
// as one `update` command), `findAndModify` and `delete` as: query the backend, filter and apply
// the update in Go, then write the result back by `_id`, with nothing held between the query and
// the write. Two concurrent `updateOne({_id, revision: n}, {$set: {revision: n + 1}})` both read
// revision n, both report a match, and the second write overwrites the first. The patch adds
// handler/resident_access_lock.go, a per-collection mutex (key: database + collection) in the
// FerretDB process, and takes it with one `defer` line at the start of the three functions that
// read-then-write (updateDocument, findAndModifyDocument, MsgDelete), so it is held across query,
// apply and write and released when the command's work is done. Writes to one collection run one
// at a time; reads and inserts do not take it (an insert is already atomic through the unique
// `_id` index). This is correct because the local stack runs one FerretDB process per store and
// nothing else writes the SQLite files or the PostgreSQL database. Each function takes only one
// collection's lock and takes it before using a backend connection, so locks cannot deadlock
// each other.
//
// Many-statement updates (both backends): updateDocument defers each statement's query close to the
// end of the command, so an `update` of 100 statements (a bulkWrite of 100 updateOnes: the relay
// marks a batch so) holds 100 backend connections and hangs the database once its pool is used up.
// The patch closes each statement's query as soon as its update is applied.
//
// TTL indexes (both backends): createIndexes refuses `expireAfterSeconds` as not implemented. The
// patch accepts it like the deprecated `background`: the index is made without expiry, and the
// service's periodic purge (which runs on every server) deletes expired records.
//
// Marker (both backends): buildInfo answers `residentAccessPatch: "<FERRETDB_PATCH_ID>"`, so a
// client can tell a patched FerretDB from a stock one (scripts/database-server-check.ts).
//
// SQLite backend, `_id` by its index: a filter that is exactly {_id: <string|ObjectId>} is pushed
// down as `WHERE _ferretdb_sjson->'$._id' = ?` (metadata.IDColumn, used by collection.go Query,
// UpdateAll, DeleteAll and Explain), but the unique `_id_` index is created on
// `_ferretdb_sjson->"_id"` (registry.go quotes each field with %q). SQLite uses an expression
// index only when the query's expression matches the indexed one, so every `_id` lookup, update
// and delete scans the table. The patch makes IDColumn the index's expression, so existing
// database files work unchanged. Both expressions give the same value for every document
// (checked on strings with quotes, backslashes, unicode and NUL, ObjectIds, numbers, documents).
//
// SQLite backend, `_id` in longer filters: Query pushes `_id` down only when it is the filter's
// only key, so {_id, revision} (every compare-and-set) scans the table. The patch pushes a
// string or ObjectId `_id` down whenever the filter has it. That is safe: top-level filter keys
// are ANDed, so every matching document has that `_id`, and the handler filters every row the
// backend returns again in Go against the whole filter. Explain shows the same SQL but still
// reports filterPushdown only when the whole filter was pushed down (a lone `_id`).
//
// PostgreSQL backend (FerretDB/FerretDB#4646, no fixed 1.x release): a top-level equality such
// as {_id: "x"} is pushed down as `_jsonb->$1 @> $2` (query.go filterEqual), but the `_id_` index
// is a B-tree on `((_jsonb->'_id'))` (registry.go), which serves `=` and never `@>`: every find,
// and the read before every update and delete, is a sequential scan. The patch pushes an `_id`
// that is a string or an ObjectID down as `_jsonb->'_id' = $n` (metadata.IDColumn, the index's
// expression, which UpdateAll and DeleteAll already use). For those values both operators select
// the same rows (an `_id` is never an array, the one case where `@>` on a scalar differs).
// prepareWhereClause handles every top-level key this way, so {_id, revision} uses the index too.
// Other fields and other `_id` types are pushed down as before.
import fs from 'node:fs';
import path from 'node:path';

/** Changes whenever the patch changes; stamped next to the binary so stale builds are rebuilt. */
export const FERRETDB_PATCH_ID = 'atomic-writes-id-pushdown-ttl-option-update-close-5';

const LOCK_LINE =
  '\t// Patched by resident-access scripts/stack: held across query, apply and write (resident_access_lock.go).\n' + '\tdefer residentAccessLockCollection(params.DB, params.Collection)()\n';

// Files the patch adds; the build fails if one already exists.
const NEW_FILES = [
  {
    name: 'lock map (new file)',
    file: 'internal/handler/resident_access_lock.go',
    text: [
      '// Added by resident-access scripts/stack (ferretdb-patch.mjs); not part of FerretDB.',
      '',
      'package handler',
      '',
      'import "sync"',
      '',
      '// residentAccessLocks holds one mutex per collection ("<database>\\x00<collection>").',
      'var residentAccessLocks sync.Map',
      '',
      '// residentAccessLockCollection locks the collection db.coll in this process and returns the unlock.',
      '// updateDocument, findAndModifyDocument and MsgDelete hold it from before their query until',
      '// after their write, so that their read-apply-write is atomic against each other, as in MongoDB.',
      'func residentAccessLockCollection(db, coll string) func() {',
      '\tm, _ := residentAccessLocks.LoadOrStore(db+"\\x00"+coll, new(sync.Mutex))',
      '\tmu := m.(*sync.Mutex)',
      '\tmu.Lock()',
      '',
      '\treturn mu.Unlock',
      '}',
      '',
    ].join('\n'),
  },
];

const EDITS = [
  {
    name: 'lock in updateDocument',
    file: 'internal/handler/msg_update.go',
    from: 'func (h *Handler) updateDocument(ctx context.Context, params *common.UpdateParams) (int32, int32, *types.Array, error) {\n',
    to: 'func (h *Handler) updateDocument(ctx context.Context, params *common.UpdateParams) (int32, int32, *types.Array, error) {\n' + LOCK_LINE + '\n',
  },
  {
    name: 'lock in findAndModifyDocument',
    file: 'internal/handler/msg_findandmodify.go',
    from: 'func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n',
    to: 'func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n' + LOCK_LINE + '\n',
  },
  {
    name: 'lock in MsgDelete',
    file: 'internal/handler/msg_delete.go',
    from: '\tparams, err := common.GetDeleteParams(document, h.L)\n' + '\tif err != nil {\n' + '\t\treturn nil, lazyerrors.Error(err)\n' + '\t}\n',
    to: '\tparams, err := common.GetDeleteParams(document, h.L)\n' + '\tif err != nil {\n' + '\t\treturn nil, lazyerrors.Error(err)\n' + '\t}\n\n' + LOCK_LINE,
  },
  {
    name: 'update statements close their query',
    file: 'internal/handler/msg_update.go',
    from:
      '\t\tcloser := iterator.NewMultiCloser()\n' +
      '\t\tdefer closer.Close()\n' +
      '\n' +
      '\t\tcloser.Add(res.Iter)\n' +
      '\n' +
      '\t\titer := common.FilterIterator(res.Iter, closer, u.Filter)\n' +
      '\n' +
      '\t\tif !u.Multi {\n' +
      '\t\t\titer = common.LimitIterator(iter, closer, 1)\n' +
      '\t\t}\n' +
      '\n' +
      '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    to:
      '\t\tcloser := iterator.NewMultiCloser()\n' +
      '\n' +
      '\t\tcloser.Add(res.Iter)\n' +
      '\n' +
      '\t\titer := common.FilterIterator(res.Iter, closer, u.Filter)\n' +
      '\n' +
      '\t\tif !u.Multi {\n' +
      '\t\t\titer = common.LimitIterator(iter, closer, 1)\n' +
      '\t\t}\n' +
      '\n' +
      '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n' +
      "\t\t// Patched by resident-access scripts/stack: this statement's query is closed now (was: deferred to\n" +
      '\t\t// the end of the command), so a command of many statements holds one backend connection at a\n' +
      '\t\t// time instead of one per statement, which exhausted the pool and hung the database.\n' +
      '\t\tcloser.Close()\n',
  },
  {
    name: 'TTL index option accepted',
    file: 'internal/handler/msg_createindexes.go',
    from: '\t\tcase "partialFilterExpression", "expireAfterSeconds", "hidden", "storageEngine",\n',
    to:
      '\t\tcase "expireAfterSeconds":\n' +
      '\t\t\t// Patched by resident-access scripts/stack: accepted, not enforced (no TTL monitor);\n' +
      "\t\t\t// the service's own purge deletes expired records on every server.\n" +
      '\n' +
      '\t\tcase "partialFilterExpression", "hidden", "storageEngine",\n',
  },
  {
    name: 'buildInfo marker',
    file: 'internal/handler/msg_buildinfo.go',
    from: '\t\t\t"ferretdbVersion", version.Get().Version,\n',
    to:
      '\t\t\t"ferretdbVersion", version.Get().Version,\n' +
      '\t\t\t// Patched by resident-access scripts/stack: names the patch this binary was built with.\n' +
      `\t\t\t"residentAccessPatch", ${JSON.stringify(FERRETDB_PATCH_ID)},\n`,
  },
  {
    name: 'sqlite _id pushdown in longer filters (Query)',
    file: 'internal/backends/sqlite/collection.go',
    // Query (Explain's copy of these lines sets filterPushdown first, so this text is Query's only).
    from: '\tif params.Filter.Len() == 1 {\n' + '\t\tv, _ := params.Filter.Get("_id")\n' + '\t\tswitch v.(type) {\n' + '\t\tcase string, types.ObjectID:\n' + '\t\t\twhereClause = ',
    to:
      '\t// Patched by resident-access scripts/stack: `_id` is pushed down whenever the filter has it\n' +
      '\t// (was: only when it is the only key); the handler filters the rows again in Go.\n' +
      '\tif params.Filter.Len() > 0 {\n' +
      '\t\tv, _ := params.Filter.Get("_id")\n' +
      '\t\tswitch v.(type) {\n' +
      '\t\tcase string, types.ObjectID:\n' +
      '\t\t\twhereClause = ',
  },
  {
    name: 'sqlite _id pushdown in longer filters (Explain)',
    file: 'internal/backends/sqlite/collection.go',
    // Explain: the same SQL as Query, but the whole filter is pushed down only when it is a lone `_id`.
    from: '\tif params.Filter.Len() == 1 {\n' + '\t\tv, _ := params.Filter.Get("_id")\n' + '\t\tswitch v.(type) {\n' + '\t\tcase string, types.ObjectID:\n' + '\t\t\tfilterPushdown = true\n',
    to:
      '\t// Patched by resident-access scripts/stack: the SQL Query runs (see there); filterPushdown\n' +
      '\t// still says whether the whole filter was pushed down.\n' +
      '\tif params.Filter.Len() > 0 {\n' +
      '\t\tv, _ := params.Filter.Get("_id")\n' +
      '\t\tswitch v.(type) {\n' +
      '\t\tcase string, types.ObjectID:\n' +
      '\t\t\tfilterPushdown = params.Filter.Len() == 1\n',
  },
  {
    name: 'sqlite IDColumn is the index expression',
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `\tIDColumn = DefaultColumn + "->'$._id'"\n`,
    to:
      '\t// Patched by resident-access scripts/stack: the exact expression of the `_id_` index\n' +
      '\t// (registry.go), so that SQLite serves `_id` pushdowns from it instead of scanning.\n' +
      '\tIDColumn = DefaultColumn + `->"_id"`\n',
  },
  {
    name: 'postgresql _id by the index (call)',
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
    name: 'postgresql _id by the index (filterIDEqual)',
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
  const fail = (name, file, what) => {
    throw new Error(
      `ferretdb: cannot apply patch ${FERRETDB_PATCH_ID}, ${name}: ${file} ${what}; ` + 'the FerretDB source is not the one the patch was written for (scripts/stack/ferretdb-patch.mjs)',
    );
  };
  for (const { file, text } of ASSUMPTIONS) {
    const source = fs.readFileSync(path.join(srcDir, file), 'utf8');
    if (count(source, text) !== 1) fail('assumption', file, `does not contain exactly one line ${JSON.stringify(text.trim())}`);
  }
  for (const { name, file } of NEW_FILES) {
    const p = path.join(srcDir, file);
    if (!fs.existsSync(path.dirname(p))) fail(name, file, 'cannot be added: its directory does not exist');
    if (fs.existsSync(p)) fail(name, file, 'cannot be added: it exists already');
  }
  for (const { name, file, from, to } of EDITS) {
    const p = path.join(srcDir, file);
    const source = fs.readFileSync(p, 'utf8');
    if (count(source, from) !== 1) fail(name, file, `does not contain exactly one ${JSON.stringify(from.trim())}`);
    fs.writeFileSync(
      p,
      source.replace(from, () => to),
    );
  }
  for (const { file, text } of NEW_FILES) fs.writeFileSync(path.join(srcDir, file), text);
}
