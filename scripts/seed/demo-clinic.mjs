// Sets up the demo clinic through the administrators' API, as a new user would: case types and a
// service area. Fixed request ids make a re-run a replay that changes nothing.
import { credentials, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';

export const DEMO_CLINIC_ID = 'SE2321000016-1234';

const CASE_TYPES = [
  { id: 'book-visit', name: 'Boka besök', restricted: false },
  { id: 'renew-prescription', name: 'Förnya recept', restricted: false },
  { id: 'psychotherapy-followup', name: 'Uppföljning psykoterapi', restricted: true },
  { id: 'diabetes-team', name: 'Kontakt med diabetesteamet', restricted: true },
];
// Stockholm municipality within region 01 (Stockholm): residents registered there need no approval.
const SERVICE_AREA = { regionCode: '01', municipalityCodes: ['0180'], sex: 'SEX_UNSPECIFIED', minAge: 0, maxAge: 0 };

export async function seedDemoClinic({ root, address, adminToken, clinicId = DEMO_CLINIC_ID }) {
  const definition = loadSync('residentaccess/v1/clinic_settings_service.proto', { includeDirs: [join(root, 'proto')] });
  const { residentaccess } = loadPackageDefinition(definition);
  const client = new residentaccess.v1.ClinicSettingsService(address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${adminToken}`);
  const call = (method, request) => new Promise((resolve, reject) => client[method](request, metadata, (e, r) => (e ? reject(e) : resolve(r))));
  try {
    for (const caseType of CASE_TYPES) {
      await call('PutCaseType', { clinicId, caseType, requestId: `demo-seed:case-type:${caseType.id}` });
    }
    await call('SetServiceArea', { clinicId, serviceArea: SERVICE_AREA, requestId: 'demo-seed:service-area' });
  } finally {
    client.close();
  }
}
