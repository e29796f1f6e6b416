/**
 * Whether an element scrolls sideways now. A region that scrolls must be reachable by keyboard
 * (focusable, named), and one that does not should not add a tab stop; this tells which.
 */
import { useEffect, useState, type RefObject } from "react";

export function useScrollable(ref: RefObject<HTMLElement | null>): boolean {
  const [scrollable, setScrollable] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    const measure = () => setScrollable(element.scrollWidth > element.clientWidth + 1);
    measure();
    if (typeof ResizeObserver !== "function") return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const child of Array.from(element.children)) observer.observe(child);
    return () => observer.disconnect();
  });
  return scrollable;
}
