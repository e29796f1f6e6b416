import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useLocation, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { choices, EVENT_TYPES, type CreateEventBody, type MonitoringEvent } from "../../api/types";
import { LevelBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Pager } from "../../components/Pager";
import { SelectField, TextArea, TextField } from "../../components/Field";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { Table, type Column } from "../../components/Table";
import { messageFor } from "../../lib/fieldErrors";
import { formatDateTime, shortId } from "../../lib/format";
import { parseJsonObject } from "../../lib/json";
import { useAction } from "../../lib/useAction";
import { EventDialog } from "./EventDialog";
import { formatTags, parseTagFilter } from "./tags";
import { queryKeys } from "../../lib/queryKeys";

const LIMIT = 50;
type Filters = { event_type: string; source: string; level: string; tags: string };
const EMPTY: Filters = { event_type: "", source: "", level: "", tags: "" };

/** Only the filters that are set, as the API's query parameters. */
export function eventQuery(filters: Filters, offset: number) {
  const query: Record<string, string | number> = { limit: LIMIT, offset };
  for (const [key, value] of Object.entries(filters)) if (value.trim() !== "") query[key] = value.trim();
  return query;
}

function CreateEvent() {
  const [values, setValues] = useState({
    event_type: "log",
    source: "",
    level: "info",
    message: "",
    tags: "",
    payload: "",
  });
  const [problems, setProblems] = useState<Record<string, string>>({});
  const create = useAction<CreateEventBody, MonitoringEvent>({
    run: (body) => unwrap(api.POST("/monitoring/events", { body })),
    success: (event) => `Event recorded from ${event.source}.`,
    invalidate: [queryKeys.monitoring.events.all, queryKeys.monitoring.stats()],
    onDone: () => setValues((v) => ({ ...v, message: "" })),
    toastErrors: false,
  });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [key]: e.target.value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const tags = parseJsonObject(values.tags, "Tags");
    const payload = parseJsonObject(values.payload, "Payload");
    setProblems({ ...(tags.ok ? {} : { tags: tags.error }), ...(payload.ok ? {} : { payload: payload.error }) });
    if (!tags.ok || !payload.ok) return;
    create.mutate({
      event_type: values.event_type,
      source: values.source,
      level: values.level || null,
      message: values.message || null,
      tags: tags.value,
      payload: payload.value,
    });
  }

  return (
    <Card title="Record an event">
      <form onSubmit={submit} noValidate className="grid gap-3 sm:grid-cols-2" aria-label="Create event">
        {create.error ? (
          <div className="sm:col-span-2">
            <ErrorNotice error={create.error} />
          </div>
        ) : null}
        <SelectField
          label="Event type"
          value={values.event_type}
          onChange={set("event_type")}
          options={choices(EVENT_TYPES)}
        />
        <TextField
          label="Source"
          value={values.source}
          onChange={set("source")}
          placeholder="app-web or yourname-service"
          required
        />
        <TextField label="Level" value={values.level} onChange={set("level")} placeholder="info, warn, error" />
        <TextField label="Message" value={values.message} onChange={set("message")} />
        <TextArea
          label="Tags (JSON object)"
          rows={3}
          value={values.tags}
          onChange={set("tags")}
          placeholder='{"env": "prod"}'
          error={problems.tags ?? messageFor(create.error, "tags")}
        />
        <TextArea
          label="Payload (JSON object)"
          rows={3}
          value={values.payload}
          onChange={set("payload")}
          placeholder="{}"
          error={problems.payload ?? messageFor(create.error, "payload")}
        />
        <div className="sm:col-span-2">
          <Button type="submit" busy={create.isPending}>
            Record event
          </Button>
        </div>
      </form>
    </Card>
  );
}

export function EventsPage() {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [offset, setOffset] = useState(0);
  const query = eventQuery(filters, offset);
  const events = useQuery({
    queryKey: queryKeys.monitoring.events.list(query),
    queryFn: () => unwrap(api.GET("/monitoring/events", { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const tagCheck = parseTagFilter(draft.tags);
  const tagsError = messageFor(events.error, "tags");
  const set = (key: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  // The open event lives in the URL's hash, so a short id elsewhere links straight to it.
  const hash = useLocation({ select: (location) => location.hash });
  const navigate = useNavigate();
  const openEvent = (id: string | null) =>
    void navigate({ to: "/admin/monitoring/events", hash: id ?? "", replace: true });
  const opened = /^[0-9a-f-]{36}$/.test(hash) ? hash : null;

  const columns: Column<MonitoringEvent>[] = [
    {
      key: "id",
      header: "Event",
      render: (e) => (
        <button
          type="button"
          className="font-mono text-xs text-brand-700 underline"
          aria-label={`Show event ${shortId(e.id)}`}
          onClick={() => openEvent(e.id)}
        >
          {shortId(e.id)}
        </button>
      ),
    },
    { key: "time", header: "Recorded", render: (e) => formatDateTime(e.recorded_at) },
    { key: "type", header: "Type", render: (e) => e.event_type },
    { key: "source", header: "Source", render: (e) => e.source },
    { key: "level", header: "Level", render: (e) => (e.level ? <LevelBadge level={e.level} /> : "—") },
    { key: "message", header: "Message", className: "max-w-md break-words", render: (e) => e.message ?? "" },
    {
      key: "tags",
      header: "Tags",
      className: "max-w-xs break-words font-mono text-xs",
      render: (e) => formatTags(e.tags as Record<string, unknown>),
    },
  ];

  return (
    <>
      <PageHeader
        title="Events"
        description="Logs, metrics, traces and alerts recorded by the platform and its users."
      />
      <form
        role="search"
        aria-label="Filter events"
        className="mb-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
          setOffset(0);
        }}
      >
        <SelectField
          label="Type"
          value={draft.event_type}
          onChange={set("event_type")}
          options={choices(EVENT_TYPES, "Any type")}
        />
        <TextField label="Source" value={draft.source} onChange={set("source")} />
        <TextField label="Level" value={draft.level} onChange={set("level")} />
        <TextField
          label="Tags"
          name="tags"
          value={draft.tags}
          onChange={set("tags")}
          placeholder="key:value,key:value"
          hint={
            tagsError
              ? undefined
              : tagCheck.ok
                ? tagCheck.pairs.length
                  ? `${tagCheck.pairs.length} tag(s), all must match`
                  : "key:value pairs, comma separated"
                : tagCheck.error
          }
          error={tagsError}
        />
        <div className="flex items-end gap-2">
          <Button type="submit">Apply filters</Button>
          <Button
            variant="ghost"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
              setOffset(0);
            }}
          >
            Clear
          </Button>
        </div>
      </form>
      {events.error && !tagsError ? <ErrorNotice error={events.error} /> : null}
      {events.isPending ? (
        <Loading />
      ) : (
        <Table
          caption="Events"
          columns={columns}
          rows={events.isError ? [] : (events.data ?? [])}
          rowKey={(e) => e.id}
          empty="No events match."
        />
      )}
      <Pager
        offset={offset}
        limit={LIMIT}
        shown={events.data?.length ?? 0}
        total={null}
        onOffset={setOffset}
        className="mb-6"
      />
      <CreateEvent />
      <EventDialog id={opened} onClose={() => openEvent(null)} />
    </>
  );
}
