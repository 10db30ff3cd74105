import type { PublicJwk } from "../../bindings/PublicJwk";
import { Checkbox, CopyField, SecretField, SelectField, TextField } from "../../components/kit";
import { useCallbackUrls } from "../../data/queries";
import { useIdps } from "../../data/queries";
import { ACTION_GRANT_OPTIONS, GRANT_HINTS } from "../../lib/grants";
import type { FormState, FieldErrors } from "./model";
import type { UpdateOAuth } from "./useActionForm";

const METHOD_OPTIONS = [
  { value: "", label: "Automatic" },
  { value: "client_secret_basic", label: "client_secret_basic" },
  { value: "client_secret_post", label: "client_secret_post" },
  { value: "private_key_jwt", label: "private_key_jwt (a key Patchbay generates)" },
  { value: "none", label: "none (public client)" },
];

/** The OAuth settings typed as text (each is also the name of its field). */
type TextSetting =
  | "clientId"
  | "clientSecret"
  | "authorizationUrl"
  | "tokenUrl"
  | "registrationUrl"
  | "scopes"
  | "resourceOverride"
  | "clientMetadataUrl"
  | "assertionFile";

/** The OAuth 2.1 settings a server without discovery or registration needs. */
export function AdvancedFields({
  state,
  errors,
  isEdit,
  secretStored,
  publicJwk,
  updateOAuth,
}: {
  state: FormState;
  errors: FieldErrors;
  isEdit: boolean;
  secretStored: boolean;
  publicJwk: PublicJwk | null;
  updateOAuth: UpdateOAuth;
}) {
  const o = state.oauth;
  const urls = useCallbackUrls();
  const loopback = urls.data?.loopback ?? "http://127.0.0.1:PORT/callback";
  const appLink = urls.data?.appLink ?? "dev.patchbay.app:/oauth/callback";
  const needEndpoints = state.kind === "http";
  /** A text field's props for an OAuth setting (its key is also its field name). */
  const bind = (key: TextSetting) => ({
    name: key,
    value: o[key],
    onChange: (v: string) => updateOAuth({ [key]: v }, key),
    error: errors[key],
  });
  return (
    <div className="action-form__advanced">
      <p className="field__hint">
        Only needed when the server doesn’t support discovery or dynamic client registration. Leave
        empty to let Patchbay find everything.
      </p>
      <SelectField
        label="Grant"
        name="grant"
        value={o.grant}
        onChange={(v) => updateOAuth({ grant: v as typeof o.grant }, "grant", "tokenAuthMethod")}
        options={ACTION_GRANT_OPTIONS}
        hint={GRANT_HINTS[o.grant]}
        error={errors.grant}
      />
      {o.grant === "jwt-bearer" && (
        <TextField
          label="Identity token file"
          {...bind("assertionFile")}
          mono
          autoComplete="off"
          required
          placeholder="/var/run/secrets/tokens/patchbay"
          hint="The file where the workload’s platform keeps its identity token (a JWT); read at each token request."
        />
      )}
      {o.grant === "enterprise-managed" && (
        <IdpField
          value={o.idp}
          onChange={(v) => updateOAuth({ idp: v }, "idp")}
          error={errors.idp}
        />
      )}
      <TextField label="Client ID" {...bind("clientId")} mono autoComplete="off" />
      <SecretField
        label="Client secret"
        {...bind("clientSecret")}
        placeholder={secretStored ? "Stored — leave empty to keep" : isEdit ? "Not set" : undefined}
        hint={secretStored ? undefined : "Leave empty for a public client (PKCE only)."}
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
        {...bind("authorizationUrl")}
        type="url"
        mono
        autoComplete="off"
        required={needEndpoints}
        placeholder="https://auth.example.com/authorize"
      />
      <TextField
        label="Token endpoint"
        {...bind("tokenUrl")}
        type="url"
        mono
        autoComplete="off"
        required={needEndpoints}
        placeholder="https://auth.example.com/token"
      />
      <TextField
        label="Registration endpoint"
        {...bind("registrationUrl")}
        type="url"
        mono
        autoComplete="off"
        placeholder="https://auth.example.com/register"
        hint="For dynamic client registration when the server doesn’t advertise it."
      />
      <TextField
        label="Scopes"
        {...bind("scopes")}
        mono
        autoComplete="off"
        placeholder="read write"
        hint="Separated by spaces or commas. Empty: what the server asks for."
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
        hint={
          o.tokenAuthMethod === "private_key_jwt" && publicJwk === null
            ? "Patchbay generates a key pair when you save; register the public key it shows here with the provider."
            : "Automatic: client_secret_basic with a secret, none (a public PKCE client) without (a signing key with client credentials)."
        }
        error={errors.tokenAuthMethod}
      />
      {publicJwk !== null && (
        <>
          <CopyField
            label="Public key (JWK)"
            value={JSON.stringify(publicJwk)}
            testId="public-jwk"
          />
          <p className="field__hint">
            Register this public key with the provider for this client. Its private half stays in
            your keychain.
          </p>
        </>
      )}
      <TextField
        label="Resource override"
        {...bind("resourceOverride")}
        type="url"
        mono
        autoComplete="off"
        disabled={o.omitResource}
        hint="Sent as the RFC 8707 resource instead of the server URL."
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
        {...bind("clientMetadataUrl")}
        type="url"
        mono
        autoComplete="off"
        placeholder="https://example.com/oauth/client.json"
        hint="Used as the client ID when the server supports it and no client ID is given."
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

/** The enterprise-managed grant's identity provider: one of those added (`patchbay idp add`),
 * each with whether it is signed in. */
function IdpField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (v: string) => void;
  error?: string;
}) {
  const idps = useIdps();
  const list = idps.data ?? [];
  const known = list.some((i) => i.name === value);
  const options = [
    ...(known ? [] : [{ value, label: value === "" ? "Choose an identity provider" : value }]),
    ...list.map((i) => ({
      value: i.name,
      label: i.signedIn
        ? `${i.name} (signed in${i.account ? ` as ${i.account}` : ""})`
        : `${i.name} (not signed in)`,
    })),
  ];
  const chosen = list.find((i) => i.name === value);
  const hint =
    list.length === 0
      ? "No identity providers yet: add one with `patchbay idp add NAME --issuer URL --client-id ID`, then sign in with `patchbay idp login NAME`."
      : chosen && !chosen.signedIn
        ? `Sign in there before connecting: \`patchbay idp login ${chosen.name}\`.`
        : "Connect exchanges its sign-in for this server’s token.";
  return (
    <SelectField
      label="Identity provider"
      name="idp"
      value={value}
      onChange={onChange}
      options={options}
      hint={hint}
      error={error}
    />
  );
}
