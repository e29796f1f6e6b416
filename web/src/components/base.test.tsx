import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { ApiError } from "../api/errors";
import { useConfirm } from "./Confirm";
import { Dialog } from "./Dialog";
import { FormError, FormTextField, showServerError, useZodForm } from "./Form";
import { Table } from "./Table";
import { Tabs } from "./Tabs";
import { ToastProvider, useToast } from "./Toast";

interface Row {
  id: string;
  name: string;
  size: number;
}
const rows: Row[] = [
  { id: "a", name: "beta", size: 2 },
  { id: "b", name: "alpha", size: 10 },
  { id: "c", name: "gamma", size: 1 },
];
const columns = [
  { key: "name", header: "Name", sortable: true, sortValue: (row: Row) => row.name, render: (row: Row) => row.name },
  {
    key: "size",
    header: "Size",
    sortable: true,
    sortValue: (row: Row) => row.size,
    render: (row: Row) => String(row.size),
  },
];
const firstCells = () =>
  screen
    .getAllByRole("row")
    .slice(1)
    .map((row) => row.querySelector("td")?.textContent);

describe("Table", () => {
  it("sorts the loaded rows on the client when no sort is given", async () => {
    render(<Table caption="Things" columns={columns} rows={rows} rowKey={(row) => row.id} />);
    expect(firstCells()).toEqual(["beta", "alpha", "gamma"]);
    await userEvent.click(screen.getByRole("button", { name: /Name/ }));
    expect(firstCells()).toEqual(["alpha", "beta", "gamma"]);
    expect(screen.getAllByRole("columnheader")[0]?.getAttribute("aria-sort")).toBe("ascending");
    await userEvent.click(screen.getByRole("button", { name: /Name/ }));
    expect(firstCells()).toEqual(["gamma", "beta", "alpha"]);
    await userEvent.click(screen.getByRole("button", { name: /Size/ }));
    expect(firstCells()).toEqual(["gamma", "beta", "alpha"]);
  });

  it("reports a controlled sort and keeps the server's order", async () => {
    const onSortChange = vi.fn();
    render(
      <Table
        caption="Things"
        columns={columns}
        rows={rows}
        rowKey={(row) => row.id}
        sort={{ key: "name", direction: "asc" }}
        onSortChange={onSortChange}
      />,
    );
    expect(firstCells()).toEqual(["beta", "alpha", "gamma"]);
    await userEvent.click(screen.getByRole("button", { name: /Name/ }));
    expect(onSortChange).toHaveBeenCalledWith({ key: "name", direction: "desc" });
    await userEvent.click(screen.getByRole("button", { name: /Size/ }));
    expect(onSortChange).toHaveBeenLastCalledWith({ key: "size", direction: "asc" });
  });

  it("selects rows one by one and all on the page", async () => {
    const onSelectionChange = vi.fn();
    render(
      <Table
        caption="Things"
        columns={columns}
        rows={rows}
        rowKey={(row) => row.id}
        onSelectionChange={onSelectionChange}
      />,
    );
    await userEvent.click(screen.getByRole("checkbox", { name: "Select row b" }));
    expect(onSelectionChange).toHaveBeenLastCalledWith(["b"], [rows[1]]);
    const all = screen.getByRole("checkbox", { name: "Select all rows on this page" }) as HTMLInputElement;
    expect(all.indeterminate).toBe(true);
    await userEvent.click(all);
    expect([...(onSelectionChange.mock.lastCall?.[0] ?? [])].sort()).toEqual(["a", "b", "c"]);
    await userEvent.click(all);
    expect(onSelectionChange.mock.lastCall?.[0]).toEqual([]);
  });

  it("drops selected ids whose rows are gone", async () => {
    const onSelectionChange = vi.fn();
    const props = { caption: "Things", columns, rowKey: (row: Row) => row.id, onSelectionChange };
    const { rerender } = render(<Table {...props} rows={rows} />);
    await userEvent.click(screen.getByRole("checkbox", { name: "Select row a" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select row c" }));
    rerender(<Table {...props} rows={rows.slice(1)} />);
    await waitFor(() => expect(onSelectionChange.mock.lastCall?.[0]).toEqual(["c"]));
  });

  it("hides and shows columns from its menu", async () => {
    render(<Table caption="Things" columns={columns} rows={rows} rowKey={(row) => row.id} columnMenu />);
    expect(screen.getAllByRole("columnheader")).toHaveLength(2);
    await userEvent.click(screen.getByRole("button", { name: /Columns/ }));
    await userEvent.click(await screen.findByRole("menuitemcheckbox", { name: /Size/ }));
    await userEvent.keyboard("{Escape}");
    expect(screen.getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["Name↕"]);
  });
});

function Asker({ onConfirm }: { onConfirm: () => void }) {
  const confirm = useConfirm();
  return (
    <>
      <button
        type="button"
        onClick={() =>
          confirm.ask({ title: "Delete it?", message: "Gone for good.", confirmLabel: "Delete", onConfirm })
        }
      >
        ask
      </button>
      {confirm.dialog}
    </>
  );
}

function Shower() {
  const toast = useToast();
  return (
    <button type="button" onClick={() => toast.show("Saved.", "success")}>
      save
    </button>
  );
}

describe("Dialog and Confirm", () => {
  it("names the dialog by its title and closes on Escape", async () => {
    const onClose = vi.fn();
    render(
      <Dialog open title="Share note" onClose={onClose}>
        body
      </Dialog>,
    );
    expect(screen.getByRole("dialog", { name: "Share note" })).toBeTruthy();
    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalled();
  });

  it("asks in an alert dialog and runs the action on its verb only", async () => {
    const onConfirm = vi.fn();
    render(<Asker onConfirm={onConfirm} />);
    await userEvent.click(screen.getByRole("button", { name: "ask" }));
    const dialog = screen.getByRole("alertdialog", { name: "Delete it?" });
    expect(dialog.textContent).toContain("Gone for good.");
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onConfirm).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "ask" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });
});

describe("Toast", () => {
  it("shows a notification in the notifications region", async () => {
    render(
      <ToastProvider>
        <Shower />
      </ToastProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "save" }));
    const region = screen.getByRole("region", { name: /Notifications/ });
    expect(region.textContent).toContain("Saved.");
  });
});

