import { etagOf, type AccessChangeCause as DomainCause, type AccessChanged, type ChangeStamp, type Grant, type ResidentAccess } from '../domain/access/resident-access';
import { isPending } from '../domain/access/grant-start';
import * as access from '../gen/residentaccess/v1/access';
import * as events from '../gen/residentaccess/v1/events';

/** Domain → published contract (proto messages), shared by the gRPC API and the Kafka events. */
function toChangeStamp(stamp: ChangeStamp): access.ChangeStamp {
  return { actor: stamp.actor, time: stamp.at, requestId: stamp.requestId };
}

function toGrantMessage(grant: Grant): access.Grant {
  return {
    caseTypeId: grant.caseTypeId,
    untilDate: grant.until ?? '',
    endsAt: grant.endsAt ?? undefined,
    granted: toChangeStamp(grant.granted),
    changed: grant.changed ? toChangeStamp(grant.changed) : undefined,
    firstDay: grant.firstDay ?? '',
    pending: isPending(grant),
    startsAt: isPending(grant) ? grant.startsAt : undefined,
  };
}

export function toResidentAccessMessage(state: ResidentAccess): access.ResidentAccess {
  return {
    clinicId: state.clinicId,
    personalIdentityNumber: state.resident,
    approval: state.approval ? { approved: toChangeStamp(state.approval) } : undefined,
    version: state.version,
    etag: etagOf(state),
    grants: state.grants.map(toGrantMessage),
  };
}

const causes: Record<DomainCause, events.AccessChangeCause> = {
  APPROVED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_APPROVED,
  APPROVAL_REMOVED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_APPROVAL_REMOVED,
  GRANTED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_GRANTED,
  GRANT_CHANGED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_GRANT_CHANGED,
  GRANT_REMOVED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_GRANT_REMOVED,
  CASE_TYPE_WITHDRAWN: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_CASE_TYPE_WITHDRAWN,
  GRANT_EXPIRED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_GRANT_EXPIRED,
  GRANT_STARTED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_GRANT_STARTED,
  REPUBLISHED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_REPUBLISHED,
  GRANT_ENDING_SOON: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_GRANT_ENDING_SOON,
  IMPORTED: events.AccessChangeCause.ACCESS_CHANGE_CAUSE_IMPORTED,
};

export function toAccessChangedMessage(event: AccessChanged): events.AccessChangedEvent {
  return {
    eventId: event.eventId,
    cause: causes[event.cause],
    access: toResidentAccessMessage(event.access),
    version: event.version,
    actor: event.actor,
    requestId: event.requestId,
    time: event.occurredAt,
    endingGrant: event.endingGrant ? { caseTypeId: event.endingGrant.caseTypeId, untilDate: event.endingGrant.until, endsAt: event.endingGrant.endsAt } : undefined,
  };
}

/** The event's data as published: the protobuf JSON mapping of AccessChangedEvent. */
export function accessChangedJson(event: AccessChanged): string {
  return JSON.stringify(events.AccessChangedEvent.toJSON(toAccessChangedMessage(event)));
}
