import { Button, Checkbox, SecretField, TextField } from "../../components/kit";
import { newRow, type RowDraft } from "./model";

type Props = {
  /** "header" or "body": names the fields `header-name-N`, `body-value-N`, ... */
  kind: "header" | "body";
  title: string;
  rows: RowDraft[];
  onChange: (rows: RowDraft[]) => void;
  errors: Record<string, string | undefined>;
};

/** Name / value rows of a token request; secret values are masked and go to the keychain. */
export function RequestRows({ kind, title, rows, onChange, errors }: Props) {
  const noun = kind === "header" ? "header" : "field";
  function update(i: number, patch: Partial<RowDraft>) {
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  }
  return (
    <div className="request-rows" data-testid={`${kind}-rows`}>
      <p className="request-rows__title">{title}</p>
      {rows.map((row, i) => {
        const valueProps = {
          label: "Value",
          name: `${kind}-value-${i}`,
          value: row.value,
          onChange: (v: string) => update(i, { value: v }),
          error: errors[`${kind}-value-${i}`],
          mono: true,
        };
        return (
          <fieldset key={row.id} className="request-row">
            <legend className="visually-hidden">
              {kind === "header" ? `Header ${i + 1}` : `Body field ${i + 1}`}
            </legend>
            <TextField
              label="Name"
              name={`${kind}-name-${i}`}
              value={row.name}
              onChange={(v) => update(i, { name: v })}
              error={errors[`${kind}-name-${i}`]}
              placeholder={kind === "header" ? "X-Api-Key" : "client_id"}
              mono
              autoComplete="off"
            />
            {row.secret ? (
              <SecretField {...valueProps} placeholder="Kept in the keychain" />
            ) : (
              <TextField {...valueProps} autoComplete="off" />
            )}
            <div className="request-row__tail">
              <Checkbox
                label="Secret"
                name={`${kind}-secret-${i}`}
                checked={row.secret}
                onCheckedChange={(secret) => update(i, { secret })}
              />
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Remove ${noun} ${i + 1}`}
                onClick={() => {
                  const next = rows.filter((_, j) => j !== i);
                  onChange(next.length > 0 ? next : [newRow()]);
                }}
              >
                Remove
              </Button>
            </div>
          </fieldset>
        );
      })}
      <Button size="sm" onClick={() => onChange([...rows, newRow()])} data-testid={`${kind}-add`}>
        Add {noun}
      </Button>
    </div>
  );
}
