import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { IpcError } from "../../ipc";
import {
  Button,
  Checkbox,
  Collapsible,
  ErrorNotice,
  Menu,
  RadioCards,
  SecretField,
  Segmented,
  SelectField,
  Spinner,
  Switch,
  TabPanel,
  Tabs,
  TextField,
  Toaster,
  clearToasts,
  toast,
} from "./index";
import { ConfirmDialog, Dialog } from "./dialogs";

afterEach(() => {
  act(() => clearToasts());
});

describe("Button", () => {
  it("is busy: spinner, aria-busy, no clicks", async () => {
    const onClick = vi.fn();
    render(
      <Button busy onClick={onClick}>
        Save
      </Button>,
    );
    const button = screen.getByRole("button", { name: "Save" });
    expect(button).toHaveAttribute("aria-busy", "true");
    expect(button).toBeDisabled();
    await userEvent.click(button);
    expect(onClick).not.toHaveBeenCalled();
  });

  it("has a danger variant", () => {
    render(<Button variant="danger">Delete</Button>);
    expect(screen.getByRole("button", { name: "Delete" })).toHaveClass("btn--danger");
  });
});

describe("ConfirmDialog", () => {
  function Harness({ onConfirm }: { onConfirm: () => void }) {
    const [open, setOpen] = useState(true);
    return (
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Delete linear?"
        description="Its stored secrets are removed."
        confirmLabel="Delete"
        destructive
        onConfirm={onConfirm}
      />
    );
  }

  it("calls onConfirm from the confirm button only", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    const dialog = screen.getByTestId("confirm-dialog");
    expect(dialog).toHaveAccessibleName("Delete linear?");
    expect(dialog).toHaveAccessibleDescription("Its stored secrets are removed.");
    await user.click(screen.getByTestId("confirm-ok"));
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it("cancel and Escape close it without confirming", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    const { unmount } = render(<Harness onConfirm={onConfirm} />);
    await user.click(screen.getByTestId("confirm-cancel"));
    expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument();
    unmount();

    render(<Harness onConfirm={onConfirm} />);
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("confirm-dialog")).not.toBeInTheDocument();
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("while busy the confirm button spins and Escape does not close", async () => {
    const user = userEvent.setup();
    const onOpenChange = vi.fn();
    render(
      <ConfirmDialog
        open
        onOpenChange={onOpenChange}
        title="Delete?"
        description="Gone for good."
        confirmLabel="Delete"
        busy
        onConfirm={() => {}}
      />,
    );
    expect(screen.getByTestId("confirm-ok")).toHaveAttribute("aria-busy", "true");
    await user.keyboard("{Escape}");
    expect(onOpenChange).not.toHaveBeenCalled();
  });
});

describe("Dialog", () => {
  it("focuses the first field on open, and Cancel in a confirmation", () => {
    const { unmount } = render(
      <Dialog open onOpenChange={() => {}} title="Add" footer={<button>Save</button>}>
        <TextField label="Name" name="name" value="" onChange={() => {}} />
      </Dialog>,
    );
    expect(screen.getByLabelText("Name")).toHaveFocus();
    unmount();
    render(
      <ConfirmDialog
        open
        onOpenChange={() => {}}
        title="Delete?"
        description="Sure?"
        confirmLabel="Delete"
        onConfirm={() => {}}
      />,
    );
    expect(screen.getByTestId("confirm-cancel")).toHaveFocus();
  });

  it("renders title, body and footer; × closes", async () => {
    const user = userEvent.setup();
    const onOpenChange = vi.fn();
    render(
      <Dialog open onOpenChange={onOpenChange} title="Edit" testId="d" footer={<button>OK</button>}>
        <p>Body</p>
      </Dialog>,
    );
    const dialog = screen.getByTestId("d");
    expect(within(dialog).getByText("Body")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(onOpenChange).toHaveBeenCalledWith(false);
  });
});

describe("SecretField", () => {
  it("is masked until Show is pressed", async () => {
    const user = userEvent.setup();
    function Harness() {
      const [v, setV] = useState("");
      return (
        <SecretField
          label="Client secret"
          name="clientSecret"
          value={v}
          onChange={setV}
          placeholder="Stored — leave empty to keep"
        />
      );
    }
    render(<Harness />);
    const input = screen.getByLabelText("Client secret");
    expect(input).toHaveAttribute("type", "password");
    expect(input).toHaveAttribute("autocomplete", "off");
    expect(input).toHaveAttribute("name", "clientSecret");
    expect(input).toHaveAttribute("placeholder", "Stored — leave empty to keep");
    await user.type(input, "s3cret");
    expect(input).toHaveValue("s3cret");

    const toggle = screen.getByRole("button", { name: "Show Client secret" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    await user.click(toggle);
    expect(input).toHaveAttribute("type", "text");
    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(toggle).toHaveTextContent("Hide");
    await user.click(toggle);
    expect(input).toHaveAttribute("type", "password");
    expect(input).toHaveValue("s3cret");
  });
});

describe("TextField", () => {
  it("links hint and error, marks invalid", () => {
    render(
      <TextField
        label="URL"
        name="url"
        value=""
        onChange={() => {}}
        hint="The MCP endpoint"
        error="Enter a URL"
        required
      />,
    );
    const input = screen.getByRole("textbox", { name: /URL/ });
    expect(input).toHaveAttribute("name", "url");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription("Enter a URL The MCP endpoint");
  });

  it("reports each keystroke", async () => {
    const onChange = vi.fn();
    render(<TextField label="Name" name="name" value="" onChange={onChange} />);
    await userEvent.type(screen.getByLabelText("Name"), "a");
    expect(onChange).toHaveBeenCalledWith("a");
  });
});

describe("SelectField and Checkbox", () => {
  it("are native controls with names", async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    const onCheck = vi.fn();
    render(
      <>
        <SelectField
          label="Method"
          name="method"
          value="GET"
          onChange={onSelect}
          options={[
            { value: "GET", label: "GET" },
            { value: "POST", label: "POST" },
          ]}
        />
        <Checkbox label="Confirm calls" name="confirm" checked={false} onCheckedChange={onCheck} />
      </>,
    );
    await user.selectOptions(screen.getByLabelText("Method"), "POST");
    expect(onSelect).toHaveBeenCalledWith("POST");
    const box = screen.getByRole("checkbox", { name: "Confirm calls" });
    expect(box).toHaveAttribute("name", "confirm");
    await user.click(box);
    expect(onCheck).toHaveBeenCalledWith(true);
  });
});

describe("RadioCards", () => {
  it("changes value with the arrow keys", async () => {
    const user = userEvent.setup();
    function Harness() {
      const [v, setV] = useState("none");
      return (
        <>
          <RadioCards
            label="Authentication"
            name="auth"
            value={v}
            onChange={setV}
            options={[
              { value: "none", title: "None" },
              { value: "oauth", title: "OAuth", description: "Sign in" },
              { value: "token", title: "Token" },
            ]}
          />
          <output data-testid="value">{v}</output>
        </>
      );
    }
    render(<Harness />);
    expect(screen.getByRole("radiogroup", { name: "Authentication" })).toBeInTheDocument();
    const none = screen.getByTestId("auth-card-none");
    expect(none).toHaveAttribute("data-state", "checked");
    await user.click(none);
    // Held like a real key: Radix moves focus on the next tick and selects while it is down.
    await user.keyboard("{ArrowDown>}");
    await waitFor(() => expect(screen.getByTestId("value")).toHaveTextContent("oauth"));
    await user.keyboard("{/ArrowDown}");
    expect(screen.getByTestId("auth-card-oauth")).toHaveAttribute("data-state", "checked");
    expect(screen.getByTestId("auth-card-oauth")).toHaveFocus();
    expect(none).toHaveAttribute("data-state", "unchecked");
  });
});

describe("Segmented", () => {
  it("changes value with the arrow keys", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    function Harness() {
      const [v, setV] = useState("mcp");
      return (
        <Segmented
          label="Kind"
          name="kind"
          value={v}
          onChange={(next) => {
            onChange(next);
            setV(next);
          }}
          options={[
            { value: "mcp", label: "MCP" },
            { value: "http", label: "HTTP" },
          ]}
        />
      );
    }
    render(<Harness />);
    await user.click(screen.getByTestId("kind-mcp"));
    await user.keyboard("{ArrowRight>}");
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith("http"));
    await user.keyboard("{/ArrowRight}");
    expect(screen.getByTestId("kind-http")).toHaveAttribute("data-state", "checked");
    expect(screen.getByRole("radio", { name: "HTTP" })).toBeChecked();
  });
});

describe("Collapsible", () => {
  it("toggles aria-expanded and the content", async () => {
    const user = userEvent.setup();
    function Harness() {
      const [open, setOpen] = useState(false);
      return (
        <Collapsible title="Advanced configuration" open={open} onOpenChange={setOpen} testId="adv">
          <p>Client ID</p>
        </Collapsible>
      );
    }
    render(<Harness />);
    const toggle = screen.getByTestId("adv-toggle");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByText("Client ID")).not.toBeInTheDocument();
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByText("Client ID")).toBeVisible();
  });
});

