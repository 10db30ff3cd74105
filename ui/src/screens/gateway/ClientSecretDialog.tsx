import type { NewGatewayClient } from "../../bindings/NewGatewayClient";
import { Button, CopyField, WarningIcon } from "../../components/kit";
import { Dialog } from "../../components/kit/dialogs";
import { mayUseText } from "./clientModel";

type Props = {
  shown: NewGatewayClient;
  /** Just made (the wizard's last step), or a new secret after Rotate. */
  mode: "created" | "rotated";
  onClose: () => void;
};

/**
 * A client's credentials, the only time its secret is shown: the MCP endpoint, the client id
 * and (for a confidential client) the secret, each with Copy, a warning, and what to do next.
 */
export function ClientSecretDialog({ shown, mode, onClose }: Props) {
  const secret = shown.clientSecret;
  const uses = mayUseText(shown).replace(/^Every/, "every");
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={
        mode === "created" ? `OAuth client ${shown.name} created` : `New secret for ${shown.name}`
      }
      description={
        mode === "created"
          ? `It may use ${uses}${shown.tools.length > 0 ? ` (only ${shown.tools.join(", ")})` : ""}. Put these in the app’s OAuth settings.`
          : "The old secret stopped working. Every app that uses this client needs the new one."
      }
      testId={mode === "created" ? "gateway-client-created" : "gateway-client-rotated"}
      wide
      footer={
        <Button
          variant="primary"
          onClick={onClose}
          data-autofocus=""
          data-testid="gateway-client-done"
        >
          {secret ? "I’ve copied it" : "Done"}
        </Button>
      }
    >
      {secret ? (
        <div className="key-created__warning" role="note" data-testid="gateway-client-warning">
          <WarningIcon size={16} />
          <p>
            <strong>Copy the client secret now: it can’t be shown again.</strong> Patchbay keeps
            only its hash. If it is lost, rotate the secret and give the app the new one.
          </p>
        </div>
      ) : (
        <p className="gateway-muted client-created__public" data-testid="gateway-client-public">
          A public client has no secret: the app proves each sign-in with PKCE.
        </p>
      )}
      <div className="client-created__fields">
        {mode === "created" && (
          <CopyField
            label="MCP endpoint URL"
            value={shown.endpoint}
            testId="gateway-new-client-endpoint"
          />
        )}
        <CopyField label="Client ID" value={shown.clientId} testId="gateway-new-client-id" />
        {secret && (
          <CopyField label="Client secret" value={secret} testId="gateway-new-client-secret" />
        )}
        {mode === "created" && (
          <CopyField
            label="Authorization server (issuer)"
            value={shown.issuer}
            testId="gateway-new-client-issuer"
          />
        )}
      </div>
      {mode === "rotated" && (
        <div className="client-created__next" data-testid="gateway-client-next-steps">
          <h3 className="field__label">What to do next</h3>
          <ol>
            <li>Copy the new secret above.</li>
            <li>
              Open the OAuth settings of every app that uses client ID{" "}
              <code className="gateway-code">{shown.clientId}</code> and replace the old secret with
              the new one.
            </li>
            <li>
              Until an app has the new secret it can’t sign in or renew its tokens: the gateway
              answers <code className="gateway-code">invalid_client</code>.
            </li>
          </ol>
        </div>
      )}
    </Dialog>
  );
}
