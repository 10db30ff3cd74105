import type { ReactNode } from "react";

import type { AuthType } from "../../bindings/AuthType";
import type { PublicJwk } from "../../bindings/PublicJwk";
import {
  Collapsible,
  ErrorNotice,
  LinkIcon,
  NoneIcon,
  RadioCards,
  RequestIcon,
  SelectField,
  ShieldIcon,
  Spinner,
  TokenIcon,
} from "../../components/kit";
import type { Update, UpdateOAuth } from "./useActionForm";
import { AdvancedFields } from "./AdvancedFields";
import { useConnections, useTokens } from "../../data/queries";
import { isRefAuth, type FieldErrors, type FormState, type RefAuthType } from "./model";

type Props = {
  state: FormState;
  errors: FieldErrors;
  isEdit: boolean;
  secretStored: boolean;
  publicJwk: PublicJwk | null;
  advancedOpen: boolean;
  onAdvancedOpenChange: (open: boolean) => void;
  onAuthChange: (auth: AuthType) => void;
  update: Update;
  updateOAuth: UpdateOAuth;
  /** A sign-in is under way: the card can't change until it ends or is cancelled. */
  locked: boolean;
  /** The connect panel, shown under Advanced for OAuth 2.1. */
  children: ReactNode;
};

export function AuthSection({
  state,
  errors,
  isEdit,
  secretStored,
  publicJwk,
  advancedOpen,
  onAdvancedOpenChange,
  onAuthChange,
  update,
  updateOAuth,
  locked,
  children,
}: Props) {
  const http = state.kind === "http";
  const lock = (value: AuthType) => locked && value !== state.auth;
  return (
    <>
      <RadioCards
        label="Authentication"
        hideLabel
        name="auth"
        testIdPrefix="auth"
        value={state.auth}
        onChange={(v) => onAuthChange(v as AuthType)}
        options={[
          {
            value: "oauth",
            disabled: lock("oauth"),
            title: "OAuth 2.1",
            icon: <ShieldIcon />,
            description: http
              ? "Sign in with the provider. An HTTP endpoint needs its authorization and token URLs in Advanced configuration."
              : "Recommended. Sign in with the provider in your browser; tokens refresh on their own.",
          },
          {
            value: "token",
            disabled: lock("token"),
            title: "Bearer token",
            icon: <TokenIcon />,
            description: "A stored text token sent with every request.",
          },
          {
            value: "http-token",
            disabled: lock("http-token"),
            title: "HTTP request token",
            icon: <RequestIcon />,
            description: "A token fetched by a request you set up, fetched again on a 401.",
          },
          {
            value: "connection",
            disabled: lock("connection"),
            title: "Use an OAuth connection",
            icon: <LinkIcon size={18} />,
            description: "A reusable OAuth client shared by several actions.",
          },
          {
            value: "none",
            disabled: lock("none"),
            title: "None",
            icon: <NoneIcon />,
            description: "The server needs no credentials.",
          },
        ]}
      />
      {errors.auth && <p className="field__error">{errors.auth}</p>}
      {isRefAuth(state.auth) && (
        <RefPicker
          kind={state.auth}
          value={state.refs[state.auth]}
          error={errors.authRef}
          onChange={(v) => update({ refs: { ...state.refs, [state.auth]: v } }, "authRef")}
        />
      )}
      {state.auth === "oauth" && (
        <>
          <Collapsible
            title="Advanced configuration"
            open={advancedOpen}
            onOpenChange={onAdvancedOpenChange}
            testId="advanced"
          >
            <AdvancedFields
              state={state}
              errors={errors}
              isEdit={isEdit}
              secretStored={secretStored}
              publicJwk={publicJwk}
              updateOAuth={updateOAuth}
            />
          </Collapsible>
          {children}
        </>
      )}
    </>
  );
}

const REF_TEXT: Record<
  RefAuthType,
  { label: string; placeholder: string; empty: string; create: string; href: string }
> = {
  token: {
    label: "Bearer token",
    placeholder: "Choose a token…",
    empty: "No bearer tokens yet.",
    create: "Create one in Tokens",
    href: "#/tokens",
  },
  "http-token": {
    label: "HTTP request token",
    placeholder: "Choose a token…",
    empty: "No HTTP request tokens yet.",
    create: "Create one in Tokens",
    href: "#/tokens",
  },
  connection: {
    label: "OAuth connection",
    placeholder: "Choose a connection…",
    empty: "No OAuth connections yet.",
    create: "Create one in OAuth Connections",
    href: "#/connections",
  },
};

/** The stored token or connection an action uses, with a way to create one. */
function RefPicker({
  kind,
  value,
  error,
  onChange,
}: {
  kind: RefAuthType;
  value: string;
  error: string | undefined;
  onChange: (v: string) => void;
}) {
  const tokens = useTokens(kind !== "connection");
  const connections = useConnections(kind === "connection");
  const q = kind === "connection" ? connections : tokens;
  const text = REF_TEXT[kind];
  let names: string[] | undefined;
  if (kind === "connection") names = connections.data?.map((c) => c.name);
  else {
    const want = kind === "token" ? "text" : "http-request";
    names = tokens.data?.filter((t) => t.kind === want).map((t) => t.name);
  }

  if (names === undefined) {
    if (q.isError) {
      return (
        <ErrorNotice
          error={q.error}
          title={`Couldn’t list ${kind === "connection" ? "connections" : "tokens"}`}
          onRetry={() => void q.refetch()}
          retrying={q.isFetching}
          testId="auth-ref-error"
        />
      );
    }
    return (
      <div className="action-form__inline-state">
        <Spinner label={`Loading ${kind === "connection" ? "connections" : "tokens"}…`} />
      </div>
    );
  }
  // A name the list doesn't know (yet) stays choosable rather than silently dropped.
  const options = value !== "" && !names.includes(value) ? [value, ...names] : names;
  if (options.length === 0) {
    return (
      <div className="action-form__ref-empty" data-testid="auth-ref-empty">
        <p>{text.empty}</p>
        <a className="action-form__link" href={text.href}>
          {text.create}
        </a>
        {error && <p className="field__error">{error}</p>}
      </div>
    );
  }
  return (
    <SelectField
      label={text.label}
      name="authRef"
      value={value}
      onChange={onChange}
      options={[
        { value: "", label: text.placeholder },
        ...options.map((n) => ({ value: n, label: n })),
      ]}
      hint={
        <>
          Missing one?{" "}
          <a className="action-form__link" href={text.href}>
            {text.create}
          </a>
          .
        </>
      }
      error={error}
    />
  );
}
