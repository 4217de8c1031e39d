/**
 * schema.json is the single source of the native provider's contract (the SDKs are generated from it); the
 * providers are TypeScript. This test reads the TypeScript types the providers and resources actually use,
 * with the TypeScript compiler API, and fails when the two drift apart: a property added, removed, renamed,
 * retyped, made optional or required on one side only, or a default changed.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { INPUT_DEFAULTS } from "../../provider/core/validate";
import {
  CONFIG_KEYS,
  GET_OFFER_STATUS,
  OFFER_CONFIGURATION,
  RESOURCE_TYPES,
  schemaPath,
  VM_IMAGE_VERSION,
} from "../../provider/native/contract";
import { checkImageInputs, checkOfferInputs } from "../../provider/resources";

const root = path.resolve(__dirname, "../..");

interface SchemaProperty {
  type?: string;
  items?: SchemaProperty;
  additionalProperties?: SchemaProperty;
  $ref?: string;
  default?: unknown;
  secret?: boolean;
  description?: string;
}
interface SchemaObject {
  properties: Record<string, SchemaProperty>;
  required?: string[];
}
interface SchemaResource {
  inputProperties: Record<string, SchemaProperty>;
  requiredInputs: string[];
  properties: Record<string, SchemaProperty>;
  required: string[];
}
const schema = JSON.parse(fs.readFileSync(schemaPath(), "utf8")) as {
  version: string;
  config: { variables: Record<string, SchemaProperty> };
  provider: { inputProperties: Record<string, SchemaProperty> };
  types: Record<string, SchemaObject>;
  resources: Record<string, SchemaResource>;
  functions: Record<string, { inputs: SchemaObject; outputs: SchemaObject }>;
};

// The TypeScript side, from the sources the providers are built from.
const files = {
  validate: "provider/core/validate.ts",
  backend: "provider/core/backend.ts",
  operation: "provider/core/operation.ts",
  outputs: "provider/resources/outputs.ts",
  publish: "provider/resources/publish.ts",
  resource: "provider/pulumi/resource.ts",
  images: "provider/resources/image-inputs.ts",
  imageResource: "provider/pulumi/image-resource.ts",
  offer: "provider/resources/offer-configuration.ts",
  offerResource: "provider/pulumi/offer-configuration.ts",
  offerTypes: "provider/ingestion/offer/types.ts",
};
const program = ts.createProgram(
  Object.values(files).map((f) => path.join(root, f)),
  { strict: true, skipLibCheck: true, noEmit: true, types: [] },
);
const checker = program.getTypeChecker();

/** Each property of an exported interface: its schema type ("string", "array<number>", "ref", ...) and optionality. */
function members(file: keyof typeof files, name: string): Map<string, { type: string; optional: boolean }> {
  const source = program.getSourceFile(path.join(root, files[file]));
  if (!source) throw new Error(`${files[file]} is not in the program`);
  const declaration = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  if (!declaration) throw new Error(`${files[file]} has no interface ${name}`);
  const type = checker.getTypeAtLocation(declaration.name);
  const out = new Map<string, { type: string; optional: boolean }>();
  for (const symbol of checker.getPropertiesOfType(type)) {
    const propertyType = checker.getTypeOfSymbolAtLocation(symbol, declaration);
    out.set(symbol.name, {
      type: schemaTypeOf(propertyType),
      optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
    });
  }
  return out;
}

/** A TypeScript type as schema.json spells it; `pulumi.Input<T>` and `undefined` are seen through. */
function schemaTypeOf(raw: ts.Type): string {
  let type = checker.getNonNullableType(raw);
  const text = checker.typeToString(type);
  const input = /^(?:Input|Output)<(.*)>$/.exec(text);
  if (input && type.aliasTypeArguments?.[0]) type = checker.getNonNullableType(type.aliasTypeArguments[0]);
  if (type.isUnion()) {
    const parts = new Set(
      type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined)).map((t) => schemaTypeOf(t)),
    );
    // Input<T> = T | Promise<T> | OutputInstance<T>: T is what the schema describes.
    for (const wrapper of [...parts]) if (/^(?:Promise|OutputInstance)/.test(wrapper)) parts.delete(wrapper);
    if (parts.size === 1) return [...parts][0] as string;
    return [...parts].sort().join("|");
  }
  if (type.flags & ts.TypeFlags.StringLike) return "string";
  if (type.flags & ts.TypeFlags.NumberLike) return "number";
  if (type.flags & ts.TypeFlags.BooleanLike) return "boolean";
  if (checker.isArrayType(type)) {
    const [element] = checker.getTypeArguments(type as ts.TypeReference);
    return `array<${element ? schemaTypeOf(element) : "?"}>`;
  }
  const name = checker.typeToString(type);
  if (/^(?:Promise|OutputInstance)</.test(name)) return name;
  return "object";
}

