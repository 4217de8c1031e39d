/**
 * The stable module path the serialized thin providers load (`pulumi-cloudpartner/dist/provider/provider`, or its
 * absolute path): it is written into every existing stack's state, so it must keep exporting the provider classes
 * whatever the folders below it become.
 */
// First: fail clearly on a Node.js too old for the HTTP client, before anything loads it.
import "./core/node-version";

export * from "./pulumi/dynamic-providers";
