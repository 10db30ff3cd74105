import type { FormEvent, ReactNode } from "react";

import "./DialogForm.css";

/**
 * The form of an add / edit dialog (its buttons are in the dialog's footer): Enter in a
 * field submits, the browser's own validation stays off (the fields show their errors).
 * Lay fields side by side in a `conn-form__grid`.
 */
export function DialogForm({
  attach,
  onSubmit,
  children,
}: {
  /** The form element's callback ref (`attachForm` of useFormState). */
  attach: (form: HTMLFormElement | null) => void;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <form
      ref={attach}
      className="conn-form"
      noValidate
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      <button type="submit" hidden tabIndex={-1} />
    </form>
  );
}
