/** The fields every token has (and a text token's value). */
import { FormSection, SecretField, TextField } from "../../components/kit";
import { headerPreview, type TokenErrors } from "./model";
import type { SharedField } from "./useTokenDraft";

type Shared = { name: string; description: string; headerName: string; prefix: string };

type Props = {
  /** The current kind's draft. */
  draft: Shared;
  setShared: (field: SharedField, value: string) => void;
  errors: TokenErrors;
};

/** A text field's props for a field both kinds have. */
function bind({ draft, setShared, errors }: Props, field: SharedField) {
  return {
    name: field,
    value: draft[field],
    onChange: (v: string) => setShared(field, v),
    error: errors[field],
  };
}

/** Name and description; for a text token also its value. */
export function TokenSection({
  adding,
  text,
  ...props
}: Props & {
  adding: boolean;
  /** A text token's value (null for an HTTP request token). */
  text: { value: string; onChange: (v: string) => void } | null;
}) {
  return (
    <FormSection title="Token">
      <div className="conn-form__grid">
        <TextField
          label="Name"
          {...bind(props, "name")}
          required
          mono
          placeholder={text ? "GITHUB_PAT" : "CRM_TOKEN"}
          hint="Actions refer to it by this name."
          autoComplete="off"
        />
        <TextField
          label="Description"
          {...bind(props, "description")}
          placeholder="What it is for, where it comes from"
          autoComplete="off"
        />
      </div>
      {text && (
        <SecretField
          label="Value"
          name="value"
          value={text.value}
          onChange={text.onChange}
          required={adding}
          placeholder={adding ? "Paste the token" : "Stored — leave empty to keep"}
          error={props.errors.value}
        />
      )}
    </FormSection>
  );
}

/** The header the token is sent in, with a preview. */
export function SendingSection(props: Props) {
  const { draft } = props;
  return (
    <FormSection title="Sending it" description="The header your actions send the token in.">
      <div className="conn-form__grid">
        <TextField
          label="Header name"
          {...bind(props, "headerName")}
          mono
          placeholder="Authorization"
          autoComplete="off"
        />
        <TextField
          label="Prefix"
          {...bind(props, "prefix")}
          mono
          placeholder="Bearer"
          hint="Leave empty to send the token alone."
          autoComplete="off"
        />
      </div>
      <p className="token-preview" data-testid="token-header-preview">
        Sent as{" "}
        <code>
          {headerPreview({
            headerName: draft.headerName.trim() || "Authorization",
            prefix: draft.prefix,
          })}
        </code>
      </p>
    </FormSection>
  );
}
