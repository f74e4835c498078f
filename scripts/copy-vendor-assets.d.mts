/** Copies the pinned browser packages' files into public/vendor/ (see the .mjs). */
export function copyVendorAssets(): void;
