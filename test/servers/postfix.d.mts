import type { PostfixInfo } from "./provided-context";
export declare const POSTFIX_USER: string;
export declare const POSTFIX_PASSWORD: string;
export declare function postfixUnavailable(): string | undefined;
export declare function startPostfix(): Promise<PostfixInfo & { close(): Promise<void> }>;
