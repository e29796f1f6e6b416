import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { StatusBadge } from "./Badge";
import { Button } from "./Button";
import { TextField } from "./Field";
import { Pager } from "./Pager";
import { Table } from "./Table";

describe("TextField", () => {
  it("links the label, hint and error to the input", () => {
    render(<TextField label="Email" hint="Your work address" error="Email: Invalid email format" />);
    const input = screen.getByLabelText("Email");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const described = input.getAttribute("aria-describedby") ?? "";
    expect(described.split(" ")).toHaveLength(2);
    expect(screen.getByRole("alert").textContent).toBe("Email: Invalid email format");
  });
});

describe("Button", () => {
  it("is disabled and busy while working", async () => {
    const onClick = vi.fn();
    render(
      <Button busy onClick={onClick}>
        Save
      </Button>,
    );
    const button = screen.getByRole("button", { name: "Save" });
    expect(button).toHaveProperty("disabled", true);
    expect(button.getAttribute("aria-busy")).toBe("true");
    await userEvent.click(button);
    expect(onClick).not.toHaveBeenCalled();
  });
});

describe("Pager", () => {
  it("shows the range of a counted list and stops at its last row", async () => {
    const onOffset = vi.fn();
    render(<Pager offset={20} limit={20} shown={5} total={25} onOffset={onOffset} rangeTestId="range" />);
    expect(screen.getByTestId("range").textContent).toBe("21–25 of 25");
    expect(screen.getByRole("button", { name: "Next" })).toHaveProperty("disabled", true);
    await userEvent.click(screen.getByRole("button", { name: "Previous" }));
    expect(onOffset).toHaveBeenCalledWith(0);
  });

  it("offers the next page of an uncounted list while pages come back full", async () => {
    const onOffset = vi.fn();
    render(<Pager offset={0} limit={20} shown={20} total={null} onOffset={onOffset} />);
    expect(screen.getByText("Rows 1–20")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Previous" })).toHaveProperty("disabled", true);
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(onOffset).toHaveBeenCalledWith(20);
  });
});

describe("Table", () => {
  const rows = [
    { id: "1", name: "alpha" },
    { id: "2", name: "beta" },
  ];
  const columns = [
    { key: "name", header: "Name", sortable: true, render: (row: { id: string; name: string }) => row.name },
  ];

  it("renders rows and a caption", () => {
    render(<Table caption="Things" columns={columns} rows={rows} rowKey={(row) => row.id} />);
    expect(screen.getByRole("table", { name: "Things" })).toBeTruthy();
    expect(screen.getAllByRole("row")).toHaveLength(3);
  });

  it("shows the empty message", () => {
    render(<Table caption="Things" columns={columns} rows={[]} rowKey={(row) => row.id} empty="No things" />);
    expect(screen.getByText("No things")).toBeTruthy();
  });

  it("announces and toggles sorting", async () => {
    const onSort = vi.fn();
    render(
      <Table
        caption="Things"
        columns={columns}
        rows={rows}
        rowKey={(row) => row.id}
        sort={{ key: "name", direction: "asc" }}
        onSort={onSort}
      />,
    );
    expect(screen.getByRole("columnheader").getAttribute("aria-sort")).toBe("ascending");
    await userEvent.click(screen.getByRole("button", { name: /Name/ }));
    expect(onSort).toHaveBeenCalledWith("name");
  });
});

describe("StatusBadge", () => {
  it("renders the status word", () => {
    render(<StatusBadge value="failed" />);
    expect(screen.getByText("failed").className).toMatch(/red/);
  });
});
