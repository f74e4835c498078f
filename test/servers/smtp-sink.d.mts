import type { SmtpSinkInfo } from "./provided-context";
export declare const SINK_USER: string;
export declare const SINK_PASSWORD: string;
export declare function startSmtpSink(options?: {
  quiet?: boolean;
}): Promise<SmtpSinkInfo & { close(): Promise<void> }>;
