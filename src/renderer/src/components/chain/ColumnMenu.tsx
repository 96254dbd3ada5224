import { Fragment, useEffect, useRef, useState } from 'react';
import { FIRST_ANALYTICS_METRIC, METRIC_LABELS, METRICS, type Metric } from './chain-columns';

export interface ColumnMenuProps {
  hidden: ReadonlySet<Metric>;
  onChange(hidden: Set<Metric>): void;
}

/** A small "Columns" drop-down: one checkbox per metric (quotes, then analytics), applied to both sides of the chain. */
export function ColumnMenu({ hidden, onChange }: ColumnMenuProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent): void => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const toggle = (m: Metric): void => {
    const next = new Set(hidden);
    if (next.has(m)) next.delete(m);
    else next.add(m);
    onChange(next);
  };

  return (
    <div className="chain-colmenu" ref={root}>
      <button type="button" className="chain-colmenu-button" aria-expanded={open} aria-haspopup="true" data-testid="chain-columns-button" onClick={() => setOpen((o) => !o)}>
        Columns{hidden.size > 0 ? ` (${METRICS.length - hidden.size}/${METRICS.length})` : ''}
      </button>
      {open && (
        <div className="chain-colmenu-list" role="menu">
          {METRICS.map((m) => (
            <Fragment key={m}>
              {m === FIRST_ANALYTICS_METRIC && (
                <span className="chain-colmenu-section" role="separator">
                  Analytics
                </span>
              )}
              <label className="chain-colmenu-item">
                <input type="checkbox" role="menuitemcheckbox" aria-checked={!hidden.has(m)} checked={!hidden.has(m)} data-metric={m} onChange={() => toggle(m)} />
                {METRIC_LABELS[m]}
              </label>
            </Fragment>
          ))}
        </div>
      )}
    </div>
  );
}
