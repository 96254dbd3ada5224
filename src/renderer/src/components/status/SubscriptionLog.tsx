import type { StreamLogEntry } from '../../../../shared/events';
import { formatIstTime } from '../format';

const ACTION_CLASS: Record<string, string> = { SUBSCRIBE: 'act-sub', UNSUBSCRIBE: 'act-unsub', RATE_LIMIT_EVICT: 'act-evict', EOD_CLEANUP: 'act-eod' };

/** The recent subscription log, newest first. */
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
        {newestFirst.map((e) => (
          <li key={e.id} className="log-row" data-testid="log-entry" title={e.reason ?? undefined}>
            <span className="num muted">{formatIstTime(e.ts)}</span>
            <span className={`act ${ACTION_CLASS[e.action] ?? ''}`}>{e.action}</span>
            <span className="num">
              {e.segment}:{e.security_id}
            </span>
            <span className="owner muted">{e.owner ?? ''}</span>
          </li>
        ))}
        {entries.length === 0 && <li className="muted log-empty">No subscription changes since this window opened.</li>}
      </ol>
    </div>
  );
}
