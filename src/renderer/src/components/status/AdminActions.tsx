import { useState } from 'react';
import { useServices } from '../../state/app-context';
import { formatCount } from '../format';
import { ConfirmDialog } from '../common/Modal';

/** Admin actions: unsubscribe every Tier A chain (asks first) and rebalance the feed sockets. */
export function AdminActions({ tierA }: { tierA: number }) {
  const { actions } = useServices();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState<'unsub' | 'rebalance' | null>(null);
  const run = async (which: 'unsub' | 'rebalance', f: () => Promise<boolean>): Promise<void> => {
    setBusy(which);
    try {
      await f();
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="admin">
      <button type="button" className="btn btn-danger-outline" data-testid="admin-unsubscribe-all" disabled={busy !== null} onClick={() => setConfirming(true)}>
        {busy === 'unsub' ? 'Unsubscribing…' : 'Unsubscribe all Tier A'}
      </button>
      <button
        type="button"
        className="btn"
        data-testid="admin-rebalance"
        disabled={busy !== null}
        title="Move instruments from sockets that are down to live ones, and even out the load"
        onClick={() => void run('rebalance', actions.rebalance)}
      >
        {busy === 'rebalance' ? 'Rebalancing…' : 'Rebalance'}
      </button>
      {confirming && (
        <ConfirmDialog
          title="Unsubscribe all Tier A?"
          message={
            <>
              Every watchlist chain ({formatCount(tierA)} instruments) stops streaming now. Tier B chains stay on.
            </>
          }
          confirmLabel="Unsubscribe all"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void run('unsub', actions.unsubscribeAllTierA);
          }}
        />
      )}
    </div>
  );
}
