/** OAuth Connections (placeholder until the screen lands). */
export function ConnectionsScreen() {
  return <section data-testid="connections-screen" />;
}
