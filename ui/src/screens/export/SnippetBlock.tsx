import { useId } from "react";

import { Button, CheckIcon, CopyIcon, useCopy } from "../../components/kit";

/** The snippet in the client's format, read-only, with a Copy button. */
export function SnippetBlock({ snippet, title }: { snippet: string; title: string }) {
  const titleId = useId();
  const { state, copy, ref: preRef } = useCopy<HTMLPreElement>(snippet);

  return (
    <div className="export-snippet">
      <div className="export-snippet__head">
        <h3 id={titleId} className="export-subtitle">
          {title}
        </h3>
        <Button
          variant="ghost"
          size="sm"
          onClick={() => void copy()}
          aria-label="Copy the snippet"
          data-testid="export-copy"
        >
          {state === "copied" ? <CheckIcon size={14} /> : <CopyIcon size={14} />}
          {state === "copied" ? "Copied" : "Copy"}
        </Button>
      </div>
      {/* Focusable so a long snippet scrolls with the keyboard. */}
      <pre
        ref={preRef}
        className="export-snippet__code"
        tabIndex={0}
        aria-labelledby={titleId}
        data-testid="export-snippet"
      >
        {snippet}
      </pre>
      <p className="export-snippet__status" role="status">
        {state === "failed"
          ? "Couldn’t reach the clipboard: the snippet is selected, press ⌘C or Ctrl+C."
          : ""}
      </p>
    </div>
  );
}
