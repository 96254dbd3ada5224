import { useRef, type PointerEvent } from 'react';

/**
 * A vertical drag handle between two panels. It reports the pointer's horizontal travel since the
 * drag began; the owner turns it into a panel width (`sign` flips it for a panel on the right).
 */
export function Splitter({ value, sign, onResize, label }: { value: number; sign: 1 | -1; onResize: (px: number) => void; label: string }) {
  const drag = useRef<{ x: number; start: number } | null>(null);
  const down = (e: PointerEvent<HTMLDivElement>): void => {
    drag.current = { x: e.clientX, start: value };
    e.currentTarget.setPointerCapture?.(e.pointerId);
  };
  const move = (e: PointerEvent<HTMLDivElement>): void => {
    if (drag.current) onResize(drag.current.start + sign * (e.clientX - drag.current.x));
  };
  const up = (): void => {
    drag.current = null;
  };
  return <div className="splitter" role="separator" aria-orientation="vertical" aria-label={label} aria-valuenow={value} onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up} />;
}
