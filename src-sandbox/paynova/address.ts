import { createHash } from 'node:crypto';

const FIRST = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Johan', 'Eva', 'Anders', 'Sara', 'Per'];
const LAST = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson'];
const STREETS = ['Storgatan', 'Drottninggatan', 'Kungsgatan', 'Vasagatan', 'Sveavägen', 'Linnégatan'];
const CITIES = [
  { city: 'Stockholm', postalCode: '114 ' },
  { city: 'Göteborg', postalCode: '411 ' },
  { city: 'Malmö', postalCode: '211 ' },
  { city: 'Uppsala', postalCode: '753 ' },
];

/**
 * A made-up but stable Swedish address for a personnummer: the same id always gives the same
 * person, so tests and demos can assert on it. Shape as in Paynova's .NET client
 * (GetAddressesResponse: governmentId, countryCode, addresses[{name, address}]).
 */
export function fakeAddress(governmentId: string) {
  const h = createHash('sha256').update(governmentId).digest();
  const pick = <T>(list: readonly T[], byte: number): T => list[h[byte]! % list.length]!;
  const place = pick(CITIES, 3);
  return {
    governmentId,
    countryCode: 'SE',
    addresses: [
      {
        name: { firstName: pick(FIRST, 0), lastName: pick(LAST, 1) },
        address: {
          type: 'Folkbokföringsadress',
          street1: `${pick(STREETS, 2)} ${(h[4]! % 90) + 1}`,
          street2: null,
          street3: null,
          street4: null,
          city: place.city,
          postalCode: `${place.postalCode}${String((h[5]! % 90) + 10)}`,
          regionCode: null,
          countryCode: 'SE',
        },
      },
    ],
  };
}
