import { useAppStatus } from "../data/queries";
import { WarningIcon } from "./kit";

import "./VaultBanner.css";

const COPY = {
  locked: {
    title: "Keychain locked",
    fallback: "Unlock your system keychain so Patchbay can read stored tokens.",
  },
  unavailable: {
    title: "Keychain unavailable",
    fallback: "Patchbay can't reach a system keychain, so stored tokens can't be used.",
  },
} as const;

/** Shown above every screen while the secret store can't be used. */
export function VaultBanner() {
  const { data } = useAppStatus();
  const vault = data?.vault;
  if (!vault || vault.state === "ok") return null;
  const copy = COPY[vault.state];
  return (
    <div className="vault-banner" role="status" data-testid="vault-banner" data-state={vault.state}>
      <WarningIcon className="vault-banner__icon" size={16} />
      <p>
        <strong>{copy.title}.</strong> {vault.message ?? copy.fallback}
      </p>
    </div>
  );
}
