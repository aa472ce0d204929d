/**
 * The Django-CRM account vocabulary and its v2crm counterparts (DJANGO-CRM.md 4, 5, 10.1, 10.6).
 * Only names and wire values live here; every rule about the data stays in the core.
 */

/** Django-CRM field → v2crm account field, for the scalar fields that map one to one. */
export const SCALARS: Record<string, string> = {
  name: 'name',
  email: 'email',
  phone: 'tel',
  website: 'url',
  address_line: 'address_street',
  city: 'address_town',
  state: 'address_region',
  postcode: 'address_postcode',
  country: 'address_country',
  description: 'description',
};

/** CLASSIC / seed spellings accepted on input (10.1). */
export const INPUT_ALIASES: Record<string, string> = {
  billing_address_line: 'address_line',
  billing_street: 'address_line',
  billing_city: 'city',
  billing_state: 'state',
  billing_postcode: 'postcode',
  billing_country: 'country',
};

const V2_TO_WIRE: Record<string, string> = Object.fromEntries(Object.entries(SCALARS).map(([w, v]) => [v, w]));

/** A core error's field path (`tel`, `tags[2]`, `custom_fields.field_1`) in Django-CRM's vocabulary. */
export function wireFieldName(field: string): string {
  const head = field.split(/[.[]/)[0];
  if (head === 'industries') return 'industry';
  if (head === 'status') return 'is_active';
  if (head === 'custom_fields') return 'custom_fields';
  return V2_TO_WIRE[head] ?? head;
}

/** Django-CRM's industry choices (HEAD `backend/common/utils.py` INDCHOICES): value → label. */
export const INDUSTRIES: [string, string][] = [
  'ADVERTISING', 'AGRICULTURE', 'APPAREL & ACCESSORIES', 'AUTOMOTIVE', 'BANKING', 'BIOTECHNOLOGY',
  'BUILDING MATERIALS & EQUIPMENT', 'CHEMICAL', 'COMPUTER', 'EDUCATION', 'ELECTRONICS', 'ENERGY',
  'ENTERTAINMENT & LEISURE', 'FINANCE', 'FOOD & BEVERAGE', 'GROCERY', 'HEALTHCARE', 'INSURANCE', 'LEGAL',
  'MANUFACTURING', 'PUBLISHING', 'REAL ESTATE', 'SERVICE', 'SOFTWARE', 'SPORTS', 'TECHNOLOGY',
  'TELECOMMUNICATIONS', 'TELEVISION', 'TRANSPORTATION', 'VENTURE CAPITAL',
].map((v) => [v, v.toLowerCase().replace(/(^|[\s&])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase())]);

const INDUSTRY_BY_KEY = new Map(INDUSTRIES.map(([v, label]) => [v.toLowerCase(), { value: v, label }]));

/** Any case of a choice's value or label → the choice; undefined when it is none. */
export function industryChoice(raw: string): { value: string; label: string } | undefined {
  return INDUSTRY_BY_KEY.get(raw.trim().toLowerCase().replace(/\s+/g, ' ').replace(/ and /g, ' & '));
}

// ISO 3166-1: alpha-3 → alpha-2, as pairs "AAA BB" (every officially assigned code).
const ALPHA3 =
  'AFG AF ALA AX ALB AL DZA DZ ASM AS AND AD AGO AO AIA AI ATA AQ ATG AG ARG AR ARM AM ABW AW AUS AU AUT AT AZE AZ ' +
  'BHS BS BHR BH BGD BD BRB BB BLR BY BEL BE BLZ BZ BEN BJ BMU BM BTN BT BOL BO BES BQ BIH BA BWA BW BVT BV BRA BR ' +
  'IOT IO BRN BN BGR BG BFA BF BDI BI CPV CV KHM KH CMR CM CAN CA CYM KY CAF CF TCD TD CHL CL CHN CN CXR CX CCK CC ' +
  'COL CO COM KM COG CG COD CD COK CK CRI CR CIV CI HRV HR CUB CU CUW CW CYP CY CZE CZ DNK DK DJI DJ DMA DM DOM DO ' +
  'ECU EC EGY EG SLV SV GNQ GQ ERI ER EST EE SWZ SZ ETH ET FLK FK FRO FO FJI FJ FIN FI FRA FR GUF GF PYF PF ATF TF ' +
  'GAB GA GMB GM GEO GE DEU DE GHA GH GIB GI GRC GR GRL GL GRD GD GLP GP GUM GU GTM GT GGY GG GIN GN GNB GW GUY GY ' +
  'HTI HT HMD HM VAT VA HND HN HKG HK HUN HU ISL IS IND IN IDN ID IRN IR IRQ IQ IRL IE IMN IM ISR IL ITA IT JAM JM ' +
  'JPN JP JEY JE JOR JO KAZ KZ KEN KE KIR KI PRK KP KOR KR KWT KW KGZ KG LAO LA LVA LV LBN LB LSO LS LBR LR LBY LY ' +
  'LIE LI LTU LT LUX LU MAC MO MDG MG MWI MW MYS MY MDV MV MLI ML MLT MT MHL MH MTQ MQ MRT MR MUS MU MYT YT MEX MX ' +
  'FSM FM MDA MD MCO MC MNG MN MNE ME MSR MS MAR MA MOZ MZ MMR MM NAM NA NRU NR NPL NP NLD NL NCL NC NZL NZ NIC NI ' +
  'NER NE NGA NG NIU NU NFK NF MKD MK MNP MP NOR NO OMN OM PAK PK PLW PW PSE PS PAN PA PNG PG PRY PY PER PE PHL PH ' +
  'PCN PN POL PL PRT PT PRI PR QAT QA REU RE ROU RO RUS RU RWA RW BLM BL SHN SH KNA KN LCA LC MAF MF SPM PM VCT VC ' +
  'WSM WS SMR SM STP ST SAU SA SEN SN SRB RS SYC SC SLE SL SGP SG SXM SX SVK SK SVN SI SLB SB SOM SO ZAF ZA SGS GS ' +
  'SSD SS ESP ES LKA LK SDN SD SUR SR SJM SJ SWE SE CHE CH SYR SY TWN TW TJK TJ TZA TZ THA TH TLS TL TGO TG TKL TK ' +
  'TON TO TTO TT TUN TN TUR TR TKM TM TCA TC TUV TV UGA UG UKR UA ARE AE GBR GB USA US UMI UM URY UY UZB UZ VUT VU ' +
  'VEN VE VNM VN VGB VG VIR VI WLF WF ESH EH YEM YE ZMB ZM ZWE ZW';
const pairs = ALPHA3.split(' ');
const A3_TO_A2 = new Map<string, string>();
for (let i = 0; i < pairs.length; i += 2) A3_TO_A2.set(pairs[i], pairs[i + 1]);
const A2 = new Set(A3_TO_A2.values());

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** ISO-2 (any case) or ISO-3 → ISO-2; undefined when it is neither. */
export function countryCode(raw: string): string | undefined {
  const s = raw.trim().toUpperCase();
  if (s.length === 2 && A2.has(s)) return s;
  if (s.length === 3) return A3_TO_A2.get(s);
  return undefined;
}

export function countryName(code: string | null | undefined): string | null {
  if (!code) return null;
  const c = countryCode(code);
  if (!c) return code;
  try {
    return regionNames.of(c) ?? c;
  } catch {
    return c;
  }
}

/** `countries` of the list and detail: [[code, label]]. */
export const COUNTRIES: [string, string][] = [...A2].sort().map((c) => [c, countryName(c)!]);
