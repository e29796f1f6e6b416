/**
 * What a note's text becomes on the page. Markdown is rendered by `marked` and the HTML is then
 * sanitized by DOMPurify, so nothing a note contains can run (no script, handler or
 * `javascript:` link). Search fragments keep only their `<mark>` highlights.
 */
import DOMPurify from "dompurify";
import { marked } from "marked";

export function renderMarkdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: true });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
}

export function highlightHtml(fragment: string): string {
  return DOMPurify.sanitize(fragment, { ALLOWED_TAGS: ["mark"], ALLOWED_ATTR: [] });
}

/** "Home, todo , home" → ["home", "todo"]: what the server stores. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(",")
    .map((tag) => tag.trim().toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}