describe("Switch", () => {
  it("is a labelled switch", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Switch checked label="Enabled: linear" onCheckedChange={onChange} testId="sw" />);
    const sw = screen.getByRole("switch", { name: "Enabled: linear" });
    expect(sw).toHaveAttribute("aria-checked", "true");
    await user.click(sw);
    expect(onChange).toHaveBeenCalledWith(false);
  });

  it("toggles from the keyboard, and not while disabled", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    const { rerender } = render(
      <Switch checked={false} label="Enabled: linear" onCheckedChange={onChange} />,
    );
    const sw = screen.getByRole("switch", { name: "Enabled: linear" });
    expect(sw).toHaveAttribute("aria-checked", "false");
    expect(sw).toHaveAttribute("data-state", "unchecked");
    sw.focus();
    await user.keyboard(" ");
    expect(onChange).toHaveBeenLastCalledWith(true);
    await user.keyboard("{Enter}");
    expect(onChange).toHaveBeenCalledTimes(2);
    rerender(
      <Switch checked={false} disabled label="Enabled: linear" onCheckedChange={onChange} />,
    );
    expect(sw).toBeDisabled();
    expect(sw).toHaveAttribute("data-disabled");
    await user.click(sw);
    expect(onChange).toHaveBeenCalledTimes(2);
  });
});

