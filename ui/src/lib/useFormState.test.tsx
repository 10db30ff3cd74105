import { act, render, renderHook, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { useFormState, type FieldErrors, type FormStateOptions } from "./useFormState";

type Draft = { name: string; url: string };
type Field = keyof Draft;

function check(d: Draft): FieldErrors<Field> {
  const e: FieldErrors<Field> = {};
  if (d.name === "") e.name = "Enter a name.";
  if (d.url === "") e.url = "Enter a URL.";
  return e;
}

function options(showProblems: "touch" | "submit"): FormStateOptions<Draft, Field> {
  return { initial: { name: "", url: "" }, validate: check, showProblems };
}

describe("useFormState", () => {
  it("shows a field's problem once it was edited, or every problem after a submit", () => {
    const { result } = renderHook(() => useFormState(options("touch")));
    expect(result.current.problems).toEqual({ name: "Enter a name.", url: "Enter a URL." });
    expect(result.current.errors).toEqual({});

    act(() => result.current.set("url", ""));
    expect(result.current.errors).toEqual({ url: "Enter a URL." });

    act(() => result.current.set("name", "linear"));
    expect(result.current.values).toEqual({ name: "linear", url: "" });
    expect(result.current.errors).toEqual({ url: "Enter a URL." });
  });

  it("in submit mode shows nothing before the first submit, then everything", () => {
    const { result } = renderHook(() => useFormState(options("submit")));
    act(() => result.current.set("url", ""));
    expect(result.current.errors).toEqual({});

    let ok = true;
    act(() => {
      ok = result.current.attempt();
    });
    expect(ok).toBe(false);
    expect(result.current.submitted).toBe(true);
    expect(result.current.errors).toEqual({ name: "Enter a name.", url: "Enter a URL." });
  });

  it("keeps the backend's error on its field until that field is edited or submitted again", () => {
    const { result } = renderHook(() => useFormState(options("touch")));
    act(() => result.current.update({ name: "linear", url: "https://x" }));
    act(() => result.current.fail("name", "That name is taken."));
    expect(result.current.errors).toEqual({ name: "That name is taken." });

    act(() => result.current.touch("url"));
    expect(result.current.errors).toEqual({ name: "That name is taken." });
    act(() => result.current.set("name", "linear-2"));
    expect(result.current.errors).toEqual({});

    act(() => result.current.fail("url", "Unreachable."));
    act(() => {
      expect(result.current.attempt()).toBe(true);
    });
    expect(result.current.errors).toEqual({});
  });

  it("focuses the first problem inside its form after a refused submit", () => {
    function Form() {
      const { attachForm, attempt } = useFormState({
        ...options("submit"),
        initial: { name: "linear", url: "" },
      });
      return (
        <form ref={attachForm}>
          <input name="name" aria-label="Name" />
          <input name="url" aria-label="URL" />
          <button type="button" onClick={() => attempt()}>
            Save
          </button>
        </form>
      );
    }
    render(<Form />);
    act(() => screen.getByRole("button", { name: "Save" }).click());
    expect(screen.getByRole("textbox", { name: "URL" })).toHaveFocus();
  });
});
