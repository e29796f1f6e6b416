/**
 * The app's data table, on TanStack Table. Props:
 *
 * - `caption` (the table's accessible name), `columns`, `rows`, `rowKey` (a stable id per row),
 *   `empty` (the message when there are no rows).
 * - Columns: `key`, `header`, `render(row)`; optional `className`, `pinned` (stays at the right
 *   edge while the rest scrolls), `sortable`, `sortValue(row)` (what client sorting compares),
 *   `hideable` (default true; false keeps it out of the column menu), `hidden` (start hidden).
 * - Sorting, one of three ways:
 *   - controlled (server or page sort): pass `sort` ({key, direction}) and `onSortChange(next)`;
 *     rows are shown in the order given. `onSort(key)` (the column clicked) still works too.
 *   - client: leave `sort` out; columns with `sortable` and `sortValue` sort the loaded rows.
 *   - none: no column is `sortable`.
 * - Row selection: pass `onSelectionChange(ids, rows)` to get a checkbox column with a
 *   select-all-on-this-page box. `selected` (ids) makes it controlled, e.g. to clear it after a
 *   bulk action. Ids of rows no longer shown are dropped from the selection.
 * - Column visibility: `columnMenu` adds a "Columns" menu to hide and show hideable columns.
 */
import {
  columnVisibilityFeature,
  createSortedRowModel,
  rowSelectionFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type RowSelectionState,
  type SortingState,
  type Updater,
  type ColumnVisibilityState as VisibilityState,
  type RowData,
} from "@tanstack/react-table";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useScrollable } from "../lib/useScrollable";
import { Dropdown } from "./Dropdown";

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  className?: string;
  sortable?: boolean;
  /** The value client-side sorting compares (ascending); without it a sortable column needs `sort`. */
  sortValue?: (row: T) => string | number;
  /** Pinned to the right edge, so a row's actions stay on screen while the rest scrolls. */
  pinned?: boolean;
  /** False keeps the column out of the column menu (always shown). */
  hideable?: boolean;
  /** Start hidden (the column menu shows it). */
  hidden?: boolean;
}

export interface SortState {
  key: string;
  direction: "asc" | "desc";
}

interface TableProps<T extends RowData> {
  caption: string;
  columns: ReadonlyArray<Column<T>>;
  rows: ReadonlyArray<T>;
  rowKey: (row: T) => string;
  empty?: string;
  sort?: SortState | undefined;
  onSort?: (key: string) => void;
  onSortChange?: (sort: SortState) => void;
  selected?: ReadonlyArray<string>;
  onSelectionChange?: (ids: string[], rows: T[]) => void;
  columnMenu?: boolean;
}

const PINNED = "sticky right-0 shadow-[inset_1px_0_0_var(--color-slate-200)]";
const SELECT_ID = "__select";
const features = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  rowSelectionFeature,
  columnVisibilityFeature,
});
type Features = typeof features;

function apply<S>(updater: Updater<S>, current: S): S {
  return typeof updater === "function" ? (updater as (old: S) => S)(current) : updater;
}

function toSorting(sort: SortState | undefined): SortingState {
  return sort ? [{ id: sort.key, desc: sort.direction === "desc" }] : [];
}

/** The next sort when a header is clicked: a new column starts ascending, the same one flips. */
export function nextSort(current: SortState | undefined, key: string): SortState {
  return { key, direction: current?.key === key && current.direction === "asc" ? "desc" : "asc" };
}

