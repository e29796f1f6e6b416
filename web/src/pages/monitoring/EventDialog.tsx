/** One event in full (id, level, message, tags, payload), opened from its short id in a feed. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { api, unwrap } from "../../api/client";
import type { MonitoringEvent } from "../../api/types";
import { LevelBadge } from "../../components/Badge";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { ErrorNotice, Loading } from "../../components/Layout";
import { formatDateTime, prettyJson, shortId } from "../../lib/format";
import { queryKeys } from "../../lib/queryKeys";

function Body({ event }: { event: MonitoringEvent }) {
  const rows: Array<[string, React.ReactNode]> = [
    [
      "Id",
      <span key="id" className="break-all font-mono text-xs">
        {event.id}
      </span>,
    ],
    ["Recorded", formatDateTime(event.recorded_at)],
    ["Type", event.event_type],
    [
      "Source",
      <span key="source" className="break-all">
        {event.source}
      </span>,
    ],
    ["Level", event.level ? <LevelBadge key="level" level={event.level} /> : "—"],
    [
      "Message",
      <span key="message" className="break-words">
        {event.message ?? "—"}
      </span>,
    ],
  ];
  return (
    <div className="flex flex-col gap-3 text-sm">
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
            <dd className="min-w-0">{value}</dd>
          </div>
        ))}
      </dl>
      {[
        ["Tags", event.tags],
        ["Payload", event.payload],
      ].map(([label, value]) => (
        <pre
          key={String(label)}
          className="max-h-60 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100"
          role="region"
          tabIndex={0}
          aria-label={String(label)}
        >
          {prettyJson(value)}
        </pre>
      ))}
    </div>
  );
}

export function EventDialog({ id, onClose }: { id: string | null; onClose: () => void }) {
  const event = useQuery({
    queryKey: queryKeys.monitoring.events.detail(id),
    queryFn: () => unwrap(api.GET("/monitoring/events/{id}", { params: { path: { id: id ?? "" } } })),
    enabled: id !== null,
  });
  return (
    <Dialog
      open={id !== null}
      title={id ? `Event ${shortId(id)}` : "Event"}
      onClose={onClose}
      footer={<Button onClick={onClose}>Close</Button>}
    >
      {event.isPending ? <Loading label="Loading event…" /> : null}
      {event.error ? <ErrorNotice error={event.error} /> : null}
      {event.data ? <Body event={event.data} /> : null}
    </Dialog>
  );
}

/** A short id that opens the event on the Events page (the page reads the id from the hash). */
export function EventLink({ id }: { id: string }) {
  return (
    <Link
      to="/admin/monitoring/events"
      hash={id}
      className="font-mono text-xs text-brand-700 underline"
      aria-label={`Event ${shortId(id)}`}
    >
      {shortId(id)}
    </Link>
  );
}
