import { useServices, useAppState } from '../state/app-context';
import { OptionChainPanel } from './chain/OptionChainPanel';

/** The centre: the selected chain, or what to do when there is none. */
export function ChainArea() {
  const selected = useAppState((s) => s.selected);
  const { transport, actions, strategies } = useServices();
  if (!selected) {
    return (
      <div className="centre-empty">
        <p>No chain selected.</p>
        <p className="muted">
          Press <kbd>/</kbd> to search a stock or index, or pick a Tier B chain on the left.
        </p>
      </div>
    );
  }
  if (!selected.expiry) {
    return (
      <div className="centre-empty">
        <p>{selected.symbol} is on the watchlist as an equity: it has no option chain.</p>
      </div>
    );
  }
  const { symbol } = selected;
  return <OptionChainPanel transport={transport} symbol={symbol} expiry={selected.expiry} onExpiryChange={(expiry) => actions.select({ symbol, expiry })} drafts={strategies} />;
}
