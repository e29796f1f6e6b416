/** A line diff (jsdiff) between two texts, as rows to display. */
import { diffLines } from "diff";

export interface DiffLine {
  kind: "same" | "added" | "removed";
  text: string;
}

/** A last line without its newline still counts as the same line. */
const terminated = (text: string) => (text === "" || text.endsWith("\n") ? text : `${text}\n`);

export function lineDiff(before: string, after: string): DiffLine[] {
  const rows: DiffLine[] = [];
  for (const change of diffLines(terminated(before), terminated(after))) {
    const kind = change.added ? "added" : change.removed ? "removed" : "same";
    const lines = change.value.replace(/\n$/, "").split("\n");
    for (const text of lines) rows.push({ kind, text });
  }
  return rows;
}
