/**
 * The token dialog's state and what its buttons do: both drafts (switching the kind keeps
 * what was typed), "Test request", Save and Save anyway, and where errors go.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import type { HttpTokenForm } from "../../bindings/HttpTokenForm";
import type { TokenTestReport } from "../../bindings/TokenTestReport";
import type { TokenView } from "../../bindings/TokenView";
import { toast } from "../../components/kit";
import { queryKeys } from "../../data/keys";
import {
  addHttpToken,
  editHttpToken,
  saveTextToken,
  testHttpTokenForm,
  testToken,
  toIpcError,
  type IpcError,
} from "../../ipc";
import { useFormState } from "../../lib/useFormState";
import {
  describeReport,
  emptyHttpDraft,
  emptyTextDraft,
  httpDraftFromView,
  requestErrors,
  textDraftFromView,
  toHttpForm,
  tokenFieldOfError,
  toTextForm,
  validateHttp,
  validateText,
  type HttpDraft,
  type TextDraft,
  type TokenKindChoice,
} from "./model";

type Tested = { report: TokenTestReport; fingerprint: string };

/** Both drafts are kept, so switching the kind back and forth loses nothing. */
type TokenDraft = { kind: TokenKindChoice; text: TextDraft; http: HttpDraft };

/** The fields both kinds have. */
export type SharedField = "name" | "description" | "headerName" | "prefix";

/** What makes two test runs the same request (the token's name and header don't matter). */
function fingerprint(form: HttpTokenForm): string {
  return JSON.stringify([
    form.method,
    form.url,
    form.headers,
    form.body,
    form.form,
    form.tokenPath,
  ]);
}

const FIELD_ORDER = ["name", "value", "url", "tokenPath", "headerName", "prefix"];

export function useTokenDraft(editing: TokenView | null, onClose: () => void) {
  const queryClient = useQueryClient();
  const adding = editing === null;
  const { attachForm, ...fields } = useFormState<TokenDraft, string>({
    initial: () => ({
      kind: editing?.kind === "http-request" ? "http" : "text",
      text: editing?.kind === "text" ? textDraftFromView(editing) : emptyTextDraft(),
      http: editing?.kind === "http-request" ? httpDraftFromView(editing) : emptyHttpDraft(),
    }),
    validate: (d) =>
      d.kind === "text" ? validateText(d.text, adding) : validateHttp(d.http, !adding),
    showProblems: "touch",
    firstField: (errors) => {
      const keys = Object.keys(errors);
      return (
        FIELD_ORDER.find((f) => keys.includes(f)) ?? keys.sort((a, b) => a.localeCompare(b))[0]
      );
    },
  });
  const { values, errors, problems } = fields;
  const { kind, text, http } = values;
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const [saving, setSaving] = useState<null | "save" | "anyway">(null);
  const [tested, setTested] = useState<Tested | null>(null);
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<IpcError | null>(null);

  const httpForm = toHttpForm(http);
  const stale = tested !== null && tested.fingerprint !== fingerprint(httpForm);
  const offerAnyway =
    adding &&
    kind === "http" &&
    (saveError?.code === "token_request_failed" ||
      (tested !== null && !tested.report.ok && !stale));

  function setTextField<K extends keyof TextDraft>(field: K, value: TextDraft[K]) {
    fields.setValues((d) => ({ ...d, text: { ...d.text, [field]: value } }));
    fields.touch(field);
  }

  function setHttpField<K extends keyof HttpDraft>(field: K, value: HttpDraft[K]) {
    fields.setValues((d) => ({ ...d, http: { ...d.http, [field]: value } }));
    fields.touch(field);
  }

  function setShared(field: SharedField, value: string) {
    if (kind === "text") setTextField(field, value);
    else setHttpField(field, value);
  }

  function switchKind(next: string) {
    const k = next === "http" ? "http" : "text";
    // Name and description carry over.
    fields.setValues((d) =>
      k === "http"
        ? { ...d, kind: k, http: { ...d.http, name: d.text.name, description: d.text.description } }
        : {
            ...d,
            kind: k,
            text: { ...d.text, name: d.http.name, description: d.http.description },
          },
    );
    setSaveError(null);
    fields.clearServerErrors();
  }

  function failed(e: unknown) {
    const error = toIpcError(e);
    const field = tokenFieldOfError(error);
    if (field && error.code !== "token_request_failed") fields.fail(field, error.message);
    else setSaveError(error);
  }

  async function runTest() {
    setTestError(null);
    if (adding) {
      if (!fields.attempt(requestErrors(problems))) return;
      const request = toHttpForm(http);
      setTesting(true);
      try {
        const report = await testHttpTokenForm(request);
        setTested({ report, fingerprint: fingerprint(request) });
      } catch (e) {
        setTestError(toIpcError(e));
      } finally {
        setTesting(false);
      }
      return;
    }
    if (!editing) return;
    setTesting(true);
    try {
      const report = await testToken(editing.name);
      setTested({ report, fingerprint: fingerprint(httpForm) });
    } catch (e) {
      setTestError(toIpcError(e));
    } finally {
      setTesting(false);
    }
  }

  function saved(name: string, description?: string) {
    void queryClient.invalidateQueries({ queryKey: queryKeys.tokens });
    toast({ title: `Saved ${name}`, description, tone: "success" });
    onClose();
  }

  async function save(anyway: boolean) {
    setSaveError(null);
    if (!fields.attempt()) return;
    setSaving(anyway ? "anyway" : "save");
    try {
      if (kind === "text") {
        const token = await saveTextToken(editing?.name ?? null, toTextForm(text));
        saved(token.name);
      } else if (editing) {
        const token = await editHttpToken(editing.name, httpForm);
        saved(token.name);
      } else {
        const result = await addHttpToken(httpForm, anyway);
        saved(
          result.token.name,
          result.report
            ? describeReport(result.report).lines.join(" ")
            : "Saved without a passing test: check it with Test request.",
        );
      }
    } catch (e) {
      failed(e);
    } finally {
      setSaving(null);
    }
  }

  return {
    adding,
    kind,
    text,
    http,
    /** The current kind's draft, for the fields both kinds have. */
    shared: kind === "text" ? text : http,
    errors,
    /** The request rows' problems, once the user tried to test or save. */
    rowErrors: fields.submitted ? problems : {},
    attachForm,
    setTextField,
    setHttpField,
    setShared,
    switchKind,
    saveError,
    saving,
    tested,
    stale,
    testing,
    testError,
    offerAnyway,
    runTest,
    save,
  };
}
