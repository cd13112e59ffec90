/** What geoPlugin reports for a country; enough entries for demos and tests, SE first. */
export interface CountryInfo {
  countryName: string;
  continentCode: string;
  continentName: string;
  city: string;
  region: string;
  regionCode: string;
  timezone: string;
  currencyCode: string;
  currencySymbol: string;
  latitude: string;
  longitude: string;
  inEU: 0 | 1;
  euVATrate: number | false;
}

export const COUNTRIES: Record<string, CountryInfo> = {
  SE: { countryName: 'Sweden', continentCode: 'EU', continentName: 'Europe', city: 'Stockholm', region: 'Stockholm County', regionCode: 'AB', timezone: 'Europe/Stockholm', currencyCode: 'SEK', currencySymbol: 'kr', latitude: '59.3293', longitude: '18.0686', inEU: 1, euVATrate: 25 },
  NO: { countryName: 'Norway', continentCode: 'EU', continentName: 'Europe', city: 'Oslo', region: 'Oslo', regionCode: '03', timezone: 'Europe/Oslo', currencyCode: 'NOK', currencySymbol: 'kr', latitude: '59.9139', longitude: '10.7522', inEU: 0, euVATrate: false },
  DK: { countryName: 'Denmark', continentCode: 'EU', continentName: 'Europe', city: 'Copenhagen', region: 'Capital Region', regionCode: '84', timezone: 'Europe/Copenhagen', currencyCode: 'DKK', currencySymbol: 'kr', latitude: '55.6761', longitude: '12.5683', inEU: 1, euVATrate: 25 },
  FI: { countryName: 'Finland', continentCode: 'EU', continentName: 'Europe', city: 'Helsinki', region: 'Uusimaa', regionCode: '18', timezone: 'Europe/Helsinki', currencyCode: 'EUR', currencySymbol: '€', latitude: '60.1699', longitude: '24.9384', inEU: 1, euVATrate: 25.5 },
  DE: { countryName: 'Germany', continentCode: 'EU', continentName: 'Europe', city: 'Berlin', region: 'Land Berlin', regionCode: 'BE', timezone: 'Europe/Berlin', currencyCode: 'EUR', currencySymbol: '€', latitude: '52.5200', longitude: '13.4050', inEU: 1, euVATrate: 19 },
  GB: { countryName: 'United Kingdom', continentCode: 'EU', continentName: 'Europe', city: 'London', region: 'England', regionCode: 'ENG', timezone: 'Europe/London', currencyCode: 'GBP', currencySymbol: '£', latitude: '51.5072', longitude: '-0.1276', inEU: 0, euVATrate: false },
  US: { countryName: 'United States', continentCode: 'NA', continentName: 'North America', city: 'Ashburn', region: 'Virginia', regionCode: 'VA', timezone: 'America/New_York', currencyCode: 'USD', currencySymbol: '$', latitude: '39.0438', longitude: '-77.4874', inEU: 0, euVATrate: false },
  RU: { countryName: 'Russia', continentCode: 'EU', continentName: 'Europe', city: 'Moscow', region: 'Moscow', regionCode: 'MOW', timezone: 'Europe/Moscow', currencyCode: 'RUB', currencySymbol: '₽', latitude: '55.7558', longitude: '37.6173', inEU: 0, euVATrate: false },
  CN: { countryName: 'China', continentCode: 'AS', continentName: 'Asia', city: 'Beijing', region: 'Beijing', regionCode: 'BJ', timezone: 'Asia/Shanghai', currencyCode: 'CNY', currencySymbol: '¥', latitude: '39.9042', longitude: '116.4074', inEU: 0, euVATrate: false },
  NG: { countryName: 'Nigeria', continentCode: 'AF', continentName: 'Africa', city: 'Lagos', region: 'Lagos', regionCode: 'LA', timezone: 'Africa/Lagos', currencyCode: 'NGN', currencySymbol: '₦', latitude: '6.5244', longitude: '3.3792', inEU: 0, euVATrate: false },
};

/** Rough SEK per unit of the local currency, for geoplugin_currencyConverter (base USD in reality). */
export const USD_RATE: Record<string, number> = { SEK: 10.5, NOK: 10.8, DKK: 6.9, EUR: 0.92, GBP: 0.79, USD: 1, RUB: 92, CNY: 7.2, NGN: 1500 };
