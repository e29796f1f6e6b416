import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { choices, type Task } from "../../api/types";
import { Button } from "../../components/Button";
import { Pager } from "../../components/Pager";
import { useConfirm } from "../../components/Confirm";
import { SelectField } from "../../components/Field";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { relativeTime, shortId } from "../../lib/format";
import { BulkBar, useBulkAction, useSelection } from "./bulk";
import { TaskActions } from "./taskActions";
import { searchTasks, type BulkFilter } from "./tasksApi";
import { useTaskTypes } from "./TasksPage";
import { queryKeys } from "../../lib/queryKeys";

const LIMIT = 50;

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
    { key: "type", header: "Type", render: (task) => task.task_type },
    { key: "attempts", header: "Attempts", render: (task) => `${task.current_attempt}/${task.max_attempts}` },
    { key: "error", header: "Last error", className: "max-w-md break-words", render: (task) => task.last_error ?? "—" },
    { key: "failed", header: "Failed", render: (task) => relativeTime(task.completed_at) },
    { key: "actions", header: "Actions", pinned: true, render: (task) => <TaskActions task={task} compact /> },
  ];
}

/** One bulk call with the filter: every failed task of the chosen type, on every page. */
function RetryAllMatching({ filter, total }: { filter: BulkFilter; total: number | null }) {
  const confirm = useConfirm();
  const bulk = useBulkAction();
  const scope = filter.task_type ? `failed ${filter.task_type} task` : "failed task";
  const counted =
    total === null ? `every ${scope}` : `${total.toLocaleString("en-US")} ${scope}${total === 1 ? "" : "s"}`;
  return (
    <>
      <Button
        disabled={total === 0}
        busy={bulk.isPending}
        onClick={() =>
          confirm.ask({
            title: `Retry ${counted}?`,
            message: "They go back to pending with fresh attempts, on every page of this list, in one request.",
            confirmLabel: "Retry all",
            onConfirm: () => bulk.mutate({ action: "retry", target: { filter: { ...filter, status: "failed" } } }),
          })
        }
      >
        {total === null ? "Retry all matching" : `Retry all matching (${total.toLocaleString("en-US")})`}
      </Button>
      {confirm.dialog}
    </>
  );
}

export function DeadLetterPage() {
  const [offset, setOffset] = useState(0);
  const [taskType, setTaskType] = useState("");
  const types = useTaskTypes();
  const filter: BulkFilter = taskType ? { task_type: taskType } : {};
  const query = { limit: LIMIT, offset, status: "failed", sort: "-created_at", ...filter };
  const tasks = useQuery({
    queryKey: queryKeys.tasks.search(query),
    queryFn: () => searchTasks(query),
    placeholderData: keepPreviousData,
  });
  const rows = tasks.data?.rows ?? [];
  const total = tasks.data?.total ?? null;
  const selection = useSelection();

  return (
    <>
      <PageHeader
        title="Dead letter queue"
        description="Tasks that failed for good. Retry re-queues them with fresh attempts."
        actions={<RetryAllMatching filter={filter} total={total} />}
      />
      <form
        role="search"
        aria-label="Filter failed tasks"
        className="mb-4 max-w-xs"
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="Type"
          value={taskType}
          onChange={(event) => {
            setTaskType(event.target.value);
            setOffset(0);
            selection.clear();
          }}
          options={choices(
            (types.data ?? []).map((type) => type.task_type),
            "Any type",
          )}
        />
      </form>
      {tasks.error ? <ErrorNotice error={tasks.error} /> : null}
      <BulkBar selection={selection} actions={["retry", "delete"]} />
      {tasks.isPending ? (
        <Loading />
      ) : (
        <Table
          caption="Failed tasks"
          columns={columns()}
          rows={rows}
          rowKey={(task) => task.id}
          selected={selection.selected}
          onSelectionChange={selection.set}
          empty="No failed tasks."
        />
      )}
      <Pager
        offset={offset}
        limit={LIMIT}
        shown={rows.length}
        total={total}
        onOffset={setOffset}
        rangeTestId="dead-letter-range"
      />
    </>
  );
}
