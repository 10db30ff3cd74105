import type { NewGatewayKey } from "../../bindings/NewGatewayKey";
import { Button, CopyField, WarningIcon } from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { day, keySnippets, opensText } from "./model";

type Props = {
  created: NewGatewayKey;
  /** The gateway's `/mcp` URL, for the snippets. */
  url: string;
  onClose: () => void;
};

/** The new key, the only time it is shown: Copy, a warning, and ready-to-paste snippets. */
export function KeyCreatedDialog({ created, url, onClose }: Props) {
  const expires = created.expiresAt
    ? `It stops working on ${day(created.expiresAt)}.`
    : "It works until you revoke it.";
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={`Access key ${created.name} created`}
      description={`Opens ${opensText(created).replace(/^Every/, "every")}${created.tools.length > 0 ? ` (only ${created.tools.join(", ")})` : ""}. ${expires}`}
      testId="gateway-key-created"
      wide
      footer={
        <Button
          variant="primary"
          onClick={onClose}
          data-autofocus=""
          data-testid="gateway-key-done"
        >
          I’ve copied it
        </Button>
      }
    >
      <div className="key-created__warning" role="note" data-testid="gateway-key-warning">
        <WarningIcon size={16} />
        <p>
          <strong>Copy the key now: it can’t be shown again.</strong> Patchbay keeps only its hash.
          If you lose it, revoke it and create a new one.
        </p>
      </div>
      <CopyField label="Access key" value={created.key} testId="gateway-new-key" />
      <div className="key-created__snippets">
        {keySnippets(created.key, url).map((s) => (
          <CopyField key={s.id} label={s.title} value={s.text} testId={`gateway-snippet-${s.id}`} />
        ))}
      </div>
    </Dialog>
  );
}