export function Table<T extends RowData>(props: TableProps<T>) {
  const {
    caption,
    columns,
    rows,
    rowKey,
    empty = "Nothing here yet.",
    sort,
    onSort,
    onSortChange,
    selected,
    onSelectionChange,
    columnMenu = false,
  } = props;
  const controlledSort = sort !== undefined;
  const selectable = onSelectionChange !== undefined;
  const [localSorting, setLocalSorting] = useState<SortingState>([]);
  const [localSelection, setLocalSelection] = useState<RowSelectionState>({});
  const [visibility, setVisibility] = useState<VisibilityState>(() =>
    Object.fromEntries(columns.filter((c) => c.hidden).map((c) => [c.key, false])),
  );

  const sorting = controlledSort ? toSorting(sort) : localSorting;
  const current: SortState | undefined = sorting[0]
    ? { key: sorting[0].id, direction: sorting[0].desc ? "desc" : "asc" }
    : undefined;
  // A header click: a new column starts ascending, the same one flips (for text and numbers alike).
  const toggleSort = (key: string) => {
    const next = nextSort(current, key);
    if (controlledSort) {
      onSort?.(key);
      onSortChange?.(next);
    } else setLocalSorting(toSorting(next));
  };
  const rowSelection: RowSelectionState = selected
    ? Object.fromEntries(selected.map((id) => [id, true as const]))
    : localSelection;
  const data = useMemo(() => [...rows], [rows]);
  const defs = useMemo<ColumnDef<Features, T>[]>(
    () => [
      ...(selectable ? [{ id: SELECT_ID, enableSorting: false, enableHiding: false }] : []),
      ...columns.map((column) => ({
        id: column.key,
        // TanStack sorts only accessor columns; a controlled sort never reads the value.
        accessorFn: column.sortValue ?? (() => ""),
        enableSorting: Boolean(column.sortable) && (controlledSort || column.sortValue !== undefined),
        enableHiding: column.hideable !== false && !column.pinned,
      })),
    ],
    [columns, selectable, controlledSort],
  );

  const changeSelection = (next: RowSelectionState) => {
    if (!selected) setLocalSelection(next);
    const ids = Object.keys(next).filter((id) => next[id]);
    onSelectionChange?.(
      ids,
      data.filter((row) => next[rowKey(row)]),
    );
  };

  const table = useTable({
    features,
    columns: defs,
    data,
    getRowId: (row: T) => rowKey(row),
    manualSorting: controlledSort,
    enableSortingRemoval: false,
    enableRowRangeSelection: false,
    state: { sorting, rowSelection, columnVisibility: visibility },
    onRowSelectionChange: (updater: Updater<RowSelectionState>) => changeSelection(apply(updater, rowSelection)),
    onColumnVisibilityChange: (updater: Updater<VisibilityState>) =>
      setVisibility((current) => apply(updater, current)),
  });

  // Selected ids of rows no longer loaded (another page, a filter, a deletion) are dropped.
  const loaded = new Set(data.map(rowKey));
  const stale = Object.keys(rowSelection).filter((id) => rowSelection[id] && !loaded.has(id));
  useEffect(() => {
    if (stale.length > 0)
      changeSelection(
        Object.fromEntries(
          Object.keys(rowSelection)
            .filter((id) => rowSelection[id] && loaded.has(id))
            .map((id) => [id, true as const]),
        ),
      );
  });

  const scroller = useRef<HTMLDivElement>(null);
  const scrollable = useScrollable(scroller);
  const byKey = new Map(columns.map((column) => [column.key, column]));
  const visible = table.getVisibleLeafColumns();
  const toggles = table.getAllLeafColumns().filter((column) => column.getCanHide());

  return (
    <div className="flex flex-col gap-2">
      {columnMenu && toggles.length > 0 ? (
        <div className="flex justify-end">
          <Dropdown
            label="Columns"
            heading="Show columns"
            items={toggles.map((column) => ({
              kind: "checkbox" as const,
              label: byKey.get(column.id)?.header ?? column.id,
              checked: column.getIsVisible(),
              onCheckedChange: (checked: boolean) => column.toggleVisibility(checked),
            }))}
          />
        </div>
      ) : null}
      {/* relative: visually hidden (absolutely positioned) labels in cells scroll with the table
          instead of widening the page. */}
      <div
        ref={scroller}
        // A table wider than the screen scrolls; the keyboard reaches it as a named region.
        {...(scrollable ? { role: "region", "aria-label": caption, tabIndex: 0 } : {})}
        className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white"
      >
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50">
            <tr>
              {visible.map((column) => {
                if (column.id === SELECT_ID) {
                  return (
                    <th key={column.id} scope="col" className="w-8 px-3 py-2 text-left">
                      <input
                        type="checkbox"
                        aria-label="Select all rows on this page"
                        checked={table.getIsAllPageRowsSelected()}
                        ref={(box) => {
                          if (box) box.indeterminate = table.getIsSomePageRowsSelected();
                        }}
                        disabled={data.length === 0}
                        onChange={table.getToggleAllPageRowsSelectedHandler()}
                      />
                    </th>
                  );
                }
                const spec = byKey.get(column.id);
                const direction = column.getIsSorted();
                const ariaSort = direction === "asc" ? "ascending" : direction === "desc" ? "descending" : undefined;
                return (
                  <th
                    key={column.id}
                    scope="col"
                    aria-sort={ariaSort}
                    className={`px-3 py-2 text-left font-semibold text-slate-700 ${spec?.pinned ? `${PINNED} bg-slate-50` : ""} ${spec?.className ?? ""}`}
                  >
                    {column.getCanSort() ? (
                      <button
                        type="button"
                        className="inline-flex items-center gap-1 hover:underline"
                        onClick={() => toggleSort(column.id)}
                      >
                        {spec?.header}
                        <span aria-hidden="true">{direction === "asc" ? "▲" : direction === "desc" ? "▼" : "↕"}</span>
                      </button>
                    ) : (
                      spec?.header
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {data.length === 0 ? (
              <tr>
                <td colSpan={visible.length} className="px-3 py-6 text-center text-slate-500">
                  {empty}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr
                  key={row.id}
                  data-selected={selectable && row.getIsSelected() ? "true" : undefined}
                  className="hover:bg-slate-50 data-[selected=true]:bg-brand-50"
                >
                  {visible.map((column) => {
                    if (column.id === SELECT_ID) {
                      return (
                        <td key={column.id} className="px-3 py-2 align-top">
                          <input
                            type="checkbox"
                            aria-label={`Select row ${row.id}`}
                            checked={row.getIsSelected()}
                            onChange={row.getToggleSelectedHandler()}
                          />
                        </td>
                      );
                    }
                    const spec = byKey.get(column.id);
                    return (
                      <td
                        key={column.id}
                        className={`px-3 py-2 align-top ${spec?.pinned ? `${PINNED} bg-white` : ""} ${spec?.className ?? ""}`}
                      >
                        {spec?.render(row.original)}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
