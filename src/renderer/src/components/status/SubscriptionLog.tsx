import type { StreamLogEntry } from '../../../../shared/events';
import { formatIstTime } from '../format';

const ACTION_CLASS: Record<string, string> = { SUBSCRIBE: 'act-sub', UNSUBSCRIBE: 'act-unsub', RATE_LIMIT_EVICT: 'act-evict', EOD_CLEANUP: 'act-eod' };
/** Short labels: the panel is narrow and the instrument is what a trader scans for. */
const ACTION_LABEL: Record<string, string> = { SUBSCRIBE: 'SUB', UNSUBSCRIBE: 'UNSUB', RATE_LIMIT_EVICT: 'EVICT', EOD_CLEANUP: 'EOD' };

/**
 * The recent subscription log, newest first: time, action, and the instrument by the name a trader
 * reads (the exchange token when the master no longer lists it). The token, the owner (which
 * watchlist entry or Tier B chain) and the reason are in the row's title.
 */
export function SubscriptionLog({ entries, truncated }: { entries: readonly StreamLogEntry[]; truncated: boolean }) {
  const newestFirst = [...entries].reverse();
  return (
    <div className="sublog">
      <div className="section-head">
        <span className="label">Subscription log</span>
        <span className="num muted">
          {entries.length}
          {truncated ? ' (some skipped)' : ''}
        </span>
      </div>
      <ol className="log-list">
        {newestFirst.map((e) => {
          const token = `${e.segment}:${e.security_id}`;
          const title = [token, e.owner ? `for ${e.owner}` : null, e.reason].filter(Boolean).join(' · ');
          return (
            <li key={e.id} className="log-row" data-testid="log-entry" data-token={token} title={title}>
              <span className="num muted">{formatIstTime(e.ts)}</span>
              <span className={`act ${ACTION_CLASS[e.action] ?? ''}`}>{ACTION_LABEL[e.action] ?? e.action}</span>
              <span className="what">{e.name ?? token}</span>
            </li>
          );
        })}
        {entries.length === 0 && <li className="muted log-empty">No subscription changes since this window opened.</li>}
      </ol>
    </div>
  );
}
