/** The notes API shapes and query keys the notes pages share. */
import type { components } from "../../api/schema";
import { queryKeys } from "../../lib/queryKeys";

type Schemas = components["schemas"];
export type Note = Schemas["NoteResponse"];
export type NoteShare = Schemas["ShareResponse"];
export type NoteVersion = Schemas["VersionResponse"];
export type SearchResult = Schemas["SearchResult"];

export const NOTES_KEY = queryKeys.notes.all;
export const noteKey = queryKeys.notes.note;
export const sharesKey = queryKeys.notes.shares;
export const versionsKey = queryKeys.notes.versions;

export const SORTS = [
  { value: "updated_at:desc", label: "Recently updated" },
  { value: "created_at:desc", label: "Newest first" },
  { value: "created_at:asc", label: "Oldest first" },
  { value: "title:asc", label: "Title A–Z" },
  { value: "title:desc", label: "Title Z–A" },
] as const;
export type Sort = (typeof SORTS)[number]["value"];
