// Replaced by the program `pulumi import … --out` writes (tests/e2e/offer-configuration.e2e.ts).
export {};
