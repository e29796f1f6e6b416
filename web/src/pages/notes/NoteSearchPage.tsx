import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { ErrorNotice, Loading, PageHeader } from "../../components/Layout";
import { highlightHtml } from "./markdown";
import { queryKeys } from "../../lib/queryKeys";

function Highlighted({ html, className }: { html: string; className: string }) {
  return (
    <span
      className={`${className} [&_mark]:rounded [&_mark]:bg-yellow-200 [&_mark]:px-0.5`}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: the server escapes everything but <mark>; DOMPurify keeps only <mark> as well
      dangerouslySetInnerHTML={{ __html: highlightHtml(html) }}
    />
  );
}

export function NoteSearchPage() {
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const [includeShared, setIncludeShared] = useState(true);
  const results = useQuery({
    queryKey: queryKeys.notes.search({ query, includeShared }),
    queryFn: () =>
      unwrap(api.GET("/notes/search", { params: { query: { q: query, include_shared: includeShared, limit: 50 } } })),
    enabled: query !== "",
    retry: false,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(text.trim());
  };
  return (
    <>
      <PageHeader
        title="Search notes"
        description='Words are matched in any form ("runs" finds "running"); use "quotes" for a phrase and -word to exclude.'
      />
      <search>
        <form onSubmit={submit} className="mb-4 flex flex-wrap items-end gap-3">
          <div className="min-w-64 flex-1">
            <TextField label="Search" name="q" type="search" value={text} onChange={(e) => setText(e.target.value)} />
          </div>
          <label className="flex items-center gap-2 pb-2 text-sm">
            <input type="checkbox" checked={includeShared} onChange={(e) => setIncludeShared(e.target.checked)} />
            Include notes shared with me
          </label>
          <Button type="submit">Search</Button>
        </form>
      </search>
      {results.error ? <ErrorNotice error={results.error} /> : null}
      {query && results.isPending ? <Loading label="Searching…" /> : null}
      {results.data ? (
        results.data.length === 0 ? (
          <p className="py-6 text-center text-sm text-slate-500">No note matches “{query}”.</p>
        ) : (
          <ol aria-label="Search results" className="grid gap-3">
            {results.data.map((hit) => (
              <li
                key={hit.id}
                data-testid="search-result"
                className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
              >
                <Link
                  to="/admin/notes/$noteId"
                  params={{ noteId: hit.id }}
                  className="font-medium text-brand-700 underline"
                >
                  <Highlighted html={hit.title_highlight} className="" />
                </Link>
                <p className="mt-1 text-sm text-slate-700">
                  <Highlighted html={hit.content_highlight} className="" />
                </p>
                <p className="mt-1 text-xs text-slate-500">
                  {hit.is_owner ? "yours" : `by ${hit.owner_username}`} · score {hit.score.toFixed(3)}
                </p>
              </li>
            ))}
          </ol>
        )
      ) : null}
    </>
  );
}
