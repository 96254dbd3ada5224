import type { StatusView } from '../../../../shared/contract';
import { formatCount } from '../format';
import { capacityOf, capacityWarningText } from './capacity';

const pct = (part: number, whole: number): string => `${whole > 0 ? Math.min(100, (part / whole) * 100) : 0}%`;

/** The 25,000-instrument budget split Tier B / Tier A / free, with the eviction warning. */
export function CapacityMeter({ status }: { status: StatusView | null }) {
  if (!status) {
    return (
      <div className="capacity" data-testid="capacity-meter">
        <span className="muted">Capacity: waiting for status…</span>
      </div>
    );
  }
  const c = capacityOf(status);
  return (
    <div className="capacity" data-testid="capacity-meter" data-tier-a={c.tierA} data-tier-b={c.tierB} data-total={c.total} data-cap={c.cap}>
      <div className="capacity-head">
        <span className="label">Capacity</span>
        <span className="num">
          {formatCount(c.total)} / {formatCount(c.cap)} <span className="muted">({((c.total / Math.max(1, c.cap)) * 100).toFixed(1)}%)</span>
        </span>
      </div>
      <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={c.cap} aria-valuenow={c.total} aria-label="Subscribed instruments">
        <div className="meter-seg seg-b" style={{ width: pct(c.tierB, c.cap) }} />
        <div className="meter-seg seg-a" style={{ width: pct(c.tierA, c.cap) }} />
      </div>
      <div className="capacity-legend">
        <span>
          <i className="sw sw-b" /> Tier B <b className="num">{formatCount(c.tierB)}</b>
        </span>
        <span>
          <i className="sw sw-a" /> Tier A <b className="num">{formatCount(c.tierA)}</b>
        </span>
        <span>
          <i className="sw sw-free" /> Free <b className="num">{formatCount(c.free)}</b>
        </span>
      </div>
      {c.warning && (
        <div className="capacity-warning" role="status" data-testid="eviction-warning">
          ⚠ {capacityWarningText(c)}
        </div>
      )}
    </div>
  );
}
