// Synthetic population-register states (docs/register.md), the same for the same count and seed.
// The numbers are valid but made up; one may still belong to a real person, so use them only
// against local and test servers.

const MALE_GIVEN_NAMES = ['Erik', 'Lars', 'Karl', 'Anders', 'Johan', 'Per', 'Nils', 'Mikael', 'Olof', 'Oskar', 'Hugo', 'Elias', 'William', 'Ali', 'Gustav', 'Axel'];
const FEMALE_GIVEN_NAMES = ['Anna', 'Maria', 'Eva', 'Karin', 'Kristina', 'Ingrid', 'Sara', 'Emma', 'Elin', 'Maja', 'Astrid', 'Wilma', 'Linnea', 'Fatima', 'Sofia', 'Märta'];
const FAMILY_NAMES = [
  'Andersson',
  'Johansson',
  'Karlsson',
  'Nilsson',
  'Eriksson',
  'Larsson',
  'Olsson',
  'Persson',
  'Svensson',
  'Gustafsson',
  'Pettersson',
  'Jonsson',
  'Lindberg',
  'Lindqvist',
  'Lundgren',
  'Sjöberg',
  'Holm',
  'Åberg',
  'Öberg',
  'Ek',
  'Hassan',
  'Nguyen',
];

/** Real region (län) and municipality (kommun) codes; a municipality code starts with its region's. */
export const MUNICIPALITIES = [
  { regionCode: '01', municipalityCode: '0180', name: 'Stockholm' },
  { regionCode: '01', municipalityCode: '0182', name: 'Nacka' },
  { regionCode: '01', municipalityCode: '0184', name: 'Solna' },
  { regionCode: '01', municipalityCode: '0114', name: 'Upplands Väsby' },
  { regionCode: '03', municipalityCode: '0380', name: 'Uppsala' },
  { regionCode: '05', municipalityCode: '0580', name: 'Linköping' },
  { regionCode: '05', municipalityCode: '0581', name: 'Norrköping' },
  { regionCode: '12', municipalityCode: '1280', name: 'Malmö' },
  { regionCode: '12', municipalityCode: '1281', name: 'Lund' },
  { regionCode: '12', municipalityCode: '1283', name: 'Helsingborg' },
  { regionCode: '14', municipalityCode: '1480', name: 'Göteborg' },
  { regionCode: '14', municipalityCode: '1490', name: 'Borås' },
  { regionCode: '24', municipalityCode: '2480', name: 'Umeå' },
  { regionCode: '25', municipalityCode: '2580', name: 'Luleå' },
];

const FIRST_BIRTH_DAY = Date.UTC(1930, 0, 1);
const LAST_BIRTH_DAY = Date.UTC(2020, 11, 31);
const MS_PER_DAY = 86_400_000;
// Register states dated within 2024, so a later real run (newer registeredAt) supersedes them.
const FIRST_REGISTERED_AT = Date.UTC(2024, 0, 1);
const SECONDS_PER_YEAR = 366 * 86_400;

/** Luhn (mod 10) check digit of YYMMDDNNN, weights 2,1,2,1,... */
export function checkDigit(nineDigits) {
  let sum = 0;
  for (let i = 0; i < nineDigits.length; i++) {
    const product = Number(nineDigits[i]) * (i % 2 === 0 ? 2 : 1);
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

/** mulberry32: a small, seedable generator; Math.random cannot be seeded. */
function randomSource(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n, width) => String(n).padStart(width, '0');

function syntheticNumber(random) {
  const birth = new Date(FIRST_BIRTH_DAY + Math.floor(random() * ((LAST_BIRTH_DAY - FIRST_BIRTH_DAY) / MS_PER_DAY + 1)) * MS_PER_DAY);
  const coordination = random() < 0.05;
  const male = random() < 0.5;
  // 1..999 with the sex's parity (odd for men); 000 is never issued.
  const serial = 2 * Math.floor(random() * 499) + (male ? 1 : 2);
  const day = birth.getUTCDate() + (coordination ? 60 : 0);
  const year = birth.getUTCFullYear();
  const nine = `${pad(year % 100, 2)}${pad(birth.getUTCMonth() + 1, 2)}${pad(day, 2)}${pad(serial, 3)}`;
  return { number: `${String(year).slice(0, 2)}${nine}${checkDigit(nine)}`, male };
}

const pick = (random, list) => list[Math.floor(random() * list.length)];

/** `count` register message values (docs/register.md) with distinct numbers. */
export function syntheticResidents(count, seed = 1) {
  const random = randomSource(seed);
  const seen = new Set();
  const residents = [];
  while (residents.length < count) {
    const { number, male } = syntheticNumber(random);
    if (seen.has(number)) continue;
    seen.add(number);
    const place = pick(random, MUNICIPALITIES);
    residents.push({
      personalIdentityNumber: number,
      givenName: pick(random, male ? MALE_GIVEN_NAMES : FEMALE_GIVEN_NAMES),
      familyName: pick(random, FAMILY_NAMES),
      protectedIdentity: random() < 0.03,
      regionCode: place.regionCode,
      municipalityCode: place.municipalityCode,
      registeredAt: new Date(FIRST_REGISTERED_AT + Math.floor(random() * SECONDS_PER_YEAR) * 1000).toISOString(),
    });
  }
  return residents;
}

/** Day 61..91 marks a samordningsnummer. */
export const isCoordinationNumber = (number) => Number(number.slice(6, 8)) > 60;
