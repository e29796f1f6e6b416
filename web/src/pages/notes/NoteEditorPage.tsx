import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { useConfirm } from "../../components/Confirm";
import { TextArea, TextField } from "../../components/Field";
import { Card, ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { formatDateTime } from "../../lib/format";
import { useAction } from "../../lib/useAction";
import { parseTags, renderMarkdown } from "./markdown";
import { NOTES_KEY, noteKey, type Note } from "./notesApi";
import { ShareDialog } from "./ShareDialog";

type SaveState = "saved" | "dirty" | "new";

function Preview({ source }: { source: string }) {
  return (
    <section
      data-testid="note-preview"
      aria-label="Preview"
      className="prose prose-sm max-w-none rounded-md border border-slate-200 bg-slate-50 p-3 text-sm [&_a]:text-brand-700 [&_a]:underline [&_code]:font-mono [&_h1]:text-xl [&_h1]:font-semibold [&_h2]:text-lg [&_h2]:font-semibold [&_li]:ml-5 [&_ol]:list-decimal [&_p]:my-2 [&_ul]:list-disc"
      // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by DOMPurify in renderMarkdown, no script or handler survives
      dangerouslySetInnerHTML={{ __html: renderMarkdown(source) }}
    />
  );
}

function SaveStatus({ state, busy }: { state: SaveState; busy: boolean }) {
  const text = busy ? "Saving…" : state === "saved" ? "Saved" : state === "dirty" ? "Unsaved changes" : "Not saved yet";
  return (
    <span
      role="status"
      data-testid="save-state"
      className={`text-sm ${state === "saved" && !busy ? "text-green-700" : "text-slate-500"}`}
    >
      {text}
    </span>
  );
}

function Editor({ note }: { note: Note | null }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({
    title: note?.title ?? "",
    tags: note?.tags.join(", ") ?? "",
    content: note?.content ?? "",
    is_public: note?.is_public ?? false,
  });
  const [state, setState] = useState<SaveState>(note ? "saved" : "new");
  const change = (patch: Partial<typeof form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setState(note ? "dirty" : "new");
  };
  const save = useAction<typeof form, Note>({
    run: (v) => {
      const body = { title: v.title, content: v.content, is_public: v.is_public, tags: parseTags(v.tags) };
      return note
        ? unwrap(api.PUT("/notes/{id}", { params: { path: { id: note.id } }, body }))
        : unwrap(api.POST("/notes", { body }));
    },
    invalidate: [NOTES_KEY],
    toastErrors: false,
    onDone: (saved) => {
      queryClient.setQueryData(noteKey(saved.id), saved);
      setState("saved");
      if (!note) void navigate({ to: "/admin/notes/$noteId", params: { noteId: saved.id } });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(form);
  };
  return (
    <form onSubmit={submit} aria-label="Edit note" className="flex flex-col gap-4">
      {save.error ? <ErrorNotice error={save.error} /> : null}
      <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
        <TextField
          label="Title"
          name="title"
          required
          maxLength={200}
          value={form.title}
          onChange={(e) => change({ title: e.target.value })}
        />
        <TextField
          label="Tags"
          name="tags"
          hint="Comma separated, e.g. home, todo"
          value={form.tags}
          onChange={(e) => change({ tags: e.target.value })}
        />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={form.is_public} onChange={(e) => change({ is_public: e.target.checked })} />
        Public: anyone signed in who has the link can read it
      </label>
      <div className="grid gap-4 lg:grid-cols-2">
        <TextArea
          label="Content (Markdown)"
          name="content"
          rows={16}
          value={form.content}
          onChange={(e) => change({ content: e.target.value })}
        />
        <div className="flex flex-col gap-1">
          <span className="text-sm font-medium text-slate-700">Preview</span>
          <Preview source={form.content} />
        </div>
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" busy={save.isPending}>
          Save
        </Button>
        <SaveStatus state={state} busy={save.isPending} />
      </div>
    </form>
  );
}

function ReadOnly({ note }: { note: Note }) {
  return (
    <Card>
      <p className="mb-3 text-sm text-slate-600" data-testid="read-only">
        Shared with you by {note.owner_username}: you can read this note but not edit it.
      </p>
      {note.tags.length ? (
        <p className="mb-3 text-xs text-brand-700">{note.tags.map((t) => `#${t}`).join(" ")}</p>
      ) : null}
      <Preview source={note.content} />
    </Card>
  );
}

function NoteActions({ note }: { note: Note }) {
  const navigate = useNavigate();
  const [sharing, setSharing] = useState(false);
  const confirm = useConfirm();
  const remove = useAction<void, string>({
    run: () => unwrap(api.DELETE("/notes/{id}", { params: { path: { id: note.id } } })),
    success: "Note deleted.",
    invalidate: [NOTES_KEY],
    onDone: () => void navigate({ to: "/admin/notes" }),
  });
  return (
    <>
      <Link
        to="/admin/notes/$noteId/history"
        params={{ noteId: note.id }}
        className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
      >
        History
      </Link>
      {note.is_owner ? (
        <>
          <Button variant="secondary" onClick={() => setSharing(true)}>
            Share
          </Button>
          <Button
            variant="danger"
            busy={remove.isPending}
            onClick={() =>
              confirm.ask({
                title: `Delete "${note.title}"?`,
                message: "The note is deleted for you and for everyone it is shared with.",
                confirmLabel: "Delete",
                danger: true,
                onConfirm: () => remove.mutate(),
              })
            }
          >
            Delete
          </Button>
          <ShareDialog note={note} open={sharing} onClose={() => setSharing(false)} />
          {confirm.dialog}
        </>
      ) : null}
    </>
  );
}

export function NewNotePage() {
  return (
    <>
      <PageHeader title="New note" />
      <Editor note={null} />
    </>
  );
}

export function NoteEditorPage() {
  const { noteId } = useParams({ from: "/admin/notes/$noteId" });
  const note = useQuery({
    queryKey: noteKey(noteId),
    queryFn: () => unwrap(api.GET("/notes/{id}", { params: { path: { id: noteId } } })),
    refetchOnWindowFocus: false,
  });
  if (note.isPending) return <Loading />;
  if (note.error) return <ErrorNotice error={note.error} />;
  const n = note.data;
  return (
    <>
      <PageHeader
        title={n.title}
        description={`Updated ${formatDateTime(n.updated_at)}${n.is_owner ? "" : ` · by ${n.owner_username}`}`}
        actions={<NoteActions note={n} />}
      />
      {n.permission === "read" ? <ReadOnly note={n} /> : <Editor key={n.id} note={n} />}
      <p className="mt-6 text-sm">
        <Link to="/admin/notes" className="text-brand-700 underline">
          ← All notes
        </Link>
      </p>
    </>
  );
}
