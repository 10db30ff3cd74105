/** A few gallery entries for tests and the in-browser mock (copied from core's providers.json). */
import type { Provider } from "../../bindings/Provider";

export const PROVIDERS: Provider[] = [
  {
    id: "linear",
    name: "Linear",
    description: "Issues, projects and cycles in your Linear workspace.",
    url: "https://mcp.linear.app/mcp",
    flow: "dcr",
    authorizationUrl: null,
    tokenUrl: null,
    scopes: null,
    register: null,
    source: "https://linear.app/docs/mcp",
    notes: "URL from Linear's documentation as known to us; not re-checked against the page here.",
  },
  {
    id: "github",
    name: "GitHub",
    description:
      "Repositories, issues, pull requests and Actions through GitHub's remote MCP server.",
    url: "https://api.githubcopilot.com/mcp/",
    flow: "own_app",
    authorizationUrl: "https://github.com/login/oauth/authorize",
    tokenUrl: "https://github.com/login/oauth/access_token",
    scopes: "repo read:org",
    register: {
      where:
        "GitHub → Settings → Developer settings → OAuth Apps → New OAuth App (https://github.com/settings/developers)",
      redirectUri: "http://127.0.0.1:47615/callback",
      what: "Set the Authorization callback URL to the redirect URI, then copy the Client ID and generate a client secret.",
    },
    source: "https://github.com/github/github-mcp-server/blob/main/docs/remote-server.md",
    notes:
      "GitHub has no dynamic client registration. Instead of OAuth, a personal access token works too: save it with `patchbay token add` and use the Bearer token card.",
  },
  {
    id: "hubspot",
    name: "HubSpot",
    description:
      "Contacts, companies, deals, tickets and other CRM records of your HubSpot account.",
    url: "https://mcp.hubspot.com",
    flow: "own_app",
    authorizationUrl: null,
    tokenUrl: null,
    scopes: null,
    register: {
      where: "app.hubspot.com → Development → MCP Auth Apps → Create MCP auth app",
      redirectUri: "http://127.0.0.1:47615/callback",
      what: "Enter the redirect URI as the Redirect URL (first in the list), then copy the Client ID and Client secret. There is no scope list: HubSpot derives the scopes from the server's tools and your permissions.",
    },
    source:
      "https://developers.hubspot.com/docs/apps/developer-platform/build-apps/integrate-with-hubspot-mcp-server",
    notes: "HubSpot has no dynamic client registration and requires the client secret.",
  },
  {
    id: "stripe",
    name: "Stripe",
    description: "Customers, payments, invoices and Stripe documentation search.",
    url: "https://mcp.stripe.com",
    flow: "dcr",
    authorizationUrl: null,
    tokenUrl: null,
    scopes: null,
    register: null,
    source: "https://docs.stripe.com/mcp",
    notes:
      "A restricted API key as a Bearer token also works. URL from Stripe's documentation as known to us; not re-checked here.",
  },
];
