import { describe, expect, it } from "vitest";
import { buildPayload, rawValues, schemaFields } from "./schemaForm";

const schema = {
  type: "object",
  required: ["to", "count"],
  properties: {
    to: { anyOf: [{ type: "string" }, { type: "array", items: { type: "string" } }], title: "To" },
    count: { type: "integer", title: "Count" },
    ratio: { type: "number", default: 0.5 },
    mode: { type: "string", enum: ["fast", "slow"], default: "fast" },
    dry_run: { type: "boolean", default: true },
    html: { anyOf: [{ type: "string" }, { type: "null" }], default: null },
    data: { type: "array", items: {} },
    label: { default: "unknown" },
  },
};

describe("schemaFields", () => {
  it("gives each property a control by its type", () => {
    const fields = schemaFields(schema);
    expect(fields?.map((field) => [field.name, field.kind, field.required])).toEqual([
      ["to", "json", true],
      ["count", "integer", true],
      ["ratio", "number", false],
      ["mode", "enum", false],
      ["dry_run", "boolean", false],
      ["html", "text", false],
      ["data", "json", false],
      ["label", "json", false],
    ]);
    expect(fields?.[3]?.options).toEqual(["fast", "slow"]);
    expect(schemaFields({ type: "array" })).toBeNull();
    expect(schemaFields(null)).toBeNull();
  });

  it("round-trips a payload and leaves blank optional fields to the server's defaults", () => {
    const fields = schemaFields(schema) ?? [];
    const raw = rawValues(fields, { to: "a@example.com", count: 3, data: [1, 2], label: "demo" });
    expect(raw).toMatchObject({
      to: "a@example.com",
      count: "3",
      ratio: "",
      dry_run: true,
      data: JSON.stringify([1, 2], null, 2),
      label: "demo",
    });
    expect(buildPayload(fields, raw)).toEqual({
      ok: true,
      value: { to: "a@example.com", count: 3, dry_run: true, data: [1, 2], label: "demo" },
    });
  });

  it("names each field's problem", () => {
    const fields = schemaFields(schema) ?? [];
    const raw = { ...rawValues(fields, {}), count: "2.5", ratio: "lots", data: "[1," };
    expect(buildPayload(fields, raw)).toEqual({
      ok: false,
      errors: { to: "Required.", count: "Enter a whole number.", ratio: "Enter a number.", data: "Invalid JSON." },
    });
  });
});
