/**
 * Recognises a scrip-master header and maps columns by name. Dhan publishes a compact and a
 * detailed file, and the detailed header has changed over time, so positions are never assumed.
 */
import { AppError } from '../../shared/errors';

export type MasterFormat = 'compact' | 'detailed';

/** Where each field we use sits in a row; -1 when the file lacks an optional column. */
export interface ColumnMap {
  format: MasterFormat;
  /** Number of columns in the header (rows must have this many fields). */
  width: number;
  exchange: number;
  segment: number;
  securityId: number;
  instrument: number;
  tradingSymbol: number;
  lotSize: number;
  displayName: number;
  expiry: number;
  strike: number;
  optionType: number;
  tickSize: number;
  expiryFlag: number;
  series: number;
  /** Compact: SM_SYMBOL_NAME. Detailed: SYMBOL_NAME (company name for equities, trading symbol for derivatives). */
  name: number;
  /** Detailed only: UNDERLYING_SYMBOL. */
  underlyingSymbol: number;
}

type Field = Exclude<keyof ColumnMap, 'format' | 'width'>;

const COMPACT: Record<Field, string> = {
  exchange: 'SEM_EXM_EXCH_ID',
  segment: 'SEM_SEGMENT',
  securityId: 'SEM_SMST_SECURITY_ID',
  instrument: 'SEM_INSTRUMENT_NAME',
  tradingSymbol: 'SEM_TRADING_SYMBOL',
  lotSize: 'SEM_LOT_UNITS',
  displayName: 'SEM_CUSTOM_SYMBOL',
  expiry: 'SEM_EXPIRY_DATE',
  strike: 'SEM_STRIKE_PRICE',
  optionType: 'SEM_OPTION_TYPE',
  tickSize: 'SEM_TICK_SIZE',
  expiryFlag: 'SEM_EXPIRY_FLAG',
  series: 'SEM_SERIES',
  name: 'SM_SYMBOL_NAME',
  underlyingSymbol: '',
};
const COMPACT_REQUIRED: Field[] = [
  'exchange', 'segment', 'securityId', 'instrument', 'tradingSymbol', 'lotSize', 'expiry', 'strike',
  'optionType', 'tickSize',
];

const DETAILED: Record<Field, string> = {
  exchange: 'EXCH_ID',
  segment: 'SEGMENT',
  securityId: 'SECURITY_ID',
  instrument: 'INSTRUMENT',
  tradingSymbol: '',
  lotSize: 'LOT_SIZE',
  displayName: 'DISPLAY_NAME',
  expiry: 'SM_EXPIRY_DATE',
  strike: 'STRIKE_PRICE',
  optionType: 'OPTION_TYPE',
  tickSize: 'TICK_SIZE',
  expiryFlag: 'EXPIRY_FLAG',
  series: 'SERIES',
  name: 'SYMBOL_NAME',
  underlyingSymbol: 'UNDERLYING_SYMBOL',
};
const DETAILED_REQUIRED: Field[] = [
  'exchange', 'segment', 'securityId', 'instrument', 'lotSize', 'expiry', 'strike', 'optionType',
  'tickSize', 'name', 'underlyingSymbol',
];

/**
 * Map a header line to column positions.
 * @throws AppError MASTER_INVALID when the header is neither format or lacks required columns.
 */
export function mapHeader(headerLine: string): ColumnMap {
  const names = headerLine.replace(/^\uFEFF/, '').replace(/\r$/, '').split(',').map((s) => s.trim().toUpperCase());
  const isCompact = names.includes('SEM_SMST_SECURITY_ID') || names.includes('SEM_TRADING_SYMBOL');
  const isDetailed = !isCompact && names.includes('SECURITY_ID') && names.includes('EXCH_ID');
  if (!isCompact && !isDetailed) {
    const shown = headerLine.length > 120 ? `${headerLine.slice(0, 120)}...` : headerLine;
    throw new AppError('MASTER_INVALID', `scrip master header is not recognised (neither Dhan's compact nor detailed format): "${shown}"`);
  }
  const spec = isCompact ? COMPACT : DETAILED;
  const required = isCompact ? COMPACT_REQUIRED : DETAILED_REQUIRED;
  const map = { format: isCompact ? 'compact' : 'detailed', width: names.length } as ColumnMap;
  for (const field of Object.keys(spec) as Field[]) {
    const col = spec[field];
    map[field] = col === '' ? -1 : names.indexOf(col);
  }
  const missing = required.filter((f) => map[f] < 0).map((f) => spec[f]);
  if (missing.length > 0) {
    throw new AppError('MASTER_INVALID', `scrip master header (${map.format} format) is missing required columns: ${missing.join(', ')}`);
  }
  return map;
}
