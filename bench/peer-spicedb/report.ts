/**
 * The peer's block of the bench's JSON (`peer`) and its lines in the printed report. Ratios are the
 * service's figure over SpiceDB's, each pair measured one right after the other at the same
 * concurrency: `service_check_vs_peer_at_8` is CheckEntitlement's ops/s over CheckPermission's,
 * `service_check_p99_vs_peer_at_8` its p99 over CheckPermission's (below 1: the service's is lower);
 * `service_entitlements_*` compare ListEntitlements with LookupResources likewise.
 */
import { ratio } from '../common';
import type { LoadResult } from '../load';
import type { PeerComparison } from './compare';

export function peerReport(c: PeerComparison) {
  const figures: Record<string, number | null> = {};
  const service: Record<string, number | null> = {};
  const ratios: Record<string, number | null> = {};
  for (const at of c.at) {
    const n = at.concurrency;
    figures[`check_ops_per_s_at_${n}`] = at.peerCheck.opsPerS;
    figures[`check_p99_ms_at_${n}`] = at.peerCheck.p99Ms;
    figures[`lookup_ops_per_s_at_${n}`] = at.peerLookup.opsPerS;
    figures[`lookup_p99_ms_at_${n}`] = at.peerLookup.p99Ms;
    service[`check_ops_per_s_at_${n}`] = at.serviceCheck.opsPerS;
    service[`check_p99_ms_at_${n}`] = at.serviceCheck.p99Ms;
    service[`entitlements_ops_per_s_at_${n}`] = at.serviceEntitlements.opsPerS;
    service[`entitlements_p99_ms_at_${n}`] = at.serviceEntitlements.p99Ms;
    ratios[`service_check_vs_peer_at_${n}`] = ratio(at.serviceCheck.opsPerS, at.peerCheck.opsPerS);
    ratios[`service_check_p99_vs_peer_at_${n}`] = ratio(at.serviceCheck.p99Ms, at.peerCheck.p99Ms);
    ratios[`service_entitlements_vs_peer_at_${n}`] = ratio(at.serviceEntitlements.opsPerS, at.peerLookup.opsPerS);
    ratios[`service_entitlements_p99_vs_peer_at_${n}`] = ratio(at.serviceEntitlements.p99Ms, at.peerLookup.p99Ms);
  }
  return {
    name: c.name,
    version: c.version,
    datastore: `PostgreSQL ${c.postgresVersion}`,
    api: 'gRPC, @grpc/grpc-js with definitions from server reflection; consistency minimize_latency',
    residents: c.residents,
    clinics: c.clinics,
    relationships: c.relationships,
    load_s: c.loadS,
    service_seed_s: c.seedS,
    ...figures,
    /** The service's reads measured beside the peer's (in this step, not the reads step's). */
    service,
    ratios,
    peer_peak_rss_mb: c.peerPeakRssMb,
    service_peak_rss_mb: c.servicePeakRssMb,
    runs: c.at,
  };
}

/** Each pair of runs, named for the table (the service's marked apart from the reads step's), in the order they ran. */
export function peerRuns(c: PeerComparison): Array<{ name: string; result: LoadResult }> {
  return c.at.flatMap((at) => [
    { name: 'SpiceDB CheckPermission', result: at.peerCheck },
    { name: 'service CheckEntitlement (peer)', result: at.serviceCheck },
    { name: 'SpiceDB LookupResources', result: at.peerLookup },
    { name: 'service ListEntitlements (peer)', result: at.serviceEntitlements },
  ]);
}

/** The ratios as note lines of the printed report. */
export function peerLines(c: PeerComparison): string[] {
  const r = peerReport(c).ratios;
  return [
    `peer: SpiceDB ${c.version} on PostgreSQL ${c.postgresVersion}, ${c.relationships} relationships (${c.residents} residents over ${c.clinics} clinics, loaded in ${c.loadS} s); ` +
      `SpiceDB peak RSS ${c.peerPeakRssMb ?? '-'} MB, the service's in this step ${c.servicePeakRssMb ?? '-'} MB`,
    ...c.at.map(
      ({ concurrency: n }) =>
        `peer at ${n} in flight: service/SpiceDB ops/s CheckEntitlement/CheckPermission ${r[`service_check_vs_peer_at_${n}`] ?? '-'}, ` +
        `ListEntitlements/LookupResources ${r[`service_entitlements_vs_peer_at_${n}`] ?? '-'}; p99 ratio ${r[`service_check_p99_vs_peer_at_${n}`] ?? '-'} and ` +
        `${r[`service_entitlements_p99_vs_peer_at_${n}`] ?? '-'} (below 1: the service's p99 is lower)`,
    ),
  ];
}
