/**
 * `VmImageVersion`: one VM image version of one plan, declared in a Pulumi program. Its provider is the thin
 * serialized one of `resource.ts` (it loads `VmImageVersionProvider` at run time).
 */

import * as pulumi from "@pulumi/pulumi";
import type { ImageVersionState } from "../core/images";
import { sharedThinProvider } from "./resource";

/** SAS URIs are credentials: these outputs are always secret. */
const SECRET_OUTPUTS = ["osVhdUrl", "dataDisks", "images"];

export interface VmImageDataDisk {
  /** LUN, 0 to 15. */
  lun: pulumi.Input<number>;
  /** SAS URI of the data disk's VHD (secret). */
  uri: pulumi.Input<string>;
}

/** One image of an ingestion version: an image type and one source (SAS URIs or a gallery image version). */
export interface VmImageInput {
  /** `x64Gen1`, `x64Gen2` or `arm64Gen2`; the plan needs a SKU of that type. */
  imageType: pulumi.Input<"x64Gen1" | "x64Gen2" | "arm64Gen2">;
  /** SAS URI of the OS disk VHD (secret; same rules as `osVhdUrl`). */
  osDiskUri?: pulumi.Input<string>;
  /** Data disks of a SAS source. */
  dataDisks?: pulumi.Input<pulumi.Input<VmImageDataDisk>[]>;
  /** A shared image gallery version: its tenant and its id (`/subscriptions/.../galleries/<g>/images/<d>/versions/<x.y.z>`). */
  sharedImage?: pulumi.Input<{ tenantId: pulumi.Input<string>; resourceId: pulumi.Input<string> }>;
}

export interface VmImageVersionArgs {
  /** `cpp` (default): the Cloud Partner Portal; `ingestion`: the Partner Center Product Ingestion API. */
  api?: pulumi.Input<"cpp" | "ingestion">;
  /** CPP: required. Ingestion: optional. */
  publisherId?: pulumi.Input<string>;
  offerId: pulumi.Input<string>;
  /** The plan (`definition.plans[].planId`), or one of its generation sub-plans. */
  planId: pulumi.Input<string>;
  /**
   * `X.Y.Z`, whole numbers of at most 10 digits each, greater than every earlier version of the plan. Changing
   * it replaces the resource: the new version is added first, then the old one is removed (never published) or
   * kept (published).
   */
  version: pulumi.Input<string>;
  /**
   * SAS URI of the OS VHD: https, `sp=rl` (read and list only), expiring at least 21 days ahead, starting no later
   * than now. Secret; messages show the blob path only. Re-generating the SAS of the same blob changes nothing.
   */
  osVhdUrl?: pulumi.Input<string>;
  /**
   * Ingestion (required there): one or two images of distinct image types. Secret (it may hold SAS URIs). The
   * version goes into the plan's technical configuration, every other version kept exactly as read.
   */
  images?: pulumi.Input<pulumi.Input<VmImageInput>[]>;
  /**
   * Ingestion: deprecate a published version on destroy with this schedule (`dateOffset` an ISO 8601 duration
   * such as `P90D`; `reason` `criticalSecurityIssue`, `endOfSupport` or `other`; `alternative` passed as given).
   * Without it a published version is kept on destroy.
   */
  deprecation?: pulumi.Input<{
    dateOffset: pulumi.Input<string>;
    reason: pulumi.Input<"criticalSecurityIssue" | "endOfSupport" | "other">;
    alternative?: pulumi.Input<Record<string, unknown>>;
  }>;
  /** CPP: data disks; their number must be the same in every version of a plan. */
  dataDisks?: pulumi.Input<pulumi.Input<VmImageDataDisk>[]>;
  /** Core VM offers: label, description, media name and visibility of the image. Defaults on creation. */
  label?: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  mediaName?: pulumi.Input<string>;
  showInGui?: pulumi.Input<boolean>;
  /** Generation sub-plans (`diskGenerations[].planId`) of the plan that get this version too. */
  diskGenerations?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * On destroy, retire a published version instead of keeping it: core VM offers hide it (`showInGui: false`),
   * VM offers remove it from the draft. Never-published versions are removed either way; a plan's last image is
   * never removed. Takes effect with the next publish.
   */
  deprecate?: pulumi.Input<boolean>;
  endpoint?: pulumi.Input<string>;
  apiVersion?: pulumi.Input<string>;
  requestTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * Adds an image version to a plan of an offer's draft: reads the offer, adds the version, writes the whole
 * document back with the ETag it read (a concurrent portal edit is re-read and re-applied; a change to the version
 * itself is reported). The same version with the same image is adopted without a write. Publish and go live with
 * `OfferPublish` and `OfferGoLive`, passing `triggers: [image.version]`.
 */
export class VmImageVersion extends pulumi.dynamic.Resource {
  declare readonly publisherId: pulumi.Output<string>;
  declare readonly offerId: pulumi.Output<string>;
  declare readonly planId: pulumi.Output<string>;
  declare readonly version: pulumi.Output<string>;
  declare readonly osVhdUrl: pulumi.Output<string | undefined>;
  /** Ingestion: the images (secret). */
  declare readonly images: pulumi.Output<VmImageInput[] | undefined>;
  declare readonly dataDisks: pulumi.Output<Array<{ lun: number; uri: string }>>;
  /**
   * CPP: the plan (or sub-plan) the version went into, then the plan's generation sub-plans. Ingestion: the plan's
   * durable id, then its technical configuration's.
   */
  declare readonly planIds: pulumi.Output<string[]>;
  /** As last read: `draft`, `preview` or `live`. */
  declare readonly state: pulumi.Output<ImageVersionState>;
  declare readonly published: pulumi.Output<boolean>;
  /** The version was already there with this image when the resource was created (nothing was written). */
  declare readonly alreadyPresent: pulumi.Output<boolean>;

  constructor(name: string, args: VmImageVersionArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      ...args,
      osVhdUrl: args.osVhdUrl === undefined ? undefined : pulumi.secret(args.osVhdUrl),
      images: args.images === undefined ? undefined : pulumi.secret(args.images),
      dataDisks: args.dataDisks === undefined ? undefined : pulumi.secret(args.dataDisks),
      planIds: undefined,
      state: undefined,
      published: undefined,
      alreadyPresent: undefined,
    };
    super(
      sharedThinProvider("VmImageVersionProvider"),
      name,
      props,
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS],
      },
      "cloudpartner",
      "VmImageVersion",
    );
  }
}
