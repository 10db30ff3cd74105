import type { ReactNode } from "react";

import "./EmptyState.css";

type Props = {
  title: ReactNode;
  description: ReactNode;
  /** Usually a primary Button. */
  action?: ReactNode;
  icon?: ReactNode;
  testId?: string;
  /** Extra content under the action (a CLI hint, ...). */
  children?: ReactNode;
};

export function EmptyState({ title, description, action, icon, testId, children }: Props) {
  return (
    <div className="empty-state" data-testid={testId}>
      {icon && (
        <div className="empty-state__art" aria-hidden="true">
          {icon}
        </div>
      )}
      <h2 className="empty-state__title">{title}</h2>
      <p className="empty-state__text">{description}</p>
      {action && <div className="empty-state__action">{action}</div>}
      {children}
    </div>
  );
}
