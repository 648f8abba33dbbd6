export const USAGE = `Usage: resident-access <command> [options]

Commands:
  inspect <personal identity number> [--audit-entries N]
                      the resident's access at every clinic and why, latest audit entries,
                      events not yet published
  republish --clinic C [--resident N] | --all [--request-id UUID] [--no-wait]
                      write new events (cause REPUBLISHED) with the current state; follows the job
  jobs [--watch]      bulk removals, withdrawals and republish jobs; --watch until none runs
  outbox              each outbox's backlog and its oldest event

Options:
  --address host:port   the service (env RESIDENT_ACCESS_ADDRESS; default localhost:50051)
  --ca FILE             CA of the service's certificate (env RESIDENT_ACCESS_CA)
  --cert FILE --key FILE  client certificate for mutual TLS (env RESIDENT_ACCESS_CERT, _KEY)
  --insecure            plaintext gRPC, for a local or port-forwarded service on loopback
                        (env RESIDENT_ACCESS_INSECURE=true)
  --allow-insecure-remote  with --insecure, plaintext to a host that is not loopback: the token
                        crosses the network in clear
  --token-file FILE     the operator's token (or env RESIDENT_ACCESS_TOKEN / _TOKEN_FILE)
  --json                JSON instead of tables
  -h, --help            this text

Exit codes: 0 done, 1 the call failed, 2 wrong command line.
`;
