import { useEffect, useRef, useState } from "react";

import { copyText } from "../lib/clipboard";
import { Button, CheckIcon, CopyIcon } from "./kit";

import "./CommandSnippet.css";

type CopyState = "idle" | "copied" | "failed";

/** A shell command in a box with a working Copy button. */
export function CommandSnippet({ command }: { command: string }) {
  const [state, setState] = useState<CopyState>("idle");
  const codeRef = useRef<HTMLElement>(null);

  useEffect(() => {
    if (state !== "copied") return;
    const id = window.setTimeout(() => setState("idle"), 2000);
    return () => window.clearTimeout(id);
  }, [state]);

  async function copy() {
    if (await copyText(command)) {
      setState("copied");
      return;
    }
    // Could not write the clipboard: select the text so ⌘C / Ctrl+C works.
    const code = codeRef.current;
    if (code) window.getSelection()?.selectAllChildren(code);
    setState("failed");
  }

  return (
    <div className="snippet">
      <div className="snippet__box">
        <span className="snippet__prompt" aria-hidden="true">
          $
        </span>
        <code ref={codeRef} className="snippet__code">
          {command}
        </code>
        <Button variant="ghost" size="sm" className="snippet__copy" onClick={() => void copy()}>
          {state === "copied" ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
          {state === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      <p className="snippet__status" role="status">
        {state === "failed"
          ? "Couldn't reach the clipboard. The command is selected: press ⌘C or Ctrl+C."
          : ""}
      </p>
    </div>
  );
}
