import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config/config';
import type { AccessChanged } from '../domain/access/resident-access';
import type { ClinicSettingsChanged } from '../domain/clinic/settings-changed';
import type { Clock } from '../domain/ports/clock';
import { homeOf } from '../domain/identity/registered-resident';
import { toAccessMessages, toSettingsCloudEventMessage } from '../publishing-kafka/cloudevent-message';
import { KafkaEventPublisher } from '../publishing-kafka/kafka-event-publisher';
import { RegisterConsumer } from '../register/register-consumer';
import { OutboxRelay } from '../relay/outbox-relay';
import type { Monitoring } from './build-monitoring';
import type { Storage } from './build-storage';

export type Messaging = ReturnType<typeof buildMessaging>;

/** Kafka out (the publishers and the relays that feed them from the outboxes) and in (the register consumer). */
export function buildMessaging(config: Config, kafka: Kafka, storage: Storage, monitoring: Monitoring, clock: Clock, logger: Logger) {
  const topic = (name: string) => ({ name, partitions: config.kafka.topicPartitions, replicationFactor: config.kafka.topicReplicationFactor });
  const sendRetry = config.tuning.kafkaSendRetry;
  const accessPublisher = new KafkaEventPublisher<AccessChanged>(kafka, topic(config.kafka.accessTopic), (e) => toAccessMessages(e, config.events), sendRetry);
  const settingsPublisher = new KafkaEventPublisher<ClinicSettingsChanged>(kafka, topic(config.kafka.settingsTopic), (e) => [toSettingsCloudEventMessage(e, config.events)], sendRetry);

  // Before an access event leaves: its audit entry is written and the resident's view has caught up.
  const accessRecorder = {
    record: async (events: readonly AccessChanged[]) => {
      await Promise.all([storage.auditTrail.record(events), storage.projection.catchUp(events)]);
    },
  };
  const relay = new OutboxRelay(
    storage.accessOutbox,
    accessPublisher,
    accessRecorder,
    monitoring.publishingOf('access'),
    clock,
    config.relay,
    logger.child({ component: 'relay' }),
    config.tuning.relayBackoff,
    config.tuning.relay,
    // Test-only: a crash between Kafka's acknowledgement and the outbox mark.
    config.failpoint === 'exit-after-publish' ? () => process.kill(process.pid, 'SIGKILL') : undefined,
  );
  // Settings changes are recorded as lastChange on the clinic; before one leaves, every instance's settings copy is told to reload.
  const settingsRecorder = { record: () => storage.clinics.markChanged() };
  const settingsRelay = new OutboxRelay(
    storage.settingsOutbox,
    settingsPublisher,
    settingsRecorder,
    monitoring.publishingOf('settings'),
    clock,
    config.relay,
    logger.child({ component: 'settings-relay' }),
    config.tuning.relayBackoff,
    config.tuning.relay,
  );

  // The register read model first, then the resident's view from what it holds now: a redelivery
  // after a crash between the two, which the read model ignores as old, still reaches the view.
  const followedInViews = async <T>(resident: string, written: T): Promise<T> => {
    await storage.views.applyHomes([{ resident, home: homeOf(await storage.register.find(resident)) }]);
    return written;
  };
  const registerConsumer = new RegisterConsumer({
    kafka,
    topic: config.register.topic,
    groupId: config.register.consumerGroup,
    register: {
      apply: async (state) => followedInViews(state.personalIdentityNumber, await storage.register.apply(state)),
      remove: async (resident, registeredAt) => followedInViews(resident, await storage.register.remove(resident, registeredAt)),
    },
    logger,
    observer: monitoring.metrics.registerConsumer,
    retry: config.tuning.registerJoinRetry,
  });
  return { accessPublisher, settingsPublisher, relay, settingsRelay, registerConsumer };
}
