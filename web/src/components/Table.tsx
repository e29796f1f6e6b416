import type { ReactNode } from "react";

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  className?: string;
  sortable?: boolean;
  /** Pinned to the right edge, so a row's actions stay on screen while the rest scrolls. */
  pinned?: boolean;
}

const PINNED = "sticky right-0 shadow-[inset_1px_0_0_var(--color-slate-200)]";

interface TableProps<T> {
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rows: ReadonlyArray<T>;
  rowKey: (row: T) => string;
  empty?: string;
  sort?: { key: string; direction: "asc" | "desc" } | undefined;
  onSort?: (key: string) => void;
}

/** An accessible, horizontally scrollable table with optional sortable headers. */
export function Table<T>({ caption, columns, rows, rowKey, empty = "Nothing here yet.", sort, onSort }: TableProps<T>) {
  return (
    // relative: visually hidden (absolutely positioned) labels in cells scroll with the table
    // instead of widening the page.
    <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50">
          <tr>
            {columns.map((column) => {
              const active = sort?.key === column.key;
              const ariaSort = active ? (sort?.direction === "asc" ? "ascending" : "descending") : undefined;
              return (
                <th key={column.key} scope="col" aria-sort={ariaSort} className={`px-3 py-2 text-left font-semibold text-slate-700 ${column.pinned ? `${PINNED} bg-slate-50` : ""} ${column.className ?? ""}`}>
                  {column.sortable && onSort ? (
                    <button type="button" className="inline-flex items-center gap-1 hover:underline" onClick={() => onSort(column.key)}>
                      {column.header}
                      <span aria-hidden="true">{active ? (sort?.direction === "asc" ? "▲" : "▼") : "↕"}</span>
                    </button>
                  ) : (
                    column.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="px-3 py-6 text-center text-slate-500">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)} className="hover:bg-slate-50">
                {columns.map((column) => (
                  <td key={column.key} className={`px-3 py-2 align-top ${column.pinned ? `${PINNED} bg-white` : ""} ${column.className ?? ""}`}>
                    {column.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