function schemaTypeOfProperty(property: SchemaProperty): string {
  if (property.$ref) return "object";
  if (property.type === "array")
    return `array<${property.items ? schemaTypeOfProperty(property.items) : "?"}>`;
  if (property.type === "integer") return "number";
  return property.type ?? "?";
}

function schemaTypes(properties: Record<string, SchemaProperty>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(properties).map(([key, value]) => [key, schemaTypeOfProperty(value)]),
  );
}

function tsTypes(...sources: Map<string, { type: string; optional: boolean }>[]): Record<string, string> {
  return Object.fromEntries(
    sources.flatMap((source) => [...source].map(([key, value]) => [key, value.type])),
  );
}

function required(source: Map<string, { type: string; optional: boolean }>): string[] {
  return [...source].filter(([, v]) => !v.optional).map(([k]) => k);
}

const sorted = (keys: Iterable<string>) => [...keys].sort();

const operationInputs = members("validate", "OperationInputs");
const publishInputs = members("publish", "PublishInputs");
const operationOutputs = members("outputs", "OperationOutputs");
const operationHandle = members("backend", "OperationHandle");
const goLiveArgs = members("resource", "OfferGoLiveArgs");
const publishArgs = members("resource", "OfferPublishArgs");
/** Only kinds that stop at the sign-off point (publish) have it; the TypeScript interface is shared. */
const PUBLISH_ONLY_OUTPUTS = ["awaitingSignoff"];

const goLive = schema.resources["cloudpartner:index:OfferGoLive"] as SchemaResource;
const publish = schema.resources["cloudpartner:index:OfferPublish"] as SchemaResource;

test("the schema's resources are exactly those the native provider serves", () => {
  expect(sorted(Object.keys(schema.resources))).toEqual(sorted(RESOURCE_TYPES));
  expect(Object.keys(schema.functions)).toEqual([GET_OFFER_STATUS]);
});

test("resource inputs match OperationInputs (+ PublishInputs) in names and types", () => {
  expect(schemaTypes(goLive.inputProperties)).toEqual(tsTypes(operationInputs));
  expect(schemaTypes(publish.inputProperties)).toEqual(tsTypes(operationInputs, publishInputs));
});

test("the dynamic resources' args are all in the schema, with the same types and the same required ones", () => {
  for (const [args, resource] of [
    [goLiveArgs, goLive],
    [publishArgs, publish],
  ] as const) {
    for (const [key, value] of args) {
      expect({ key, type: schemaTypeOfProperty(resource.inputProperties[key] ?? {}) }).toEqual({
        key,
        type: value.type,
      });
    }
    expect(sorted(resource.requiredInputs)).toEqual(sorted(required(args)));
  }
});

test("resource outputs match OperationOutputs + OperationHandle (+ PublishInputs) in names, types and optionality", () => {
  const common = tsTypes(operationOutputs, operationHandle);
  const goLiveExpected = Object.fromEntries(
    Object.entries(common).filter(([key]) => !PUBLISH_ONLY_OUTPUTS.includes(key)),
  );
  expect(schemaTypes(goLive.properties)).toEqual(goLiveExpected);
  expect(schemaTypes(publish.properties)).toEqual({ ...common, ...tsTypes(publishInputs) });

  // Required outputs: what OperationOutputs always has (the handle's fields beyond the location are optional).
  const always = required(operationOutputs);
  expect(sorted(goLive.required)).toEqual(sorted(always));
  expect(sorted(publish.required)).toEqual(sorted([...always, ...required(publishInputs)]));
});

