// mailauth ships no declarations for these parts; only what Facteur calls is declared.
declare module "mailauth/lib/parse-received" {
  export interface ReceivedClause {
    value?: string;
    comment?: string;
  }
  export interface ParsedReceived {
    from?: ReceivedClause;
    by?: ReceivedClause;
    [clause: string]: ReceivedClause | undefined;
  }
  export function parseReceived(line: string): ParsedReceived;
  export function getClientAddress(from: ReceivedClause | undefined): string | false;
}
