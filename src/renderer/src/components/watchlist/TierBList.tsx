import { useAppState, useServices } from '../../state/app-context';
import type { OpenChainView } from '../../../../shared/contract';
import { formatCount, formatExpiry, formatExpiryShort } from '../format';
import { moveRowFocus } from '../keyboard';

interface TierBSymbol {
  symbol: string;
  expiries: string[];
  instruments: number;
}

/** Tier B chains grouped by symbol, expiries ascending, symbols in alphabetical order. */
export function groupTierB(chains: readonly OpenChainView[]): TierBSymbol[] {
  const by = new Map<string, TierBSymbol>();
  for (const c of chains) {
    if (c.tier !== 'TIER_B') continue;
    const g = by.get(c.symbol) ?? { symbol: c.symbol, expiries: [], instruments: 0 };
    g.expiries.push(c.expiry);
    g.instruments += c.instruments;
    by.set(c.symbol, g);
  }
  for (const g of by.values()) g.expiries.sort();
  return [...by.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}

/** The always-on chains (Tier B): one row per symbol; the row opens the nearest expiry, a chip a given one. */
export function TierBList() {
  const chains = useAppState((s) => s.chains);
  const selected = useAppState((s) => s.selected);
  const { actions } = useServices();
  const groups = groupTierB(chains);
  return (
    <section className="panel tierb" aria-label="Tier B (always on)">
      <h2 className="panel-title">
        Tier B (always on) <span className="count">{groups.length}</span>
      </h2>
      <ul className="list">
        {groups.map((g) => (
          <li
            key={g.symbol}
            className={`list-row tierb-row${selected?.symbol === g.symbol ? ' selected' : ''}`}
            data-testid="tierb-chain"
            data-symbol={g.symbol}
            tabIndex={0}
            onClick={() => actions.select({ symbol: g.symbol, expiry: g.expiries[0]! })}
            data-nav-row=""
            onKeyDown={(e) => {
              if (e.target !== e.currentTarget) return;
              if (e.key === 'Enter') actions.select({ symbol: g.symbol, expiry: g.expiries[0]! });
              else if (moveRowFocus(e.key, e.currentTarget)) e.preventDefault();
            }}
          >
            <span className="sym">{g.symbol}</span>
            <span className="chips">
              {g.expiries.map((x) => (
                <button
                  key={x}
                  type="button"
                  className={`chip${selected?.symbol === g.symbol && selected.expiry === x ? ' active' : ''}`}
                  title={formatExpiry(x)}
                  onClick={(e) => {
                    e.stopPropagation();
                    actions.select({ symbol: g.symbol, expiry: x });
                  }}
                >
                  {formatExpiryShort(x)}
                </button>
              ))}
            </span>
            <span className="num muted">{formatCount(g.instruments)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
