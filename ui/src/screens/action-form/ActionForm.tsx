/** Add / Edit Custom Action (placeholder until the form lands). */
export function ActionForm(props: { original: string | null; onClose: () => void }) {
  return (
    <section data-testid="action-form">
      <p>{props.original ?? "New action"}</p>
      <button type="button" onClick={props.onClose}>
        Cancel
      </button>
    </section>
  );
}
