// The one Admin API version the simulator speaks. Kept apart from the client's own constant: the
// simulator stands in for Shopify and must not borrow the code it is testing.
export const API_VERSION = '2026-10';
