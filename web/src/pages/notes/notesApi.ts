/** The notes API shapes and query keys the notes pages share. */
import type { components } from "../../api/schema";

type Schemas = components["schemas"];
export type Note = Schemas["NoteResponse"];
export type NoteShare = Schemas["ShareResponse"];
export type NoteVersion = Schemas["VersionResponse"];
export type SearchResult = Schemas["SearchResult"];

export const NOTES_KEY = ["notes"] as const;
export const noteKey = (id: string) => ["notes", "note", id] as const;
export const sharesKey = (id: string) => ["notes", "note", id, "shares"] as const;
export const versionsKey = (id: string) => ["notes", "note", id, "versions"] as const;

export const SORTS = [
  { value: "updated_at:desc", label: "Recently updated" },
  { value: "created_at:desc", label: "Newest first" },
  { value: "created_at:asc", label: "Oldest first" },
  { value: "title:asc", label: "Title A–Z" },
  { value: "title:desc", label: "Title Z–A" },
] as const;
export type Sort = (typeof SORTS)[number]["value"];
