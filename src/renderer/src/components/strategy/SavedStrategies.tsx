/**
 * Saved strategies of one symbol: save the draft (its legs at their entry prices: the typed or
 * picked ones, else the market's at save time), each saved one's live P&L from the event stream's
 * strategy view (coalesced per batch by the engine), load one back into the draft, delete one.
 */
import { useCallback, useEffect, useState } from 'react';
import type { SavedStrategyView } from '../../../../shared/contract';
import type { StreamStrategy } from '../../../../shared/events';
import type { Transport } from '../../api/transport';
import { NO_VALUE } from '../format';
import type { DraftLeg, NewLeg } from './strategy-draft';
import { evaluateRequest } from './strategy-evaluator';
import { formatPremium, formatRupees } from './strategy-format';

export interface SavedStrategiesProps {
  transport: Transport;
  symbol: string;
  legs: readonly DraftLeg[];
  onLoad(legs: NewLeg[]): void;
}

/** Live values by strategy id, from the stream. */
type Live = Record<number, StreamStrategy>;

export function SavedStrategies({ transport, symbol, legs, onLoad }: SavedStrategiesProps) {
  const [saved, setSaved] = useState<SavedStrategyView[]>([]);
  const [live, setLive] = useState<Live>({});
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  const reload = useCallback(async () => {
    const answer = await transport.call('strategies:list', {});
    if (answer.ok) setSaved(answer.value.strategies.filter((s) => s.symbol === symbol));
    else setMessage(answer.error.message);
  }, [transport, symbol]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // One stream view per saved strategy shown; its P&L arrives when it changes.
  const ids = saved.map((s) => s.id).join(',');
  useEffect(() => {
    const list = ids ? ids.split(',').map(Number) : [];
    const off = transport.onStream((m) => {
      if (m.type !== 'batch' || !m.strategy) return;
      const parts = list.map((id) => m.strategy![String(id)]).filter((p): p is StreamStrategy => p !== undefined);
      if (parts.length) setLive((prev) => Object.assign({ ...prev }, ...parts.map((p) => ({ [p.id]: p }))));
    });
    for (const id of list) transport.stream({ op: 'subscribe', view: 'strategy', strategy_id: id });
    return () => {
      off();
      for (const id of list) transport.stream({ op: 'unsubscribe', view: 'strategy', strategy_id: id });
    };
  }, [transport, ids]);

  const save = async (): Promise<void> => {
    const request = { symbol, legs: evaluateRequest(symbol, legs, { ivShift: 0, atDate: null }).legs, ...(name.trim() ? { name: name.trim() } : {}) };
    const answer = await transport.call('strategies:save', request);
    if (!answer.ok) return setMessage(answer.error.message);
    setMessage(`Saved "${answer.value.name}" at the entry prices shown.`);
    setName('');
    await reload();
  };

  const remove = async (id: number): Promise<void> => {
    const answer = await transport.call('strategies:delete', { id });
    setMessage(answer.ok ? null : answer.error.message);
    await reload();
  };

  return (
    <section className="strategy-saved" aria-label="Saved strategies" data-testid="saved-strategies">
      <div className="strategy-save">
        <input type="text" aria-label="Strategy name" placeholder={`${symbol} strategy`} value={name} maxLength={80} onChange={(ev) => setName(ev.currentTarget.value)} />
        <button type="button" data-testid="strategy-save" disabled={legs.length === 0} onClick={() => void save()}>
          Save
        </button>
        {message && (
          <span className="muted" data-testid="strategy-save-message">
            {message}
          </span>
        )}
      </div>
      {saved.length > 0 && (
        <ul className="strategy-saved-list">
          {saved.map((s) => {
            const v = live[s.id];
            const premium = s.legs.reduce((sum, l) => sum + (l.side === 'SELL' ? 1 : -1) * l.price * l.lots * l.lot_size, 0);
            return (
              <li key={s.id} data-testid="saved-strategy" data-id={s.id}>
                <span className="strategy-saved-name">{s.name}</span>
                <span className="muted">
                  {s.legs.length} legs · {formatPremium(premium)}
                </span>
                <span
                  className={`strategy-saved-pnl ${v && v.pnl !== null ? (v.pnl >= 0 ? 'up' : 'down') : ''}${v && v.stale_legs > 0 ? ' stale' : ''}`}
                  data-testid="saved-strategy-pnl"
                  data-stale={v ? String(v.stale_legs > 0) : undefined}
                  title={
                    v && v.stale_legs > 0
                      ? `Not live: ${v.stale_legs} of ${s.legs.length} legs have old prices (their chain is not open, the strike is outside its window, or the feed is down). Add the chain to the watchlist to watch it live.`
                      : 'P&L now against the saved entry prices'
                  }
                >
                  {v ? formatRupees(v.pnl) : NO_VALUE}
                  {v && v.stale_legs > 0 ? <span className="strategy-saved-stale"> (stale)</span> : null}
                </span>
                <button type="button" onClick={() => onLoad(s.legs.map((l) => ({ expiry: l.expiry, strike: l.strike, option_type: l.option_type, side: l.side, lots: l.lots, price: l.price })))}>
                  Load
                </button>
                <button type="button" aria-label={`Delete ${s.name}`} onClick={() => void remove(s.id)}>
                  Delete
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