describe("Menu", () => {
  it("opens by keyboard and runs an item", async () => {
    const user = userEvent.setup();
    const onEdit = vi.fn();
    const onDelete = vi.fn();
    render(
      <Menu
        label="More actions for linear"
        testId="m"
        items={[
          { label: "Edit", onSelect: onEdit, testId: "menu-edit" },
          { label: "Delete", onSelect: onDelete, testId: "menu-delete", destructive: true },
        ]}
      />,
    );
    const trigger = screen.getByRole("button", { name: "More actions for linear" });
    trigger.focus();
    await user.keyboard("{Enter}");
    const items = await screen.findAllByRole("menuitem");
    expect(items.map((i) => i.textContent)).toEqual(["Edit", "Delete"]);
    // Opened by keyboard, the menu focuses its first item (after the frame that shows it).
    await waitFor(() => expect(items[0]).toHaveFocus());
    await user.keyboard("{ArrowDown}");
    await user.keyboard("{Enter}");
    expect(onDelete).toHaveBeenCalledTimes(1);
    expect(onEdit).not.toHaveBeenCalled();
  });

  it("opens by click", async () => {
    const user = userEvent.setup();
    const onEdit = vi.fn();
    render(
      <Menu label="More" items={[{ label: "Edit", onSelect: onEdit, testId: "menu-edit" }]} />,
    );
    await user.click(screen.getByRole("button", { name: "More" }));
    await user.click(await screen.findByTestId("menu-edit"));
    expect(onEdit).toHaveBeenCalled();
  });

  it("is a closed menu button until used, then opens and closes again", async () => {
    const user = userEvent.setup();
    const onEdit = vi.fn();
    render(
      <Menu label="More" items={[{ label: "Edit", onSelect: onEdit, testId: "menu-edit" }]} />,
    );
    const before = screen.getByRole("button", { name: "More" });
    expect(before).toHaveAttribute("aria-haspopup", "menu");
    expect(before).toHaveAttribute("aria-expanded", "false");
    expect(before).toHaveAttribute("data-state", "closed");
    // Another button than the main one opens nothing.
    await user.pointer({ keys: "[MouseRight]", target: before });
    expect(screen.queryByRole("menu")).toBeNull();
    await user.click(before);
    expect(await screen.findByRole("menu")).toBeInTheDocument();
    const trigger = screen.getByRole("button", { name: "More" });
    expect(trigger).toHaveAttribute("aria-expanded", "true");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
    expect(trigger).toHaveAttribute("aria-expanded", "false");
    await waitFor(() => expect(trigger).toHaveFocus());
    // Opened again, now as the menu it became.
    await user.keyboard("{Enter}");
    const items = await screen.findAllByRole("menuitem");
    await waitFor(() => expect(items[0]).toHaveFocus());
    await user.keyboard("{Enter}");
    expect(onEdit).toHaveBeenCalledTimes(1);
  });
});

