import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import { useRef, useState } from "react";
import { api, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { lineDiff } from "./diff";
import { NOTES_KEY, noteKey, versionsKey, type Note, type NoteVersion } from "./notesApi";
import { useScrollable } from "../../lib/useScrollable";

const LINE_STYLES = {
  same: "text-slate-700",
  added: "bg-green-50 text-green-900",
  removed: "bg-red-50 text-red-900 line-through decoration-red-300",
} as const;
const LINE_SIGNS = { same: " ", added: "+", removed: "−" } as const;

function Diff({ version, note }: { version: NoteVersion; note: Note }) {
  const rows = lineDiff(version.content, note.content);
  const diffBox = useRef<HTMLPreElement>(null);
  const scrollable = useScrollable(diffBox);
  const changed = rows.some((row) => row.kind !== "same");
  return (
    <Card title="Changes since this version">
      {version.title !== note.title ? (
        <p className="mb-2 text-sm" data-testid="title-diff">
          Title: <del className="bg-red-50 text-red-900">{version.title}</del> →{" "}
          <ins className="bg-green-50 text-green-900 no-underline">{note.title}</ins>
        </p>
      ) : null}
      {changed ? (
        <pre
          data-testid="diff"
          ref={diffBox}
          {...(scrollable ? { role: "region", "aria-label": "Changes", tabIndex: 0 } : {})}
          className="overflow-x-auto rounded-md border border-slate-200 text-xs leading-5"
        >
          {rows.map((row, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a diff's lines have no identity but their place; the list is rebuilt whole
            <div key={index} data-kind={row.kind} className={`px-2 ${LINE_STYLES[row.kind]}`}>
              <span aria-hidden="true" className="mr-2 select-none text-slate-400">
                {LINE_SIGNS[row.kind]}
              </span>
              <span className="sr-only">{row.kind === "same" ? "" : `${row.kind}: `}</span>
              {row.text || " "}
            </div>
          ))}
        </pre>
      ) : (
        <p className="text-sm text-slate-500">The content is the same as now.</p>
      )}
    </Card>
  );
}

export function NoteHistoryPage() {
  const { noteId } = useParams({ from: "/admin/notes/$noteId/history" });
  const note = useQuery({
    queryKey: noteKey(noteId),
    queryFn: () => unwrap(api.GET("/notes/{id}", { params: { path: { id: noteId } } })),
  });
  const versions = useQuery({
    queryKey: versionsKey(noteId),
    queryFn: () => unwrap(api.GET("/notes/{id}/versions", { params: { path: { id: noteId }, query: { limit: 100 } } })),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const restore = useAction<NoteVersion, Note>({
    run: (version) =>
      unwrap(
        api.POST("/notes/{id}/versions/{version_id}/restore", {
          params: { path: { id: noteId, version_id: version.id } },
        }),
      ),
    success: (_note, version) => `Restored the version of ${formatDateTime(version.created_at)}.`,
    invalidate: [NOTES_KEY],
    onDone: () => setSelected(null),
  });

  if (note.isPending || versions.isPending) return <Loading />;
  if (note.error) return <ErrorNotice error={note.error} />;
  if (versions.error) return <ErrorNotice error={versions.error} />;
  const current = note.data;
  const canWrite = current.permission !== "read";
  const chosen = versions.data.find((v) => v.id === selected) ?? versions.data[0];

  return (
    <>
      <PageHeader
        title={`History of "${current.title}"`}
        description="Each version is the note as it was before a change."
      />
      {versions.data.length === 0 ? (
        <p className="text-sm text-slate-500">No earlier versions: this note has not been edited yet.</p>
      ) : (
        <div className="grid gap-4 lg:grid-cols-[1fr_2fr]">
          <ol aria-label="Versions" className="flex flex-col gap-2">
            {versions.data.map((version, index) => (
              <li
                key={version.id}
                data-testid="version"
                className={`rounded-lg border bg-white p-3 text-sm shadow-sm ${chosen?.id === version.id ? "border-brand-500" : "border-slate-200"}`}
              >
                <p className="font-medium">
                  Version {versions.data.length - index}: {version.title}
                </p>
                <p className="text-xs text-slate-500">
                  {formatDateTime(version.created_at)} · changed by{" "}
                  <span data-testid="version-author">{version.created_by_username ?? "a deleted user"}</span>
                </p>
                {version.change_description ? (
                  <p className="mt-1 text-xs italic text-slate-600">{version.change_description}</p>
                ) : null}
                <div className="mt-2 flex gap-2">
                  <Button
                    variant="secondary"
                    onClick={() => setSelected(version.id)}
                    aria-pressed={chosen?.id === version.id}
                  >
                    Compare
                  </Button>
                  {canWrite ? (
                    <Button
                      busy={restore.isPending && restore.variables?.id === version.id}
                      onClick={() => restore.mutate(version)}
                    >
                      Restore
                    </Button>
                  ) : null}
                </div>
              </li>
            ))}
          </ol>
          {chosen ? <Diff version={chosen} note={current} /> : null}
        </div>
      )}
      <p className="mt-6 text-sm">
        <Link to="/admin/notes/$noteId" params={{ noteId }} className="text-brand-700 underline">
          ← Back to the note
        </Link>
      </p>
    </>
  );
}
