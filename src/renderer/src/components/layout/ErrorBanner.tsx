import { useEffect } from 'react';
import { dismissToast, type Notice } from '../../state/app-store';
import { useAppState, useServices } from '../../state/app-context';

const TOAST_MS = 4000;

/** The latest error, until dismissed: what failed, the error code and the engine's message. */
export function ErrorBanner() {
  const error = useAppState((s) => s.error);
  const { actions } = useServices();
  if (!error) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner" data-code={error.code}>
      <span className="error-context">{error.context} failed</span>
      {error.code && <span className="error-code">{error.code}</span>}
      <span className="error-message">{error.message}</span>
      <button type="button" className="btn btn-ghost" aria-label="Dismiss error" onClick={actions.dismissError}>
        ✕
      </button>
    </div>
  );
}

/** Confirmations that fade after a few seconds. */
export function Toasts() {
  const toasts = useAppState((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <Toast key={t.id} notice={t} />
      ))}
    </div>
  );
}

/** One toast; it removes itself TOAST_MS after it appeared. */
function Toast({ notice }: { notice: Notice }) {
  const { store } = useServices();
  useEffect(() => {
    const timer = setTimeout(() => dismissToast(store, notice.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [store, notice.id]);
  return (
    <div className="toast" data-testid="toast">
      <span className="toast-context">{notice.context}</span> {notice.message}
    </div>
  );
}