describe("Tabs", () => {
  it("switches panels", async () => {
    const user = userEvent.setup();
    function Harness() {
      const [tab, setTab] = useState("a");
      return (
        <Tabs
          value={tab}
          onValueChange={setTab}
          tabs={[
            { value: "a", label: "Body" },
            { value: "b", label: "Headers", testId: "tab-b" },
          ]}
        >
          <TabPanel value="a">Panel A</TabPanel>
          <TabPanel value="b">Panel B</TabPanel>
        </Tabs>
      );
    }
    render(<Harness />);
    expect(screen.getByText("Panel A")).toBeInTheDocument();
    await user.click(screen.getByTestId("tab-b"));
    expect(screen.getByText("Panel B")).toBeInTheDocument();
    expect(screen.queryByText("Panel A")).not.toBeInTheDocument();
  });
});

describe("ErrorNotice", () => {
  it("shows title, message, hint and advice from the code", async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    render(
      <ErrorNotice
        error={new IpcError("vault_locked", "The keyring is locked.", { hint: "run unlock" })}
        onRetry={onRetry}
      />,
    );
    const notice = screen.getByRole("alert");
    expect(notice).toHaveAttribute("data-testid", "error-notice");
    expect(notice).toHaveAttribute("data-code", "vault_locked");
    expect(notice).toHaveTextContent("The keyring is locked");
    expect(notice).toHaveTextContent("Details: run unlock");
    expect(notice).toHaveTextContent(/unlock your system keyring/i);
    await user.click(within(notice).getByRole("button", { name: /retry/i }));
    expect(onRetry).toHaveBeenCalled();
  });

  it("treats anything else as internal", () => {
    render(<ErrorNotice error={new Error("boom")} testId="e" title="Couldn’t save" />);
    const notice = screen.getByTestId("e");
    expect(notice).toHaveAttribute("data-code", "internal");
    expect(notice).toHaveTextContent("Couldn’t save");
    expect(notice).toHaveTextContent("boom");
  });
});

describe("Spinner", () => {
  it("is a status only when labelled", () => {
    const { rerender } = render(<Spinner />);
    expect(screen.queryByRole("status")).not.toBeInTheDocument();
    rerender(<Spinner label="Loading" />);
    expect(screen.getByRole("status")).toHaveTextContent("Loading");
  });
});

describe("toast", () => {
  it("shows toasts with their tone, and dismisses", async () => {
    const user = userEvent.setup();
    render(<Toaster />);
    act(() => {
      toast({ title: "linear is healthy", tone: "success" });
      toast({ title: "Couldn’t connect", description: "Access was denied", tone: "error" });
    });
    const toasts = screen.getAllByTestId("toast");
    expect(toasts).toHaveLength(2);
    expect(toasts[0]).toHaveAttribute("data-tone", "success");
    expect(toasts[1]).toHaveAttribute("data-tone", "error");
    expect(toasts[1]).toHaveTextContent("Access was denied");
    await user.click(within(toasts[0]!).getByRole("button", { name: "Dismiss" }));
    expect(screen.getAllByTestId("toast")).toHaveLength(1);
  });
});
