import type { WsStatus } from '../../state/app-store';
import { formatAge, formatCount } from '../format';
import { INSTRUMENTS_PER_SOCKET } from './capacity';

/** A frame older than this on an open socket is worth a glance (pings arrive every ~10 s). */
const QUIET_MS = 15_000;

/** One row per feed socket: state, load out of 5,000, last frame age, reconnects. */
export function SocketTable({ ws }: { ws: WsStatus | null }) {
  return (
    <div className="sockets">
      <div className="section-head">
        <span className="label">Feed sockets</span>
        {ws && (
          <span className="num muted">
            {ws.connected_connections} / {ws.total_connections} connected
          </span>
        )}
      </div>
      <table className="table">
        <thead>
          <tr>
            <th>#</th>
            <th>State</th>
            <th className="r">Instruments</th>
            <th className="r">Last frame</th>
            <th className="r">Reconn.</th>
          </tr>
        </thead>
        <tbody>
          {ws?.per_connection.map((c) => (
            <tr key={c.id} data-testid="socket-row" data-state={c.state} title={c.last_error ?? undefined}>
              <td className="num">{c.id}</td>
              <td>
                <span className={`state state-${c.state === 'open' ? 'ok' : c.state === 'connecting' || c.state === 'reconnecting' ? 'wait' : 'bad'}`}>{c.state}</span>
              </td>
              <td className="r num">
                <span className="load">
                  <span className="load-bar" style={{ width: `${Math.min(100, (c.instruments / INSTRUMENTS_PER_SOCKET) * 100)}%` }} />
                </span>
                {formatCount(c.instruments)} / {formatCount(INSTRUMENTS_PER_SOCKET)}
              </td>
              <td className={`r num${c.state === 'open' && (c.last_frame_age_ms ?? 0) > QUIET_MS ? ' warn' : ''}`}>{formatAge(c.last_frame_age_ms)}</td>
              <td className={`r num${c.reconnects > 0 ? ' warn' : ''}`}>{c.reconnects}</td>
            </tr>
          ))}
          {!ws && (
            <tr>
              <td colSpan={5} className="muted">
                waiting for the engine…
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
