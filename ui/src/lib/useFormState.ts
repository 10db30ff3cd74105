/**
 * The state every form of the app keeps: the values, which fields were edited, whether the
 * user tried to submit, the client-side problems (computed from the values on each render)
 * and the backend's answer per field. A field shows the backend's error until it is edited,
 * else its client-side problem once it may show (see `showProblems`).
 */
import { useLayoutEffect, useState } from "react";

export type FieldErrors<K extends string> = Partial<Record<K, string>>;

/** The keys of `V` whose values are strings (what a text control edits). */
type TextKeys<V> = { [P in keyof V]: V[P] extends string ? P : never }[keyof V];

export type FormStateOptions<V, K extends string> = {
  initial: V | (() => V);
  /** Every client-side problem of `values`, by field. */
  validate: (values: V) => FieldErrors<K>;
  /**
   * When a field's problem shows: once that field was edited (`"touch"`), or only after the
   * first submit (`"submit"`). After a submit every problem shows either way.
   */
  showProblems: "touch" | "submit";
  /** The field to focus among those with a problem (default: the first one listed). */
  firstField?: (errors: FieldErrors<K>, values: V) => K | undefined;
  /** The CSS selector of a field's control inside the form (default `[name="<key>"]`). */
  selector?: (key: K, values: V) => string;
};

const byName = (key: string) => `[name="${key}"]`;

function firstListed<K extends string>(errors: FieldErrors<K>): K | undefined {
  return (Object.keys(errors) as K[]).find((k) => errors[k] !== undefined);
}

export function useFormState<V, K extends string>(options: FormStateOptions<V, K>) {
  const { validate, showProblems, firstField = firstListed, selector = byName } = options;
  const [values, setValues] = useState<V>(options.initial);
  const [touched, setTouched] = useState<Partial<Record<K, true>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors<K>>({});
  // A new object per request, so asking for the same field again focuses it again.
  const [focusRequest, setFocusRequest] = useState<{ selector: string } | null>(null);
  // The <form> (a callback ref, so the form state holds no ref that rendering could read).
  const [formElement, setFormElement] = useState<HTMLFormElement | null>(null);

  // Right after the render that asked for it (the field may only now be shown, e.g. in
  // Advanced); a layout effect, so the focus moves before that render is painted.
  useLayoutEffect(() => {
    if (focusRequest === null) return;
    formElement?.querySelector<HTMLElement>(focusRequest.selector)?.focus();
  }, [focusRequest, formElement]);

  const problems = validate(values);
  const errors: FieldErrors<K> = {};
  for (const key of Object.keys(problems) as K[]) {
    const shown = submitted || (showProblems === "touch" && touched[key] === true);
    if (shown && problems[key] !== undefined) errors[key] = problems[key];
  }
  for (const key of Object.keys(serverErrors) as K[]) errors[key] = serverErrors[key];

  /** These fields were edited: their problems may show, the backend's errors on them go. */
  function touch(...fields: K[]) {
    if (fields.length === 0) return;
    setTouched((t) => (fields.every((f) => t[f]) ? t : { ...t, ...fieldSet(fields) }));
    setServerErrors((e) => {
      if (!fields.some((f) => e[f] !== undefined)) return e;
      const next = { ...e };
      for (const f of fields) delete next[f];
      return next;
    });
  }

  /** Change some values and count `fields` as edited. */
  function update(patch: Partial<V>, ...fields: K[]) {
    setValues((v) => ({ ...v, ...patch }));
    touch(...fields);
  }

  /** Change one value (whose key is its field) and count it as edited. */
  function set<F extends keyof V & K>(field: F, value: V[F]) {
    update({ [field]: value } as unknown as Partial<V>, field);
  }

  /** A text control's props for a string field: `<TextField {...bind("url")} label=… />`. */
  function bind<F extends TextKeys<V> & K>(field: F) {
    return {
      name: field,
      value: values[field] as string,
      onChange: (v: string) => set(field, v as V[F]),
      error: errors[field],
    };
  }

  /** Move the focus to a field (after the next render). */
  function focus(key: K) {
    setFocusRequest({ selector: selector(key, values) });
  }

  /**
   * A submit: every problem of `check` (default: all of them) shows now and the backend's
   * old answers go. False, with the focus on the first problem, when there is one.
   */
  function attempt(check: FieldErrors<K> = problems): boolean {
    setSubmitted(true);
    setServerErrors({});
    const first = firstField(check, values);
    if (first === undefined) return true;
    focus(first);
    return false;
  }

  /** The backend refused the value of `key`: show `message` there and focus it. */
  function fail(key: K, message: string) {
    setServerErrors({ [key]: message } as FieldErrors<K>);
    focus(key);
  }

  function clearServerErrors() {
    setServerErrors({});
  }

  return {
    values,
    /** Change values without counting any field as edited. */
    setValues,
    update,
    set,
    bind,
    touch,
    /** What shows next to each field now. */
    errors,
    /** Every client-side problem, shown or not. */
    problems,
    submitted,
    attempt,
    fail,
    focus,
    clearServerErrors,
    /** The `<form>`'s `ref`: fields are found inside it. */
    attachForm: setFormElement,
  };
}

function fieldSet<K extends string>(fields: K[]): Partial<Record<K, true>> {
  return Object.fromEntries(fields.map((f) => [f, true])) as Partial<Record<K, true>>;
}
