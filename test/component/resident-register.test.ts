import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { MongoClient, type Collection, type Db } from 'mongodb';
import pino from 'pino';
import { RegisterConsumer } from '../../src/register/register-consumer';
import { MongoResidentRegister, RESIDENTS_COLLECTION, type ResidentDocument } from '../../src/storage-mongo/mongo-resident-register';
import { aResident } from '../builders/identity';
import { LogCapture } from '../support/log-capture';
import { eventuallyFound, eventuallyPasses } from '../support/eventually';
import { integrationServers, uniqueName } from '../support/test-env';

type Value = Record<string, unknown> | string | null;

const stateOf = (pin: string, registeredAt: string, overrides: Record<string, unknown> = {}) => ({
  personalIdentityNumber: pin,
  givenName: 'Astrid',
  familyName: 'Lindqvist',
  protectedIdentity: false,
  regionCode: '12',
  municipalityCode: '1281',
  registeredAt,
  ...overrides,
});

describe('the resident register, fed from the population-register topic', () => {
  const topic = uniqueName('population-register');
  const logs = new LogCapture();
  let mongo: MongoClient;
  let db: Db;
  let residents: Collection<ResidentDocument>;
  let register: MongoResidentRegister;
  let producer: Producer;
  let consumer: RegisterConsumer;

  beforeAll(async () => {
    const { mongoUri, kafkaBrokers } = integrationServers();
    mongo = await new MongoClient(mongoUri).connect();
    db = mongo.db(uniqueName('register').replace(/-/g, '_'));
    residents = db.collection<ResidentDocument>(RESIDENTS_COLLECTION);
    register = MongoResidentRegister.in(db);

    const kafka = new Kafka({ clientId: 'register-test', brokers: kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();

    consumer = new RegisterConsumer({ kafka, topic, groupId: uniqueName('resident-access.register'), register, logger: pino({}, logs) });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    await db?.dropDatabase();
    await mongo?.close();
  });

  const send = (...messages: { key: string; value: Value }[]) =>
    producer.send({
      topic,
      acks: -1,
      messages: messages.map(({ key, value }) => ({ key, value: value === null || typeof value === 'string' ? value : JSON.stringify(value) })),
    });
  const stored = (pin: string) => residents.findOne({ _id: pin });
  const waitForCount = (name: keyof RegisterConsumer['counts'], atLeast: number) =>
    eventuallyPasses(() => expect(consumer.counts[name]).toBeGreaterThanOrEqual(atLeast), { what: `${atLeast} register records ${name}` });

  it('a new resident appears', async () => {
    const pin = aResident();
    await send({ key: pin, value: stateOf(pin, '2025-03-01T09:00:00+01:00') });

    const document = await eventuallyFound(() => stored(pin), { what: 'the new resident stored' });
    expect(document).toEqual({
      _id: pin,
      givenName: 'Astrid',
      familyName: 'Lindqvist',
      protectedIdentity: false,
      regionCode: '12',
      municipalityCode: '1281',
      registeredAt: new Date('2025-03-01T08:00:00Z'),
    });
    expect(await register.find(pin)).toEqual({
      personalIdentityNumber: pin,
      givenName: 'Astrid',
      familyName: 'Lindqvist',
      protectedIdentity: false,
      regionCode: '12',
      municipalityCode: '1281',
    });
  });

  it("a protected resident's name is never stored, and is removed when a resident becomes protected", async () => {
    const [protectedOne, becomesProtected] = [aResident(), aResident()];
    await send(
      { key: protectedOne, value: stateOf(protectedOne, '2025-03-01T09:00:00Z', { protectedIdentity: true }) },
      { key: becomesProtected, value: stateOf(becomesProtected, '2025-03-01T09:00:00Z') },
    );
    await eventuallyPasses(async () => expect(await stored(becomesProtected)).toMatchObject({ givenName: 'Astrid' }), { what: 'the resident stored' });
    await send({ key: becomesProtected, value: stateOf(becomesProtected, '2025-03-02T09:00:00Z', { protectedIdentity: true }) });

    const expected = (pin: string, registeredAt: string) => ({
      _id: pin,
      protectedIdentity: true,
      regionCode: '12',
      municipalityCode: '1281',
      registeredAt: new Date(registeredAt),
    });
    await eventuallyPasses(async () => expect(await stored(protectedOne)).toEqual(expected(protectedOne, '2025-03-01T09:00:00Z')), { what: 'the protected resident stored without a name' });
    await eventuallyPasses(async () => expect(await stored(becomesProtected)).toEqual(expected(becomesProtected, '2025-03-02T09:00:00Z')), { what: 'the name removed once protected' });
    expect(await register.find(protectedOne)).toMatchObject({ givenName: '', familyName: '', protectedIdentity: true });
  });

  it('ignores a state older than the stored one, and a duplicate', async () => {
    const pin = aResident();
    const ignoredBefore = consumer.counts.ignored;
    const newer = stateOf(pin, '2025-04-02T10:00:00Z', { familyName: 'Berg', municipalityCode: '1280' });
    // One key, one partition: the consumer sees them in this order.
    await send({ key: pin, value: newer }, { key: pin, value: stateOf(pin, '2025-04-01T10:00:00Z', { familyName: 'Holm' }) }, { key: pin, value: newer });

    await waitForCount('ignored', ignoredBefore + 2);
    expect(await stored(pin)).toMatchObject({ familyName: 'Berg', municipalityCode: '1280', registeredAt: new Date('2025-04-02T10:00:00Z') });
  });

  it('a deregistration or a tombstone removes the resident; an older deregistration does not', async () => {
    const [deregistered, tombstoned, kept] = [aResident(), aResident(), aResident()];
    await send(
      { key: deregistered, value: stateOf(deregistered, '2025-05-01T00:00:00Z') },
      { key: tombstoned, value: stateOf(tombstoned, '2025-05-01T00:00:00Z') },
      { key: kept, value: stateOf(kept, '2025-05-01T00:00:00Z') },
    );
    await eventuallyPasses(async () => expect(await residents.countDocuments({ _id: { $in: [deregistered, tombstoned, kept] } })).toBe(3), { what: 'the three residents stored' });

    const ignoredBefore = consumer.counts.ignored;
    await send(
      { key: deregistered, value: { personalIdentityNumber: deregistered, registeredAt: '2025-05-02T00:00:00Z', deregistered: true } },
      { key: tombstoned, value: null },
      { key: kept, value: { personalIdentityNumber: kept, registeredAt: '2025-04-30T00:00:00Z', deregistered: true } },
    );

    await eventuallyPasses(
      async () => {
        expect(await stored(deregistered)).toBeNull();
        expect(await stored(tombstoned)).toBeNull();
      },
      { what: 'the deregistered and tombstoned residents removed' },
    );
    await waitForCount('ignored', ignoredBefore + 1);
    expect(await stored(kept)).toMatchObject({ _id: kept, givenName: 'Astrid', registeredAt: new Date('2025-05-01T00:00:00Z') });
  });

  it('skips malformed messages and logs them without the number', async () => {
    const pin = aResident();
    const wrongCheckDigit = pin.slice(0, 11) + ((Number(pin[11]) + 1) % 10);
    const skippedBefore = consumer.counts.skipped;
    await send(
      { key: pin, value: `not json ${pin}` },
      { key: pin, value: stateOf(pin, '2025-05-01T00:00:00Z', { regionCode: pin }) },
      { key: pin, value: stateOf(aResident(), '2025-05-01T00:00:00Z') },
      { key: wrongCheckDigit, value: stateOf(wrongCheckDigit, '2025-05-01T00:00:00Z') },
    );

    await waitForCount('skipped', skippedBefore + 4);
    expect(await stored(pin)).toBeNull();
    const skipLines = logs.entries.filter((e) => e.msg === 'register message skipped');
    expect(skipLines.map((e) => e.reason)).toEqual(expect.arrayContaining(['invalid-json', 'invalid-field', 'number-does-not-match-key', 'invalid-key']));
    expect(skipLines.at(-1)).toMatchObject({ skipped: skippedBefore + 4 });
    for (const number of [pin, wrongCheckDigit]) expect(logs.text()).not.toContain(number.slice(2));
  });

  it('findMany returns the stored residents by number', async () => {
    const [a, b, c] = [aResident(), aResident(), aResident()];
    await send(
      { key: a, value: stateOf(a, '2025-06-01T00:00:00Z', { givenName: 'Erik' }) },
      { key: b, value: stateOf(b, '2025-06-01T00:00:00Z', { givenName: 'Maja' }) },
      { key: c, value: stateOf(c, '2025-06-01T00:00:00Z', { givenName: 'Nils' }) },
    );
    await eventuallyPasses(async () => expect(await residents.countDocuments({ _id: { $in: [a, b, c] } })).toBe(3), { what: 'the three residents stored' });

    const found = await register.findMany([a, c, aResident(), a]);
    expect([...found.keys()].sort()).toEqual([a, c].sort());
    expect(found.get(a)).toMatchObject({ personalIdentityNumber: a, givenName: 'Erik' });
    expect(found.get(c)).toMatchObject({ personalIdentityNumber: c, givenName: 'Nils' });
    expect(await register.findMany([])).toEqual(new Map());
  });
});

describe('the register consumer without Kafka', () => {
  it('starts, keeps retrying in the background, and stops', async () => {
    const logs = new LogCapture();
    const unreachable = new Kafka({
      clientId: 'register-test',
      brokers: ['127.0.0.1:1'],
      connectionTimeout: 300,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const writer = { apply: jest.fn(), remove: jest.fn() };
    const consumer = new RegisterConsumer({
      kafka: unreachable,
      topic: uniqueName('population-register'),
      groupId: uniqueName('resident-access.register'),
      register: writer,
      logger: pino({}, logs),
      retry: { initialMs: 50, maxMs: 200 },
    });

    await consumer.start();
    await eventuallyPasses(() => expect(logs.entries.filter((e) => e.msg === 'register consumer could not join; retrying').length).toBeGreaterThanOrEqual(2), {
      what: 'two logged retries to join',
      timeoutMs: 10_000,
    });
    await consumer.stop();
    expect(writer.apply).not.toHaveBeenCalled();
  });
});
