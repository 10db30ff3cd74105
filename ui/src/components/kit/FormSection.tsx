import { useId, type ReactNode } from "react";

import "./FormSection.css";

type Props = { title: ReactNode; description?: ReactNode; children: ReactNode };

/** A titled group of fields inside a form. */
export function FormSection({ title, description, children }: Props) {
  const id = useId();
  return (
    <section className="form-section" aria-labelledby={id}>
      <div className="form-section__head">
        <h3 id={id} className="form-section__title">
          {title}
        </h3>
        {description && <p className="form-section__description">{description}</p>}
      </div>
      <div className="form-section__body">{children}</div>
    </section>
  );
}
