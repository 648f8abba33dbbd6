export const COMMANDS = ['inspect', 'republish', 'jobs', 'outbox', 'export', 'import'] as const;
export type Command = (typeof COMMANDS)[number];

export const isCommand = (name: string): name is Command => (COMMANDS as readonly string[]).includes(name);

const EXIT_CODES = `Exit codes:
  0  done
  1  the call failed (the service answered an error, or could not be reached)
  2  wrong command line (unknown command or option, missing or extra argument)
  3  a needed input is missing or unreadable (the token, a certificate, the identity number, a file),
     or export's --output cannot be written
  4  import: some rows failed (each reported by line); the others were applied
`;

const SEE_GLOBAL = `Connection options (--address, --insecure, --token-file, ...), --json and the exit codes:
resident-access --help
`;

export const USAGE = `Usage: resident-access <command> [options]
       resident-access <command> --help
       resident-access --version

Commands:
  inspect             a resident's access at every clinic and why, latest audit entries, events
                      not yet published; the identity number from stdin or --resident-file
  republish           write new events (cause REPUBLISHED) with the current state; follows the job
  jobs                bulk removals, withdrawals, republish jobs and imports; --watch until none
                      runs
  outbox              each outbox's backlog and its oldest event
  export              a clinic's residents with their approvals and grants as CSV (a staff token
                      of the clinic, not the operator's)
  import              a clinic's residents from a file (CSV or NDJSON): approvals and grants;
                      with a clinic administrator's token

Options:
  --address host:port   the service (env RESIDENT_ACCESS_ADDRESS; default localhost:50051)
  --ca FILE             CA of the service's certificate (env RESIDENT_ACCESS_CA)
  --cert FILE --key FILE  client certificate for mutual TLS (env RESIDENT_ACCESS_CERT, _KEY)
  --insecure            plaintext gRPC, for a local or port-forwarded service on loopback
                        (env RESIDENT_ACCESS_INSECURE=true)
  --allow-insecure-remote  with --insecure, plaintext to a host that is not loopback: the token
                        crosses the network in clear
  --token-file FILE     the token: the operator's, or for export a staff token of the clinic (env
                        RESIDENT_ACCESS_TOKEN_FILE, or the token itself in RESIDENT_ACCESS_TOKEN)
  --json                JSON instead of tables
  -h, --help            this text; after a command, that command's
  --version             the CLI's version

${EXIT_CODES}`;

export const COMMAND_USAGE: Record<Command, string> = {
  inspect: `Usage: resident-access inspect [--resident-file FILE | NUMBER] [--audit-entries N] [options]

The resident's access at every clinic (approval, grants, version, etag), each case type available
or not and why, the latest audit entries and the events not yet published. A read of personal
data: logged in the access log, which the resident sees.

The personal identity number, safest first (on the command line it stays in the shell's history
and shows in ps):
  resident-access inspect < FILE              one line on standard input; at a terminal, typed at
                                              a prompt that does not echo it
  resident-access inspect --resident-file FILE  one line in FILE (- for standard input)
  resident-access inspect NUMBER              the number as an argument

Options:
  --resident-file FILE  the file holding the number
  --audit-entries N     how many of the latest audit entries (1 to 100; default 10)

${SEE_GLOBAL}`,
  republish: `Usage: resident-access republish --clinic C [--resident-file FILE | --resident NUMBER] [options]
       resident-access republish --all [options]

Starts a job that writes a new event (cause REPUBLISHED, version + 1, state unchanged) for each
stored access in scope, through the outbox, and follows it to its end (a progress bar on stderr
when it is a terminal). After a new current pseudonym key, --all is the key rotation.

Options:
  --clinic C            every access at this clinic
  --resident-file FILE  with --clinic, only the resident whose number is the one line of FILE
                        (- for standard input)
  --resident NUMBER     the same, the number on the command line (it stays in the shell's history)
  --all                 every access at every clinic
  --request-id UUID     the job's id: a retry with the same id resumes the same job
  --no-wait             answer once the job is started

${SEE_GLOBAL}`,
  jobs: `Usage: resident-access jobs [--watch] [options]

Bulk removals, pending case-type withdrawals, republish jobs and imports, newest first.

Options:
  --watch               list again every 2 s until none runs

${SEE_GLOBAL}`,
  import: `Usage: resident-access import FILE --clinic C [--import-id ID] [options]

Moves a clinic in: approves residents and hands out grants from FILE, with a token of the
clinic's administrator (--token-file). Each row is checked as ApproveResident and GrantCaseType
check theirs and applied as one change with one event (cause IMPORTED); a bad row is reported
by its line and why, never its number, and the other rows go on. The rows go in batches of 500,
with a progress bar on stderr at a terminal (a line per batch otherwise), then the failed lines
and a summary (applied, already applied, unchanged, failed) on stdout.

FILE is CSV when its name ends in .csv, NDJSON when .ndjson, .jsonl or .json, else by content:
  CSV, with a header:   personal_identity_number,approved,grants
                        191212121212,yes,diabetes-team:2026-12-31;psychotherapy
    approved: yes/no, true/false, 1/0 (empty: no); grants: case types separated by ";", each
    with ":LAST" for its last day, or alone for until further notice; with a first day
    ":FIRST..LAST" or ":FIRST.." (dates YYYY-MM-DD). Other columns are ignored; quotes as in
    RFC 4180 (a quoted field may hold a line break).
  NDJSON, one object a line:
    {"personal_identity_number": "191212121212", "approved": true,
     "grants": [{"case_type_id": "diabetes-team", "first_day": "2026-09-01", "until_date": "2026-12-31"}]}
A first day later than today makes the grant pending until 00:00 (Europe/Stockholm) that day;
today or earlier gives access at once (the old system had started it).
An import adds: approved false (or no) leaves an approval as it is; a held grant gets the row's end.

Each row's request id is the import id and its line, so running the same import again (after a
crash, or twice) applies no row twice: such rows count as already applied.

Options:
  --clinic C            the clinic's HSA-id
  --import-id ID        the import's id (default: a digest of the clinic and the file's bytes, so
                        the same file is the same import; give a new id to import it anew)

${SEE_GLOBAL}`,
  outbox: `Usage: resident-access outbox [options]

Per outbox (access, settings): documents with unpublished events and the oldest one's age.

${SEE_GLOBAL}`,
  export: `Usage: resident-access export --clinic C [--output FILE] [--page-size N] [options]

The clinic's residents that are approved or hold a grant, in identity-number order, as CSV
(RFC 4180: CRLF, fields with a comma, quote or line break quoted), one row per resident after a
header, the shape import reads back:
  personal_identity_number,name,approved,grants
  191212121212,Tolvan Tolvansson,true,diabetes-team:2027-06-30;psychotherapy
approved is true or false; grants are case-type:last-day, or the case type alone for until
further notice, with a first day case-type:first-day..last-day or case-type:first-day.., separated
by ";". name is empty for residents with protected identity and
residents the population register does not know (import ignores it).

Needs a token with the role staff at the clinic (ListResidents); the operator's token cannot list
residents. Every resident exported is a read of personal data: logged in the access log, under your
token's subject, which the resident sees.

The listing is read a page at a time (not a snapshot: a resident changed meanwhile is written as
its page found it), waiting as the service's rate limit asks.

Options:
  --clinic C            the clinic's HSA-id
  -o, --output FILE     write the CSV to FILE (readable by you only; it gets its name only when
                        complete, and a failed export leaves no file) and a summary to stdout;
                        without it, the CSV goes to stdout
  --page-size N         residents per call (1 to 1000; default 1000)

${SEE_GLOBAL}`,
};
