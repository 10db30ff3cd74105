/** The Tokens screen's queries (the key is shared app-wide). */
import { useQuery } from "@tanstack/react-query";

import { listTokens } from "../../ipc";

export const tokenKeys = { list: ["tokens"] as const };

export function useTokens() {
  return useQuery({ queryKey: tokenKeys.list, queryFn: listTokens });
}
