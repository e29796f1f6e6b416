import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import { choices, PRIORITIES, TASK_STATUSES, type Task } from "../../api/types";
import { StatusBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { SelectField } from "../../components/Field";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime, shortId } from "../../lib/format";
import { useFallbackInterval } from "../../live/LiveUpdates";
import { TaskActions } from "./taskActions";

const PAGE_SIZES = [10, 25, 50, 100];
const PRIORITY_RANK: Record<string, number> = { critical: 0, high: 1, normal: 2, low: 3 };
type SortKey = "task_type" | "status" | "priority" | "created_at" | "updated_at";

export function sortTasks(tasks: readonly Task[], key: SortKey, direction: "asc" | "desc"): Task[] {
  const value = (task: Task): string | number => (key === "priority" ? (PRIORITY_RANK[task.priority] ?? 9) : (task[key] ?? ""));
  const sign = direction === "asc" ? 1 : -1;
  return [...tasks].sort((a, b) => (value(a) < value(b) ? -sign : value(a) > value(b) ? sign : 0));
}

export function useTaskTypes() {
  return useQuery({ queryKey: ["task-types"], queryFn: () => unwrap(api.GET("/tasks/types")), staleTime: 60_000 });
}

export function TasksPage() {
  const [filters, setFilters] = useState({ status: "", task_type: "", priority: "" });
  const [limit, setLimit] = useState(25);
  const [offset, setOffset] = useState(0);
  const [sort, setSort] = useState<{ key: SortKey; direction: "asc" | "desc" }>({ key: "created_at", direction: "desc" });
  const types = useTaskTypes();
  const fallback = useFallbackInterval(10_000);

  const query = { limit, offset, ...(filters.status ? { status: filters.status } : {}), ...(filters.task_type ? { task_type: filters.task_type } : {}), ...(filters.priority ? { priority: filters.priority } : {}) };
  const tasks = useQuery({
    queryKey: ["tasks", "list", query],
    queryFn: () => unwrap(api.GET("/tasks", { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: fallback,
  });
  const rows = useMemo(() => sortTasks(tasks.data ?? [], sort.key, sort.direction), [tasks.data, sort]);

  const setFilter = (key: keyof typeof filters) => (event: { target: { value: string } }) => {
    setFilters((current) => ({ ...current, [key]: event.target.value }));
    setOffset(0);
  };
  const onSort = (key: string) =>
    setSort((current) => ({ key: key as SortKey, direction: current.key === key && current.direction === "asc" ? "desc" : "asc" }));

  const columns: Column<Task>[] = [
    {
      key: "id",
      header: "Task",
      render: (task) => (
        <Link to="/admin/tasks/$taskId" params={{ taskId: task.id }} className="font-mono text-brand-700 underline">
          {shortId(task.id)}
        </Link>
      ),
    },
    { key: "task_type", header: "Type", sortable: true, render: (task) => task.task_type },
    { key: "status", header: "Status", sortable: true, render: (task) => <StatusBadge value={task.status} /> },
    { key: "priority", header: "Priority", sortable: true, render: (task) => <StatusBadge value={task.priority} /> },
    { key: "attempts", header: "Attempts", render: (task) => `${task.current_attempt}/${task.max_attempts}` },
    { key: "created_at", header: "Created", sortable: true, render: (task) => <time dateTime={task.created_at}>{relativeTime(task.created_at)}</time> },
    { key: "actions", header: "Actions", pinned: true, render: (task) => <TaskActions task={task} compact /> },
  ];

  return (
    <>
      <PageHeader
        title="Tasks"
        description="Background jobs. Status changes arrive live."
        actions={
          <Link to="/admin/tasks/new" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">
            New task
          </Link>
        }
      />
      <form role="search" aria-label="Filter tasks" className="mb-4 grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4" onSubmit={(event) => event.preventDefault()}>
        <SelectField label="Status" value={filters.status} onChange={setFilter("status")} options={choices(TASK_STATUSES, "Any status")} />
        <SelectField
          label="Type"
          value={filters.task_type}
          onChange={setFilter("task_type")}
          options={choices((types.data ?? []).map((type) => type.task_type), "Any type")}
        />
        <SelectField label="Priority" value={filters.priority} onChange={setFilter("priority")} options={choices(PRIORITIES, "Any priority")} />
        <SelectField
          label="Per page"
          value={String(limit)}
          onChange={(event) => {
            setLimit(Number(event.target.value));
            setOffset(0);
          }}
          options={PAGE_SIZES.map((size) => ({ value: String(size), label: String(size) }))}
        />
      </form>
      {tasks.error ? <ErrorNotice error={tasks.error} /> : null}
      {tasks.isPending ? <Loading /> : <Table caption="Tasks" columns={columns} rows={rows} rowKey={(task) => task.id} sort={sort} onSort={onSort} empty="No tasks match these filters." />}
      <nav aria-label="Pagination" className="mt-4 flex items-center justify-between gap-2 text-sm">
        <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - limit))}>
          Previous
        </Button>
        <span aria-live="polite">
          {rows.length === 0 ? "No rows" : `Rows ${offset + 1}–${offset + rows.length}`}
        </span>
        <Button variant="secondary" disabled={(tasks.data?.length ?? 0) < limit} onClick={() => setOffset(offset + limit)}>
          Next
        </Button>
      </nav>
    </>
  );
}
