/**
 * The chain's expiry tabs. An index lists up to ~20 expiries, more than the panel's width: the
 * strip scrolls sideways and says so. An arrow with a fade sits on each edge that has more tabs
 * behind it (click to scroll a page; the wheel scrolls too), and the active tab is kept in view,
 * also when Left/Right (Home/End) move through the tabs. Whether an edge has more is written to
 * the bar's `data-more-left`/`data-more-right` on scroll and resize (DOM writes, no React state).
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import { movedIndex } from '../keyboard';
import { expiryLabel } from './chain-format';

export interface ExpiryTabsProps {
  /** The expiries (YYYY-MM-DD), nearest first. */
  expiries: readonly string[];
  /** The expiry shown; null while the chain picks its nearest. */
  active: string | null;
  /** The year of "now": expiries in it are labelled without the year. */
  year: number;
  /** The trader picked another expiry. */
  onChange(expiry: string): void;
}

/** Marks which edges of the expiry strip hide more tabs (the CSS shows an arrow and a fade there). */
function markOverflow(bar: HTMLElement | null, strip: HTMLElement | null): void {
  if (!bar || !strip) return;
  const left = strip.scrollLeft > 1;
  const right = strip.scrollLeft + strip.clientWidth < strip.scrollWidth - 1;
  if (bar.dataset.moreLeft !== String(left)) bar.dataset.moreLeft = String(left);
  if (bar.dataset.moreRight !== String(right)) bar.dataset.moreRight = String(right);
}

export function ExpiryTabs({ expiries, active, year, onChange }: ExpiryTabsProps) {
  const barRef = useRef<HTMLDivElement>(null);
  const stripRef = useRef<HTMLElement>(null);
  const activeTab = active === null ? -1 : expiries.indexOf(active);

  // The strip's edges: marked after each render of the tabs, on scroll and on resize.
  useLayoutEffect(() => {
    const strip = stripRef.current;
    const tab = active ? strip?.querySelector<HTMLElement>(`[data-expiry="${active}"]`) : null;
    tab?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    markOverflow(barRef.current, strip);
  }, [expiries.length, active]);
  useEffect(() => {
    const strip = stripRef.current;
    if (!strip) return;
    const mark = (): void => markOverflow(barRef.current, strip);
    strip.addEventListener('scroll', mark, { passive: true });
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(mark) : null;
    observer?.observe(strip);
    return () => {
      strip.removeEventListener('scroll', mark);
      observer?.disconnect();
    };
  }, []);
  const scroll = (direction: -1 | 1): void => {
    const strip = stripRef.current;
    if (!strip) return;
    const by = direction * Math.max(60, strip.clientWidth * 0.8);
    if (typeof strip.scrollBy === 'function') strip.scrollBy({ left: by, behavior: 'smooth' });
    else strip.scrollLeft += by;
  };

  return (
    <div className="chain-expiries-bar" ref={barRef} data-testid="expiry-tabs" data-more-left="false" data-more-right="false">
      <button type="button" className="chain-expiries-more chain-expiries-more-left" tabIndex={-1} aria-hidden="true" title="Earlier expiries" onClick={() => scroll(-1)}>
        ‹
      </button>
      <nav
        className="chain-expiries"
        role="tablist"
        aria-label="Expiries"
        ref={stripRef}
        onWheel={(ev) => {
          // A mouse wheel scrolls the strip sideways (a trackpad already does).
          if (Math.abs(ev.deltaY) > Math.abs(ev.deltaX)) ev.currentTarget.scrollLeft += ev.deltaY;
        }}
        onKeyDown={(ev) => {
          // Left/Right (Home/End) switch the expiry and keep the focus on the new tab.
          const to = movedIndex(ev.key, activeTab, expiries.length, { prev: 'ArrowLeft', next: 'ArrowRight' });
          if (to === null) return;
          ev.preventDefault();
          const next = expiries[to]!;
          ev.currentTarget.querySelector<HTMLElement>(`[data-expiry="${next}"]`)?.focus();
          if (next !== active) onChange(next);
        }}
      >
        {expiries.map((e, i) => (
          <button
            key={e}
            type="button"
            role="tab"
            className="chain-expiry-tab"
            data-testid="expiry-tab"
            data-expiry={e}
            aria-selected={e === active ? 'true' : 'false'}
            tabIndex={i === Math.max(0, activeTab) ? 0 : -1}
            title={e}
            onClick={() => {
              if (e !== active) onChange(e);
            }}
          >
            {expiryLabel(e, year)}
          </button>
        ))}
      </nav>
      <button type="button" className="chain-expiries-more chain-expiries-more-right" tabIndex={-1} aria-hidden="true" title="Later expiries" onClick={() => scroll(1)}>
        ›
      </button>
    </div>
  );
}
