/** Tokens (placeholder until the screen lands). */
export function TokensScreen() {
  return <section data-testid="tokens-screen" />;
}
