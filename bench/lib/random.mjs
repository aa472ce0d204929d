/** mulberry32: a small seedable PRNG, so every run with the same --seed builds the same data. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

const FIRST = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne', 'Soylent', 'Hooli', 'Vandelay', 'Pied Piper', 'Gringotts', 'Oscorp', 'Nakatomi', 'Aperture', 'Black Mesa', 'Monarch', 'Dunder', 'Sterling', 'Bluth', 'Prestige', 'Massive', 'Rekall', 'Virtucon', 'Zorg', 'Ollivander', 'Kramerica', 'Wernham', 'Abbott', 'Barrow', 'Calder', 'Dalton', 'Everett', 'Fairfax', 'Grafton', 'Harlow', 'Irving', 'Jarvis', 'Kendal', 'Langley', 'Mercer', 'Norwood', 'Oakley', 'Preston', 'Quincy', 'Radley', 'Sutton', 'Thornton'];
const MIDDLE = ['', '', '', 'North', 'Global', 'United', 'Advanced', 'Digital', 'Royal', 'Coastal', 'Highland', 'Metro', 'Pacific', 'Atlantic', 'Northern', 'Western'];
const LAST = ['Ltd', 'Limited', 'Plc', 'Inc', 'LLC', 'GmbH', 'Group', 'Holdings', 'Partners', 'Industries', 'Systems', 'Logistics', 'Foods', 'Engineering', 'Consulting', 'Software', 'Trading', 'Services', 'Manufacturing', 'Supplies'];
export const CITIES = ['London', 'Leeds', 'Manchester', 'Birmingham', 'Glasgow', 'Edinburgh', 'Bristol', 'Cardiff', 'Belfast', 'Liverpool', 'Newcastle', 'Sheffield', 'Nottingham', 'Leicester', 'York', 'Oxford', 'Cambridge', 'Brighton', 'Dublin', 'Paris', 'Berlin', 'Madrid', 'Rome', 'Amsterdam', 'New York', 'Boston', 'Chicago', 'Toronto', 'Sydney', 'Singapore'];
export const REGIONS = ['EMEA', 'APAC', 'AMER', 'UK', 'DACH', 'Nordics', 'Benelux', 'Iberia'];

export function companyName(r) {
  const mid = r.pick(MIDDLE);
  return `${r.pick(FIRST)}${mid ? ` ${mid}` : ''} ${r.pick(LAST)}`;
}