test("defaults in the schema are the providers' INPUT_DEFAULTS", () => {
  for (const resource of [goLive, publish]) {
    const withDefaults = Object.entries(resource.inputProperties).filter(([, p]) => p.default !== undefined);
    expect(withDefaults.length).toBeGreaterThan(0);
    for (const [key, property] of withDefaults) {
      expect({ key, default: property.default }).toEqual({
        key,
        default: (INPUT_DEFAULTS as Record<string, unknown>)[key],
      });
    }
    // endpoint and api fall back to the provider configuration, so the SDKs must not fill them in.
    expect(resource.inputProperties.endpoint?.default).toBeUndefined();
    expect(resource.inputProperties.api?.default).toBeUndefined();
  }
});

test("the step type matches StepOutput, and getOfferStatus matches OfferStatusReport and StepSnapshot", () => {
  const step = schema.types["cloudpartner:index:OperationStep"] as SchemaObject;
  const stepOutput = members("outputs", "StepOutput");
  expect(schemaTypes(step.properties)).toEqual(tsTypes(stepOutput));
  expect(sorted(step.required ?? [])).toEqual(sorted(required(stepOutput)));

  const status = schema.functions[GET_OFFER_STATUS] as { inputs: SchemaObject; outputs: SchemaObject };
  const report = members("backend", "OfferStatusReport");
  expect(schemaTypes(status.outputs.properties)).toEqual(tsTypes(report));
  expect(sorted(status.outputs.required ?? [])).toEqual(sorted(required(report)));
  const statusStep = schema.types["cloudpartner:index:OfferStatusStep"] as SchemaObject;
  const snapshot = members("operation", "StepSnapshot");
  expect(schemaTypes(statusStep.properties)).toEqual(tsTypes(snapshot));
  expect(sorted(statusStep.required ?? [])).toEqual(sorted(required(snapshot)));
});

test("provider configuration: accessToken (secret), endpoint, api; the schema version is the package's", () => {
  expect(sorted(Object.keys(schema.config.variables))).toEqual(sorted(CONFIG_KEYS));
  expect(sorted(Object.keys(schema.provider.inputProperties))).toEqual(sorted(CONFIG_KEYS));
  expect(schema.config.variables.accessToken?.secret).toBe(true);
  expect(schema.provider.inputProperties.accessToken?.secret).toBe(true);
  // The native provider's configuration is in state (the token as a secret, CheckConfig marks it so): the
  // description must not promise otherwise.
  for (const accessToken of [
    schema.config.variables.accessToken,
    schema.provider.inputProperties.accessToken,
  ]) {
    expect(accessToken?.description).not.toMatch(/never stored in state/i);
    expect(accessToken?.description).toMatch(/as a secret/);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  expect(schema.version).toBe(pkg.version);
});

describe("VmImageVersion", () => {
  const image = schema.resources[VM_IMAGE_VERSION] as SchemaResource;
  const imageInputs = members("images", "ImageVersionInputs");
  const imageOutputs = members("images", "ImageVersionOutputs");
  const imageArgs = members("imageResource", "VmImageVersionArgs");
  const secretKeys = (properties: Record<string, SchemaProperty>) =>
    sorted(
      Object.entries(properties)
        .filter(([, p]) => p.secret === true)
        .map(([key]) => key),
    );

  /** The string list `SECRET_OUTPUTS` of image-resource.ts: the dynamic resource's additionalSecretOutputs. */
  function dynamicSecretOutputs(): string[] {
    const source = program.getSourceFile(path.join(root, files.imageResource));
    for (const statement of source?.statements ?? []) {
      if (!ts.isVariableStatement(statement)) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === "SECRET_OUTPUTS") {
          const list = declaration.initializer;
          if (!list || !ts.isArrayLiteralExpression(list)) break;
          return list.elements.filter(ts.isStringLiteral).map((e) => e.text);
        }
      }
    }
    throw new Error(`${files.imageResource} has no SECRET_OUTPUTS list`);
  }

  test("inputs match ImageVersionInputs; the dynamic args are all there with the same types and required ones", () => {
    expect(schemaTypes(image.inputProperties)).toEqual(tsTypes(imageInputs));
    for (const [key, value] of imageArgs) {
      expect({ key, type: schemaTypeOfProperty(image.inputProperties[key] ?? {}) }).toEqual({
        key,
        type: value.type,
      });
    }
    expect(sorted(image.requiredInputs)).toEqual(sorted(required(imageArgs)));
  });

  test("outputs match ImageVersionOutputs in names, types and optionality", () => {
    expect(schemaTypes(image.properties)).toEqual(tsTypes(imageOutputs));
    expect(sorted(image.required)).toEqual(sorted(required(imageOutputs)));
  });

  test("the data disk type matches VmImageDataDisk", () => {
    const disk = schema.types["cloudpartner:index:VmImageDataDisk"] as SchemaObject;
    const dataDisk = members("imageResource", "VmImageDataDisk");
    expect(schemaTypes(disk.properties)).toEqual(tsTypes(dataDisk));
    expect(sorted(disk.required ?? [])).toEqual(sorted(required(dataDisk)));
    expect(image.inputProperties.dataDisks?.items?.$ref).toBe("#/types/cloudpartner:index:VmImageDataDisk");
    expect(disk.properties.uri?.secret).toBe(true);
  });

  test("secret inputs and outputs are exactly the dynamic resource's secret outputs (the SAS URIs)", () => {
    const secrets = sorted(dynamicSecretOutputs());
    expect(secrets).toEqual(["dataDisks", "images", "osVhdUrl"]);
    expect(secretKeys(image.inputProperties)).toEqual(secrets);
    expect(secretKeys(image.properties)).toEqual(secrets);
  });

  test("defaults in the schema are checkImageInputs' defaults; endpoint and api come from the provider", () => {
    const { inputs } = checkImageInputs({});
    const withDefaults = Object.entries(image.inputProperties).filter(([, p]) => p.default !== undefined);
    expect(withDefaults.map(([key]) => key).sort()).toEqual(["deprecate", "requestTimeoutSeconds"]);
    for (const [key, property] of withDefaults)
      expect({ key, default: property.default }).toEqual({ key, default: inputs[key] });
    expect(image.inputProperties.endpoint?.default).toBeUndefined();
    expect(image.inputProperties.api?.default).toBeUndefined();
  });
});