describe("Tabs", () => {
  it("shows the chosen tab's panel", async () => {
    render(
      <Tabs
        label="Views"
        tabs={[
          { value: "one", label: "One", content: <p>first</p> },
          { value: "two", label: "Two", content: <p>second</p> },
        ]}
      />,
    );
    expect(screen.getByRole("tabpanel").textContent).toBe("first");
    await userEvent.click(screen.getByRole("tab", { name: "Two" }));
    expect(screen.getByRole("tabpanel").textContent).toBe("second");
  });
});

const schema = z.object({ email: z.string().min(1, "Enter an email."), name: z.string() });

function SignUp({ fail }: { fail: unknown }) {
  const form = useZodForm(schema, { defaultValues: { email: "", name: "" } });
  const submit = form.handleSubmit(() => {
    showServerError(form, fail, { EMAIL_TAKEN: "email" });
  });
  return (
    <form onSubmit={submit} noValidate aria-label="Sign up">
      <FormError form={form} />
      <FormTextField form={form} name="email" label="Email" />
      <FormTextField form={form} name="name" label="Name" />
      <button type="submit">Go</button>
    </form>
  );
}

describe("Form", () => {
  it("shows the schema's message under the field", async () => {
    render(<SignUp fail={null} />);
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    expect(await screen.findByText("Enter an email.")).toBeTruthy();
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
  });

  it("puts a server validation error under the field it names", async () => {
    render(<SignUp fail={new ApiError(400, "VALIDATION_FAILED", "Name: Too long")} />);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    await waitFor(() => expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true"));
    expect(screen.getByRole("alert").textContent).toBe("Name: Too long");
  });

  it("maps a listed error code onto its field, and anything else above the form", async () => {
    const { unmount } = render(<SignUp fail={new ApiError(409, "EMAIL_TAKEN", "That email is taken.")} />);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    await waitFor(() => expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true"));
    unmount();
    render(<SignUp fail={new ApiError(500, "INTERNAL_ERROR", "Something broke.")} />);
    await userEvent.type(screen.getByLabelText("Email"), "a@b.co");
    await userEvent.click(screen.getByRole("button", { name: "Go" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Something broke.");
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBeNull();
  });
});
