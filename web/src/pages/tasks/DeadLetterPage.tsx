import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { Task } from "../../api/types";
import { Button } from "../../components/Button";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime, shortId } from "../../lib/format";
import { TaskActions } from "./taskActions";

const LIMIT = 50;

export function DeadLetterPage() {
  const [offset, setOffset] = useState(0);
  const tasks = useQuery({
    queryKey: ["tasks", "dead-letter", offset],
    queryFn: () => unwrap(api.GET("/tasks/dead-letter", { params: { query: { limit: LIMIT, offset } } })),
    placeholderData: keepPreviousData,
  });

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
    { key: "type", header: "Type", render: (task) => task.task_type },
    { key: "attempts", header: "Attempts", render: (task) => `${task.current_attempt}/${task.max_attempts}` },
    { key: "error", header: "Last error", className: "max-w-md break-words", render: (task) => task.last_error ?? "—" },
    { key: "failed", header: "Failed", render: (task) => relativeTime(task.completed_at) },
    { key: "actions", header: "Actions", pinned: true, render: (task) => <TaskActions task={task} compact /> },
  ];

  return (
    <>
      <PageHeader title="Dead letter queue" description="Tasks that failed for good. Retry re-queues them with fresh attempts." />
      {tasks.error ? <ErrorNotice error={tasks.error} /> : null}
      {tasks.isPending ? <Loading /> : <Table caption="Failed tasks" columns={columns} rows={tasks.data ?? []} rowKey={(task) => task.id} empty="No failed tasks." />}
      <nav aria-label="Pagination" className="mt-4 flex justify-between">
        <Button variant="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LIMIT))}>
          Previous
        </Button>
        <Button variant="secondary" disabled={(tasks.data?.length ?? 0) < LIMIT} onClick={() => setOffset(offset + LIMIT)}>
          Next
        </Button>
      </nav>
    </>
  );
}
