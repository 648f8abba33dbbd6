import type { Message } from 'kafkajs';
import { hasAnyAccess, type AccessChanged } from '../domain/access/resident-access';
import type { ClinicSettingsChanged } from '../domain/clinic/settings-changed';
import { accessChangedJson } from '../contract/access-mapping';
import { settingsChangedJson } from '../contract/settings-mapping';
import type { PseudonymKeyRing } from '../config/pseudonym-key-ring';
import { eventKey, residentPseudonym } from './resident-pseudonym';

export const ACCESS_CHANGED_TYPE = 'se.residentaccess.v1.AccessChanged';
// A URI, as CloudEvents requires of dataschema: the proto message the data follows.
export const ACCESS_CHANGED_SCHEMA = 'urn:proto:residentaccess.v1.AccessChangedEvent';

export interface CloudEventSettings {
  source: string;
  /** New keys and subjects are made with the current key; a republished state retires the older keys' (toAccessMessages). */
  pseudonymKeys: PseudonymKeyRing;
}

/**
 * A CloudEvents 1.0 message in Kafka binary mode: attributes in `ce_*` headers, the event data as
 * the value. The subject names the clinic and the resident's pseudonym, never the number itself.
 */
export function toCloudEventMessage(event: AccessChanged, settings: CloudEventSettings): Message {
  const { clinicId, resident } = event.access;
  const secret = settings.pseudonymKeys.current.secret;
  return {
    key: eventKey(secret, clinicId, resident),
    value: accessChangedJson(event),
    headers: {
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_source: settings.source,
      ce_type: ACCESS_CHANGED_TYPE,
      ce_time: event.occurredAt.toISOString(),
      ce_subject: `clinics/${clinicId}/residents/${residentPseudonym(secret, resident)}`,
      ce_dataschema: ACCESS_CHANGED_SCHEMA,
      'content-type': 'application/json',
    },
  };
}

/** On a tombstone: the version of the event it follows, so a consumer can tell a stale one. */
export const TOMBSTONE_VERSION_HEADER = 'access-version';
/** On a tombstone that retires an older key's Kafka key: the key the resident's access goes on under. */
export const SUPERSEDED_BY_HEADER = 'superseded-by';

/**
 * An access event's messages: the event, and when the resident has nothing left at the clinic, a
 * tombstone right after it (same key, null value), so that compaction in time forgets the key and
 * every event that carried the resident's number. A republished state also ends the resident's
 * Kafka key under every older key of the ring: after a key rotation, republishing every access
 * (docs/security.md) moves each to its new key and lets compaction drop the old ones.
 */
export function toAccessMessages(event: AccessChanged, settings: CloudEventSettings): Message[] {
  const message = toCloudEventMessage(event, settings);
  const tombstone = (key: string, headers: Record<string, string> = {}): Message => ({
    key,
    value: null,
    headers: { [TOMBSTONE_VERSION_HEADER]: String(event.version), ...headers },
  });
  const messages = hasAnyAccess(event.access) ? [message] : [message, tombstone(String(message.key))];
  if (event.cause !== 'REPUBLISHED') return messages;
  const { clinicId, resident } = event.access;
  const retired = settings.pseudonymKeys.older.map((k) => tombstone(eventKey(k.secret, clinicId, resident), { [SUPERSEDED_BY_HEADER]: String(message.key) }));
  return [...messages, ...retired];
}

export const SETTINGS_CHANGED_TYPE = 'se.residentaccess.v1.ClinicSettingsChanged';
export const SETTINGS_CHANGED_SCHEMA = 'urn:proto:residentaccess.v1.ClinicSettingsChangedEvent';

/** Clinic settings carry no personal data: the clinic's HSA-id is key and subject. */
export function toSettingsCloudEventMessage(event: ClinicSettingsChanged, settings: Pick<CloudEventSettings, 'source'>): Message {
  const { clinicId } = event.settings;
  return {
    key: clinicId,
    value: settingsChangedJson(event),
    headers: {
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_source: settings.source,
      ce_type: SETTINGS_CHANGED_TYPE,
      ce_time: event.occurredAt.toISOString(),
      ce_subject: `clinics/${clinicId}`,
      ce_dataschema: SETTINGS_CHANGED_SCHEMA,
      'content-type': 'application/json',
    },
  };
}
