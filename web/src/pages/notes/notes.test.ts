import { describe, expect, it } from "vitest";
import { highlightHtml, parseTags, renderMarkdown } from "./markdown";
import { lineDiff } from "./diff";

describe("renderMarkdown", () => {
  it("renders Markdown", () => {
    expect(renderMarkdown("# Title\n\n**bold**")).toContain("<strong>bold</strong>");
  });
  it("leaves nothing that runs", () => {
    const html = renderMarkdown('<script>alert(1)</script><img src=x onerror="alert(2)">\n\n[a](javascript:alert(3))');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("onerror");
    expect(html).toContain("<a>a</a>");
    expect(html).not.toContain("javascript:");
  });
});

describe("highlightHtml", () => {
  it("keeps marks and nothing else", () => {
    expect(highlightHtml("<mark>pasta</mark> &lt;b&gt; <b>x</b>")).toBe("<mark>pasta</mark> &lt;b&gt; x");
  });
});

describe("parseTags", () => {
  it("trims, lower-cases and drops duplicates", () => {
    expect(parseTags(" Home, todo ,home,, ")).toEqual(["home", "todo"]);
  });
});

describe("lineDiff", () => {
  it("marks removed and added lines", () => {
    expect(lineDiff("a\nb\n", "a\nc\n")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "c" },
    ]);
  });
  it("does not count a missing final newline as a change", () => {
    expect(lineDiff("a", "a\nb")).toEqual([
      { kind: "same", text: "a" },
      { kind: "added", text: "b" },
    ]);
  });
});
