export const TYPES_PATH: string;
export function generateApiTypes(document: unknown): Promise<string>;
