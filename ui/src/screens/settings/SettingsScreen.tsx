import {
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
} from "react";

import type { Settings } from "../../bindings/Settings";
import type { SettingsView } from "../../bindings/SettingsView";
import type { Theme } from "../../bindings/Theme";
import {
  Button,
  ErrorNotice,
  errorToast,
  FormSection,
  Segmented,
  Spinner,
  Switch,
  TextField,
  toast,
} from "../../components/kit";
import { useAppStatus, useTrayHost } from "../../data/queries";
import { useSaveSettings, useSettings, useStartupTime } from "./data";
import {
  draftErrors,
  durationWords,
  fromDraft,
  isDirty,
  type NumericKey,
  redirectUriFor,
  type SettingsDraft,
  type SwitchKey,
  toDraft,
} from "./model";
import { applyTheme } from "./theme";

import "./SettingsScreen.css";

export function SettingsScreen() {
  const titleId = useId();
  const settings = useSettings();

  let body;
  if (settings.isPending) {
    body = (
      <div className="settings__state" data-testid="settings-loading">
        <Spinner label="Loading settings…" size={20} />
      </div>
    );
  } else if (settings.isError) {
    body = (
      <div className="settings__state">
        <ErrorNotice
          error={settings.error}
          title="Couldn’t load settings"
          onRetry={() => void settings.refetch()}
          retrying={settings.isFetching}
          testId="settings-error"
        />
      </div>
    );
  } else {
    body = <SettingsForm view={settings.data} />;
  }

  return (
    <section className="screen settings" data-testid="settings-screen" aria-labelledby={titleId}>
      <header className="screen__header">
        <h1 id={titleId} className="screen__title">
          Settings
        </h1>
      </header>
      {body}
    </section>
  );
}

const THEMES: { value: Theme; label: string }[] = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/**
 * Unsaved edits kept while the user visits another screen (the sidebar leaves without
 * asking): coming back shows them again, still marked unsaved.
 */
let keptDraft: SettingsDraft | null = null;

