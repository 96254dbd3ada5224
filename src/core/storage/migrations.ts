/**
 * The app's schema history: an explicit, ordered list, numbered 1..n (checked at start-up by
 * `validateMigrations`). Append new migrations at the end; never edit or reorder shipped ones.
 */
import type { Migration } from './migration-runner';
import { migration001InitialSchema } from './migrations/001-initial-schema';
import { migration002OwnerRegistry } from './migrations/002-owner-registry';
import { migration003History } from './migrations/003-history';
import { migration004Strategies } from './migrations/004-strategies';

export type { Migration } from './migration-runner';

export const MIGRATIONS: readonly Migration[] = [
  migration001InitialSchema,
  migration002OwnerRegistry,
  migration003History,
  migration004Strategies,
];
