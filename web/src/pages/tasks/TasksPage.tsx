import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { choices, PRIORITIES, TASK_STATUSES, type Task } from "../../api/types";
import { StatusBadge } from "../../components/Badge";
import { Pager } from "../../components/Pager";
import { SelectField, TextField } from "../../components/Field";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime, shortId } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useFallbackInterval } from "../../live/LiveUpdates";
import { BulkBar, useSelection } from "./bulk";
import { TaskActions } from "./taskActions";
import { searchTasks, type TaskSearch } from "./tasksApi";
import { queryKeys } from "../../lib/queryKeys";

const PAGE_SIZES = [10, 25, 50, 100];
const SORTABLE = new Set(["status", "priority", "created_at"]);
type Sort = { key: string; direction: "asc" | "desc" };

export function useTaskTypes() {
  return useQuery({
    queryKey: queryKeys.tasks.types(),
    queryFn: () => unwrap(api.GET("/tasks/types")),
    staleTime: 60_000,
  });
}

/** `{key: "created_at", direction: "desc"}` → `-created_at`, the API's sort parameter. */
export function sortParam(sort: Sort): string {
  return `${sort.direction === "desc" ? "-" : ""}${sort.key}`;
}

/** A datetime-local value (the browser's local time) as an ISO instant, or undefined when blank. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const EMPTY_FILTERS = { q: "", id: "", status: "", task_type: "", priority: "", created_after: "", created_before: "" };
type Filters = typeof EMPTY_FILTERS;

export function taskQuery(filters: Filters, sort: Sort, limit: number, offset: number): TaskSearch {
  const query: TaskSearch = { limit, offset, sort: sortParam(sort) };
  for (const key of ["q", "id", "status", "task_type", "priority"] as const) {
    const value = filters[key].trim();
    if (value) query[key] = value;
  }
  const after = localToIso(filters.created_after);
  const before = localToIso(filters.created_before);
  if (after) query.created_after = after;
  if (before) query.created_before = before;
  return query;
}

function columns(): Column<Task>[] {
  return [
    {
      key: "id",
      header: "Task",
      render: (task) => (
        <Link to="/admin/tasks/$taskId" params={{ taskId: task.id }} className="font-mono text-brand-700 underline">
          {shortId(task.id)}
        </Link>
      ),
    },
    { key: "task_type", header: "Type", render: (task) => task.task_type },
    { key: "status", header: "Status", sortable: true, render: (task) => <StatusBadge value={task.status} /> },
    { key: "priority", header: "Priority", sortable: true, render: (task) => <StatusBadge value={task.priority} /> },
    { key: "attempts", header: "Attempts", render: (task) => `${task.current_attempt}/${task.max_attempts}` },
    {
      key: "created_at",
      header: "Created",
      sortable: true,
      render: (task) => <time dateTime={task.created_at}>{relativeTime(task.created_at)}</time>,
    },
    { key: "actions", header: "Actions", pinned: true, render: (task) => <TaskActions task={task} compact /> },
  ];
}

function FilterForm({
  filters,
  onChange,
}: {
  filters: Filters;
  onChange: (key: keyof Filters, value: string) => void;
}) {
  const types = useTaskTypes();
  const field = (key: keyof Filters) => ({
    value: filters[key],
    onChange: (event: { target: { value: string } }) => onChange(key, event.target.value),
  });
  return (
    <form
      role="search"
      aria-label="Filter tasks"
      className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4"
      onSubmit={(event) => event.preventDefault()}
    >
      <TextField label="Search" type="search" placeholder="Text in the payload or last error" {...field("q")} />
      <SelectField label="Status" options={choices(TASK_STATUSES, "Any status")} {...field("status")} />
      <SelectField
        label="Type"
        options={choices(
          (types.data ?? []).map((type) => type.task_type),
          "Any type",
        )}
        {...field("task_type")}
      />
      <SelectField label="Priority" options={choices(PRIORITIES, "Any priority")} {...field("priority")} />
      <details
        className="sm:col-span-2 lg:col-span-4"
        open={Boolean(filters.id || filters.created_after || filters.created_before)}
      >
        <summary className="cursor-pointer text-sm font-medium text-slate-700">By id or creation time</summary>
        <div className="mt-2 grid grid-cols-1 gap-3 sm:grid-cols-3">
          <TextField
            label="Task id"
            placeholder="Leading characters, e.g. 3f2a9c"
            spellCheck={false}
            {...field("id")}
          />
          <TextField label="Created after" type="datetime-local" {...field("created_after")} />
          <TextField label="Created before" type="datetime-local" {...field("created_before")} />
        </div>
      </details>
    </form>
  );
}

export function TasksPage() {
  const [filters, setFilters] = useState(EMPTY_FILTERS);
  const [limit, setLimit] = useState(25);
  const [offset, setOffset] = useState(0);
  const [sort, setSort] = useState<Sort>({ key: "created_at", direction: "desc" });
  const settled = useDebounced(filters);
  const query = taskQuery(settled, sort, limit, offset);
  const tasks = useQuery({
    queryKey: queryKeys.tasks.search(query),
    queryFn: () => searchTasks(query),
    placeholderData: keepPreviousData,
    refetchInterval: useFallbackInterval(10_000),
  });
  const rows = tasks.data?.rows ?? [];
  const total = tasks.data?.total ?? null;
  const selection = useSelection();

  const onFilter = (key: keyof Filters, value: string) => {
    setFilters((current) => ({ ...current, [key]: value }));
    setOffset(0);
    selection.clear();
  };
  const onSortChange = (next: Sort) => {
    if (!SORTABLE.has(next.key)) return;
    setSort(next);
    setOffset(0);
  };

  return (
    <>
      <PageHeader
        title="Tasks"
        description="Background jobs. Search, sort and act on many at once; status changes arrive live."
        actions={
          <Link
            to="/admin/tasks/new"
            className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700"
          >
            New task
          </Link>
        }
      />
      <FilterForm filters={filters} onChange={onFilter} />
      {tasks.error ? <ErrorNotice error={tasks.error} /> : null}
      <BulkBar selection={selection} actions={["retry", "cancel", "delete"]} />
      {tasks.isPending ? (
        <Loading />
      ) : (
        <Table
          caption="Tasks"
          columns={columns()}
          rows={rows}
          rowKey={(task) => task.id}
          sort={sort}
          onSortChange={onSortChange}
          selected={selection.selected}
          onSelectionChange={selection.set}
          columnMenu
          empty="No tasks match these filters."
        />
      )}
      <Pager
        offset={offset}
        limit={limit}
        shown={rows.length}
        total={total}
        onOffset={setOffset}
        rangeTestId="task-range"
      >
        <label className="inline-flex items-center gap-2">
          Per page
          <select
            value={String(limit)}
            onChange={(event) => {
              setLimit(Number(event.target.value));
              setOffset(0);
            }}
            className="rounded-md border border-slate-300 bg-white px-2 py-1"
          >
            {PAGE_SIZES.map((size) => (
              <option key={size}>{size}</option>
            ))}
          </select>
        </label>
      </Pager>
    </>
  );
}