function SettingsForm({ view }: { view: SettingsView }) {
  const tray = useTrayHost();
  const save = useSaveSettings();
  const [draft, setDraft] = useState<SettingsDraft>(() => keptDraft ?? toDraft(view.saved));
  const savedRef = useRef<Settings>(view.saved);
  const draftRef = useRef(draft);
  // Layout effects (here and below): they run right after the render, where a passive effect
  // may still wait for a frame when the screen is left (Preact then drops it), and the draft
  // kept would miss the last keystroke or count a save just made as unsaved.
  useLayoutEffect(() => {
    draftRef.current = draft;
  }, [draft]);
  useEffect(
    () => () => {
      keptDraft = isDirty(draftRef.current, savedRef.current) ? draftRef.current : null;
    },
    [],
  );

  // Another process (the CLI) saved: follow it unless the user is editing.
  useLayoutEffect(() => {
    setDraft((d) => (isDirty(d, savedRef.current) ? d : toDraft(view.saved)));
    savedRef.current = view.saved;
  }, [view.saved]);

  // The theme previews as it is picked (before the next paint); leaving the screen puts the
  // saved one back.
  useLayoutEffect(() => {
    applyTheme(draft.theme, false);
  }, [draft.theme]);
  useEffect(() => () => applyTheme(savedRef.current.theme, false), []);

  const errors = useMemo(() => draftErrors(draft, view.limits), [draft, view.limits]);
  const dirty = isDirty(draft, view.saved);
  const valid = Object.keys(errors).length === 0;
  const set = (patch: Partial<SettingsDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = fromDraft(draft, view.limits, view.saved);
    if (!next || !dirty) return;
    save.mutate(next, {
      onSuccess: (v) => {
        setDraft(toDraft(v.saved));
        applyTheme(v.effective.theme);
        toast({ title: "Settings saved", tone: "success" });
      },
      onError: (err) => toast(errorToast("Couldn’t save settings", err)),
    });
  };

  const field = (key: NumericKey, label: string, hint: string, testId: string) => (
    <div className="settings__field">
      <TextField
        label={label}
        name={key}
        value={draft[key]}
        onChange={(v) => set({ [key]: v })}
        mono
        hint={hint}
        error={errors[key] ?? null}
        testId={testId}
      />
      <Override view={view} settingKey={key} />
    </div>
  );

  const toggle = (key: SwitchKey, label: string, hint: string, testId: string) => (
    <div className="settings__switch">
      <div className="settings__switch-text">
        <span className="settings__switch-label" id={`${testId}-label`}>
          {label}
        </span>
        <p className="field__hint">{hint}</p>
      </div>
      <Switch
        checked={draft[key]}
        onCheckedChange={(v) => set({ [key]: v })}
        label={label}
        testId={testId}
      />
    </div>
  );

  const redirect = redirectUriFor(draft.callbackPort);
  const consent = durationWords(draft.consentTimeoutSecs);
  const confirm = durationWords(draft.confirmTimeoutSecs);

  return (
    <form className="settings__form" onSubmit={submit} noValidate data-testid="settings-form">
      <div className="settings__scroll">
        <div className="settings__column settings__sections">
          <FormSection
            title="Sign-in"
            description="Used by the next sign-in, here and in the patchbay CLI."
          >
            {field(
              "callbackPort",
              "Callback port",
              redirect
                ? `Providers that need your own OAuth app must list ${redirect} as a redirect URI. 0 picks a free port for each sign-in.`
                : "0 picks a free port for each sign-in: only for providers that accept any loopback port.",
              "settings-callback-port",
            )}
            {field(
              "consentTimeoutSecs",
              "Sign-in timeout (seconds)",
              `How long a sign-in waits for the browser to come back${consent ? `: ${consent}` : ""}.`,
              "settings-consent-timeout",
            )}
          </FormSection>
          <FormSection
            title="Confirmations"
            description="For actions that require your confirmation before an agent uses them."
          >
            {field(
              "confirmTimeoutSecs",
              "Confirmation timeout (seconds)",
              `How long a tool call waits for Approve or Deny before it counts as denied${confirm ? `: ${confirm}` : ""}.`,
              "settings-confirm-timeout",
            )}
          </FormSection>
          <FormSection
            title="Log retention"
            description="Applied as new rows are written; the oldest rows go first."
          >
            <div className="settings__pair">
              {field(
                "logMaxRows",
                "Keep at most (rows)",
                "Calls, tests, refreshes and sign-ins, redacted.",
                "settings-log-rows",
              )}
              {field(
                "logMaxAgeDays",
                "Delete after (days)",
                "Rows older than this go.",
                "settings-log-days",
              )}
            </div>
          </FormSection>
          <FormSection
            title="Gateway"
            description="One endpoint on this computer for every action, for MCP clients that speak HTTP."
          >
            {field(
              "gatewayPort",
              "Gateway port",
              `The gateway listens on http://127.0.0.1:${draft.gatewayPort.trim() || "PORT"}/mcp (patchbay gateway serve). It must differ from the callback port.`,
              "settings-gateway-port",
            )}
            <div className="settings__pair">
              {field(
                "gatewayAccessTokenSecs",
                "Access tokens live (seconds)",
                "For the OAuth clients that sign in to the gateway.",
                "settings-gateway-access-secs",
              )}
              {field(
                "gatewayRefreshTokenDays",
                "Refresh tokens live (days)",
                "A client that does not come back within this signs in again.",
                "settings-gateway-refresh-days",
              )}
            </div>
            {field(
              "gatewayRefreshGraceSecs",
              "Refresh grace (seconds)",
              "A replaced refresh token still works this long, until its successor is used; any other reuse ends the sign-in.",
              "settings-gateway-refresh-grace",
            )}
            <p className="settings__gateway" data-testid="settings-gateway-enabled">
              {view.saved.gatewayEnabled
                ? "Patchbay serves the gateway while it is open."
                : "Patchbay doesn’t serve the gateway."}{" "}
              <a href="#/gateway" className="settings__link">
                {view.saved.gatewayEnabled ? "Turn it off" : "Turn it on"} on the Gateway screen
              </a>
              , where its endpoints and access keys are.
            </p>
          </FormSection>
          <FormSection
            title="Desktop"
            description="How the app lives on this computer, with its icon in the system tray."
          >
            {toggle(
              "closeToTray",
              "Close to tray",
              "Closing the window keeps Patchbay running in the tray while the gateway is on or an action asks for confirmation; Quit is in the tray’s menu. Where the desktop has no tray, closing the window quits.",
              "settings-close-to-tray",
            )}
            {tray.data === false && (
              <p className="settings__gateway" role="status" data-testid="settings-no-tray">
                This desktop shows no system tray: closing the window quits Patchbay.
              </p>
            )}
            {toggle(
              "startAtLogin",
              "Start at login",
              "Starts Patchbay hidden in the tray when you log in to this computer (for your user account, whichever profile sets it).",
              "settings-start-at-login",
            )}
          </FormSection>
          <FormSection
            title="Notifications"
            description="Desktop notifications while Patchbay runs, in the window or the tray; a click opens the screen that fixes it."
          >
            {toggle(
              "notifyHealth",
              "Action health",
              "An action turns Unhealthy or must be connected again.",
              "settings-notify-health",
            )}
            {toggle(
              "notifyApprovals",
              "Confirmations and sign-ins",
              "A tool call waits for your confirmation, a local app’s sign-in to the gateway waits for your consent, or a confirmation expires unanswered.",
              "settings-notify-approvals",
            )}
            {toggle(
              "notifyGatewayClients",
              "New gateway clients",
              "An access key or an OAuth client calls the gateway for the first time.",
              "settings-notify-gateway-clients",
            )}
          </FormSection>
          <FormSection title="Appearance">
            <Segmented
              label="Theme"
              name="theme"
              value={draft.theme}
              onChange={(v) => set({ theme: v as Theme })}
              options={THEMES}
              testIdPrefix="settings-theme"
            />
            <p className="field__hint">System follows your desktop’s light or dark mode.</p>
          </FormSection>
          <About />
        </div>
      </div>
      <footer className="settings__footer">
        <div className="settings__column settings__footer-row">
          {dirty && !save.isPending && (
            <span className="settings__unsaved" aria-live="polite" data-testid="settings-unsaved">
              Unsaved changes
            </span>
          )}
          <Button
            variant="ghost"
            onClick={() => setDraft(toDraft(view.defaults))}
            disabled={!isDirty(draft, view.defaults) || save.isPending}
            data-testid="settings-defaults"
          >
            Restore defaults
          </Button>
          <Button
            onClick={() => setDraft(toDraft(view.saved))}
            disabled={!dirty || save.isPending}
            data-testid="settings-discard"
          >
            Discard
          </Button>
          <Button
            type="submit"
            variant="primary"
            busy={save.isPending}
            disabled={!dirty || !valid}
            data-testid="settings-save"
          >
            Save changes
          </Button>
        </div>
      </footer>
    </form>
  );
}

/** When the environment sets this value for the running app, say so. */
function Override({ view, settingKey }: { view: SettingsView; settingKey: NumericKey }) {
  const o = view.overrides.find((x) => x.key === settingKey);
  if (!o) return null;
  return (
    <p className="settings__override" data-testid={`settings-override-${settingKey}`}>
      In effect now: <code>{o.value}</code>, from <code>{o.env}</code> in the app’s environment. The
      saved value applies once it is unset.
    </p>
  );
}

function About() {
  const status = useAppStatus();
  const ms = useStartupTime();
  return (
    <FormSection title="About">
      <dl className="settings__about" data-testid="settings-about">
        <dt>Version</dt>
        <dd>{status.data?.version ?? "…"}</dd>
        <dt>Data folder</dt>
        <dd className="settings__mono">{status.data?.home ?? "…"}</dd>
        {ms !== null && (
          <>
            <dt>Start-up</dt>
            <dd>{`first screen in ${ms.toLocaleString("en-US")} ms`}</dd>
          </>
        )}
      </dl>
    </FormSection>
  );
}
