import type { ReactNode } from "react";
import { rangeLabel } from "../lib/listing";
import { Button } from "./Button";

export interface PagerProps {
  offset: number;
  limit: number;
  /** How many rows the current page shows. */
  shown: number;
  /** The server's count of matching rows (X-Total-Count); null when it sent none. */
  total: number | null;
  onOffset: (offset: number) => void;
  /** Names the range label for the browser journeys. */
  rangeTestId?: string;
  /** Extra controls (a page-size choice) between the range and "Next". */
  children?: ReactNode;
  className?: string;
}

/** Previous / "1–20 of N" / Next under an offset-paged list. Without a total, "Next" is
 * offered while pages come back full. */
export function Pager({ offset, limit, shown, total, onOffset, rangeTestId, children, className = "" }: PagerProps) {
  const hasNext = total === null ? shown === limit : offset + shown < total;
  return (
    <nav
      aria-label="Pagination"
      className={`mt-4 flex flex-wrap items-center justify-between gap-2 text-sm ${className}`}
    >
      <Button variant="secondary" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
        Previous
      </Button>
      <span aria-live="polite" data-testid={rangeTestId}>
        {rangeLabel(offset, shown, total)}
      </span>
      {children}
      <Button variant="secondary" disabled={!hasNext} onClick={() => onOffset(offset + limit)}>
        Next
      </Button>
    </nav>
  );
}