describe("OfferConfiguration", () => {
  const offer = schema.resources[OFFER_CONFIGURATION] as SchemaResource;
  const offerInputs = members("offer", "OfferConfigurationResourceInputs");
  const offerOutputs = members("offer", "OfferConfigurationOutputs");
  const offerArgs = members("offerResource", "OfferConfigurationArgs");

  test("inputs match OfferConfigurationResourceInputs; the dynamic args are all there with the same types and required ones", () => {
    expect(schemaTypes(offer.inputProperties)).toEqual(tsTypes(offerInputs));
    expect(sorted(offer.requiredInputs)).toEqual(sorted(required(offerInputs)));
    for (const [key, value] of offerArgs)
      expect({ key, type: schemaTypeOfProperty(offer.inputProperties[key] ?? {}) }).toEqual({
        key,
        type: value.type,
      });
    expect(sorted(offerArgs.keys())).toEqual(sorted(offerInputs.keys()));
    expect(sorted(required(offerArgs))).toEqual(sorted(required(offerInputs)));
  });

  test("outputs match OfferConfigurationOutputs in names, types and optionality", () => {
    expect(schemaTypes(offer.properties)).toEqual(tsTypes(offerOutputs));
    expect(sorted(offer.required)).toEqual(sorted(required(offerOutputs)));
  });

  test("defaults in the schema are checkOfferInputs' defaults; endpoint and api come from the provider", () => {
    const { inputs } = checkOfferInputs({ offerId: "contoso-offer" });
    const withDefaults = Object.entries(offer.inputProperties).filter(([, p]) => p.default !== undefined);
    expect(withDefaults.map(([key]) => key).sort()).toEqual(["removedPlans", "requestTimeoutSeconds"]);
    for (const [key, property] of withDefaults)
      expect({ key, default: property.default }).toEqual({ key, default: inputs[key] });
    expect(offer.inputProperties.endpoint?.default).toBeUndefined();
    expect(offer.inputProperties.api?.default).toBeUndefined();
  });

  /** The object members of a type (a union of object types is merged, as the schema has one object type). */
  function objectParts(raw: ts.Type): ts.Type[] {
    const type = checker.getNonNullableType(raw);
    const parts = type.isUnion() ? type.types : [type];
    return parts.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
  }

  /** The element (array) or value (string-keyed record) type of a container type. */
  function inner(raw: ts.Type): ts.Type | undefined {
    const type = checker.getNonNullableType(raw);
    if (checker.isArrayType(type)) return checker.getTypeArguments(type as ts.TypeReference)[0];
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    return index && checker.getPropertiesOfType(type).length === 0 ? index.type : undefined;
  }

  const reached = new Set<string>();
  const problems: string[] = [];

  /** Compares a schema property with the TypeScript type it describes, descending into object types. */
  function compareProperty(where: string, property: SchemaProperty, type: ts.Type): void {
    const ref = property.$ref ?? "";
    if (ref.startsWith("#/types/")) {
      compareObject(where, ref.slice("#/types/".length), objectParts(type));
      return;
    }
    if (ref === "pulumi.json#/Any") return;
    const element = property.items ?? property.additionalProperties;
    const innerType = inner(type);
    if (element && innerType) compareProperty(`${where}[]`, element, innerType);
    else if (element) problems.push(`${where}: the schema has a container, TypeScript does not`);
  }

  function compareObject(where: string, token: string, parts: ts.Type[]): void {
    if (reached.has(token)) return;
    reached.add(token);
    const object = schema.types[token];
    if (!object) {
      problems.push(`${where}: ${token} is not in schema.types`);
      return;
    }
    const props = new Map<string, { type: ts.Type; optional: boolean; count: number }>();
    for (const part of parts)
      for (const symbol of checker.getPropertiesOfType(part)) {
        const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
        const type = checker.getTypeOfSymbolAtLocation(symbol, declaration as ts.Node);
        const optional = (symbol.flags & ts.SymbolFlags.Optional) !== 0;
        const seen = props.get(symbol.name);
        if (seen) {
          seen.count++;
          seen.optional ||= optional;
        } else props.set(symbol.name, { type, optional, count: 1 });
      }
    const tsSide = Object.fromEntries([...props].map(([key, value]) => [key, schemaTypeOf(value.type)]));
    const schemaSide = schemaTypes(object.properties);
    if (JSON.stringify(canonicalize(tsSide)) !== JSON.stringify(canonicalize(schemaSide)))
      problems.push(
        `${token}: TypeScript ${JSON.stringify(canonicalize(tsSide))} vs schema ${JSON.stringify(canonicalize(schemaSide))}`,
      );
    const requiredTs = [...props].filter(([, v]) => !v.optional && v.count === parts.length).map(([k]) => k);
    if (JSON.stringify(sorted(requiredTs)) !== JSON.stringify(sorted(object.required ?? [])))
      problems.push(
        `${token}: required ${JSON.stringify(sorted(requiredTs))} vs schema ${JSON.stringify(sorted(object.required ?? []))}`,
      );
    for (const [key, value] of props) {
      const property = object.properties[key];
      if (property) compareProperty(`${token}.${key}`, property, value.type);
    }
  }

  const canonicalize = (value: Record<string, string>) =>
    Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));

  test("every typed part's object type matches its TypeScript type (names, types, required), at every depth", () => {
    const source = program.getSourceFile(path.join(root, files.offer));
    const declaration = source?.statements.find(
      (s): s is ts.InterfaceDeclaration =>
        ts.isInterfaceDeclaration(s) && s.name.text === "OfferConfigurationResourceInputs",
    );
    if (!declaration) throw new Error("OfferConfigurationResourceInputs is missing");
    const inputsType = checker.getTypeAtLocation(declaration.name);
    for (const symbol of checker.getPropertiesOfType(inputsType)) {
      const property = offer.inputProperties[symbol.name];
      if (property)
        compareProperty(symbol.name, property, checker.getTypeOfSymbolAtLocation(symbol, declaration));
    }
    expect(problems).toEqual([]);
    // Every Offer* object type is reached from the resource: none is left over from a removed field.
    const offerTypes = Object.keys(schema.types).filter(
      (t) => t.startsWith("cloudpartner:index:Offer") && !t.includes("OfferStatus"),
    );
    expect(sorted(reached)).toEqual(sorted(offerTypes));
    expect(reached.size).toBeGreaterThan(30);
  });
});
