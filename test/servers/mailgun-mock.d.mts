import type { MailgunMockInfo } from "./provided-context";
export declare const MAILGUN_API_KEY: string;
export declare const MAILGUN_DOMAIN: string;
export declare function startMailgunMock(options?: {
  apiKey?: string;
  domains?: string[];
}): Promise<MailgunMockInfo & { close(): Promise<void> }>;
