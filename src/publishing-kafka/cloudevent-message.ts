import type { Message } from 'kafkajs';
import type { AccessChanged } from '../domain/access/resident-access';
import type { ClinicSettingsChanged } from '../domain/clinic/settings-changed';
import { accessChangedJson } from '../contract/access-mapping';
import { settingsChangedJson } from '../contract/settings-mapping';
import { eventKey, residentPseudonym } from './resident-pseudonym';

export const ACCESS_CHANGED_TYPE = 'se.residentaccess.v1.AccessChanged';
// A URI, as CloudEvents requires of dataschema: the proto message the data follows.
export const ACCESS_CHANGED_SCHEMA = 'urn:proto:residentaccess.v1.AccessChangedEvent';

export interface CloudEventSettings {
  source: string;
  pseudonymSecret: string;
}

/**
 * A CloudEvents 1.0 message in Kafka binary mode: attributes in `ce_*` headers, the event data as
 * the value. The subject names the clinic and the resident's pseudonym, never the number itself.
 */
export function toCloudEventMessage(event: AccessChanged, settings: CloudEventSettings): Message {
  const { clinicId, resident } = event.access;
  return {
    key: eventKey(settings.pseudonymSecret, clinicId, resident),
    value: accessChangedJson(event),
    headers: {
      ce_specversion: '1.0',
      ce_id: event.eventId,
      ce_source: settings.source,
      ce_type: ACCESS_CHANGED_TYPE,
      ce_time: event.occurredAt.toISOString(),
      ce_subject: `clinics/${clinicId}/residents/${residentPseudonym(settings.pseudonymSecret, resident)}`,
      ce_dataschema: ACCESS_CHANGED_SCHEMA,
      'content-type': 'application/json',
    },
  };
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
