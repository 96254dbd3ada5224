import { useEffect, useState } from 'react';
import { formatIstTime } from '../format';

/**
 * The IST wall clock, HH:MM:SS. It re-renders only itself, once a second, aligned to the second
 * boundary so it never skips or repeats a second on screen.
 */
export function IstClock({ now = Date.now }: { now?: () => number }) {
  const [ms, setMs] = useState(now);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = (): void => {
      const t = now();
      setMs(t);
      timer = setTimeout(tick, 1000 - (t % 1000));
    };
    timer = setTimeout(tick, 1000 - (now() % 1000));
    return () => clearTimeout(timer);
  }, [now]);
  return (
    <span className="clock" data-testid="ist-clock" title="India Standard Time">
      {formatIstTime(ms)} <span className="muted">IST</span>
    </span>
  );
}
