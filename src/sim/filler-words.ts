/**
 * Word lists for synthetic listings. Each entry is [word in names, code in symbols]; codes are
 * unique so that (first, second, suffix) always gives a distinct trading symbol.
 */

export const FIRST_WORDS: readonly (readonly [string, string])[] = [
  ['Aravali', 'ARAVAL'], ['Bhavani', 'BHAVAN'], ['Chandra', 'CHANDR'], ['Deccan', 'DECCAN'], ['Eastern', 'EASTRN'],
  ['Ganga', 'GANGA'], ['Himalaya', 'HIMALY'], ['Indus', 'INDUS'], ['Jyoti', 'JYOTI'], ['Kaveri', 'KAVERI'],
  ['Lotus', 'LOTUS'], ['Malabar', 'MALABR'], ['Narmada', 'NARMAD'], ['Orient', 'ORIENT'], ['Pioneer', 'PIONER'],
  ['Sahyadri', 'SAHYAD'], ['Tapti', 'TAPTI'], ['Vindhya', 'VINDHY'], ['Shakti', 'SHAKTI'], ['Sunrise', 'SUNRSE'],
  ['Sterling', 'STRLNG'], ['Suryoday', 'SURYOD'], ['Kalinga', 'KALING'], ['Konkan', 'KONKAN'], ['Mahanadi', 'MAHANA'],
  ['Nilgiri', 'NILGIR'], ['Pushpak', 'PUSHPK'], ['Ratna', 'RATNA'], ['Saraswati', 'SARASW'], ['Trishul', 'TRISHL'],
  ['Utkal', 'UTKAL'], ['Vaigai', 'VAIGAI'], ['Yamuna', 'YAMUNA'], ['Zenith', 'ZENITH'], ['Amrit', 'AMRIT'],
  ['Bharati', 'BHARTI'], ['Chola', 'CHOLA'], ['Doaba', 'DOABA'], ['Everest', 'EVERST'], ['Godavari', 'GODAVR'],
];

export const SECOND_WORDS: readonly (readonly [string, string])[] = [
  ['Polymers', 'POLY'], ['Textiles', 'TEXT'], ['Pharma', 'PHAR'], ['Steel', 'STEL'], ['Finance', 'FINC'],
  ['Infra', 'INFR'], ['Chemicals', 'CHEM'], ['Agro', 'AGRO'], ['Cements', 'CEMT'], ['Motors', 'MOTR'],
  ['Foods', 'FOOD'], ['Power', 'POWR'], ['Technologies', 'TECH'], ['Logistics', 'LOGI'], ['Paper', 'PAPR'],
  ['Ceramics', 'CERA'], ['Electricals', 'ELEC'], ['Realty', 'RLTY'], ['Capital', 'CAPL'], ['Sugars', 'SUGR'],
  ['Spinning', 'SPIN'], ['Forgings', 'FORG'], ['Castings', 'CAST'], ['Plastics', 'PLST'], ['Pipes', 'PIPE'],
  ['Glass', 'GLAS'], ['Tyres', 'TYRE'], ['Fertilisers', 'FERT'], ['Dyes', 'DYES'], ['Organics', 'ORGN'],
  ['Hotels', 'HOTL'], ['Cables', 'CABL'],
];

export const SUFFIX_WORDS: readonly (readonly [string, string])[] = [
  ['', ''], ['India', 'I'], ['Industries', 'N'], ['Global', 'G'], ['Enterprises', 'E'], ['Holdings', 'H'],
  ['Ventures', 'V'], ['Projects', 'P'], ['Systems', 'S'], ['Works', 'W'], ['Corporation', 'C'], ['Udyog', 'U'],
];

/** State codes used in state development loan (SDL) symbols. */
export const STATES: readonly string[] = [
  'AP', 'AR', 'AS', 'BR', 'CG', 'GA', 'GJ', 'HR', 'HP', 'JH', 'KA', 'KL', 'MP', 'MH', 'MN', 'ML', 'MZ', 'NL', 'OD',
  'PB', 'RJ', 'SK', 'TN', 'TS', 'TR', 'UP', 'UK', 'WB',
];
