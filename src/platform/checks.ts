// The checks the test run turns on (scripts/test.ts): answers held to their routes' response schemas,
// events to their declarations. Off in production.
export const checkingResponses = () => process.env.SHOPKEEP_CHECK_RESPONSES === '1';
export const checkingEvents = () => process.env.SHOPKEEP_CHECK_EVENTS === '1';
