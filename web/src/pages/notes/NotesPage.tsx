import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { Badge } from "../../components/Badge";
import { SelectField } from "../../components/Field";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { relativeTime } from "../../lib/format";
import { SORTS, type Note, type Sort } from "./notesApi";
import { queryKeys } from "../../lib/queryKeys";

type Tab = "mine" | "shared";
const LIMIT = 100;

function fetchNotes(tab: Tab, sort: Sort, tag: string | null): Promise<Note[]> {
  const [order_by, order] = sort.split(":") as ["created_at" | "updated_at" | "title", "asc" | "desc"];
  const query = { order_by, order, limit: LIMIT, ...(tag ? { tag } : {}) };
  return tab === "mine"
    ? unwrap(api.GET("/notes", { params: { query } }))
    : unwrap(api.GET("/notes/shared", { params: { query } }));
}

function TagChips({
  tags,
  active,
  onPick,
}: {
  tags: string[];
  active: string | null;
  onPick: (tag: string | null) => void;
}) {
  if (tags.length === 0) return null;
  const chip = (label: string, value: string | null) => {
    const on = active === value;
    return (
      <button
        key={label}
        type="button"
        aria-pressed={on}
        onClick={() => onPick(value)}
        className={`rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset ${on ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-100"}`}
      >
        {label}
      </button>
    );
  };
  return (
    <fieldset aria-label="Filter by tag" className="flex flex-wrap gap-2">
      {chip("All tags", null)}
      {tags.map((tag) => chip(`#${tag}`, tag))}
    </fieldset>
  );
}

function NoteCard({ note }: { note: Note }) {
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="note-card">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link
          to="/admin/notes/$noteId"
          params={{ noteId: note.id }}
          className="min-w-0 font-medium text-brand-700 underline"
        >
          {note.title}
        </Link>
        <div className="flex gap-2">
          {note.is_public ? <Badge tone="green">public</Badge> : null}
          {note.is_owner ? null : (
            <Badge
              tone={note.permission === "write" ? "blue" : "gray"}
            >{`can ${note.permission === "write" ? "edit" : "read"}`}</Badge>
          )}
        </div>
      </div>
      <p className="mt-1 line-clamp-2 text-sm text-slate-600">{note.content.slice(0, 240) || "(empty)"}</p>
      <p className="mt-2 flex flex-wrap gap-2 text-xs text-slate-500">
        {note.is_owner ? null : <span>by {note.owner_username}</span>}
        <span>updated {relativeTime(note.updated_at)}</span>
        {note.tags.map((tag) => (
          <span key={tag} className="text-brand-700">
            #{tag}
          </span>
        ))}
      </p>
    </li>
  );
}

export function NotesPage() {
  const [tab, setTab] = useState<Tab>("mine");
  const [sort, setSort] = useState<Sort>("updated_at:desc");
  const [tag, setTag] = useState<string | null>(null);
  const all = useQuery({
    queryKey: queryKeys.notes.list(tab, "all"),
    queryFn: () => fetchNotes(tab, "title:asc", null),
  });
  const notes = useQuery({
    queryKey: queryKeys.notes.list(tab, sort, tag),
    queryFn: () => fetchNotes(tab, sort, tag),
    placeholderData: keepPreviousData,
  });
  const tags = [...new Set((all.data ?? []).flatMap((note) => note.tags))].sort();
  const pick = (next: Tab) => {
    setTab(next);
    setTag(null);
  };
  const tabClass = (on: boolean) =>
    `rounded-md px-3 py-2 text-sm font-medium ${on ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`;

  return (
    <>
      <PageHeader
        title="Notes"
        description="Your Markdown notes, and the ones others share with you."
        actions={
          <>
            <Link
              to="/admin/notes/search"
              className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100"
            >
              Search notes
            </Link>
            <Link
              to="/admin/notes/new"
              className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700"
            >
              New note
            </Link>
          </>
        }
      />
      <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
        <div role="tablist" aria-label="Which notes" className="flex gap-1">
          <button
            type="button"
            role="tab"
            aria-selected={tab === "mine"}
            className={tabClass(tab === "mine")}
            onClick={() => pick("mine")}
          >
            My notes
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === "shared"}
            className={tabClass(tab === "shared")}
            onClick={() => pick("shared")}
          >
            Shared with me
          </button>
        </div>
        <div className="w-56">
          <SelectField label="Sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)} options={SORTS} />
        </div>
      </div>
      <div className="mb-4">
        <TagChips tags={tags} active={tag} onPick={setTag} />
      </div>
      {notes.error ? <ErrorNotice error={notes.error} /> : null}
      {notes.isPending ? (
        <Loading />
      ) : (notes.data ?? []).length === 0 ? (
        <p className="py-6 text-center text-sm text-slate-500">
          {tab === "mine" ? "No notes yet. Create your first one." : "Nobody has shared a note with you yet."}
        </p>
      ) : (
        <ul aria-label={tab === "mine" ? "My notes" : "Shared with me"} className="grid gap-3">
          {(notes.data ?? []).map((note) => (
            <NoteCard key={note.id} note={note} />
          ))}
        </ul>
      )}
    </>
  );
}
