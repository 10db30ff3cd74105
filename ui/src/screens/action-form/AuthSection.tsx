import type { ReactNode } from "react";

import type { AuthType } from "../../bindings/AuthType";
import {
  Checkbox,
  Collapsible,
  ErrorNotice,
  RadioCards,
  SecretField,
  SelectField,
  Spinner,
  TextField,
} from "../../components/kit";
import type { Update, UpdateOAuth } from "./ActionFormBody";
import { useCallbackUrls, useConnectionList, useTokenList } from "./data";
import { LinkedIcon, NoneIcon, RequestIcon, ShieldIcon, TokenIcon } from "./icons";
import { isRefAuth, type FieldErrors, type FormState, type RefAuthType } from "./model";

type Props = {
  state: FormState;
  errors: FieldErrors;
  isEdit: boolean;
  secretStored: boolean;
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
            icon: <LinkedIcon />,
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
  const tokens = useTokenList(kind !== "connection");
  const connections = useConnectionList(kind === "connection");
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

const METHOD_OPTIONS = [
  { value: "", label: "Automatic" },
  { value: "client_secret_basic", label: "client_secret_basic" },
  { value: "client_secret_post", label: "client_secret_post" },
  { value: "none", label: "none (public client)" },
];

function AdvancedFields({
  state,
  errors,
  isEdit,
  secretStored,
  updateOAuth,
}: {
  state: FormState;
  errors: FieldErrors;
  isEdit: boolean;
  secretStored: boolean;
  updateOAuth: UpdateOAuth;
}) {
  const o = state.oauth;
  const urls = useCallbackUrls(true);
  const loopback = urls.data?.loopback ?? "http://127.0.0.1:PORT/callback";
  const appLink = urls.data?.appLink ?? "dev.patchbay.app:/oauth/callback";
  const needEndpoints = state.kind === "http";
  return (
    <div className="action-form__advanced">
      <p className="field__hint">
        Only needed when the server doesn’t support discovery or dynamic client registration. Leave
        empty to let Patchbay find everything.
      </p>
      <TextField
        label="Client ID"
        name="clientId"
        value={o.clientId}
        onChange={(v) => updateOAuth({ clientId: v }, "clientId")}
        mono
        autoComplete="off"
        error={errors.clientId}
      />
      <SecretField
        label="Client secret"
        name="clientSecret"
        value={o.clientSecret}
        onChange={(v) => updateOAuth({ clientSecret: v }, "clientSecret")}
        placeholder={secretStored ? "Stored — leave empty to keep" : isEdit ? "Not set" : undefined}
        hint={secretStored ? undefined : "Leave empty for a public client (PKCE only)."}
        error={errors.clientSecret}
      />
      {secretStored && (
        <Checkbox
          label="Remove stored secret"
          name="clearClientSecret"
          checked={o.clearClientSecret}
          onCheckedChange={(v) => updateOAuth({ clearClientSecret: v }, "clientSecret", "clientId")}
          disabled={o.clientSecret !== ""}
          hint={o.clientSecret !== "" ? "A new secret replaces the stored one." : undefined}
        />
      )}
      <TextField
        label="Authorization endpoint"
        name="authorizationUrl"
        type="url"
        value={o.authorizationUrl}
        onChange={(v) => updateOAuth({ authorizationUrl: v }, "authorizationUrl")}
        mono
        autoComplete="off"
        required={needEndpoints}
        placeholder="https://auth.example.com/authorize"
        error={errors.authorizationUrl}
      />
      <TextField
        label="Token endpoint"
        name="tokenUrl"
        type="url"
        value={o.tokenUrl}
        onChange={(v) => updateOAuth({ tokenUrl: v }, "tokenUrl")}
        mono
        autoComplete="off"
        required={needEndpoints}
        placeholder="https://auth.example.com/token"
        error={errors.tokenUrl}
      />
      <TextField
        label="Registration endpoint"
        name="registrationUrl"
        type="url"
        value={o.registrationUrl}
        onChange={(v) => updateOAuth({ registrationUrl: v }, "registrationUrl")}
        mono
        autoComplete="off"
        placeholder="https://auth.example.com/register"
        hint="For dynamic client registration when the server doesn’t advertise it."
        error={errors.registrationUrl}
      />
      <TextField
        label="Scopes"
        name="scopes"
        value={o.scopes}
        onChange={(v) => updateOAuth({ scopes: v }, "scopes")}
        mono
        autoComplete="off"
        placeholder="read write"
        hint="Separated by spaces or commas. Empty: what the server asks for."
        error={errors.scopes}
      />
      <SelectField
        label="Token endpoint authentication"
        name="tokenAuthMethod"
        value={o.tokenAuthMethod}
        onChange={(v) =>
          updateOAuth(
            { tokenAuthMethod: v as typeof o.tokenAuthMethod },
            "tokenAuthMethod",
            "clientSecret",
          )
        }
        options={METHOD_OPTIONS}
        hint="Automatic: client_secret_basic with a secret, none (a public PKCE client) without."
        error={errors.tokenAuthMethod}
      />
      <TextField
        label="Resource override"
        name="resourceOverride"
        type="url"
        value={o.resourceOverride}
        onChange={(v) => updateOAuth({ resourceOverride: v }, "resourceOverride")}
        mono
        autoComplete="off"
        disabled={o.omitResource}
        hint="Sent as the RFC 8707 resource instead of the server URL."
        error={errors.resourceOverride}
      />
      <Checkbox
        label="Omit resource"
        name="omitResource"
        checked={o.omitResource}
        onCheckedChange={(v) => updateOAuth({ omitResource: v }, "resourceOverride")}
        hint="For providers that reject the resource parameter (such as Entra ID)."
      />
      <Checkbox
        label="Assume PKCE S256"
        name="assumePkceS256"
        checked={o.assumePkceS256}
        onCheckedChange={(v) => updateOAuth({ assumePkceS256: v })}
        hint="Sign in even if the server doesn’t advertise PKCE S256 (some omit it)."
      />
      <TextField
        label="Client metadata document URL"
        name="clientMetadataUrl"
        type="url"
        value={o.clientMetadataUrl}
        onChange={(v) => updateOAuth({ clientMetadataUrl: v }, "clientMetadataUrl")}
        mono
        autoComplete="off"
        placeholder="https://example.com/oauth/client.json"
        hint="Used as the client ID when the server supports it and no client ID is given."
        error={errors.clientMetadataUrl}
      />
      <SelectField
        label="Callback"
        name="callback"
        value={o.callback}
        onChange={(v) => updateOAuth({ callback: v as typeof o.callback })}
        options={[
          { value: "loopback", label: `Loopback (${loopback})` },
          { value: "app-link", label: `App link (${appLink})` },
        ]}
        hint="Where the provider sends your browser back. Register this URL with the provider if it asks."
      />
    </div>
  );
}
