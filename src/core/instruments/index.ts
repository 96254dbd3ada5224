/** Public surface of the instrument registry. */
export { InstrumentRegistry, INDEX_CHAIN_STRIKES, STOCK_CHAIN_STRIKES, type ChainRequest, type StrikeLadder } from './registry';
export { InstrumentSearch, parseQuery, type SearchOptions } from './search';
export { MasterParser, parseMasterBuffer, parseMasterStream, type ParsedMaster, type ParseReport, type SkippedRow } from './master-parser';
export { loadRegistry, sha1Hex, SNAPSHOT_FILE, type LoadedRegistry, type LoadRegistryOptions } from './load-registry';
export { readSnapshot, writeSnapshot } from './snapshot';
export { deriveUnderlying } from './symbols';
