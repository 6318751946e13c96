/** A fixed-row-height virtualiser (TanStack Virtual core) bound to one scroll element. */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from "@tanstack/virtual-core";

export function createVirtualizer(
  scroller: HTMLElement,
  count: number,
  rowHeight: number,
  onChange: (v: Virtualizer<HTMLElement, Element>) => void,
): Virtualizer<HTMLElement, Element> {
  const v = new Virtualizer<HTMLElement, Element>({
    count,
    getScrollElement: () => scroller,
    estimateSize: () => rowHeight,
    overscan: 12,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    initialRect: { width: scroller.clientWidth, height: scroller.clientHeight || 600 },
    onChange: (instance) => onChange(instance),
  });
  return v;
}
