import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode, type KeyboardEvent } from 'react';

export interface VirtualListProps {
  /** Number of rows in the whole list (not just the loaded ones). */
  readonly count: number;
  /** Fixed row height in CSS pixels: the window is pure arithmetic, no measuring. */
  readonly rowHeight: number;
  readonly height: number | string;
  readonly overscan?: number;
  readonly renderRow: (index: number) => ReactNode;
  /** Called with the visible range so the owner can load what is missing. */
  readonly onRange?: (first: number, last: number) => void;
  readonly label: string;
  /** Enter on the focused row. */
  readonly onActivate?: (index: number) => void;
  readonly className?: string;
}

/**
 * A small windowing component: only the rows in view (plus overscan) are in the DOM, positioned
 * inside a spacer as tall as the whole list, so 100 000 rows cost the same as 30. Keyboard: the
 * list is one tab stop; arrows, PageUp/PageDown, Home/End move the active row, Enter opens it.
 */
export function VirtualList({ count, rowHeight, height, overscan = 8, renderRow, onRange, label, onActivate, className }: VirtualListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const [active, setActive] = useState(-1);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (el) setScrollTop(el.scrollTop);
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);

  useEffect(() => {
    if (count > 0) onRange?.(first, last);
  }, [first, last, count, onRange]);

  const moveTo = (index: number) => {
    const el = ref.current;
    if (!el || count === 0) return;
    const i = Math.max(0, Math.min(count - 1, index));
    setActive(i);
    const top = i * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(active + 1),
      ArrowUp: () => moveTo(active - 1),
      PageDown: () => moveTo(active + page),
      PageUp: () => moveTo(active - page),
      Home: () => moveTo(0),
      End: () => moveTo(count - 1),
      Enter: () => active >= 0 && onActivate?.(active),
    };
    const f = keys[e.key];
    if (f) {
      e.preventDefault();
      f();
    }
  };

  const rows: ReactNode[] = [];
  for (let i = first; i <= last; i++) {
    rows.push(
      <div
        key={i}
        role="row"
        aria-rowindex={i + 1}
        aria-selected={i === active}
        className={i === active ? 'vrow vrow-active' : 'vrow'}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}
        onClick={() => setActive(i)}
        onDoubleClick={() => onActivate?.(i)}
      >
        {renderRow(i)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={`vlist ${className ?? ''}`}
      style={{ height }}
      onScroll={onScroll}
      tabIndex={0}
      role="grid"
      aria-label={label}
      aria-rowcount={count}
      onKeyDown={onKeyDown}
      onFocus={() => active < 0 && count > 0 && setActive(Math.floor(scrollTop / rowHeight))}
    >
      <div className="vlist-spacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
