import { useAppState } from '../../state/app-context';
import { AdminActions } from './AdminActions';
import { CapacityMeter } from './CapacityMeter';
import { SocketTable } from './SocketTable';
import { SubscriptionLog } from './SubscriptionLog';

/** The health column: capacity, feed sockets, admin actions and the subscription log. */
export function StatusPanel() {
  const status = useAppState((s) => s.status);
  const ws = useAppState((s) => s.wsStatus);
  const log = useAppState((s) => s.log);
  const truncated = useAppState((s) => s.logTruncated);
  return (
    <div className="status-panel">
      <section className="panel">
        <CapacityMeter status={status} />
      </section>
      <section className="panel">
        <SocketTable ws={ws} />
      </section>
      <section className="panel">
        <AdminActions tierA={status?.tier_a_count ?? 0} />
      </section>
      <section className="panel panel-fill">
        <SubscriptionLog entries={log} truncated={truncated} />
      </section>
    </div>
  );
}
