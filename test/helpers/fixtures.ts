/** Paths and loaders for test fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMasterBuffer, type ParsedMaster } from '../../src/core/instruments/master-parser';

export const FIXTURES = join(__dirname, '..', 'fixtures');
/** The unedited 300-line excerpt (header + 299 rows) of Dhan's Feb-2026 compact master. */
export const REAL_EXCERPT = join(FIXTURES, 'api-scrip-master.excerpt-300.csv');

export function parseText(text: string): ParsedMaster {
  return parseMasterBuffer(Buffer.from(text, 'utf8'));
}

export function readExcerpt(): string {
  return readFileSync(REAL_EXCERPT, 'utf8');
}
