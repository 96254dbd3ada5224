/**
 * Keyboard handling shared by the shell, the side lists and the expiry tabs: arrows move between
 * rows (the watchlist then Tier B, as one list) and between tabs, Home and End jump to the ends;
 * single-key shortcuts (`/`, `[`, `]`) never fire while the trader types in a field.
 */

/** Whether a key press goes into a text field (where single-key shortcuts must type instead). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** Rows of the side panels a trader moves between with the arrow keys carry `data-nav-row`. */
const NAV_ROW_SELECTOR = '[data-nav-row]';

/** The index `key` moves to from `index` in a list of `count` (null: not a movement key). */
export function movedIndex(key: string, index: number, count: number, keys: { prev: string; next: string }): number | null {
  if (count === 0) return null;
  if (key === keys.prev) return Math.max(0, index - 1);
  if (key === keys.next) return Math.min(count - 1, index + 1);
  if (key === 'Home') return 0;
  if (key === 'End') return count - 1;
  return null;
}

/**
 * Arrow Up/Down, Home and End on a side-panel row focus the neighbouring row, across both lists.
 * Returns true when the key was handled (the caller prevents the default scroll).
 */
export function moveRowFocus(key: string, row: HTMLElement): boolean {
  const rows = [...row.ownerDocument.querySelectorAll<HTMLElement>(NAV_ROW_SELECTOR)];
  const to = movedIndex(key, rows.indexOf(row), rows.length, { prev: 'ArrowUp', next: 'ArrowDown' });
  if (to === null) return false;
  rows[to]!.focus();
  return true;
}
