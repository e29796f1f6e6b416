/** A line diff (jsdiff) between two texts, as rows to display. */
import { diffLines } from "diff";

export interface DiffLine {
  kind: "same" | "added" | "removed";
  text: string;
}

export function lineDiff(before: string, after: string): DiffLine[] {
  const rows: DiffLine[] = [];
  for (const change of diffLines(before, after)) {
    const kind = change.added ? "added" : change.removed ? "removed" : "same";
    const lines = change.value.replace(/\n$/, "").split("\n");
    for (const text of lines) rows.push({ kind, text });
  }
  return rows;
}
